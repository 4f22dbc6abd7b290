import { randomBytes } from 'node:crypto';
import { MAX_FEN, type ConformanceReportDto, type VerifyAdapterBody } from '@cityhub/shared';
import { AdapterError, type CityServiceAdapter } from './contract';

/** The test accounts an operator names for verification (see verifyAdapterBodySchema). */
export type ConformanceAccounts = VerifyAdapterBody['testAccounts'];
export type ConformanceReport = ConformanceReportDto;
type ConformanceCheck = ConformanceReport['checks'][number];

/**
 * The adapter with every call held back `ms`, or until cancelled, before it
 * reaches the provider. Verification puts it behind a 1 ms timeout so the
 * timeout check fires whatever the provider's speed: a sandbox on loopback
 * can answer inside 1 ms, and the check must not depend on the machine.
 */
export function stalled(adapter: CityServiceAdapter, ms: number): CityServiceAdapter {
  const hold = (signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      // An abort's reason is the caller's (a TimeoutError from AbortSignal.timeout); anything else becomes an Error.
      const aborted = (): Error => (signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      if (signal?.aborted) {
        reject(aborted());
        return;
      }
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(aborted());
      }, { once: true });
    });
  return {
    describe: () => adapter.describe(),
    lookupAccount: async (input, signal) => (await hold(signal), adapter.lookupAccount(input, signal)),
    queryBills: async (input, signal) => (await hold(signal), adapter.queryBills(input, signal)),
    writeOff: async (input, signal) => (await hold(signal), adapter.writeOff(input, signal)),
    writeOffStatus: async (input, signal) => (await hold(signal), adapter.writeOffStatus(input, signal)),
    health: async (signal) => (await hold(signal), adapter.health(signal)),
  };
}

function describeError(err: unknown): string {
  if (err instanceof AdapterError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs the conformance kit against a provider's sandbox through an adapter:
 * account found and not found, bills mapped to valid fen amounts, write-off
 * idempotent on our order number, write-off status, and timeouts surfacing as
 * a typed error. `withTinyTimeout` is the same adapter, `stalled`, behind a
 * 1 ms timeout.
 */
export async function runConformance(
  adapter: CityServiceAdapter,
  withTinyTimeout: CityServiceAdapter,
  accounts: ConformanceAccounts,
): Promise<ConformanceReport> {
  const { id, version } = adapter.describe();
  const checks: ConformanceCheck[] = [];
  const check = async (name: string, body: () => Promise<string>) => {
    const started = performance.now();
    try {
      checks.push({ name, outcome: 'passed', passed: true, detail: await body(), ms: Math.round(performance.now() - started) });
    } catch (err) {
      checks.push({ name, outcome: 'failed', passed: false, detail: describeError(err), ms: Math.round(performance.now() - started) });
    }
  };
  const skip = (name: string, detail: string) => checks.push({ name, outcome: 'skipped', passed: true, detail, ms: 0 });
  const expectAdapterError = async (code: string, call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (err) {
      if (err instanceof AdapterError && err.code === code) return `answered ${code} as expected`;
      throw new Error(`expected ${code}, got ${describeError(err)}`);
    }
    throw new Error(`expected ${code}, but the call succeeded`);
  };

  await check('account found', async () => {
    const found = await adapter.lookupAccount({ fields: accounts.existing });
    if (!found.holderNameMasked) throw new Error('holder name is empty');
    return `holder ${found.holderNameMasked}`;
  });

  await check('account not found', () => expectAdapterError('PROVIDER_ACCOUNT_NOT_FOUND', () => adapter.lookupAccount({ fields: accounts.missing })));

  const billsAccount = accounts.payable ?? accounts.existing;
  let firstBill: { ref: string; amountFen: number; lateFeeFen: number } | undefined;
  await check('bills mapped to valid amounts', async () => {
    const { bills } = await adapter.queryBills({ fields: billsAccount });
    const refs = new Set<string>();
    for (const bill of bills) {
      if (!Number.isSafeInteger(bill.amountFen) || bill.amountFen <= 0 || bill.amountFen > MAX_FEN) throw new Error(`bill ${bill.ref}: amount ${bill.amountFen} fen is not a valid amount`);
      if (!Number.isSafeInteger(bill.lateFeeFen) || bill.lateFeeFen < 0) throw new Error(`bill ${bill.ref}: late fee ${bill.lateFeeFen} is not valid`);
      if (refs.has(bill.ref)) throw new Error(`bill ref ${bill.ref} appears twice`);
      refs.add(bill.ref);
    }
    firstBill = bills[0];
    return `${bills.length} bill(s), all in integer fen`;
  });

  const { payable, paidWriteOff } = accounts;
  if (payable) {
    await check('write-off idempotent', async () => {
      if (!firstBill) throw new Error('the payable account has no bill to write off');
      const orderNo = `VERIFY${randomBytes(8).toString('hex').toUpperCase()}`;
      const input = { orderNo, fields: payable, billRefs: [firstBill.ref], amountFen: firstBill.amountFen + firstBill.lateFeeFen };
      const first = await adapter.writeOff(input);
      const second = await adapter.writeOff(input);
      if (first.reference !== second.reference) throw new Error(`the same order number gave two references: ${first.reference}, ${second.reference}`);
      const status = await adapter.writeOffStatus({ orderNo, fields: payable });
      if (status.status !== 'SUCCESS') throw new Error(`write-off status is ${status.status}, expected SUCCESS`);
      return `reference ${first.reference} both times; status SUCCESS`;
    });
  } else if (paidWriteOff) {
    // The provider already wrote this payment off: sending it again must answer the same, spending nothing.
    await check('write-off idempotent', async () => {
      const { fields, orderNo, billRefs, amountFen } = paidWriteOff;
      const status = await adapter.writeOffStatus({ orderNo, fields });
      if (status.status !== 'SUCCESS') throw new Error(`write-off status of ${orderNo} is ${status.status}; name a payment the provider already wrote off`);
      const replay = await adapter.writeOff({ orderNo, fields, billRefs, amountFen });
      if (status.reference && replay.reference !== status.reference) throw new Error(`replaying ${orderNo} gave reference ${replay.reference}, its status says ${status.reference}`);
      return `replayed ${orderNo}: reference ${replay.reference}, no bill spent`;
    });
  } else {
    skip('write-off idempotent', 'no payable account or paid write-off given: the write-off mapping was not exercised');
  }

  await check('write-off status of an unknown order', async () => {
    const status = await adapter.writeOffStatus({ orderNo: `UNKNOWN${randomBytes(8).toString('hex').toUpperCase()}`, fields: billsAccount });
    if (status.status !== 'NOT_FOUND') throw new Error(`expected NOT_FOUND, got ${status.status}`);
    return 'NOT_FOUND';
  });

  await check('timeout handled', () => expectAdapterError('PROVIDER_TIMEOUT', () => withTinyTimeout.lookupAccount({ fields: accounts.existing })));

  const writeOffExercised = checks.some((c) => c.name === 'write-off idempotent' && c.outcome !== 'skipped');
  return { adapterId: id, version, passed: checks.every((c) => c.outcome !== 'failed'), writeOffExercised, checks, at: new Date().toISOString() };
}
