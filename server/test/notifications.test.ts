import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { createTestHub, TEST_OPERATOR_TOKEN, type TestHub } from './support/app';
import { buildNotification, type NotificationOptions } from './support/notifications';
import { bindAccount, loginResident, type Resident } from './support/resident';
import { seedDemoAdapters, startSandbox, type Sandbox } from './support/sandbox';
import { waitUntil } from './support/wait';

/**
 * The notify endpoint is the only door through which money becomes a paid
 * order. Genuine notifications are built from the wire format; each forgery
 * changes one thing, and must change nothing in the hub.
 */
describe('payment notifications', () => {
  let hub: TestHub;
  let sandbox: Sandbox;
  let accountSeq = 0;

  beforeAll(async () => {
    sandbox = await startSandbox();
    // Workers off: the test runs the outbox itself, to count what it delivers.
    hub = await createTestHub({ workers: false });
    await seedDemoAdapters(hub, sandbox);
  });
  afterAll(async () => {
    await hub?.close();
    await sandbox?.close();
  });

  /** A fresh unpaid order on a grid load-test account (each owes one bill), of a resident who binds only that one. */
  async function unpaidOrder(): Promise<{ id: string; orderNo: string; amountFen: number; resident: Resident }> {
    const consNo = String(4199000000 + ++accountSeq); // a fresh sandbox per file: no clashes
    // Binding is rate-limited per resident (issue 9); a real resident never binds a dozen accounts in seconds.
    const resident = await loginResident(hub, `notified-${accountSeq}`);
    const accountId = await bindAccount(hub, resident, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo } });
    const owed = await request(hub.url).get(`/api/v1/accounts/${accountId}/bills`).set(resident.auth).expect(200);
    const res = await request(hub.url)
      .post('/api/v1/orders')
      .set(resident.auth)
      .set('Idempotency-Key', `notify-${process.pid}-${accountSeq}`)
      .send({ accountId, billRefs: owed.body.bills.map((b: { ref: string }) => b.ref) })
      .expect(201);
    return { ...res.body.order, resident };
  }

  const deliver = (n: { headers: Record<string, string>; body: string }) => request(hub.url).post('/api/v1/payments/wechat/notify').set(n.headers).send(n.body);

  async function snapshot(orderId: string) {
    const ds = hub.stores.dataSource;
    const [order] = await ds.query('SELECT status, transaction_id FROM orders WHERE id = ?', [orderId]);
    const events = await ds.query('SELECT status FROM order_events WHERE order_id = ?', [orderId]);
    const outbox = await ds.query('SELECT kind FROM outbox WHERE order_id = ?', [orderId]);
    return { status: order.status, transactionId: order.transaction_id, events: events.length, outbox: outbox.map((o: { kind: string }) => o.kind) };
  }

  async function drainOutbox(): Promise<void> {
    while ((await hub.services.outbox.tick()) > 0);
  }

  it('a genuine notification marks the order PAID and queues one write-off, committed before the 2xx', async () => {
    const order = await unpaidOrder();
    const res = await deliver(buildNotification(hub.keys, { outTradeNo: order.orderNo, amountFen: order.amountFen }));
    expect(res.status).toBeLessThan(300);
    // The answer came after the commit: the state is already there.
    expect(await snapshot(order.id)).toMatchObject({ status: 'PAID', outbox: ['write_off'] });
  });

  it('shows the engineer on call, in /metrics, paid orders waiting for write-off until the outbox delivers them', async () => {
    const gauge = async (name: string) => {
      const text = (await request(hub.url).get('/metrics').set('Authorization', `Bearer ${TEST_OPERATOR_TOKEN}`).expect(200)).text;
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      if (!line) throw new Error(`no ${name} in /metrics`);
      return Number(line.slice(name.length + 1));
    };
    await drainOutbox();
    const paidBefore = await gauge('cityhub_orders_in_flight{status="PAID"}');
    expect(await gauge('cityhub_outbox_pending')).toBe(0);
    expect(await gauge('cityhub_outbox_oldest_pending_seconds')).toBe(0);

    const order = await unpaidOrder();
    await deliver(buildNotification(hub.keys, { outTradeNo: order.orderNo, amountFen: order.amountFen })).expect(204);
    expect(await gauge('cityhub_orders_in_flight{status="PAID"}')).toBe(paidBefore + 1);
    expect(await gauge('cityhub_outbox_pending')).toBe(1);
    expect(await gauge('cityhub_adapter_down{adapter="state-grid"}')).toBe(0);

    await drainOutbox();
    expect(await gauge('cityhub_orders_in_flight{status="PAID"}')).toBe(paidBefore);
    expect(await gauge('cityhub_outbox_pending')).toBe(0);
  });

  it('50 concurrent copies of one notification: one PAID, one write-off at the provider', async () => {
    const order = await unpaidOrder();
    const copy = buildNotification(hub.keys, { outTradeNo: order.orderNo, amountFen: order.amountFen, transactionId: '4200000000000000000050' });
    const answers = await Promise.all(Array.from({ length: 50 }, () => deliver(copy)));
    expect(answers.map((a) => a.status).filter((s) => s >= 300)).toEqual([]);
    const after = await snapshot(order.id);
    expect(after.outbox).toEqual(['write_off']);
    const events = await hub.stores.dataSource.query('SELECT status FROM order_events WHERE order_id = ?', [order.id]);
    expect(events.filter((e: { status: string }) => e.status === 'PAID')).toHaveLength(1);
    await drainOutbox();
    expect((await snapshot(order.id)).status).toBe('COMPLETED');
    // Late duplicates after completion change nothing either.
    await deliver(copy).expect(204);
    await drainOutbox();
    expect((await sandbox.writeOffs('grid')).filter((w) => w.orderNo === order.orderNo)).toHaveLength(1);
    expect((await snapshot(order.id)).status).toBe('COMPLETED');
  });

  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
  const forgeries: Array<[string, (o: { orderNo: string; amountFen: number }) => NotificationOptions]> = [
    ['a signature made with another key', (o) => ({ outTradeNo: o.orderNo, amountFen: o.amountFen, signingKeyPem: otherKey })],
    ['an unknown serial', (o) => ({ outTradeNo: o.orderNo, amountFen: o.amountFen, serial: 'PUB_KEY_ID_0000000000000000000000000000' })],
    ['a timestamp six minutes old', (o) => ({ outTradeNo: o.orderNo, amountFen: o.amountFen, timestampOffsetS: -360 })],
    ['a timestamp six minutes ahead', (o) => ({ outTradeNo: o.orderNo, amountFen: o.amountFen, timestampOffsetS: 360 })],
    ['a WECHATPAY/SIGNTEST/ probe', (o) => ({ outTradeNo: o.orderNo, amountFen: o.amountFen, signTest: true })],
    [
      'its amount changed after signing',
      (o) => ({ outTradeNo: o.orderNo, amountFen: o.amountFen, tamperAfterSigning: (body) => body.replace(/"ciphertext":"(.)/, (_m, c: string) => `"ciphertext":"${c === 'A' ? 'B' : 'A'}`) }),
    ],
  ];

  it.each(forgeries)('a notification with %s is refused with 401 and changes nothing', async (_name, options) => {
    const order = await unpaidOrder();
    const before = await snapshot(order.id);
    const res = await deliver(buildNotification(hub.keys, options(order)));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('SIGNATURE_INVALID');
    expect(await snapshot(order.id)).toEqual(before);
    expect(before.status).toBe('CREATED');
  });

  it('a correctly signed notification whose amount differs from the order is refunded, never credited', async () => {
    const order = await unpaidOrder();
    // The payer really paid 1 fen at the gateway (a tampered client), and WeChat says so.
    hub.wechat.state.trades.get(order.orderNo)!.totalFen = 1;
    hub.wechat.pay(hub.wechat.state.trades.get(order.orderNo)!);
    await waitUntil(async () => (await snapshot(order.id)).status === 'REFUNDING');
    await drainOutbox();
    await waitUntil(async () => (await snapshot(order.id)).status === 'REFUNDED');
    const after = await snapshot(order.id);
    expect(after.outbox).toEqual(['refund']);
    expect([...hub.wechat.state.refunds.values()].find((r) => r.outTradeNo === order.orderNo)?.refundFen).toBe(1);
    expect((await sandbox.writeOffs('grid')).filter((w) => w.orderNo === order.orderNo)).toHaveLength(0);
  });

  it('a payment that arrives after the order was closed is refunded, not credited', async () => {
    const order = await unpaidOrder();
    await request(hub.url).post(`/api/v1/orders/${order.id}/close`).set(order.resident.auth).expect(200);
    const res = await deliver(buildNotification(hub.keys, { outTradeNo: order.orderNo, amountFen: order.amountFen }));
    expect(res.status).toBeLessThan(300);
    const after = await snapshot(order.id);
    expect(after.status).toBe('REFUNDING');
    expect(after.outbox).toEqual(['refund']);
  });

  it('a notification for an order the hub never made is refused and creates nothing', async () => {
    const res = await deliver(buildNotification(hub.keys, { outTradeNo: 'CH00000000000000000000', amountFen: 100 }));
    expect(res.status).toBe(404);
    const rows = await hub.stores.dataSource.query('SELECT id FROM orders WHERE order_no = ?', ['CH00000000000000000000']);
    expect(rows).toEqual([]);
  });
});
