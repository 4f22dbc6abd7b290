import { maskAddress, sumFen, type Bill, type BillsAccount } from '@cityhub/shared';
import { AdapterError, type ProviderBill } from '../adapters/contract';
import type { AccountService, OpenAccount } from '../accounts/service';
import { beijingDate } from '../infra/beijing-time';

/** Overdue first (the ones costing late fees), then oldest period first, as a resident would pay them. */
export function billOrder(a: Bill, b: Bill): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  return a.period.localeCompare(b.period) || (a.dueDate ?? '').localeCompare(b.dueDate ?? '') || a.ref.localeCompare(b.ref);
}

/** What a resident owes on a bound account now, as the provider says (through the bill cache). */
export class BillService {
  constructor(
    private readonly accounts: AccountService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async billsFor(
    residentId: string,
    accountId: string,
  ): Promise<{ accountId: string; account: BillsAccount; bills: Bill[]; totalFen: number; fetchedAt: string; maxBills: number }> {
    const opened = await this.accounts.openForBills(residentId, accountId);
    const { bills, fetchedAt } = await this.owed(opened);
    const { row, adapter } = opened;
    const d = adapter.describe();
    return {
      accountId,
      // The page's header: whose account this is, masked as everywhere else.
      account: {
        serviceName: d.name,
        category: d.category,
        cityCode: row.cityCode,
        alias: row.alias,
        fieldsMasked: row.fieldsMasked,
        holderNameMasked: row.holderNameMasked,
        addressHint: row.addressHint === null ? null : maskAddress(row.addressHint),
        saved: row.saved,
      },
      bills: [...bills].sort(billOrder),
      totalFen: sumFen(bills.map((b) => b.totalFen)),
      fetchedAt,
      maxBills: d.paymentRules.maxBills,
    };
  }

  /** The bills of an account already opened, each with its total (amount + late fee). */
  async billsOf(account: OpenAccount): Promise<Bill[]> {
    return (await this.owed(account)).bills;
  }

  /** The bills and when the provider gave them (a cached answer keeps its time). */
  private async owed({ fields, adapter }: OpenAccount): Promise<{ bills: Bill[]; fetchedAt: string }> {
    let providerBills: ProviderBill[];
    let fetchedAt = new Date().toISOString();
    try {
      const answer = await adapter.queryBills({ fields });
      providerBills = answer.bills;
      fetchedAt = answer.fetchedAt ?? fetchedAt;
    } catch (err) {
      // "Nothing owed" is an answer, not a failure.
      if (err instanceof AdapterError && err.code === 'NO_ARREARS') providerBills = [];
      else throw err;
    }
    // Due dates are Beijing calendar days: a bill due today is not yet overdue.
    const today = beijingDate(this.now());
    return {
      bills: providerBills.map((b) => ({
        ...b,
        totalFen: sumFen([b.amountFen, b.lateFeeFen]),
        usage: b.usage ?? null,
        overdue: b.dueDate !== null && b.dueDate.slice(0, 10) < today,
      })),
      fetchedAt,
    };
  }
}
