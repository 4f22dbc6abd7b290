import { randomUUID } from 'node:crypto';
import { IsNull, LessThan, LessThanOrEqual, type DataSource } from 'typeorm';
import { AdapterError } from '../adapters/contract';
import type { AdapterRegistry } from '../adapters/registry';
import type { Logger } from '../infra/logger';
import { Periodic } from '../infra/periodic';
import type { PaymentGateway } from '../payments/gateway';
import { OutboxEntity, type OrderRow, type OutboxRow } from './entities';
import type { OrderService } from './service';

export interface OutboxWorkerOptions {
  pollMs: number;
  /** A claimed row is someone else's until this long after the claim (a crashed worker's rows come back). */
  leaseMs: number;
  batch: number;
  /** Backoff: base × 2^attempts, capped. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  notifyUrl: string;
}

export const DEFAULT_OUTBOX_OPTIONS: Omit<OutboxWorkerOptions, 'notifyUrl'> = {
  pollMs: 250,
  leaseMs: 30_000,
  batch: 16,
  backoffBaseMs: 1000,
  backoffMaxMs: 5 * 60_000,
};

/** Write-off errors after which asking again cannot help: the provider said no. */
const PERMANENT = new Set(['PROVIDER_REJECTED', 'NO_ARREARS', 'PROVIDER_ACCOUNT_NOT_FOUND']);

/**
 * Delivers outbox rows: write-offs to the provider (销账) and refunds to the
 * gateway. Rows are claimed one by one with a conditional update and a lease,
 * so any number of hub processes can run workers on one database without
 * delivering a row twice at once; a crashed worker's lease simply expires.
 * Write-offs are idempotent at the provider on our order number, so a
 * delivery repeated after a crash is one write-off.
 */
export class OutboxWorker {
  private readonly loop: Periodic;
  /** Set by stop(): ends the batch in progress. A manual tick() works without start(). */
  private stopped = false;
  readonly owner = `worker-${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly deps: {
      dataSource: DataSource;
      orders: OrderService;
      registry: AdapterRegistry;
      gateway: PaymentGateway;
      log: Logger;
      options: OutboxWorkerOptions;
    },
  ) {
    this.loop = new Periodic(() => this.tick(), { everyMs: deps.options.pollMs, firstAfterMs: 0, log: deps.log, failure: 'outbox tick failed' });
  }

  start(): void {
    this.stopped = false;
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.stop();
  }

  /** Claims and processes due rows once; returns how many it processed. */
  async tick(): Promise<number> {
    const repo = this.deps.dataSource.getRepository(OutboxEntity);
    const now = new Date();
    const due = await repo.find({ where: { status: 'pending', nextAttemptAt: LessThanOrEqual(now) }, order: { nextAttemptAt: 'ASC' }, take: this.deps.options.batch * 2 });
    let processed = 0;
    for (const row of due) {
      if (processed >= this.deps.options.batch || this.stopped) break;
      if (!(await this.claim(row))) continue;
      processed++;
      try {
        await this.process(row);
      } catch (err) {
        await this.retryLater(row, err);
      }
    }
    return processed;
  }

  private async claim(row: OutboxRow): Promise<boolean> {
    const now = new Date();
    const result = await this.deps.dataSource
      .createQueryBuilder()
      .update(OutboxEntity)
      .set({ leaseOwner: this.owner, leaseUntil: new Date(now.getTime() + this.deps.options.leaseMs), attempts: row.attempts + 1, updatedAt: now })
      .where('id = :id AND status = :pending AND attempts = :attempts', { id: row.id, pending: 'pending', attempts: row.attempts })
      .andWhere([{ leaseUntil: IsNull() }, { leaseUntil: LessThan(now) }])
      .execute();
    return result.affected === 1;
  }

  private async done(row: OutboxRow): Promise<void> {
    await this.deps.dataSource.getRepository(OutboxEntity).update({ id: row.id, leaseOwner: this.owner }, { status: 'done', leaseOwner: null, leaseUntil: null, updatedAt: new Date() });
  }

  private async retryLater(row: OutboxRow, err: unknown): Promise<void> {
    const o = this.deps.options;
    const delay = Math.min(o.backoffMaxMs, o.backoffBaseMs * 2 ** Math.min(row.attempts, 20)) * (0.8 + Math.random() * 0.4);
    const message = err instanceof Error ? `${(err as AdapterError).code ?? err.name}: ${err.message}` : String(err);
    this.deps.log.warn({ outboxId: row.id, orderId: row.orderId, kind: row.kind, attempt: row.attempts + 1, error: message }, 'outbox delivery will be retried');
    await this.deps.dataSource
      .getRepository(OutboxEntity)
      .update({ id: row.id, leaseOwner: this.owner }, { nextAttemptAt: new Date(Date.now() + delay), leaseOwner: null, leaseUntil: null, lastError: message.slice(0, 500), updatedAt: new Date() });
  }

  private async process(row: OutboxRow): Promise<void> {
    const order = await this.deps.orders.findById(row.orderId);
    if (!order) return this.done(row);
    if (row.kind === 'write_off') return this.writeOff(row, order);
    return this.refund(row, order);
  }

  private async writeOff(row: OutboxRow, order: OrderRow): Promise<void> {
    const { orders } = this.deps;
    if (order.status !== 'PAID' && order.status !== 'POSTING') return this.done(row);
    if (order.status === 'PAID') await orders.transition(order.id, ['PAID'], 'POSTING', 'write-off sent to the provider');
    const adapter = await this.deps.registry.version(order.adapterId, order.adapterVersion);
    const fields = orders.fieldsOf(order);
    const input = { orderNo: order.orderNo, fields, billRefs: JSON.parse(order.billRefs) as string[], amountFen: Number(order.amountFen) };
    try {
      const { reference } = await adapter.writeOff(input);
      return this.complete(row, order, reference);
    } catch (err) {
      if (err instanceof AdapterError && PERMANENT.has(err.code)) return this.startRefund(row, order, `provider refused the write-off (${err.providerCode ?? err.code})`);
      // The outcome is unknown (timeout, outage): ask before doing anything else.
      const status = await adapter.writeOffStatus({ orderNo: order.orderNo, fields }).catch(() => null);
      if (status?.status === 'SUCCESS') return this.complete(row, order, status.reference ?? `status:${order.orderNo}`);
      if (status?.status === 'FAILED') return this.startRefund(row, order, 'provider reports the write-off failed');
      throw err;
    }
  }

  private async complete(row: OutboxRow, order: OrderRow, reference: string): Promise<void> {
    await this.deps.orders.transition(order.id, ['POSTING'], 'COMPLETED', `written off at the provider (${reference})`, { writeOffRef: reference, completedAt: new Date() }, async (tx) => {
      await tx.getRepository(OutboxEntity).update({ id: row.id }, { status: 'done', leaseOwner: null, leaseUntil: null, updatedAt: new Date() });
    });
    await this.done(row);
  }

  private async startRefund(row: OutboxRow, order: OrderRow, reason: string): Promise<void> {
    await this.deps.orders.transition(
      order.id,
      ['POSTING', 'PAID'],
      'REFUNDING',
      reason,
      { refundReason: `服务商未能销账，已原路退款（${reason}）`, refundNo: `RF${order.orderNo.slice(2)}` },
      async (tx) => {
        await tx.getRepository(OutboxEntity).update({ id: row.id }, { status: 'done', leaseOwner: null, leaseUntil: null, updatedAt: new Date() });
        await this.deps.orders.enqueue(tx, order.id, 'refund');
      },
    );
  }

  private async refund(row: OutboxRow, order: OrderRow): Promise<void> {
    if (order.status !== 'REFUNDING' || !order.refundNo) return this.done(row);
    // Refund what the payer actually paid (it may differ from the order when the amount did not match).
    const paid = await this.deps.gateway.queryOrder(order.orderNo);
    const totalFen = paid?.amountFen ?? Number(order.amountFen);
    const result = await this.deps.gateway.refund({
      outTradeNo: order.orderNo,
      outRefundNo: order.refundNo,
      amountFen: totalFen,
      totalFen,
      reason: (order.refundReason ?? '退款').slice(0, 80),
      notifyUrl: this.deps.options.notifyUrl,
    });
    if (result.status === 'SUCCESS') await this.deps.orders.markRefunded(order.refundNo);
    if (result.status === 'CLOSED' || result.status === 'ABNORMAL') throw new Error(`refund ${order.refundNo} is ${result.status}`);
    await this.done(row);
  }
}

