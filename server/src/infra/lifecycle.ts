import type { Logger } from './logger';

/** One running piece of the hub (a store, the adapter registry, a worker, the HTTP server). */
export interface LifecyclePart {
  /** Named in logs and errors: which part failed to start or stop. */
  name: string;
  /**
   * Already running when the lifecycle is made (a store opened while the hub
   * was built, because the services need it at construction): never started
   * here, but stopped, after every part listed behind it. Such parts come first.
   */
  alreadyRunning?: true;
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
}

export class LifecycleStartError extends Error {
  constructor(
    readonly part: string,
    cause: unknown,
  ) {
    super(`${part} did not start: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'LifecycleStartError';
  }
}

/**
 * The hub's parts in the order they start; they stop in reverse, so nothing
 * is stopped while a part started after it still uses it (the HTTP server
 * stops taking requests before the workers stop, the workers before the
 * stores close). A part that fails to start stops the ones already started,
 * so a failed boot leaves no timers or connections behind. Stopping is
 * idempotent: a second call waits for the first.
 */
export class Lifecycle {
  private readonly started: LifecyclePart[] = [];
  private starting?: Promise<void>;
  private stopping?: Promise<void>;

  constructor(
    private readonly parts: readonly LifecyclePart[],
    private readonly log?: Logger,
  ) {
    const names = new Set<string>();
    for (const [i, part] of parts.entries()) {
      if (names.has(part.name)) throw new Error(`two lifecycle parts are named ${part.name}`);
      names.add(part.name);
      if (part.alreadyRunning && i > 0 && !parts[i - 1]?.alreadyRunning) throw new Error(`${part.name} is already running: it must come before the parts this lifecycle starts`);
    }
    // Stopped even if start() is never called or fails: whoever built the hub must be able to close it.
    this.started.push(...parts.filter((p) => p.alreadyRunning));
  }

  /** The parts' names in start order. */
  get names(): string[] {
    return this.parts.map((p) => p.name);
  }

  start(): Promise<void> {
    if (this.stopping) return Promise.reject(new Error('a stopped lifecycle cannot start again'));
    return (this.starting ??= this.startParts());
  }

  stop(): Promise<void> {
    return (this.stopping ??= this.stopParts());
  }

  private async startParts(): Promise<void> {
    for (const part of this.parts) {
      if (part.alreadyRunning) continue;
      // stop() called while starting: start nothing more; stopParts stops what did start.
      if (this.stopping) throw new Error(`stopped while starting (before ${part.name})`);
      try {
        await part.start?.();
      } catch (err) {
        this.log?.error({ err, part: part.name }, 'hub part did not start; stopping the parts already started');
        // Not through stopParts(): that waits for this very start to settle.
        const cleanup = this.stopStarted();
        this.stopping ??= cleanup;
        await cleanup.catch(() => undefined);
        throw new LifecycleStartError(part.name, err);
      }
      this.started.push(part);
    }
  }

  private async stopParts(): Promise<void> {
    // Let a start in progress reach a part boundary, so a half-started part is not left running.
    await this.starting?.catch(() => undefined);
    await this.stopStarted();
  }

  private async stopStarted(): Promise<void> {
    const failures: unknown[] = [];
    for (const part of this.started.splice(0).reverse()) {
      try {
        await part.stop?.();
      } catch (err) {
        // Keep stopping the rest: one stuck part must not leave the stores open.
        this.log?.error({ err, part: part.name }, 'hub part did not stop cleanly');
        failures.push(err);
      }
    }
    if (failures.length) throw new AggregateError(failures, `${failures.length} hub part(s) did not stop cleanly`);
  }
}
