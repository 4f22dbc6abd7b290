import request from 'supertest';
import { createTestHub, type TestHub } from './support/app';
import { buildNotification } from './support/notifications';
import { countQueries } from './support/query-counter';
import { bindAccount, loginResident, type Resident } from './support/resident';
import { seedDemoAdapters, startSandbox, type Sandbox } from './support/sandbox';

/**
 * The database statements one payment costs, phase by phase (issue 8: each is
 * a round trip on MySQL). The bounds are today's counts of the notification
 * and the outbox: a change that adds a statement there fails here and has to
 * say why. Order creation's count is printed (it includes other domains' reads).
 */
describe('database round trips of one payment', () => {
  let hub: TestHub;
  let sandbox: Sandbox;
  let resident: Resident;

  beforeAll(async () => {
    sandbox = await startSandbox();
    hub = await createTestHub({ workers: false });
    await seedDemoAdapters(hub, sandbox);
    resident = await loginResident(hub, 'counted');
  });
  afterAll(async () => {
    await hub?.close();
    await sandbox?.close();
  });

  it('order, notification, write-off to COMPLETED', async () => {
    const accountId = await bindAccount(hub, resident, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4199100001' } });
    const owed = await request(hub.url).get(`/api/v1/accounts/${accountId}/bills`).set(resident.auth).expect(200);
    const counter = countQueries(hub.stores.dataSource);

    const created = await request(hub.url)
      .post('/api/v1/orders')
      .set(resident.auth)
      .set('Idempotency-Key', `round-trips-${process.pid}`)
      .send({ accountId, billRefs: owed.body.bills.map((b: { ref: string }) => b.ref) })
      .expect(201);
    const ordering = counter.reset();

    const { orderNo, amountFen, id } = created.body.order;
    const notification = buildNotification(hub.keys, { outTradeNo: orderNo, amountFen });
    await request(hub.url).post('/api/v1/payments/wechat/notify').set(notification.headers).send(notification.body).expect(204);
    const notifying = counter.reset();

    expect(await hub.services.outbox.tick()).toBe(1);
    const delivering = counter.reset();
    const [order] = await hub.stores.dataSource.query('SELECT status FROM orders WHERE id = ?', [id]);
    expect(order.status).toBe('COMPLETED');

    const report = { mode: hub.stores.mode, ordering: ordering.length, notifying: notifying.length, delivering: delivering.length };
    // Printed for the issue note; the statements themselves when one wants to see them.
    process.stdout.write(`round trips ${JSON.stringify(report)}\n`);
    if (process.env.SHOW_STATEMENTS) process.stdout.write(`${JSON.stringify({ ordering, notifying, delivering }, null, 1)}\n`);
    // Issue 8, before → after (MySQL): notification 7 → 6, outbox to COMPLETED 15 → 12 (7 of them the claim, shared by a batch).
    expect(report.notifying).toBeLessThanOrEqual(6);
    expect(report.delivering).toBeLessThanOrEqual(hub.stores.mode === 'real' ? 12 : 11);
  });
});
