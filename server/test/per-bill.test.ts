import request from 'supertest';
import { beijingDate } from '../src/infra/beijing-time';
import { billPaymentNo } from '../src/orders/outbox-worker';
import { createTestHub, TEST_OPERATOR_TOKEN, type TestHub } from './support/app';
import { fakeWaterManifest, startFakeProvider } from './support/fake-provider';
import { bindAccount, loginResident, orderReaches, payAtCashier, type Resident } from './support/resident';

const op = { Authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

/**
 * 洛阳供水's way: one bill per pay call, each with its own payment number;
 * idempotent on that number; it refuses a bill it was told to refuse.
 */
function scriptOneBillProvider(fake: Awaited<ReturnType<typeof startFakeProvider>>, refuse: Set<string>) {
  const bills = [
    { ref: 'LY-202609', period: '2026-09', fen: 3150 },
    { ref: 'LY-202610', period: '2026-10', fen: 2870 },
  ];
  const paid = new Map<string, string>(); // payment number → bill
  const calls = new Map<string, number>(); // payment number → pay calls
  fake.answers.set('/lookup', () => ({ body: { ok: true, name: '王洛阳' } }));
  fake.answers.set('/bills', () => ({ body: { ok: true, bills: bills.filter((b) => ![...paid.values()].includes(b.ref)) } }));
  fake.answers.set('/pay', ({ body }) => {
    const { trade, refs, fen } = body as { trade: string; refs: string[]; fen: number };
    calls.set(trade, (calls.get(trade) ?? 0) + 1);
    if (refs.length !== 1) return { body: { ok: false, err: 'ONE_BILL_ONLY' } };
    const bill = bills.find((b) => b.ref === refs[0]);
    if (!bill || bill.fen !== fen) return { body: { ok: false, err: 'AMOUNT' } };
    if (refuse.has(bill.ref)) return { body: { ok: false, err: 'REFUSED' } };
    paid.set(trade, bill.ref);
    return { body: { ok: true, ref: `WO-${trade}` } };
  });
  fake.answers.set('/pay-status', ({ body }) => {
    const { trade } = body as { trade: string };
    return { body: paid.has(trade) ? { ok: true, state: 'SUCCESS', ref: `WO-${trade}` } : { ok: true, state: 'NOT_FOUND' } };
  });
  return { paid, calls };
}

describe(`a provider that writes off one bill per call (${process.env.DATABASE_URL ? 'MySQL + Redis' : 'SQLite + memory'})`, () => {
  let hub: TestHub;
  let fake: Awaited<ReturnType<typeof startFakeProvider>>;
  let resident: Resident;
  const refuse = new Set<string>();
  let provider: ReturnType<typeof scriptOneBillProvider>;

  beforeEach(async () => {
    refuse.clear();
    hub = await createTestHub({ workers: true });
    fake = await startFakeProvider();
    provider = scriptOneBillProvider(fake, refuse);
    const manifest = fakeWaterManifest(fake.url, {
      id: 'luoyang-water',
      paymentRules: { mode: 'exact', minFen: 1, maxFen: 5_000_000, maxBills: 2, writeOffPer: 'bill' },
      errorCodes: { REFUSED: 'PROVIDER_REJECTED', AMOUNT: 'PROVIDER_REJECTED' },
    });
    await request(hub.url).post('/api/v1/admin/adapters').set(op).send(manifest).expect(201);
    await request(hub.url).post('/api/v1/admin/adapters/luoyang-water/activate').set(op).send({ force: true }).expect(200);
    resident = await loginResident(hub, `per-bill-${Date.now()}`);
  });
  afterEach(async () => {
    await hub.close();
    await fake.close();
  });

  async function payBoth(): Promise<{ id: string; orderNo: string; amountFen: number }> {
    const accountId = await bindAccount(hub, resident, { serviceId: 'luoyang-water', cityCode: '330100', fields: { customerNo: '12345678' } });
    const owed = await request(hub.url).get(`/api/v1/accounts/${accountId}/bills`).set(resident.auth).expect(200);
    const created = await request(hub.url)
      .post('/api/v1/orders')
      .set(resident.auth)
      .set('Idempotency-Key', `per-bill-${Date.now()}`)
      .send({ accountId, billRefs: owed.body.bills.map((b: { ref: string }) => b.ref) })
      .expect(201);
    expect((await payAtCashier(hub, created.body.payment)).body.errMsg).toBe('requestPayment:ok');
    return created.body.order;
  }

  const orderIn = (id: string, status: string) => orderReaches(hub, resident, id, [status]);

  it('completes an order of two bills with two write-offs, each under its own payment number, each once', async () => {
    const order = await payBoth();
    const done = await orderIn(order.id, 'COMPLETED');
    expect(order.amountFen).toBe(3150 + 2870);
    expect([...provider.paid.entries()].sort()).toEqual([
      [billPaymentNo(order.orderNo, 0), 'LY-202609'],
      [billPaymentNo(order.orderNo, 1), 'LY-202610'],
    ]);
    expect([...provider.calls.values()]).toEqual([1, 1]);
    expect(done.receipt.amountFen).toBe(6020);
    expect(done.timeline.at(-1).note).toContain('bill by bill');
  });

  it('refunds only the bill the provider refused, completes the other, and the day reconciles to the fen', async () => {
    refuse.add('LY-202610');
    const order = await payBoth();
    const settled = await orderIn(order.id, 'PARTLY_REFUNDED');
    expect([...provider.paid.values()]).toEqual(['LY-202609']);
    // The timeline says which bill went which way; the receipt covers what the provider took.
    const partial = settled.timeline.find((e: { status: string }) => e.status === 'PARTLY_REFUNDING');
    expect(partial.note).toMatch(/written off: LY-202609 .*refused and refunded: LY-202610/);
    expect(settled.receipt.amountFen).toBe(3150);
    expect(settled.refundReason).toContain('28.70');

    const rec = await request(hub.url).post('/api/v1/admin/reconciliation').set(op).send({ date: beijingDate() }).expect(200);
    expect(rec.body.totals).toMatchObject({ gatewayPaidFen: 6020, writtenOffFen: 3150, refundedOrdersFen: 2870, gatewayRefundedFen: 2870 });
    expect(rec.body.balanced).toBe(true);
  });

  it('refuses an order with more bills than the provider takes at once', async () => {
    const manifest = fakeWaterManifest(fake.url, {
      id: 'luoyang-water',
      version: '1.1.0',
      paymentRules: { mode: 'exact', minFen: 1, maxFen: 5_000_000, maxBills: 1, writeOffPer: 'bill' },
    });
    await request(hub.url).post('/api/v1/admin/adapters').set(op).send(manifest).expect(201);
    await request(hub.url).post('/api/v1/admin/adapters/luoyang-water/activate').set(op).send({ version: '1.1.0', force: true }).expect(200);
    const accountId = await bindAccount(hub, resident, { serviceId: 'luoyang-water', cityCode: '330100', fields: { customerNo: '12345678' } });
    const refused = await request(hub.url)
      .post('/api/v1/orders')
      .set(resident.auth)
      .set('Idempotency-Key', `too-many-${Date.now()}`)
      .send({ accountId, billRefs: ['LY-202609', 'LY-202610'] })
      .expect(400);
    expect(refused.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('at most 1 bill') });
    expect(provider.calls.size).toBe(0);
  });
});
