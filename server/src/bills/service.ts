import { sumFen, type Bill } from '@cityhub/shared';
import { AdapterError, type ProviderBill } from '../adapters/contract';
import type { AccountService, OpenAccount } from '../accounts/service';

/** What a resident owes on a bound account now, as the provider says (through the bill cache). */
export class BillService {
  constructor(private readonly accounts: AccountService) {}

  async billsFor(residentId: string, accountId: string): Promise<{ accountId: string; bills: Bill[]; totalFen: number; fetchedAt: string }> {
    const { bills, fetchedAt } = await this.owed(await this.accounts.openForBills(residentId, accountId));
    return { accountId, bills, totalFen: sumFen(bills.map((b) => b.totalFen)), fetchedAt };
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
    return { bills: providerBills.map((b) => ({ ...b, totalFen: sumFen([b.amountFen, b.lateFeeFen]) })), fetchedAt };
  }
}
