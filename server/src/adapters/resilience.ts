import { createHash } from 'node:crypto';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  timeout,
  wrap,
  type IPolicy,
} from 'cockatiel';
import type { AdapterHealth } from '@cityhub/shared';
import type { KeyValueStore } from '../infra/kv';
import { LocalCache } from '../infra/kv/local-cache';
import {
  AdapterError,
  adapterErrors,
  type AdapterDescription,
  type CityServiceAdapter,
  type HealthOutput,
  type LookupAccountInput,
  type LookupAccountOutput,
  type QueryBillsInput,
  type QueryBillsOutput,
  type WriteOffInput,
  type WriteOffOutput,
  type WriteOffStatusInput,
  type WriteOffStatusOutput,
} from './contract';

export interface ResilienceOptions {
  timeoutMs: number;
  /** Consecutive provider failures that open the breaker. */
  breakAfter: number;
  /** How long an open breaker waits before letting one trial call through. */
  halfOpenAfterMs: number;
  maxConcurrent: number;
  maxQueued: number;
  billCacheTtlMs: number;
  /** With Redis, how long bills just read stay in process memory (default LOCAL_BILLS_TTL_MS). */
  localBillsTtlMs?: number;
  /** How often each process asks each active adapter's provider whether it is up (0: never; health from real calls only). */
  probeEveryMs: number;
}

export const DEFAULT_RESILIENCE: ResilienceOptions = {
  timeoutMs: 3000,
  breakAfter: 5,
  // Short, so that a recovered provider serves again within seconds (issue 10: back within 10 s).
  halfOpenAfterMs: 5_000,
  maxConcurrent: 16,
  maxQueued: 64,
  billCacheTtlMs: 30_000,
  probeEveryMs: 1_000,
};

type AdapterStatus = AdapterHealth['status'];

const WINDOW = 200;
/** Status follows the calls of the last seconds only, so a recovered provider is not held degraded by old failures. */
const RECENT_MS = 8_000;

/**
 * With Redis, how long bills just read from the shared cache are answered
 * from this process's memory. forgetBills is published, so every process
 * drops them at once; this only bounds how long a lost message could keep
 * showing bills that were just paid.
 */
export const LOCAL_BILLS_TTL_MS = 1_000;

/** Channel on which forgotten bill cache keys are announced to every hub process. */
const BILLS_FORGOTTEN = 'bills:forgotten';

/** Freezes a parsed value all the way down, so one copy can be handed to every caller. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Wraps an adapter with the hub's protection: bulkhead (bounded concurrency),
 * circuit breaker (fed only by provider failures, not by "no such account"),
 * and timeout; plus a short-TTL bill cache in the key-value store and
 * singleflight so identical concurrent bill queries make one provider call.
 */
export class ResilientAdapter implements CityServiceAdapter {
  private readonly policy: IPolicy;
  private readonly breaker;
  private readonly samples: Array<{ at: number; ms: number; ok: boolean }> = [];
  /** The last active probe that reached the provider (null: never probed, or the provider offers no way to ask). */
  private lastProbe: { at: number; ok: boolean; detail?: string } | null = null;
  private readonly inflight = new Map<string, Promise<QueryBillsOutput>>();
  /** Bill cache keys of frozen field objects (accounts opened for bills), so a hot account is not hashed per query. */
  private readonly keyOf = new WeakMap<Record<string, string>, string>();
  /**
   * The last cached text read for each key and its parse, frozen: the same
   * text parses to the same bills, so a repeated cache hit costs a string
   * comparison instead of a JSON.parse (issue 8). The key-value store stays
   * the one cache every process shares; this only remembers how its text parsed.
   */
  private readonly parsed: LocalCache<{ text: string; bills: QueryBillsOutput }>;
  /** With Redis only: bills read in the last second, so a hot account costs no round trip (issue 8). */
  private readonly recent?: LocalCache<QueryBillsOutput>;
  private listening?: Promise<boolean>;

