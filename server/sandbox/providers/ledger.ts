/**
 * The books of one simulated provider: its accounts, what each owes, and the
 * write-offs (销账) it has applied. Write-off is idempotent on the hub's order
 * number, as real providers promise: a repeated request is counted in
 * `requests` and changes nothing else; a bill is paid by one order only.
 */
export interface LineItem {
  kind: 'charge' | 'toll_passage' | 'violation';
  description: string;
  amountFen: number;
  details: Record<string, string | number>;
}

export interface SandboxBill {
  ref: string;
  period: string;
  title: string;
  amountFen: number;
  lateFeeFen: number;
  dueDate: string;
  lineItems: LineItem[];
  /** Metered use in the period (kWh, m³), for providers that report it. */
  usage?: { amount: number; unit: string };
}

export interface SandboxAccount {
  key: string;
  holderName: string;
  address: string;
  /** The city (GB/T 2260) the provider files the account under, for providers that say so. */
  cityCode?: string;
  bills: SandboxBill[];
  /** The provider refuses every write-off for this account (a closed or disputed account). */
  rejectsWriteOff?: boolean;
}

export interface WriteOffRecord {
  orderNo: string;
  reference: string;
  accountNo: string;
  billRefs: string[];
  amountFen: number;
  /** Write-off requests received for this order number (repeats are answered, not applied). */
  requests: number;
  at: string;
}

export type WriteOffResult =
  | { ok: true; reference: string }
  | { ok: false; reason: 'NOT_FOUND' | 'REJECTED' | 'ALREADY_PAID' | 'UNKNOWN_BILL' | 'AMOUNT_MISMATCH' };

export class Ledger {
  private accounts = new Map<string, SandboxAccount>();
  private readonly paid = new Map<string, string>();
  private readonly writeOffs = new Map<string, WriteOffRecord>();
  private sequence = 0;
  /** The fault knob "reject write-off": every write-off is refused while it is on. */
  rejectAll = false;

  constructor(
    private readonly prefix: string,
    private readonly demo: () => SandboxAccount[],
    /** Accounts that exist by pattern (numbered ranges for load and crash tests). */
    private readonly generated: (key: string) => SandboxAccount | undefined = () => undefined,
  ) {
    this.reset();
  }

  reset(): void {
    this.accounts = new Map(this.demo().map((a) => [a.key, a]));
    this.paid.clear();
    this.writeOffs.clear();
    this.sequence = 0;
    this.rejectAll = false;
  }

  account(key: string): SandboxAccount | undefined {
    let account = this.accounts.get(key);
    if (!account) {
      account = this.generated(key);
      if (account) this.accounts.set(key, account);
    }
    return account;
  }

  /** Bills still owed: written-off bills disappear. */
  owed(key: string): SandboxBill[] | undefined {
    const account = this.account(key);
    return account?.bills.filter((b) => !this.paid.has(`${key}/${b.ref}`));
  }

  writeOff(input: { orderNo: string; key: string; billRefs: string[]; amountFen: number }): WriteOffResult {
    const previous = this.writeOffs.get(input.orderNo);
    if (previous) {
      previous.requests++;
      return { ok: true, reference: previous.reference };
    }
    const account = this.account(input.key);
    if (!account) return { ok: false, reason: 'NOT_FOUND' };
    if (this.rejectAll || account.rejectsWriteOff) return { ok: false, reason: 'REJECTED' };
    let total = 0;
    for (const ref of input.billRefs) {
      const bill = account.bills.find((b) => b.ref === ref);
      if (!bill) return { ok: false, reason: 'UNKNOWN_BILL' };
      if (this.paid.has(`${input.key}/${ref}`)) return { ok: false, reason: 'ALREADY_PAID' };
      total += bill.amountFen + bill.lateFeeFen;
    }
    if (total !== input.amountFen) return { ok: false, reason: 'AMOUNT_MISMATCH' };
    const reference = `${this.prefix}${String(++this.sequence).padStart(8, '0')}`;
    for (const ref of input.billRefs) this.paid.set(`${input.key}/${ref}`, input.orderNo);
    this.writeOffs.set(input.orderNo, {
      orderNo: input.orderNo,
      reference,
      accountNo: input.key,
      billRefs: input.billRefs,
      amountFen: input.amountFen,
      requests: 1,
      at: new Date().toISOString(),
    });
    return { ok: true, reference };
  }

  writeOffStatus(orderNo: string): WriteOffRecord | undefined {
    return this.writeOffs.get(orderNo);
  }

  allWriteOffs(): WriteOffRecord[] {
    return [...this.writeOffs.values()];
  }
}

/** A deterministic amount in fen (1.00–500.00 yuan) from an account number, for generated accounts. */
export function amountFromNumber(seed: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return 100 + (Math.abs(h) % 49_901);
}
