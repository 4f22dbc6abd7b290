import type { DataSource } from 'typeorm';
import { OrderEntity, OutboxEntity, type OrderStatus } from './entities';

/** Statuses an order passes through on its way to a final one: where stuck money shows. */
export const IN_FLIGHT_STATUSES = ['CREATED', 'PAID', 'POSTING', 'REFUNDING', 'PARTLY_REFUNDING'] as const satisfies readonly OrderStatus[];
export type InFlightStatus = (typeof IN_FLIGHT_STATUSES)[number];

export interface PipelineSnapshot {
  ordersInFlight: Record<InFlightStatus, number>;
  outboxPending: number;
  /** Age of the oldest undelivered outbox row; 0 when none waits. */
  outboxOldestPendingSeconds: number;
}

/**
 * What the engineer on call asks first: how many orders are between payment
 * and a final state, and how far behind the write-off outbox is. Reads only
 * in-flight rows, through the (status, …) indexes.
 */
export async function pipelineSnapshot(dataSource: DataSource, now = new Date()): Promise<PipelineSnapshot> {
  const rows: Array<{ status: InFlightStatus; n: string | number }> = await dataSource
    .getRepository(OrderEntity)
    .createQueryBuilder('o')
    .select('o.status', 'status')
    .addSelect('COUNT(*)', 'n')
    .where('o.status IN (:...statuses)', { statuses: IN_FLIGHT_STATUSES })
    .groupBy('o.status')
    .getRawMany();
  const ordersInFlight = Object.fromEntries(IN_FLIGHT_STATUSES.map((s) => [s, 0])) as Record<InFlightStatus, number>;
  for (const row of rows) ordersInFlight[row.status] = Number(row.n);

  const outbox = dataSource.getRepository(OutboxEntity);
  const [outboxPending, oldest] = await Promise.all([
    outbox.countBy({ status: 'pending' }),
    outbox.findOne({ where: { status: 'pending' }, order: { createdAt: 'ASC' } }),
  ]);
  const outboxOldestPendingSeconds = oldest ? Math.max(0, Math.round((now.getTime() - new Date(oldest.createdAt).getTime()) / 1000)) : 0;
  return { ordersInFlight, outboxPending, outboxOldestPendingSeconds };
}
