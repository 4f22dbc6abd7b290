import { randomUUID } from 'node:crypto';
import { openTestStores, type TestStores } from '../../test/support/stores';
import { createLogger } from '../infra/logger';
import { BillLockEntity, OrderEntity, OrderEventEntity, OutboxEntity, type OrderRow, type OrderStatus } from './entities';
import { IllegalTransitionError, ORDER_EVENTS, ORDER_STATUSES, OrderStateMachine, TRANSITIONS, transitionRule, type OrderEvent } from './state-machine';

/**
 * The order state machine on the stores this run targets: every legal
 * transition does what its row of the table says, every other (status, event)
 * pair is refused with a typed error and changes nothing, and a race is told
 * apart from an illegal transition.
 */
describe('order state machine', () => {
  let stores: TestStores;
  let machine: OrderStateMachine;

  beforeAll(async () => {
    stores = await openTestStores();
    machine = new OrderStateMachine({ dataSource: stores.dataSource, kv: stores.kv, log: createLogger('silent') });
  });
  afterAll(async () => {
    await stores?.close();
  });

  let seq = 0;
  /** An order stored in `status`, holding one bill, with a pending outbox row of each kind it may have. */
  async function orderIn(status: OrderStatus): Promise<OrderRow> {
    const now = new Date();
    const order: OrderRow = {
      id: randomUUID(),
      orderNo: `CH${Date.now()}${String(++seq).padStart(6, '0')}`.slice(0, 32),
      residentId: randomUUID(),
      accountId: randomUUID(),
      adapterId: 'state-grid',
      adapterVersion: '1.0.0',
      category: 'electricity',
      cityCode: '410100',
      serviceName: '电费',
      providerName: '国网',
      fieldsSealed: 'sealed',
      refundFen: null,
      accountMasked: '{}',
      billRefs: '["b1"]',
      bills: '[]',
      amountFen: 12345,
      status,
      prepayId: null,
      prepayExpiresAt: null,
      expiresAt: new Date(now.getTime() + 3600_000),
      transactionId: null,
      paidAt: null,
      writeOffRef: null,
      completedAt: null,
      refundNo: null,
      refundReason: null,
      closedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await stores.dataSource.getRepository(OrderEntity).insert(order);
    await stores.dataSource.getRepository(BillLockEntity).insert({ adapterId: 'state-grid', accountDigest: order.id, billRef: 'b1', orderId: order.id });
    return order;
  }

  async function stateOf(orderId: string) {
    const ds = stores.dataSource;
    const order = await ds.getRepository(OrderEntity).findOneByOrFail({ id: orderId });
    const events = await ds.getRepository(OrderEventEntity).find({ where: { orderId }, order: { id: 'ASC' } });
    const outbox = await ds.getRepository(OutboxEntity).find({ where: { orderId }, order: { id: 'ASC' } });
    const locks = await ds.getRepository(BillLockEntity).countBy({ orderId });
    return { status: order.status, events: events.map((e) => e.status), outbox: outbox.map((o) => `${o.kind}:${o.status}`), locks, order };
  }

  const illegal: Array<[OrderStatus, OrderEvent]> = ORDER_STATUSES.flatMap((status) => ORDER_EVENTS.filter((event) => !transitionRule(status, event)).map((event) => [status, event] as [OrderStatus, OrderEvent]));

  it('the table has one rule per (status, event) and names only known statuses and events', () => {
    const keys = TRANSITIONS.map((r) => `${r.from}:${r.event}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of TRANSITIONS) {
      expect(ORDER_STATUSES).toContain(r.from);
      expect(ORDER_STATUSES).toContain(r.to);
      expect(ORDER_EVENTS).toContain(r.event);
    }
    expect(illegal.length + TRANSITIONS.length).toBe(ORDER_STATUSES.length * ORDER_EVENTS.length);
  });

  it.each(illegal)('%s --%s--> is illegal: IllegalTransitionError, nothing changes', async (status, event) => {
    const order = await orderIn(status);
    const before = await stateOf(order.id);
    const attempt = machine.fire(order, event, { note: 'should not happen', set: { writeOffRef: 'nope' } });
    await expect(attempt).rejects.toBeInstanceOf(IllegalTransitionError);
    await expect(machine.fire(order, event)).rejects.toMatchObject({ code: 'CONFLICT', status: 409, from: status, event });
    const after = await stateOf(order.id);
    expect(after).toEqual(before);
    expect(after.order.writeOffRef).toBeNull();
  });

  it.each(TRANSITIONS.map((r) => [r.from, r.event, r.to, r] as const))('%s --%s--> %s, with its outbox rows and bill release in the same commit', async (from, event, to, rule) => {
    const order = await orderIn(from);
    if (rule.finishes) {
      const now = new Date();
      await stores.dataSource
        .getRepository(OutboxEntity)
        .insert({ orderId: order.id, kind: rule.finishes, status: 'pending', attempts: 1, nextAttemptAt: now, leaseOwner: 'someone', leaseUntil: now, lastError: null, createdAt: now, updatedAt: now });
    }
    let woken = 0;
    const unsubscribe = machine.onOutboxCommitted(() => woken++);
    const outcome = await machine.fire(order, event, { note: `test ${event}`, set: { refundReason: 'r' } });
    unsubscribe();
    expect(outcome).toEqual({ changed: true, from, to });
    const after = await stateOf(order.id);
    expect(after.status).toBe(to);
    expect(after.events).toEqual([to]);
    expect(after.order.refundReason).toBe('r');
    const expectedOutbox = [...(rule.finishes ? [`${rule.finishes}:done`] : []), ...(rule.enqueues ? [`${rule.enqueues}:pending`] : [])];
    expect(after.outbox).toEqual(expectedOutbox);
    expect(after.locks).toBe(rule.releasesBills ? 0 : 1);
    // Workers in this process are woken only by a commit that queued work.
    expect(woken).toBe(rule.enqueues ? 1 : 0);
  });

  it('the status change and its outbox row commit together: if the row cannot be written, the order is not PAID either', async () => {
    const order = await orderIn('CREATED');
    const now = new Date();
    // A write-off row already there (the unique (order, kind) key) makes queueing this one fail inside the transaction.
    await stores.dataSource
      .getRepository(OutboxEntity)
      .insert({ orderId: order.id, kind: 'write_off', status: 'done', attempts: 0, nextAttemptAt: now, leaseOwner: null, leaseUntil: null, lastError: null, createdAt: now, updatedAt: now });
    await expect(machine.fire(order, 'pay', { set: { transactionId: 't', paidAt: now } })).rejects.toThrow();
    const after = await stateOf(order.id);
    expect(after).toMatchObject({ status: 'CREATED', events: [], outbox: ['write_off:done'] });
    expect(after.order.transactionId).toBeNull();
  });

  it('concurrent copies of one trigger change the order once; the others learn it moved, without an error', async () => {
    const order = await orderIn('CREATED');
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => machine.fire(order, 'pay', { set: { transactionId: 't', paidAt: new Date() } })));
    expect(outcomes.filter((o) => o.changed)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.changed)).toEqual(Array.from({ length: 9 }, () => ({ changed: false, reason: 'moved-meanwhile' })));
    const after = await stateOf(order.id);
    expect(after.events).toEqual(['PAID']);
    expect(after.outbox).toEqual(['write_off:pending']);
  });

  it('a caller that read an old status gets "moved meanwhile" for a legal event, and an error for an illegal one', async () => {
    const order = await orderIn('CREATED');
    await machine.fire(order, 'cancel', { set: { closedAt: new Date() } });
    // Still believes CREATED: expiring it now is legal from what it saw, and simply did not happen.
    expect(await machine.fire(order, 'expire')).toEqual({ changed: false, reason: 'moved-meanwhile' });
    // Knows it is CLOSED: posting it is illegal whatever the database says.
    await expect(machine.fire({ id: order.id, status: 'CLOSED' }, 'post')).rejects.toBeInstanceOf(IllegalTransitionError);
    expect((await stateOf(order.id)).events).toEqual(['CLOSED']);
  });

  it('moves several held orders PAID → POSTING in one statement inside the caller’s transaction', async () => {
    const orders = await Promise.all([orderIn('PAID'), orderIn('PAID')]);
    await stores.dataSource.transaction((tx) => machine.fireWithin(tx, orders, 'post', 'write-off sent to the provider'));
    for (const order of orders) expect(await stateOf(order.id)).toMatchObject({ status: 'POSTING', events: ['POSTING'] });
    const completed = await orderIn('COMPLETED');
    await expect(stores.dataSource.transaction((tx) => machine.fireWithin(tx, [completed], 'post', 'x'))).rejects.toBeInstanceOf(IllegalTransitionError);
  });
});