  constructor(
    readonly inner: CityServiceAdapter,
    private readonly kv: KeyValueStore,
    private readonly options: ResilienceOptions = DEFAULT_RESILIENCE,
  ) {
    this.breaker = circuitBreaker(
      handleWhen((err) => err instanceof TaskCancelledError || (err instanceof AdapterError && err.isProviderFailure)),
      { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.breakAfter) },
    );
    this.policy = wrap(bulkhead(options.maxConcurrent, options.maxQueued), this.breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
    this.parsed = new LocalCache(Math.max(1, options.billCacheTtlMs), 10_000);
    if (kv.kind === 'redis') this.recent = new LocalCache(Math.max(1, Math.min(options.localBillsTtlMs ?? LOCAL_BILLS_TTL_MS, options.billCacheTtlMs)), 10_000);
  }

  describe(): AdapterDescription {
    return this.inner.describe();
  }

  private record(ms: number, ok: boolean): void {
    this.samples.push({ at: Date.now(), ms, ok });
    if (this.samples.length > WINDOW) this.samples.shift();
  }

  private async run<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await this.policy.execute(({ signal }) => operation(signal));
      this.record(performance.now() - started, true);
      return result;
    } catch (err) {
      const providerFault = !(err instanceof AdapterError) || err.isProviderFailure;
      if (!(err instanceof BrokenCircuitError) && !(err instanceof BulkheadRejectedError)) this.record(performance.now() - started, !providerFault);
      throw this.translate(err);
    }
  }

  private translate(err: unknown): Error {
    if (err instanceof AdapterError) return err;
    if (err instanceof TaskCancelledError) return adapterErrors.timeout(this.options.timeoutMs);
    if (err instanceof BrokenCircuitError) return adapterErrors.unavailable('too many recent failures; the service is paused and will retry shortly');
    if (err instanceof BulkheadRejectedError) return adapterErrors.unavailable('too many requests in flight to this provider');
    return adapterErrors.unavailable((err as Error)?.message ?? 'unexpected failure');
  }

  lookupAccount(input: LookupAccountInput): Promise<LookupAccountOutput> {
    return this.run((signal) => this.inner.lookupAccount(input, signal));
  }

  private billCacheKey(fields: Record<string, string>): string {
    const known = this.keyOf.get(fields);
    if (known) return known;
    const { id, version } = this.inner.describe();
    const canonical = JSON.stringify(Object.keys(fields).sort().map((k) => [k, fields[k]]));
    const key = `bills:${id}:${version}:${createHash('sha256').update(canonical).digest('hex')}`;
    // Only a frozen object can be remembered by identity: nobody can change its fields under the key.
    if (Object.isFrozen(fields)) this.keyOf.set(fields, key);
    return key;
  }

  private parse(key: string, text: string): QueryBillsOutput {
    const seen = this.parsed.get(key);
    if (seen && seen.text === text) return seen.bills;
    const bills = deepFreeze(JSON.parse(text) as QueryBillsOutput);
    this.parsed.set(key, { text, bills });
    return bills;
  }

  /** Subscribes to forgotten bills once; bills are kept in memory only while that subscription is live. */
  private listen(): Promise<boolean> {
    this.listening ??= this.kv
      .subscribe(BILLS_FORGOTTEN, (key) => {
        this.recent?.forget(key);
        this.parsed.forget(key);
      })
      .then(
        () => true,
        () => {
          this.listening = undefined;
          return false;
        },
      );
    return this.listening;
  }

  /** Bills, from the short-TTL cache when fresh (with the time the provider gave them); concurrent identical queries share one provider call. */
  async queryBills(input: QueryBillsInput): Promise<QueryBillsOutput> {
    // No cache configured: ask every time (a TTL of 0 must not mean "forever" in the store).
    if (this.options.billCacheTtlMs <= 0) return this.fetchBills(input);
    const key = this.billCacheKey(input.fields);
    const recent = this.recent?.get(key);
    if (recent) return recent;
    const [cached, listening] = await Promise.all([this.kv.get(key), this.recent ? this.listen() : false]);
    if (cached) {
      const bills = this.parse(key, cached);
      if (listening) this.recent?.set(key, bills);
      return bills;
    }
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const fetching = this.fetchBills(input);
    this.inflight.set(key, fetching);
    // The answer goes back as soon as the provider gives it and the cache write
    // follows (issue 8: one store round trip less on an uncached query);
    // identical queries keep sharing this call until the cache holds the answer.
    // A failed write only costs a later provider call.
    void fetching
      .then((result) => this.kv.set(key, JSON.stringify(result), this.options.billCacheTtlMs))
      .catch(() => undefined)
      .finally(() => {
        if (this.inflight.get(key) === fetching) this.inflight.delete(key);
      });
    return fetching;
  }

  private fetchBills(input: QueryBillsInput): Promise<QueryBillsOutput> {
    return this.run(async (signal) => ({ ...(await this.inner.queryBills(input, signal)), fetchedAt: new Date().toISOString() }));
  }

  /** Forgets cached bills of an account (after a write-off, what is owed has changed). */
  async forgetBills(fields: Record<string, string>): Promise<void> {
    const key = this.billCacheKey(fields);
    this.parsed.forget(key);
    this.recent?.forget(key);
    await this.kv.del(key);
    if (this.recent) await this.kv.publish(BILLS_FORGOTTEN, key);
  }

  async writeOff(input: WriteOffInput): Promise<WriteOffOutput> {
    const result = await this.run((signal) => this.inner.writeOff(input, signal));
    await this.forgetBills(input.fields);
    return result;
  }

  writeOffStatus(input: WriteOffStatusInput): Promise<WriteOffStatusOutput> {
    return this.run((signal) => this.inner.writeOffStatus(input, signal));
  }

  health(): Promise<HealthOutput> {
    return this.run((signal) => this.inner.health(signal));
  }

  /**
   * Asks the provider whether it is up (its health operation, or a declared
   * look-up), through the breaker: while the breaker is open nothing is
   * sent; once it half-opens the probe is the trial call, so a provider that
   * recovered closes it without waiting for a resident to try.
   */
  async probe(): Promise<void> {
    const started = performance.now();
    try {
      const result = await this.policy.execute(({ signal }) => this.inner.health(signal));
      // A provider with no way to ask was not asked: no sample, or its error ratio and latency would be diluted by non-calls.
      if (result.judgedByTraffic) {
        this.lastProbe = null;
        return;
      }
      this.record(performance.now() - started, true);
      this.lastProbe = { at: Date.now(), ok: result.ok, detail: result.detail };
    } catch (err) {
      // Refused by our own breaker or bulkhead: the provider was not asked, so nothing was learnt.
      if (err instanceof BrokenCircuitError || err instanceof BulkheadRejectedError) return;
      this.record(performance.now() - started, false);
      this.lastProbe = { at: Date.now(), ok: false, detail: this.translate(err).message };
    }
  }

  /** The health the operator API and the city's service list show (AdapterHealth, shared/): breaker state, latency percentiles and error rate over the last calls, and what they mean for residents. */
  healthReport(): AdapterHealth {
    const state = this.breaker.state;
    const breaker =
      state === CircuitState.Open ? 'open' : state === CircuitState.HalfOpen ? 'half-open' : state === CircuitState.Isolated ? 'isolated' : 'closed';
    const sorted = this.samples.map((s) => s.ms).sort((a, b) => a - b);
    const failures = this.samples.filter((s) => !s.ok).length;
    const errorRate = this.samples.length ? failures / this.samples.length : 0;
    const latencyMs = { p50: Math.round(percentile(sorted, 50)), p95: Math.round(percentile(sorted, 95)), p99: Math.round(percentile(sorted, 99)) };
    const since = Date.now() - RECENT_MS;
    const recent = this.samples.filter((s) => s.at >= since);
    const recentErrorRate = recent.length ? recent.filter((s) => !s.ok).length / recent.length : 0;
    const recentSlow = percentile(recent.map((s) => s.ms).sort((a, b) => a - b), 95) > 1000;
    let status: AdapterStatus = 'available';
    let reason: string | undefined;
    if (breaker === 'open' || breaker === 'isolated' || this.lastProbe?.ok === false) {
      status = 'down';
      reason = '缴费单位系统维护中，请稍后再试';
    } else if (breaker === 'half-open' || (recent.length >= 5 && recentErrorRate >= 0.2)) {
      status = 'degraded';
      reason = '缴费单位响应异常，缴费可能延迟';
    } else if (recentSlow) {
      status = 'degraded';
      reason = '缴费单位响应较慢';
    }
    return { status, reason, breaker, calls: this.samples.length, errorRate: Math.round(errorRate * 1000) / 1000, latencyMs };
  }
}
