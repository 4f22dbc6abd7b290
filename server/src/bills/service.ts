import { sumFen, type Bill } from '@cityhub/shared';
import { AdapterError, type ProviderBill } from '../adapters/contract';
import type { AccountService, OpenAccount } from '../accounts/service';

/** What a resident owes on a bound account now, as the provider says (through the bill cache). */
export class BillService {
  constructor(private readonly accounts: AccountService) {}

  async billsFor(residentId: string, accountId: string): Promise<{ accountId: string; bills: Bill[]; totalFen: number; fetchedAt: string }> {
    const bills = await this.billsOf(await this.accounts.openForBills(residentId, accountId));
    return { accountId, bills, totalFen: sumFen(bills.map((b) => b.totalFen)), fetchedAt: new Date().toISOString() };
  }

  /** The bills of an account already opened, each with its total (amount + late fee). */
  async billsOf({ fields, adapter }: OpenAccount): Promise<Bill[]> {
    let providerBills: ProviderBill[];
    try {
      providerBills = (await adapter.queryBills({ fields })).bills;
    } catch (err) {
      // "Nothing owed" is an answer, not a failure.
      if (err instanceof AdapterError && err.code === 'NO_ARREARS') providerBills = [];
      else throw err;
    }
    return providerBills.map((b) => ({ ...b, totalFen: sumFen([b.amountFen, b.lateFeeFen]) }));
  }
}
