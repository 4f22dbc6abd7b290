import { LessThan, type DataSource } from 'typeorm';
import type { Logger } from '../infra/logger';
import { inTransaction } from '../infra/transaction';
import type { ScheduledJob } from '../infra/scheduler';
import type { PaymentGateway } from '../payments/gateway';
import { IdempotencyEntity } from './entities';
import type { OrderService } from './service';
import { run, sqlTime } from './sql';

export interface SweeperOptions {
  intervalMs: number;
  /** An unpaid order with no notification this long after its last change is asked about at the gateway. */
  queryAfterMs: number;
  /** Idempotency keys are remembered this long (at least 24 h). */
  idempotencyTtlMs: number;
}

export const DEFAULT_SWEEPER_OPTIONS: SweeperOptions = { intervalMs: 15_000, queryAfterMs: 60_000, idempotencyTtlMs: 25 * 3600_000 };

/**
 * Settles what notifications did not: asks the gateway about unpaid orders
 * (a payment whose notification never came is still credited), closes expired
 * ones at the gateway, confirms refunds still processing, and puts back a
 * write-off that is marked delivered while its order is still PAID or
 * POSTING (never expected: a safety net against a bug losing a payment,
 * logged as an error when it acts). Runs on the
 * hub's scheduler, one process at a time; every action is a conditional
 * transition of the order state machine, so a second sweeper would change
 * nothing anyway.
 */
export class OrderSweeper {
  readonly job: ScheduledJob;

  constructor(private readonly deps: { dataSource: DataSource; orders: OrderService; gateway: PaymentGateway; log: Logger; options: SweeperOptions }) {
    this.job = { name: 'order-sweeper', schedule: { everyMs: deps.options.intervalMs }, leaseMs: Math.max(5_000, deps.options.intervalMs), run: () => this.sweep() };
  }

  /** Outbox write-offs done while their order, unchanged this long, still waits in PAID or POSTING: pending again. */
  private async requeueLostWriteOffs(olderThanMs: number): Promise<number> {
    const ds = this.deps.dataSource;
    const now = new Date();
    const { affected } = await inTransaction(ds, (tx) =>
      run(
        tx,
        `UPDATE outbox SET status = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
          WHERE kind = 'write_off' AND status = 'done'
            AND order_id IN (SELECT id FROM orders WHERE status IN ('PAID', 'POSTING') AND updated_at < ?)`,
        [sqlTime(ds, now), sqlTime(ds, now), sqlTime(ds, new Date(now.getTime() - olderThanMs))],
      ),
    );
    return affected;
  }

  async sweep(): Promise<void> {
    const { orders, gateway, options } = this.deps;
    for (const order of await orders.stale('CREATED', options.queryAfterMs)) {
      const remote = await gateway.queryOrder(order.orderNo).catch(() => undefined);
      if (remote?.tradeState === 'SUCCESS') {
        await orders.markPaid(order.orderNo, { transactionId: remote.transactionId ?? '', amountFen: remote.amountFen ?? -1, appid: remote.appid, mchid: remote.mchid, source: 'query' });
      } else if (new Date(order.expiresAt).getTime() <= Date.now()) {
        await orders.closeAtGateway(order, 'expire', 'expired unpaid').catch((err: unknown) => this.deps.log.warn({ err, orderNo: order.orderNo }, 'closing an expired order failed'));
      }
    }
    const refunding = [...(await orders.stale('REFUNDING', options.queryAfterMs)), ...(await orders.stale('PARTLY_REFUNDING', options.queryAfterMs))];
    for (const order of refunding) {
      if (!order.refundNo) continue;
      const refund = await gateway.queryRefund(order.refundNo).catch(() => null);
      if (refund?.status === 'SUCCESS') await orders.markRefunded(order.refundNo);
    }
    const requeued = await this.requeueLostWriteOffs(options.queryAfterMs);
    if (requeued) this.deps.log.error({ requeued }, 'write-offs marked done for orders still waiting for them were queued again');
    await this.deps.dataSource.getRepository(IdempotencyEntity).delete({ createdAt: LessThan(new Date(Date.now() - options.idempotencyTtlMs)) });
  }
}
