import request from 'supertest';
import { OrderEntity } from '../src/orders/entities';
import { createTestHub, type TestHub } from './support/app';
import { bindAccount, loginResident, orderReaches, payAtCashier, type Resident } from './support/resident';
import { seedDemoAdapters, startSandbox, type Sandbox } from './support/sandbox';

/**
 * A payment a resident can always finish (issue 11): leaving the cashier or
 * cancelling the WeChat payment sheet leaves an unpaid order that paying the
 * same bills again, or 继续支付, picks up; another set of bills replaces it;
 * 取消 closes it at the gateway. On the stores this run targets.
 */
describe('resuming and replacing unpaid orders', () => {
  let hub: TestHub;
  let sandbox: Sandbox;
  let alice: Resident;
  let bob: Resident;
  let keySeq = 0;

  beforeAll(async () => {
    sandbox = await startSandbox();
    hub = await createTestHub({ workers: true });
    await seedDemoAdapters(hub, sandbox);
    alice = await loginResident(hub, 'alice-resume');
    bob = await loginResident(hub, 'bob-resume');
  });
  afterAll(async () => {
    await hub?.close();
    await sandbox?.close();
  });
  afterEach(() => jest.restoreAllMocks());

  const api = () => request(hub.url);
  // A new key each time, as the mini-program makes one per tap of 立即缴费.
  const order = (who: Resident, accountId: string, billRefs: string[]) =>
    api().post('/api/v1/orders').set(who.auth).set('Idempotency-Key', `resume-${process.pid}-${++keySeq}`).send({ accountId, billRefs });
  const billRefs = async (who: Resident, accountId: string) =>
    ((await api().get(`/api/v1/accounts/${accountId}/bills`).set(who.auth).expect(200)).body.bills as Array<{ ref: string }>).map((b) => b.ref);
  const prepays = () => jest.spyOn(hub.services.gateway, 'createPrepay');

  it('paying the same bills again answers the same order and the same prepay, and it completes', async () => {
    const accountId = await bindAccount(hub, alice, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000001' } });
    const refs = await billRefs(alice, accountId);
    const first = await order(alice, accountId, refs).expect(201);
    // Left the cashier (back, reload): nothing paid. The resident taps 立即缴费 again, bills in another order.
    const spy = prepays();
    const again = await order(alice, accountId, [...refs].reverse()).expect(201);
    expect(again.body.order.id).toBe(first.body.order.id);
    expect(again.body.order.orderNo).toBe(first.body.order.orderNo);
    expect(again.body.payment.package).toBe(first.body.payment.package);
    // The prepay was still valid: handed out again without asking the gateway for another.
    expect(spy).not.toHaveBeenCalled();
    const list = await api().get('/api/v1/orders').query({ serviceId: 'state-grid' }).set(alice.auth).expect(200);
    expect(list.body.orders.filter((o: { accountId: string }) => o.accountId === accountId)).toHaveLength(1);

    expect((await payAtCashier(hub, again.body.payment)).body.errMsg).toBe('requestPayment:ok');
    await orderReaches(hub, alice, first.body.order.id, ['COMPLETED']);
    expect((await sandbox.writeOffs('grid')).filter((w) => w.orderNo === first.body.order.orderNo)).toHaveLength(1);
  });

  it('taps on two phones at once (different keys, same bills) end in one order that both answers carry', async () => {
    const accountId = await bindAccount(hub, alice, { serviceId: 'highway-etc', cityCode: '410100', fields: { plate: '豫A12345', cardOrVinTail: '615720' } });
    const refs = await billRefs(alice, accountId);
    const answers = await Promise.all(Array.from({ length: 5 }, () => order(alice, accountId, [refs[0]])));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.order.id)).size).toBe(1);
    expect(new Set(answers.map((a) => a.body.payment.package)).size).toBe(1);
    const list = await api().get('/api/v1/orders').query({ serviceId: 'highway-etc' }).set(alice.auth).expect(200);
    expect(list.body.orders.filter((o: { accountId: string }) => o.accountId === accountId)).toHaveLength(1);
  });

  it('another set of the same bills closes the unpaid order at the gateway and starts a new one', async () => {
    const accountId = await bindAccount(hub, alice, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000005' } });
    const refs = await billRefs(alice, accountId);
    expect(refs.length).toBeGreaterThanOrEqual(2);
    const both = await order(alice, accountId, refs).expect(201);
    const one = await order(alice, accountId, [refs[0]]).expect(201);
    expect(one.body.order.id).not.toBe(both.body.order.id);
    expect(one.body.order.bills.map((b: { ref: string }) => b.ref)).toEqual([refs[0]]);
    const old = await api().get(`/api/v1/orders/${both.body.order.id}`).set(alice.auth).expect(200);
    expect(old.body.order.status).toBe('CLOSED');
    expect(hub.wechat.state.trades.get(both.body.order.orderNo)!.state).toBe('CLOSED');
    // The closed order's payment sheet can no longer take money; the new one can.
    expect((await payAtCashier(hub, both.body.payment)).body.errMsg).not.toBe('requestPayment:ok');
    await payAtCashier(hub, one.body.payment);
    await orderReaches(hub, alice, one.body.order.id, ['COMPLETED']);
  });

  it('继续支付 hands out the same prepay while valid, a new prepay for the same out_trade_no after it expired', async () => {
    const accountId = await bindAccount(hub, alice, { serviceId: 'city-water', cityCode: '410100', fields: { customerNo: '41010001' } });
    const created = await order(alice, accountId, await billRefs(alice, accountId)).expect(201);
    const id = created.body.order.id;
    // The WeChat payment sheet was cancelled: the order stays open and payable.
    expect((await payAtCashier(hub, created.body.payment, 'cancel')).body.errMsg).toBe('requestPayment:fail cancel');

    const spy = prepays();
    const same = await api().post(`/api/v1/orders/${id}/continue`).set(alice.auth).send({}).expect(200);
    expect(same.body.order.id).toBe(id);
    expect(same.body.payment.package).toBe(created.body.payment.package);
    expect(spy).not.toHaveBeenCalled();

    // Two hours later for the prepay, the order itself still open (as if it had been created with a longer life).
    const repo = hub.stores.dataSource.getRepository(OrderEntity);
    await repo.update({ id }, { prepayExpiresAt: new Date(Date.now() - 1000) });
    const renewed = await api().post(`/api/v1/orders/${id}/continue`).set(alice.auth).send({}).expect(200);
    expect(renewed.body.order.id).toBe(id);
    expect(renewed.body.order.orderNo).toBe(created.body.order.orderNo);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0][0].outTradeNo).toBe(created.body.order.orderNo);
    expect(new Date((await repo.findOneByOrFail({ id })).prepayExpiresAt!).getTime()).toBeGreaterThan(Date.now() + 3600_000);
    await payAtCashier(hub, renewed.body.payment);
    await orderReaches(hub, alice, id, ['COMPLETED']);
  });

  it('继续支付 on an order past its time closes it and starts a new order for its bills', async () => {
    const accountId = await bindAccount(hub, alice, { serviceId: 'city-gas', cityCode: '410100', fields: { userCode: 'RQ41010001' } });
    const created = await order(alice, accountId, await billRefs(alice, accountId)).expect(201);
    const id = created.body.order.id;
    await hub.stores.dataSource.getRepository(OrderEntity).update({ id }, { expiresAt: new Date(Date.now() + 60_000) });
    const next = await api().post(`/api/v1/orders/${id}/continue`).set(alice.auth).send({}).expect(200);
    expect(next.body.order.id).not.toBe(id);
    expect(next.body.order.bills.map((b: { ref: string }) => b.ref)).toEqual(created.body.order.bills.map((b: { ref: string }) => b.ref));
    expect((await api().get(`/api/v1/orders/${id}`).set(alice.auth).expect(200)).body.order.status).toBe('CLOSED');
    expect(hub.wechat.state.trades.get(created.body.order.orderNo)!.state).toBe('CLOSED');
    await payAtCashier(hub, next.body.payment);
    await orderReaches(hub, alice, next.body.order.id, ['COMPLETED']);
  });

  it('取消 closes the order at the gateway; it cannot be continued, and the bills start a new order', async () => {
    const accountId = await bindAccount(hub, alice, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000003' } });
    const refs = await billRefs(alice, accountId);
    const created = await order(alice, accountId, refs).expect(201);
    const id = created.body.order.id;
    const closed = await api().post(`/api/v1/orders/${id}/close`).set(alice.auth).send({}).expect(200);
    expect(closed.body.order.status).toBe('CLOSED');
    expect(hub.wechat.state.trades.get(created.body.order.orderNo)!.state).toBe('CLOSED');
    const refused = await api().post(`/api/v1/orders/${id}/continue`).set(alice.auth).send({}).expect(409);
    expect(refused.body.error.code).toBe('CONFLICT');
    const fresh = await order(alice, accountId, refs).expect(201);
    expect(fresh.body.order.id).not.toBe(id);
  });

  it("another resident can neither see, continue nor cancel an unpaid order, nor pay its bills", async () => {
    const accountId = await bindAccount(hub, alice, { serviceId: 'city-water', cityCode: '330100', fields: { customerNo: '33010001' } });
    const refs = await billRefs(alice, accountId);
    const created = await order(alice, accountId, refs).expect(201);
    const id = created.body.order.id;
    const spy = prepays();
    for (const attempt of [api().get(`/api/v1/orders/${id}`), api().post(`/api/v1/orders/${id}/continue`).send({}), api().post(`/api/v1/orders/${id}/close`).send({})]) {
      const res = await attempt.set(bob.auth).expect(404);
      expect(res.body.error.code).toBe('ORDER_NOT_FOUND');
    }
    const stranger = await order(bob, accountId, refs).expect(404);
    expect(stranger.body.error.code).toBe('ACCOUNT_NOT_FOUND');
    expect(spy).not.toHaveBeenCalled();
    // Alice's order is untouched and still hers to finish.
    const mine = await api().get(`/api/v1/orders/${id}`).set(alice.auth).expect(200);
    expect(mine.body.order.status).toBe('CREATED');
    expect(hub.wechat.state.trades.get(created.body.order.orderNo)!.state).toBe('NOTPAY');
    expect((await order(alice, accountId, refs).expect(201)).body.order.id).toBe(id);
  });
});
