import request from 'supertest';
import { beijingDate } from '../src/infra/beijing-time';
import { IdempotencyEntity, OrderEntity } from '../src/orders/entities';
import { createTestHub, TEST_OPERATOR_TOKEN, type TestHub } from './support/app';
import { bindAccount, loginResident, orderReaches, payAtCashier, type Resident } from './support/resident';
import { seedDemoAdapters, startSandbox, type Sandbox } from './support/sandbox';

/**
 * A resident pays over HTTP, end to end, on the stores this run targets: the
 * demo adapters registered from config/adapters, the provider simulators,
 * the mock WeChat gateway and cashier, the notification, the outbox worker.
 */
describe('paying a bill end to end', () => {
  let hub: TestHub;
  let sandbox: Sandbox;
  let alice: Resident;
  let bob: Resident;
  let keySeq = 0;

  beforeAll(async () => {
    sandbox = await startSandbox();
    hub = await createTestHub({ workers: true });
    expect(await seedDemoAdapters(hub, sandbox)).toHaveLength(5);
    alice = await loginResident(hub, 'alice');
    bob = await loginResident(hub, 'bob');
  });
  afterAll(async () => {
    await hub?.close();
    await sandbox?.close();
  });

  const api = () => request(hub.url);
  const newKey = () => `test-key-${process.pid}-${++keySeq}`;

  async function bills(resident: Resident, accountId: string) {
    const res = await api().get(`/api/v1/accounts/${accountId}/bills`).set(resident.auth).expect(200);
    return res.body as { bills: Array<{ ref: string; totalFen: number; lineItems: Array<{ kind: string }> }>; totalFen: number };
  }

  async function order(resident: Resident, accountId: string, billRefs: string[], key = newKey()) {
    return api().post('/api/v1/orders').set(resident.auth).set('Idempotency-Key', key).send({ accountId, billRefs });
  }

  const statusOf = (resident: Resident, orderId: string, wanted: string, withinMs?: number) => orderReaches(hub, resident, orderId, [wanted], withinMs);

  it('electricity in 郑州: bind, bills, order, cashier, notification, write-off, receipt', async () => {
    const accountId = await bindAccount(hub, alice, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000001' } });
    const owed = await bills(alice, accountId);
    expect(owed.bills).toHaveLength(2);
    const refs = owed.bills.map((b) => b.ref);
    const created = await order(alice, accountId, refs);
    expect(created.status).toBe(201);
    expect(created.body.order.amountFen).toBe(owed.totalFen);
    expect(Number.isInteger(created.body.order.amountFen)).toBe(true);
    expect(created.body.payment.package).toMatch(/^prepay_id=/);

    const paid = await payAtCashier(hub, created.body.payment);
    expect(paid.body.errMsg).toBe('requestPayment:ok');
    const done = await statusOf(alice, created.body.order.id, 'COMPLETED');
    expect(done.timeline.map((e: { status: string }) => e.status)).toEqual(['CREATED', 'PAID', 'POSTING', 'COMPLETED']);
    expect(done.receipt).toMatchObject({ amountFen: owed.totalFen, transactionId: paid.body.transactionId, accountMasked: { consNo: expect.not.stringContaining('4101000001') } });
    expect(done.receipt.writeOffRef).toBeTruthy();

    const journal = (await sandbox.writeOffs('grid')).filter((w) => w.orderNo === created.body.order.orderNo);
    expect(journal).toHaveLength(1);
    expect(journal[0].amountFen).toBe(owed.totalFen);
    // Paid bills are no longer owed.
    expect((await bills(alice, accountId)).bills).toHaveLength(0);
  });

  it('highway toll by plate: passages listed, paid, written off once', async () => {
    const accountId = await bindAccount(hub, alice, { serviceId: 'highway-etc', cityCode: '410100', fields: { plate: '豫A12345', cardOrVinTail: '615720' } });
    const owed = await bills(alice, accountId);
    expect(owed.bills[0].lineItems.every((l) => l.kind === 'toll_passage')).toBe(true);
    const created = await order(alice, accountId, [owed.bills[0].ref]);
    expect(created.status).toBe(201);
    await payAtCashier(hub, created.body.payment);
    await statusOf(alice, created.body.order.id, 'COMPLETED');
    expect((await sandbox.writeOffs('toll')).filter((w) => w.orderNo === created.body.order.orderNo)).toHaveLength(1);
  });

  it('a provider that rejects the write-off refunds the resident', async () => {
    const accountId = await bindAccount(hub, alice, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000009' } });
    const owed = await bills(alice, accountId);
    const created = await order(alice, accountId, owed.bills.map((b) => b.ref));
    await payAtCashier(hub, created.body.payment);
    const refunded = await statusOf(alice, created.body.order.id, 'REFUNDED');
    expect(refunded.refundReason).toBe('缴费单位未能销账，款项已原路退回');
    expect(refunded.refund).toEqual({ refundNo: `RF${created.body.order.orderNo.slice(2)}`, amountFen: created.body.order.amountFen });
    expect(refunded.timeline.map((e: { status: string }) => e.status)).toEqual(['CREATED', 'PAID', 'POSTING', 'REFUNDING', 'REFUNDED']);
    const trade = hub.wechat.state.trades.get(created.body.order.orderNo)!;
    expect(trade.state).toBe('REFUND');
    expect([...hub.wechat.state.refunds.values()].filter((r) => r.outTradeNo === trade.outTradeNo)).toHaveLength(1);
    expect((await sandbox.writeOffs('grid')).filter((w) => w.orderNo === created.body.order.orderNo)).toHaveLength(0);
  });

  it('a bill with a live order gets no second one (the same resident resumes it); closing the order frees it', async () => {
    const accountId = await bindAccount(hub, alice, { serviceId: 'city-water', cityCode: '410100', fields: { customerNo: '41010001' } });
    const [bill] = (await bills(alice, accountId)).bills;
    const first = await order(alice, accountId, [bill.ref]);
    expect(first.status).toBe(201);
    const second = await order(alice, accountId, [bill.ref]);
    expect(second.status).toBe(201);
    expect(second.body.order.id).toBe(first.body.order.id);

    // Cancelled at the cashier: nothing paid, the order still open.
    const cancelled = await payAtCashier(hub, first.body.payment, 'cancel');
    expect(cancelled.body.errMsg).toBe('requestPayment:fail cancel');
    const closed = await api().post(`/api/v1/orders/${first.body.order.id}/close`).set(alice.auth).expect(200);
    expect(closed.body.order.status).toBe('CLOSED');
    expect(hub.wechat.state.trades.get(first.body.order.orderNo)!.state).toBe('CLOSED');
    expect((await order(alice, accountId, [bill.ref])).status).toBe(201);
  });

  it('Idempotency-Key: a repeat gets the first answer, another body gets 422, concurrent copies make one order', async () => {
    const accountId = await bindAccount(hub, alice, { serviceId: 'city-gas', cityCode: '410100', fields: { userCode: 'RQ41010001' } });
    const [bill] = (await bills(alice, accountId)).bills;
    const key = newKey();
    const copies = await Promise.all(Array.from({ length: 10 }, () => order(alice, accountId, [bill.ref], key)));
    const ok = copies.filter((r) => r.status === 201);
    expect(ok.length).toBeGreaterThan(0);
    expect(new Set(ok.map((r) => r.body.order.id)).size).toBe(1);
    for (const r of copies.filter((c) => c.status !== 201)) expect(r.body.error.code).toBe('CONFLICT');

    const again = await order(alice, accountId, [bill.ref], key);
    expect(again.status).toBe(201);
    expect(again.body.order.id).toBe(ok[0].body.order.id);
    expect(again.body.payment).toEqual(ok[0].body.payment);

    const other = await order(alice, accountId, [bill.ref, 'another-bill'], key);
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const list = await api().get('/api/v1/orders').query({ serviceId: 'city-gas' }).set(alice.auth).expect(200);
    expect(list.body.orders.filter((o: { accountId: string }) => o.accountId === accountId)).toHaveLength(1);
  });

  it('a retry after the process died mid-request resumes the same order instead of blocking the bill', async () => {
    const accountId = await bindAccount(hub, alice, { serviceId: 'city-water', cityCode: '330100', fields: { customerNo: '33010001' } });
    const owed = await bills(alice, accountId);
    const refs = owed.bills.map((b) => b.ref);
    const key = newKey();
    const first = await order(alice, accountId, refs, key);
    expect(first.status).toBe(201);
    // What a crash after the order was stored, before the answer was, leaves behind.
    const ds = hub.stores.dataSource;
    await ds.getRepository(IdempotencyEntity).update({ key }, { statusCode: null, response: null, createdAt: new Date(Date.now() - 60_000) });
    await ds.getRepository(OrderEntity).update({ id: first.body.order.id }, { prepayId: null });

    const retried = await order(alice, accountId, refs, key);
    expect(retried.status).toBe(201);
    expect(retried.body.order.id).toBe(first.body.order.id);
    expect(retried.body.payment.package).toBe(first.body.payment.package);
    const paid = await payAtCashier(hub, retried.body.payment);
    expect(paid.body.errMsg).toBe('requestPayment:ok');
    await statusOf(alice, first.body.order.id, 'COMPLETED');
    const mine = await api().get('/api/v1/orders').query({ serviceId: 'city-water' }).set(alice.auth).expect(200);
    expect(mine.body.orders.filter((o: { accountId: string }) => o.accountId === accountId)).toHaveLength(1);
  });

  it("resident B can neither see nor pay nor delete resident A's accounts and orders", async () => {
    const accountId = await bindAccount(hub, alice, { serviceId: 'traffic-police', cityCode: '410100', fields: { plate: '豫A12345', engineTail: '123456' } });
    const [bill] = (await bills(alice, accountId)).bills;
    const created = await order(alice, accountId, [bill.ref]);
    expect(created.status).toBe(201);
    const orderId = created.body.order.id;

    expect((await api().get(`/api/v1/accounts/${accountId}/bills`).set(bob.auth)).status).toBe(404);
    expect((await api().delete(`/api/v1/accounts/${accountId}`).set(bob.auth)).status).toBe(404);
    expect((await api().patch(`/api/v1/accounts/${accountId}`).set(bob.auth).send({ alias: '我的车' })).status).toBe(404);
    expect((await order(bob, accountId, [bill.ref])).status).toBe(404);
    expect((await api().get(`/api/v1/orders/${orderId}`).set(bob.auth)).status).toBe(404);
    expect((await api().post(`/api/v1/orders/${orderId}/close`).set(bob.auth)).status).toBe(404);
    const bobsAccounts = await api().get('/api/v1/accounts').set(bob.auth).expect(200);
    expect(bobsAccounts.body.accounts).toEqual([]);
    const bobsOrders = await api().get('/api/v1/orders').set(bob.auth).expect(200);
    expect(bobsOrders.body.orders).toEqual([]);
    // And A's things are untouched; A may rename her own.
    const renamed = await api().patch(`/api/v1/accounts/${accountId}`).set(alice.auth).send({ alias: '家里的车' }).expect(200);
    expect(renamed.body.account.alias).toBe('家里的车');
    expect((await api().get(`/api/v1/orders/${orderId}`).set(alice.auth)).body.order.status).toBe('CREATED');
    expect((await api().get('/api/v1/accounts').set(alice.auth)).body.accounts.map((a: { id: string }) => a.id)).toContain(accountId);
  });

  it('resident routes need a session; a revoked token is refused', async () => {
    expect((await api().get('/api/v1/accounts')).status).toBe(401);
    const carol = await loginResident(hub, 'carol');
    await api().get('/api/v1/accounts').set(carol.auth).expect(200);
    await api().post('/api/v1/auth/logout').set(carol.auth).expect(204);
    const after = await api().get('/api/v1/accounts').set(carol.auth);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('reconciliation: the day balances to the fen, and a payment stuck before write-off shows as a difference', async () => {
    const operator = { Authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
    const today = beijingDate();
    expect((await api().get('/api/v1/admin/reconciliation').query({ date: today })).status).toBe(401);
    expect((await api().get('/api/v1/admin/reconciliation').query({ date: '2026-13' }).set(operator)).status).toBe(400);
    const missing = await api().get('/api/v1/admin/reconciliation').query({ date: '2020-01-01' }).set(operator);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('REPORT_NOT_FOUND');

    const accountId = await bindAccount(hub, alice, { serviceId: 'state-grid', cityCode: '330100', fields: { consNo: '3301000001' } });
    const owed = await bills(alice, accountId);
    const created = await order(alice, accountId, owed.bills.map((b) => b.ref));
    // Now the grid fails every call: the paid order cannot be written off yet.
    await fetch(`${sandbox.providers.grid.url}/__sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 1 }) });
    await payAtCashier(hub, created.body.payment);
    await statusOf(alice, created.body.order.id, 'POSTING');

    const stuck = await api().post('/api/v1/admin/reconciliation').set(operator).send({ date: today }).expect(200);
    expect(stuck.body.balanced).toBe(false);
    expect(stuck.body.differences).toEqual([expect.objectContaining({ kind: 'paid_not_written_off', orderNo: created.body.order.orderNo, gatewayFen: owed.totalFen, hubStatus: 'POSTING' })]);

    await fetch(`${sandbox.providers.grid.url}/__sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 0 }) });
    // The failures may have opened the grid's breaker, which lets a trial call through only after 5 s.
    await statusOf(alice, created.body.order.id, 'COMPLETED', 30_000);
    const report = await api().post('/api/v1/admin/reconciliation').set(operator).send({ date: today }).expect(200);
    expect(report.body.differences).toEqual([]);
    expect(report.body.balanced).toBe(true);
    const { totals, counts } = report.body;
    expect(totals.gatewayPaidFen).toBe(totals.writtenOffFen + totals.refundedOrdersFen);
    expect(counts.refunded).toBeGreaterThanOrEqual(1);
    expect(totals.gatewayRefundedFen).toBe(totals.refundedOrdersFen);
    const stored = await api().get('/api/v1/admin/reconciliation').query({ date: today }).set(operator).expect(200);
    expect(stored.body).toEqual(report.body);
  }, 60_000);
});
