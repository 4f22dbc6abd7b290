import type { KeyValueStore } from '../infra/kv';
import type { Logger } from '../infra/logger';
import { Periodic } from '../infra/periodic';
import { beijingDate, beijingHour } from '../infra/beijing-time';
import type { ReconciliationService } from './service';

/** WeChat publishes the previous day's trade bill from 10:00 Beijing time. */
const BILL_READY_HOUR_BEIJING = 10;

/**
 * Once a day, after the gateway publishes it, reconciles yesterday's trade
 * bill. Checks hourly; a key-value lease keeps two hub processes from
 * running the same day at once, and a stored report means the day is done.
 */
export class DailyReconciliation {
  private readonly loop: Periodic;

  constructor(private readonly deps: { reconciliation: ReconciliationService; kv: KeyValueStore; log: Logger; checkEveryMs?: number; now?: () => Date }) {
    // unref: a pending hourly check never keeps the process alive.
    this.loop = new Periodic(() => this.runDue(), { everyMs: deps.checkEveryMs ?? 3600_000, firstAfterMs: 1000, log: deps.log, failure: 'daily reconciliation failed; it will be retried', unref: true });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Reconciles yesterday (Beijing) if its bill is out and no report exists; returns the date it ran, if any. */
  async runDue(): Promise<string | null> {
    const now = this.deps.now?.() ?? new Date();
    if (beijingHour(now) < BILL_READY_HOUR_BEIJING) return null;
    const date = beijingDate(new Date(now.getTime() - 24 * 3600_000));
    const { reconciliation, kv } = this.deps;
    if (await reconciliation.has(date)) return null;
    const lease = `reconcile:${process.pid}:${now.getTime()}`;
    if (!(await kv.setIfAbsent(`lock:reconcile:${date}`, lease, 10 * 60_000))) return null;
    try {
      await reconciliation.run(date);
      return date;
    } finally {
      await kv.delIfEquals(`lock:reconcile:${date}`, lease);
    }
  }
}
