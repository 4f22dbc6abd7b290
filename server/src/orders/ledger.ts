import type { OrderStatusDto } from '@cityhub/shared';
import { In, MoreThanOrEqual, type DataSource } from 'typeorm';
import { z } from 'zod';
import { OrderEntity, type OrderRow } from './entities';

/** What other domains may read of an order: its number, money and outcome, never the account's fields. */
export type OrderRecord = Pick<OrderRow, 'orderNo' | 'status' | 'amountFen' | 'refundFen' | 'transactionId' | 'paidAt'>;

// The primary key too: TypeORM needs it to build entities from a partial select.
const RECORD_COLUMNS = { id: true, orderNo: true, status: true, amountFen: true, refundFen: true, transactionId: true, paidAt: true } as const;
/** What a resident's payment history reads of an order: its money, outcome and what each bill used. */
export interface PaidOrder {
  amountFen: number;
  refundFen: number | null;
  status: OrderStatusDto;
  paidAt: Date | null;
  /** The usage each bill reported (kWh, m³), where it did. */
  usages: Array<{ unit: string; amount: number }>;
}

/** The bills stored with an order, as far as the history reads them: their usage, if any. */
const storedBillsSchema = z.array(z.looseObject({ usage: z.object({ unit: z.string(), amount: z.number() }).nullish() }));

/** MySQL takes long IN lists, but a trade bill can hold tens of thousands of rows: ask in slices. */
const IN_SLICE = 500;

/**
 * Read-only access to orders for other domains (reconciliation): they ask
 * here instead of querying the orders table, so the orders domain alone
 * decides what an order row holds and how it is stored.
 */
export class OrderLedger {
  constructor(private readonly dataSource: DataSource) {}

  /** Orders by order number; numbers the hub does not know are left out. */
  async byOrderNos(orderNos: readonly string[]): Promise<Map<string, OrderRecord>> {
    const unique = [...new Set(orderNos)];
    const found = new Map<string, OrderRecord>();
    const repo = this.dataSource.getRepository(OrderEntity);
    for (let i = 0; i < unique.length; i += IN_SLICE) {
      const rows = await repo.find({ select: RECORD_COLUMNS, where: { orderNo: In(unique.slice(i, i + IN_SLICE)) } });
      for (const row of rows) found.set(row.orderNo, row);
    }
    return found;
  }

  /** A resident's orders paid since `since` that are now in one of `statuses` (one account's, with accountId). */
  async paidByResident(residentId: string, since: Date, statuses: readonly OrderStatusDto[], accountId?: string): Promise<PaidOrder[]> {
    const rows = await this.dataSource.getRepository(OrderEntity).find({
      select: { id: true, amountFen: true, refundFen: true, status: true, paidAt: true, bills: true },
      where: { residentId, ...(accountId ? { accountId } : {}), status: In(statuses), paidAt: MoreThanOrEqual(since) },
    });
    return rows.map((r) => ({
      amountFen: r.amountFen,
      refundFen: r.refundFen,
      status: r.status,
      paidAt: r.paidAt,
      usages: storedBillsSchema.parse(JSON.parse(r.bills)).flatMap((b) => (b.usage ? [b.usage] : [])),
    }));
  }

  /** Orders paid in [start, end) that are now in one of `statuses`. */
  paidBetween(start: Date, end: Date, statuses: readonly OrderStatusDto[]): Promise<OrderRecord[]> {
    return this.dataSource
      .getRepository(OrderEntity)
      .createQueryBuilder('o')
      .select(['o.id', 'o.orderNo', 'o.status', 'o.amountFen', 'o.refundFen', 'o.transactionId', 'o.paidAt'])
      .where('o.paid_at >= :start AND o.paid_at < :end', { start, end })
      .andWhere('o.status IN (:...statuses)', { statuses })
      .getMany();
  }
}
