import { beijingDate, beijingHour } from '../infra/beijing-time';
import type { ScheduledJob } from '../infra/scheduler';
import type { ReconciliationService } from './service';

/** WeChat publishes the previous day's trade bill from 10:00 Beijing time. */
const BILL_READY_HOUR_BEIJING = 10;

/**
 * Once a day, after the gateway publishes it, reconciles yesterday's trade
 * bill. Runs on the hub's scheduler: hourly from 10:05 Beijing time (a
 * failed day is tried again the next hour) and once shortly after start,
 * one process at a time; a stored report means the day is done.
 */
export class DailyReconciliation {
  readonly job: ScheduledJob = {
    name: 'daily-reconciliation',
    schedule: { cron: '0 5 10-23 * * *' },
    leaseMs: 10 * 60_000,
    catchUpAfterMs: 1000,
    run: () => this.runDue(),
  };

  constructor(private readonly deps: { reconciliation: ReconciliationService; now?: () => Date }) {}

  /** Reconciles yesterday (Beijing) if its bill is out and no report exists; returns the date it ran, if any. */
  async runDue(): Promise<string | null> {
    const now = this.deps.now?.() ?? new Date();
    if (beijingHour(now) < BILL_READY_HOUR_BEIJING) return null;
    const date = beijingDate(new Date(now.getTime() - 24 * 3600_000));
    const { reconciliation } = this.deps;
    if (await reconciliation.has(date)) return null;
    await reconciliation.run(date);
    return date;
  }
}
