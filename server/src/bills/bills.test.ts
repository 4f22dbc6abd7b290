import request from 'supertest';
import { createTestHub, type TestHub } from '../../test/support/app';
import { loginResident, orderReaches, payAtCashier } from '../../test/support/resident';
import { seedDemoAdapters, startSandbox, type Sandbox } from '../../test/support/sandbox';

/** Bills with context (issue 11): each toll passage is a bill of its own, paid alone if the resident wants. */
describe(`toll passages as bills (${process.env.DATABASE_URL ? 'MySQL' : 'SQLite'})`, () => {
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

  it('lists a month of passages as one bill each, and paying one leaves the others owed', async () => {
    const driver = await loginResident(hub, 'toll-driver');
    const bound = await request(hub.url)
      .post('/api/v1/accounts')
      .set(driver.auth)
      .send({ serviceId: 'highway-etc', cityCode: '410100', fields: { plate: '豫A12345', cardOrVinTail: '615720' } })
      .expect(201);
    const accountId = bound.body.account.id as string;
    const owed = (await request(hub.url).get(`/api/v1/accounts/${accountId}/bills`).set(driver.auth).expect(200)).body;
    expect(owed.account).toMatchObject({ category: 'highway_toll', holderNameMasked: '王**', addressHint: null });
    expect(owed.bills.map((b: { title: string; totalFen: number; period: string }) => [b.title, b.totalFen, b.period])).toEqual([
      ['郑州东站 → 开封站', 3500, '202610'],
      ['开封站 → 郑州东站', 3500, '202610'],
      ['郑州南站 → 许昌北站', 4200, '202610'],
    ]);
    expect(owed.bills.every((b: { lineItems: Array<{ kind: string }> }) => b.lineItems.length === 1 && b.lineItems[0].kind === 'toll_passage')).toBe(true);

    const third = owed.bills[2];
    const created = await request(hub.url).post('/api/v1/orders').set(driver.auth).set('Idempotency-Key', 'toll-one').send({ accountId, billRefs: [third.ref] }).expect(201);
    expect(created.body.order.amountFen).toBe(4200);
    await payAtCashier(hub, created.body.payment);
    await orderReaches(hub, driver, created.body.order.id, ['COMPLETED']);

    const journal = (await sandbox.writeOffs('toll')).filter((w) => w.orderNo === created.body.order.orderNo);
    expect(journal).toEqual([expect.objectContaining({ billRefs: [third.ref], amountFen: 4200 })]);
    const after = (await request(hub.url).get(`/api/v1/accounts/${accountId}/bills`).set(driver.auth).expect(200)).body;
    expect(after.bills.map((b: { ref: string }) => b.ref)).toEqual([owed.bills[0].ref, owed.bills[1].ref]);
    expect(after.totalFen).toBe(7000);
  });
});
