import path from 'node:path';
import request from 'supertest';
import { createTestHub, type TestHub } from './support/app';
import { cli as runCli, startExample, type RunningExample } from './support/examples';
import { bindAccount, loginResident, orderReaches, payAtCashier, type Resident } from './support/resident';

/**
 * docs/adapters.md's second worked example, followed as an operator would:
 * 洛阳供水 (docs/examples/luoyang-water) speaks form bodies signed with MD5
 * over sorted parameters, answers string codes, has no health endpoint and
 * takes one bill per pay call. Registered from its manifest alone with the
 * CLI; then residents pay two bills in one order through it.
 */
describe('the per-bill worked example of docs/adapters.md', () => {
  let hub: TestHub;
  let example: RunningExample;
  let resident: Resident;

  beforeAll(async () => {
    hub = await createTestHub({ workers: true });
    example = await startExample('luoyang-water', 'http://127.0.0.1:4202');
    const cli = (args: string[], input?: string) => runCli(hub, args, input);
    expect((await cli(['secrets', 'put', 'luoyang-key'], 'luoyang-demo-key\n')).status).toBe(0);
    expect((await cli(['adapters', 'add', example.manifestFile])).status).toBe(0);
    const verified = await cli(['adapters', 'verify', 'luoyang-water', '--accounts', path.join(example.dir, 'accounts.json')]);
    expect(verified.out).toContain('PASSED');
    expect(verified.out).not.toContain('SKIP');
    expect((await cli(['adapters', 'activate', 'luoyang-water'])).status).toBe(0);
    resident = await loginResident(hub, 'luoyang-resident');
  });
  afterAll(async () => {
    await example?.close();
    await hub?.close();
  });

  async function payAll(hh: string) {
    const accountId = await bindAccount(hub, resident, { serviceId: 'luoyang-water', cityCode: '410300', fields: { hh } });
    const owed = await request(hub.url).get(`/api/v1/accounts/${accountId}/bills`).set(resident.auth).expect(200);
    expect(owed.body.bills).toHaveLength(2);
    const created = await request(hub.url)
      .post('/api/v1/orders')
      .set(resident.auth)
      .set('Idempotency-Key', `luoyang-${hh}`)
      .send({ accountId, billRefs: owed.body.bills.map((b: { ref: string }) => b.ref) })
      .expect(201);
    expect((await payAtCashier(hub, created.body.payment)).body.errMsg).toBe('requestPayment:ok');
    return { accountId, order: created.body.order as { id: string; orderNo: string; amountFen: number } };
  }

  const settled = (id: string) => orderReaches(hub, resident, id, ['COMPLETED', 'PARTLY_REFUNDED', 'REFUNDED']);

  it('writes off two bills in one order with two calls, one per bill, and nothing is owed after', async () => {
    const { accountId, order } = await payAll('LY00000001');
    const done = await settled(order.id);
    expect(done.status).toBe('COMPLETED');
    expect(order.amountFen).toBe(3150 + 2870);
    // Two flows, one per bill, in the timeline and on the receipt.
    expect(done.timeline.at(-1).note).toMatch(/bill by bill: LY-2609-01 \(LYF\d{8}\), LY-2610-01 \(LYF\d{8}\)/);
    expect(done.receipt.writeOffRef.split(',')).toHaveLength(2);
    const after = await request(hub.url).get(`/api/v1/accounts/${accountId}/bills`).set(resident.auth).expect(200);
    expect(after.body.bills).toEqual([]);
  });

  it('refunds the bill the provider refuses and keeps the other paid', async () => {
    const { order } = await payAll('LY00000003');
    const done = await orderReaches(hub, resident, order.id, ['PARTLY_REFUNDED']);
    expect(done.receipt.amountFen).toBe(1990);
    expect(done.refundReason).toContain('22.40');
    expect(done.timeline.map((e: { status: string }) => e.status)).toEqual(['CREATED', 'PAID', 'POSTING', 'PARTLY_REFUNDING', 'PARTLY_REFUNDED']);
  });
});
