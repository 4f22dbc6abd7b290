import { createHash } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { installFaults, type Faults } from './faults';
import type { Ledger } from './ledger';

export interface SimulatedProvider {
  app: Koa;
  ledger: Ledger;
  faults: Faults;
  /** Wakes hung requests so the server can close. */
  release(): void;
}

/** A Koa app with JSON bodies and the fault knobs, in the provider's own error style. */
export function providerApp(
  ledger: Ledger,
  style: { onError: (ctx: Koa.Context) => void; onWindowClosed: (ctx: Koa.Context) => void },
): Omit<SimulatedProvider, 'ledger'> {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      // A simulator answers bad input like a provider would, never with a crash.
      ctx.status = (err as { status?: number }).status ?? 500;
      ctx.body = { error: (err as Error).message };
    }
  });
  app.use(bodyParser({ enableTypes: ['json'] }));
  const { faults, release } = installFaults(app, ledger, style);
  return { app, faults, release };
}

/** Demo due date: the 15th of next month, as a date string. */
export function dueDate(period: string): string {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(4, 6));
  const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
  return `${next}-15`;
}

/**
 * A bill's reference: stable per account and period, without the account
 * number in it — a reference travels in bills, orders and receipts, and an
 * account number or card digits inside it would leave with them (issue 9).
 */
export function billRef(prefix: string, accountKey: string, period: string): string {
  return `${prefix}${period}${createHash('sha256').update(accountKey).digest('hex').slice(0, 10).toUpperCase()}`;
}
