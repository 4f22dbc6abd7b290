import request from 'supertest';
import { createTestHub, type TestHub } from '../../test/support/app';
import { loginResident, orderReaches, payAtCashier, type Resident } from '../../test/support/resident';
import { seedDemoAdapters, startSandbox, type Sandbox } from '../../test/support/sandbox';
import { randomUUID } from 'node:crypto';
import { OrderEntity, type OrderRow, type OrderStatus } from '../orders/entities';
import { AccountEntity } from './entities';
import { lastMonths } from '../bills/history';

/**
 * Look up, then confirm, then save (issue 11): a preview asks the provider and
 * saves nothing; the account must be in the chosen city; "仅本次缴费" keeps an
 * account its owner alone can open and no list shows.
 */
describe(`account previews and confirmations (${process.env.DATABASE_URL ? 'MySQL' : 'SQLite'})`, () => {
  let hub: TestHub;
  let sandbox: Sandbox;
  let seq = 0;

  beforeAll(async () => {
    sandbox = await startSandbox();
    hub = await createTestHub({ workers: true });
    await seedDemoAdapters(hub, sandbox);
  });
  afterAll(async () => {
    await hub?.close();
    await sandbox?.close();
  });

  const api = () => request(hub.url);
  // A resident per test: each preview spends one of the resident's bind allowance.
  const someone = () => loginResident(hub, `preview-${++seq}`);
  const accountRows = () => hub.stores.dataSource.getRepository(AccountEntity).count();
  const preview = (resident: Resident, body: { serviceId: string; cityCode: string; fields: Record<string, string> }) =>
    api().post('/api/v1/accounts/preview').set(resident.auth).send(body);
  const confirm = (resident: Resident, previewId: string, save?: boolean) => api().post('/api/v1/accounts/confirm').set(resident.auth).send({ previewId, save });
  const grid = (consNo: string, cityCode = '410100') => ({ serviceId: 'state-grid', cityCode, fields: { consNo } });

  it('answers the masked holder name, district and city, and writes no row', async () => {
    const resident = await someone();
    const before = await accountRows();
    const res = await preview(resident, grid('4101000001')).expect(200);
    expect(res.body.preview).toMatchObject({
      serviceId: 'state-grid',
      cityCode: '410100',
      cityName: '郑州市',
      holderNameMasked: '王**',
      addressHint: '郑州市金水区****',
      fieldsMasked: { consNo: expect.not.stringContaining('4101000001') },
    });
    expect(res.body.preview.previewId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(res.body)).not.toMatch(/4101000001|王建国|花园路/);
    expect(await accountRows()).toBe(before);
    expect((await api().get('/api/v1/accounts').set(resident.auth).expect(200)).body.accounts).toEqual([]);
  });

  it('refuses an account the provider places in another city, naming that city, and saves nothing', async () => {
    const resident = await someone();
    const before = await accountRows();
    // The grid says so itself (its areaCode)…
    const byCode = await preview(resident, grid('3301000001', '410100')).expect(422);
    expect(byCode.body.error).toMatchObject({ code: 'ACCOUNT_IN_OTHER_CITY', details: { cityCode: '330100', cityName: '杭州市' } });
    // …the water company only by its address.
    const byAddress = await preview(resident, { serviceId: 'city-water', cityCode: '410100', fields: { customerNo: '33010001' } }).expect(422);
    expect(byAddress.body.error).toMatchObject({ code: 'ACCOUNT_IN_OTHER_CITY', details: { cityCode: '330100', cityName: '杭州市' } });
    // Binding in one step keeps the same rule.
    const bound = await api().post('/api/v1/accounts').set(resident.auth).send(grid('4103000001', '410100')).expect(422);
    expect(bound.body.error.details).toMatchObject({ cityCode: '410300', cityName: '洛阳市' });
    expect(await accountRows()).toBe(before);
    // In its own city the same account is fine.
    await preview(resident, grid('4103000001', '410300')).expect(200);
  });

  it('says plainly when the provider has no such account, and when a field is malformed', async () => {
    const resident = await someone();
    expect((await preview(resident, grid('4101999999')).expect(422)).body.error.code).toBe('PROVIDER_ACCOUNT_NOT_FOUND');
    const bad = await preview(resident, grid('41010')).expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(bad.body.error.details)).toContain('body.fields.consNo');
  });

  it('confirming saves the account to 我的, once; a preview is single-use and its resident\'s alone', async () => {
    const resident = await someone();
    const stranger = await someone();
    const { previewId } = (await preview(resident, grid('4101000002')).expect(200)).body.preview;
    expect((await confirm(stranger, previewId).expect(410)).body.error.code).toBe('PREVIEW_EXPIRED');
    const saved = await confirm(resident, previewId).expect(201);
    expect(saved.body.account).toMatchObject({ saved: true, holderNameMasked: '李**', addressHint: '郑州市二七区****' });
    expect((await confirm(resident, previewId).expect(410)).body.error.code).toBe('PREVIEW_EXPIRED');
    const list = (await api().get('/api/v1/accounts').set(resident.auth).expect(200)).body.accounts;
    expect(list.map((a: { id: string }) => a.id)).toEqual([saved.body.account.id]);
    expect((await api().get('/api/v1/accounts').set(stranger.auth).expect(200)).body.accounts).toEqual([]);
    // The same account again: already bound.
    const again = (await preview(resident, grid('4101000002')).expect(200)).body.preview.previewId;
    expect((await confirm(resident, again).expect(409)).body.error.code).toBe('ACCOUNT_ALREADY_BOUND');
  });

  it('仅本次缴费: an unlisted account its owner can read, pay and remove; a stranger cannot; saving it later lists it', async () => {
    const owner = await someone();
    const stranger = await someone();
    const { previewId } = (await preview(owner, grid('4101000003')).expect(200)).body.preview;
    const once = (await confirm(owner, previewId, false).expect(201)).body.account;
    expect(once.saved).toBe(false);
    expect((await api().get('/api/v1/accounts').set(owner.auth).expect(200)).body.accounts).toEqual([]);

    const owed = await api().get(`/api/v1/accounts/${once.id}/bills`).set(owner.auth).expect(200);
    expect(owed.body.account).toMatchObject({ saved: false, holderNameMasked: '张*' });
    expect((await api().get(`/api/v1/accounts/${once.id}/bills`).set(stranger.auth).expect(404)).body.error.code).toBe('ACCOUNT_NOT_FOUND');
    expect((await api().get(`/api/v1/accounts/${once.id}/history`).set(stranger.auth).expect(404)).body.error.code).toBe('ACCOUNT_NOT_FOUND');
    await api().delete(`/api/v1/accounts/${once.id}`).set(stranger.auth).expect(404);

    // Deciding to keep it after all: the same row, now listed.
    const keep = (await preview(owner, grid('4101000003')).expect(200)).body.preview.previewId;
    const kept = (await confirm(owner, keep, true).expect(201)).body.account;
    expect(kept).toMatchObject({ id: once.id, saved: true });
    expect((await api().get('/api/v1/accounts').set(owner.auth).expect(200)).body.accounts.map((a: { id: string }) => a.id)).toEqual([once.id]);
    await api().delete(`/api/v1/accounts/${once.id}`).set(owner.auth).expect(204);
    await api().get(`/api/v1/accounts/${once.id}/bills`).set(owner.auth).expect(404);
  });

  it('heads the bills with masked 户号, 户名 and district, and puts overdue bills first, flagged', async () => {
    const resident = await someone();
    const { previewId } = (await preview(resident, grid('4101000005')).expect(200)).body.preview;
    const account = (await confirm(resident, previewId).expect(201)).body.account;
    const res = await api().get(`/api/v1/accounts/${account.id}/bills`).set(resident.auth).expect(200);
    expect(res.body.account).toMatchObject({ serviceName: '电费', holderNameMasked: '孙*', addressHint: '郑州市管城区****', fieldsMasked: { consNo: expect.stringMatching(/^4101\*+05$|\*/) } });
    expect(JSON.stringify(res.body.account)).not.toContain('4101000005');
    // The provider lists this month first; the overdue September bill comes first here.
    expect(res.body.bills.map((b: { period: string; overdue: boolean }) => [b.period, b.overdue])).toEqual([
      ['202609', true],
      [expect.stringMatching(/^\d{6}$/), false],
    ]);
    expect(res.body.bills[0].usage).toEqual({ amount: Math.round(6380 / 56), unit: 'kWh' });
  });
});

