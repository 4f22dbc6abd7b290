import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import type { KeyValueStore } from './kv';
import type { Logger } from './logger';

/** When a job runs: a croner pattern with seconds, read in Beijing time, or simply every so many milliseconds. */
export type JobSchedule = { cron: string } | { everyMs: number };

/** A periodic job of the hub (the order sweeper, the daily reconciliation, bill reminders). */
export interface ScheduledJob {
  name: string;
  schedule: JobSchedule;
  /**
   * One process at a time runs the job: it holds a key-value lease while it
   * does, released when done; if the holder dies the lease expires after
   * this long, so it must outlast a run.
   */
  leaseMs: number;
  /** Also run once this long after start, to catch up on what was due while no hub ran. */
  catchUpAfterMs?: number;
  run(): Promise<unknown>;
}

/** Beijing: the gateway's trade bill and residents' daytime are Beijing time (no DST). */
const TIMEZONE = 'Asia/Shanghai';

/**
 * The one scheduler of the hub's periodic jobs (issue 8): croner decides when
 * each runs, never overlapping itself in a process, and a key-value lease
 * (set-if-absent with a TTL) decides which hub process runs it when several
 * are up. Timers are unref'd: a pending run never keeps the process alive.
 */
export class Scheduler {
  private readonly jobs = new Map<string, ScheduledJob>();
  private readonly crons: Cron[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private started = false;

  constructor(private readonly deps: { kv: KeyValueStore; log: Logger }) {}

  add(job: ScheduledJob): this {
    if (this.jobs.has(job.name)) throw new Error(`a job named ${job.name} is already scheduled`);
    this.jobs.set(job.name, job);
    return this;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const job of this.jobs.values()) {
      const every = 'everyMs' in job.schedule ? Math.max(1, Math.round(job.schedule.everyMs / 1000)) : undefined;
      const pattern = 'cron' in job.schedule ? job.schedule.cron : '* * * * * *';
      this.crons.push(
        new Cron(pattern, { timezone: TIMEZONE, protect: true, unref: true, interval: every }, async () => {
          await this.track(this.runLeased(job));
        }),
      );
      if (job.catchUpAfterMs !== undefined) {
        const timer = setTimeout(() => void this.track(this.runLeased(job)), job.catchUpAfterMs);
        timer.unref();
        this.timers.push(timer);
      }
    }
  }

  /** Stops scheduling and waits for the runs in progress. */
  async stop(): Promise<void> {
    this.started = false;
    for (const cron of this.crons.splice(0)) cron.stop();
    for (const timer of this.timers.splice(0)) clearTimeout(timer);
    await Promise.allSettled([...this.running]);
  }

  /** Runs a job now under its lease; false when another process holds the lease. Failures are logged, not thrown. */
  async runNow(name: string): Promise<boolean> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job named ${name}`);
    return this.track(this.runLeased(job));
  }

  private track<T>(run: Promise<T>): Promise<T> {
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return run;
  }

  private async runLeased(job: ScheduledJob): Promise<boolean> {
    const { kv, log } = this.deps;
    const key = `lock:job:${job.name}`;
    const holder = `${process.pid}:${randomUUID()}`;
    try {
      if (!(await kv.setIfAbsent(key, holder, job.leaseMs))) return false;
    } catch (err) {
      log.warn({ err: { message: (err as Error).message }, job: job.name }, 'job lease unavailable; the next run will try again');
      return false;
    }
    try {
      await job.run();
    } catch (err) {
      log.error({ err, job: job.name }, 'scheduled job failed; it will run again on schedule');
    } finally {
      await kv.delIfEquals(key, holder).catch(() => undefined);
    }
    return true;
  }
}
