import type { Logger } from './logger';

/**
 * Runs a background task again and again with a pause between runs (never
 * overlapping itself), until stopped; stop() waits for a run in progress.
 * The outbox worker's safety-net poll lives on it; jobs that run on a
 * clock or need "one process at a time" belong on the Scheduler instead.
 */
export class Periodic {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly options: { everyMs: number; firstAfterMs: number; log: Logger; failure: string; unref?: boolean },
  ) {}

  start(): void {
    this.stopped = false;
    const schedule = (ms: number) => {
      this.timer = setTimeout(loop, ms);
      if (this.options.unref) this.timer.unref();
    };
    const loop = () => {
      if (this.stopped) return;
      this.running = this.task()
        .then(() => undefined)
        .catch((err: unknown) => this.options.log.error({ err }, this.options.failure))
        .finally(() => {
          if (!this.stopped) schedule(this.options.everyMs);
        });
    };
    schedule(this.options.firstAfterMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