describe('previews count against the bind limits', () => {
  let hub: TestHub;
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox();
    hub = await createTestHub({ workers: false, rateLimits: { bindPerResident: { points: 3, durationSec: 3600 }, bindPerTarget: { points: 4, durationSec: 3600 } } });
    await seedDemoAdapters(hub, sandbox);
  });
  afterAll(async () => {
    await hub?.close();
    await sandbox?.close();
  });

  it('a resident looking numbers up is refused after the bind allowance, previews and binds together', async () => {
    const harvester = await loginResident(hub, 'harvester');
    const statuses: number[] = [];
    for (const consNo of ['4101000001', '4101000002', '4101000003', '4101000009']) {
      statuses.push((await request(hub.url).post('/api/v1/accounts/preview').set(harvester.auth).send({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo } })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const bind = await request(hub.url).post('/api/v1/accounts').set(harvester.auth).send({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000005' } });
    expect(bind.status).toBe(429);
    expect(bind.body.error.code).toBe('RATE_LIMITED');
  });

  it('one account previewed by many residents is refused after the per-target allowance', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await loginResident(hub, `target-${i}`);
      statuses.push((await request(hub.url).post('/api/v1/accounts/preview').set(r.auth).send({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '3301000001' } })).status);
    }
    // 杭州's account asked from 郑州: refused for the city, and still counted.
    expect(statuses).toEqual([422, 422, 422, 422, 429]);
  });

  it('confirming a preview asks the provider no more and spends no bind allowance', async () => {
    const resident = await loginResident(hub, 'confirmer');
    const { previewId } = (await request(hub.url).post('/api/v1/accounts/preview').set(resident.auth).send({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000002' } }).expect(200)).body.preview;
    await request(hub.url).post('/api/v1/accounts/confirm').set(resident.auth).send({ previewId }).expect(201);
    // Two previews left of three: a confirmation took none.
    for (const consNo of ['4101000003', '4101000005']) {
      await request(hub.url).post('/api/v1/accounts/preview').set(resident.auth).send({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo } }).expect(200);
    }
    await request(hub.url).post('/api/v1/accounts/preview').set(resident.auth).send({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000009' } }).expect(429);
  });
});

describe('payment history by month', () => {
  let hub: TestHub;
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox();
    hub = await createTestHub({ workers: true });
    await seedDemoAdapters(hub, sandbox);
  });
  afterAll(async () => {
    await hub?.close();
    await sandbox?.close();
  });

  it("answers the last 12 Beijing months in integer fen, zero months included, from the resident's own paid orders", async () => {
    const owner = await loginResident(hub, 'history-owner');
    const other = await loginResident(hub, 'history-other');
    const bindGrid = async (resident: Resident, consNo: string) =>
      (await request(hub.url).post('/api/v1/accounts').set(resident.auth).send({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo } }).expect(201)).body.account.id as string;
    const accountId = await bindGrid(owner, '4101000001');
    await bindGrid(other, '4101000001');

    const before = await request(hub.url).get('/api/v1/accounts/paid-this-month').set(owner.auth).expect(200);
    expect(before.body).toMatchObject({ paidFen: 0, orders: 0 });

    // Pay the overdue September bill (with its late fee) through the cashier.
    const owed = (await request(hub.url).get(`/api/v1/accounts/${accountId}/bills`).set(owner.auth).expect(200)).body;
    const september = owed.bills.find((b: { period: string }) => b.period === '202609');
    const created = await request(hub.url).post('/api/v1/orders').set(owner.auth).set('Idempotency-Key', 'history-1').send({ accountId, billRefs: [september.ref] }).expect(201);
    await payAtCashier(hub, created.body.payment);
    await orderReaches(hub, owner, created.body.order.id, ['COMPLETED']);

    const history = (await request(hub.url).get(`/api/v1/accounts/${accountId}/history`).set(owner.auth).expect(200)).body;
    expect(history.months).toHaveLength(12);
    const thisMonth = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    expect(history.months[11]).toEqual({ month: thisMonth, paidFen: 18650 + 120, orders: 1, usage: Math.round(18650 / 56) });
    expect(history.months.slice(0, 11).every((m: { paidFen: number; orders: number }) => m.paidFen === 0 && m.orders === 0)).toBe(true);
    expect(history.usageUnit).toBe('kWh');
    // Months run oldest first, one apart.
    expect(new Set(history.months.map((m: { month: string }) => m.month)).size).toBe(12);
    expect([...history.months.map((m: { month: string }) => m.month)].sort()).toEqual(history.months.map((m: { month: string }) => m.month));

    const total = await request(hub.url).get('/api/v1/accounts/paid-this-month').set(owner.auth).expect(200);
    expect(total.body).toEqual({ month: thisMonth, paidFen: 18770, orders: 1 });
    // Another resident with the same account number paid nothing through the hub.
    expect((await request(hub.url).get('/api/v1/accounts/paid-this-month').set(other.auth).expect(200)).body.paidFen).toBe(0);
    await request(hub.url).get(`/api/v1/accounts/${accountId}/history`).set(other.auth).expect(404);
  });

  it('counts what stayed paid: a refund leaves nothing, a partial refund its remainder, an unpaid order nothing; by Beijing month', async () => {
    const owner = await loginResident(hub, 'history-sums');
    const accountId = (await request(hub.url).post('/api/v1/accounts').set(owner.auth).send({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000002' } }).expect(201)).body.account.id as string;
    const residentId = (await hub.stores.dataSource.getRepository(AccountEntity).findOneByOrFail({ id: accountId })).residentId;
    const now = new Date();
    const { months, since } = lastMonths(now, 12);
    const at = (iso: string) => new Date(iso);
    let n = 0;
    const order = (paidAt: Date | null, status: OrderStatus, amountFen: number, refundFen: number | null = null, who = residentId): Partial<OrderRow> => ({
      id: randomUUID(),
      orderNo: `HIST${String(++n).padStart(8, '0')}`,
      residentId: who,
      accountId,
      adapterId: 'state-grid',
      adapterVersion: '1.1.0',
      category: 'electricity',
      cityCode: '410100',
      serviceName: '电费',
      providerName: '国网',
      fieldsSealed: 'x',
      accountMasked: '{}',
      billRefs: '[]',
      bills: JSON.stringify([{ usage: { amount: 100, unit: 'kWh' } }]),
      amountFen,
      status,
      prepayId: null,
      expiresAt: now,
      transactionId: null,
      paidAt,
      writeOffRef: null,
      completedAt: null,
      refundNo: null,
      refundReason: null,
      refundFen,
      closedAt: null,
      createdAt: paidAt ?? now,
      updatedAt: now,
    });
    // The first month of the window begins at 00:00 Beijing, 16:00 UTC the day before.
    const firstMonthStart = since;
    const justBefore = new Date(since.getTime() - 1000);
    await hub.stores.dataSource.getRepository(OrderEntity).insert([
      order(firstMonthStart, 'COMPLETED', 1001),
      order(justBefore, 'COMPLETED', 5000), // the month before the window
      order(firstMonthStart, 'REFUNDED', 7000),
      order(firstMonthStart, 'PARTLY_REFUNDED', 3000, 1200),
      order(null, 'CLOSED', 9000),
      order(firstMonthStart, 'COMPLETED', 4444, null, randomUUID()), // someone else's order on this account id
      order(at(`${months[5]}-15T04:00:00Z`), 'POSTING', 2500),
    ]);
    const history = (await request(hub.url).get(`/api/v1/accounts/${accountId}/history`).set(owner.auth).expect(200)).body;
    const byMonth = Object.fromEntries(history.months.map((m: { month: string; paidFen: number }) => [m.month, m.paidFen]));
    expect(byMonth[months[0]]).toBe(1001 + 1800);
    expect(byMonth[months[5]]).toBe(2500);
    expect(Object.values(byMonth).reduce((a: number, b) => a + (b as number), 0)).toBe(1001 + 1800 + 2500);
    expect(history.months.every((m: { paidFen: number }) => Number.isInteger(m.paidFen))).toBe(true);
    expect(history.months[0]).toMatchObject({ orders: 2, usage: 200 });
  });
});
