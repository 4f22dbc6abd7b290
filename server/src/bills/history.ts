import type { AccountHistory, HistoryMonth, OrderStatusDto } from '@cityhub/shared';
import type { AccountService } from '../accounts/service';
import type { OrderLedger, PaidOrder } from '../orders/ledger';

/** Beijing is UTC+8 all year: a Beijing month starts at 16:00 UTC the day before. */
const BEIJING_MS = 8 * 3600_000;

/** Orders whose money stayed with the provider: paid (being or already written off), or refunded only in part. */
const PAID_STATUSES: OrderStatusDto[] = ['PAID', 'POSTING', 'COMPLETED', 'PARTLY_REFUNDING', 'PARTLY_REFUNDED'];

/** "2026-11" for the Beijing month an instant falls in. */
export function beijingMonth(at: Date): string {
  return new Date(at.getTime() + BEIJING_MS).toISOString().slice(0, 7);
}

/** The last `count` Beijing months up to and including now's, oldest first, and the instant the first began. */
export function lastMonths(now: Date, count: number): { months: string[]; since: Date } {
  const local = new Date(now.getTime() + BEIJING_MS);
  const months: string[] = [];
  for (let back = count - 1; back >= 0; back--) {
    const d = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - back, 1));
    months.push(d.toISOString().slice(0, 7));
  }
  const first = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - (count - 1), 1));
  return { months, since: new Date(first.getTime() - BEIJING_MS) };
}

/** What an order finally took from the resident, in fen: the refunded part of a partly refunded order is not "paid". */
function keptFen(row: Pick<PaidOrder, 'amountFen' | 'refundFen' | 'status'>): number {
  return row.status === 'PARTLY_REFUNDING' || row.status === 'PARTLY_REFUNDED' ? row.amountFen - (row.refundFen ?? 0) : row.amountFen;
}

/**
 * What a resident paid through the hub, from the hub's own orders (not the
 * provider's word): per account by month for the chart, and this month over
 * all accounts for 我的. Only the asking resident's own orders count.
 */
export class PaymentHistory {
  /** The orders domain's read access to orders: this domain reads no order table itself. */
  constructor(
    private readonly orders: OrderLedger,
    private readonly accounts: AccountService,
  ) {}

  private paidSince(residentId: string, since: Date, accountId?: string): Promise<PaidOrder[]> {
    return this.orders.paidByResident(residentId, since, PAID_STATUSES, accountId);
  }

  /** The last 12 Beijing months of one of my accounts (months with nothing paid included), oldest first. */
  async forAccount(residentId: string, accountId: string, now = new Date()): Promise<AccountHistory> {
    await this.accounts.ownedRow(residentId, accountId);
    const { months, since } = lastMonths(now, 12);
    const byMonth = new Map<string, HistoryMonth>(months.map((month) => [month, { month, paidFen: 0, orders: 0, usage: null }]));
    let usageUnit: string | null = null;
    for (const row of await this.paidSince(residentId, since, accountId)) {
      if (!row.paidAt) continue;
      const entry = byMonth.get(beijingMonth(new Date(row.paidAt)));
      if (!entry) continue;
      entry.paidFen += keptFen(row);
      entry.orders += 1;
      for (const usage of row.usages) {
        usageUnit ??= usage.unit;
        if (usage.unit === usageUnit) entry.usage = (entry.usage ?? 0) + usage.amount;
      }
    }
    return { accountId, usageUnit, months: [...byMonth.values()] };
  }

  /** 本月已缴: this Beijing month's payments over all my accounts. */
  async thisMonth(residentId: string, now = new Date()): Promise<{ month: string; paidFen: number; orders: number }> {
    const { months, since } = lastMonths(now, 1);
    const rows = await this.paidSince(residentId, since);
    return { month: months[0], paidFen: rows.reduce((sum, row) => sum + keptFen(row), 0), orders: rows.length };
  }
}
