import { Counter, type Registry } from 'prom-client';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../errors';
import { RedisKeyValueStore, type KeyValueStore } from '../infra/kv';
import type { Logger } from '../infra/logger';
import { DEFAULT_RATE_LIMITS, type RateLimitName, type RateLimits } from '../infra/rate-limits';
import type { HubContext, HubMiddleware } from './context';

/** What a bind names, as a keyed digest (never the number itself), and whether it carries a second factor. */
export interface BindTarget {
  key: string;
  secondFactor: boolean;
}

/** Refused by a rate limit: 429 RATE_LIMITED, with the seconds to wait. */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', message, { retryAfterSeconds });
  }
}

const MESSAGES: Record<RateLimitName, string> = {
  loginPerIp: 'too many sign-ins from this network; wait a little and try again',
  bindPerResident: 'too many accounts looked up; wait a while before binding another',
  bindPerIp: 'too many accounts looked up from this network; wait a while before binding another',
  bindPerTarget: 'this account has been looked up too often; try again later',
  secondFactorFailuresPerResident: 'too many wrong verification digits for this vehicle; it is locked for you for a while',
  secondFactorFailuresPerTarget: 'too many wrong verification digits for this vehicle; it is locked for a while',
  readsPerResident: 'too many requests; slow down a little',
  readsPerIp: 'too many requests from this network; slow down a little',
  ordersPerResident: 'too many orders; wait a little before paying again',
  ordersPerIp: 'too many orders from this network; wait a little',
  operatorPerIp: 'too many operator requests from this address',
};

type RouteClass = 'bind' | 'orders' | 'reads';

/**
 * Limits counted in each hub process alone, even with Redis. Reads only ever
 * reach the resident's own accounts and orders, so a read limit is about load,
 * not about harvesting; sharing it would cost two Redis round trips on every
 * cached bill query, the hottest path there is (issue 8). With N processes a
 * client can read at most N times the limit. Binds, orders, sign-ins, second
 * factors and targets, which guard strangers' data and money, stay shared.
 */
const PROCESS_LOCAL = new Set<RateLimitName>(['readsPerResident', 'readsPerIp']);

/** Which per-resident limits a signed-in route counts against. */
function classify(ctx: HubContext): RouteClass {
  // A preview asks the provider as a bind does: the same limits, so looking up cannot harvest either.
  if (ctx.method === 'POST' && (ctx.path === '/api/v1/accounts' || ctx.path === '/api/v1/accounts/preview')) return 'bind';
  if (ctx.method === 'POST' && (ctx.path === '/api/v1/orders' || ctx.path.startsWith('/api/v1/orders/'))) return 'orders';
  return 'reads';
}

/**
 * The hub's rate limits (issue 9), on rate-limiter-flexible: in-process when
 * embedded; on Redis when the key-value store is Redis, so every hub process
 * counts together. A Redis limiter keeps keys that are spent blocked in
 * process memory (no round trip to refuse a harvester again) and falls back
 * to an in-process limiter if Redis fails, so a Redis hiccup neither opens
 * the gate nor fails the request. Refusals are counted in /metrics.
 */
export class HubRateLimits {
  private readonly limiters = new Map<RateLimitName, RateLimiterAbstract>();
  private readonly refused: Counter<'limit'>;

  constructor(
    private readonly deps: { limits?: Partial<RateLimits>; kv: KeyValueStore; registry: Registry; log: Logger },
  ) {
    const limits = { ...DEFAULT_RATE_LIMITS, ...deps.limits };
    for (const name of Object.keys(DEFAULT_RATE_LIMITS) as RateLimitName[]) {
      const { points, durationSec } = limits[name];
      const keyPrefix = `rl:${name}`;
      const memory = new RateLimiterMemory({ keyPrefix, points, duration: durationSec });
      const limiter =
        deps.kv instanceof RedisKeyValueStore && !PROCESS_LOCAL.has(name)
          ? new RateLimiterRedis({
              storeClient: deps.kv.rateLimiterStore.client,
              keyPrefix: `${deps.kv.rateLimiterStore.keyPrefix}${keyPrefix}`,
              points,
              duration: durationSec,
              inMemoryBlockOnConsumed: points + 1,
              insuranceLimiter: memory,
            })
          : memory;
      this.limiters.set(name, limiter);
    }
    this.refused = new Counter({
      name: 'cityhub_rate_limited_total',
      help: 'Requests refused with 429 RATE_LIMITED, by limit',
      labelNames: ['limit'],
      registers: [deps.registry],
    });
  }

  private limiter(name: RateLimitName): RateLimiterAbstract {
    const limiter = this.limiters.get(name);
    if (!limiter) throw new Error(`no rate limit ${name}`);
    return limiter;
  }

  private refuse(name: RateLimitName, msBeforeNext: number): RateLimitedError {
    this.refused.inc({ limit: name });
    return new RateLimitedError(MESSAGES[name], Math.max(1, Math.ceil(msBeforeNext / 1000)));
  }

  /** Takes one point from `key`'s allowance; throws RateLimitedError once it is spent. */
  async consume(name: RateLimitName, key: string): Promise<void> {
    try {
      await this.limiter(name).consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw this.refuse(name, err.msBeforeNext);
      // Both the store and its insurance failed: let the request through rather than fail it.
      this.deps.log.warn({ err, limit: name }, 'rate limiter unavailable');
    }
  }

  /** Throws RateLimitedError when `key` has already spent its allowance, without taking a point (locks by failures). */
  async ensureOpen(name: RateLimitName, key: string): Promise<void> {
    const limiter = this.limiter(name);
    let res: RateLimiterRes | null;
    try {
      res = await limiter.get(key);
    } catch (err) {
      this.deps.log.warn({ err, limit: name }, 'rate limiter unavailable');
      return;
    }
    if (res && res.consumedPoints >= limiter.points) throw this.refuse(name, res.msBeforeNext);
  }

  /** Counts one failure against `key` (refusal comes from ensureOpen next time). */
  async penalise(name: RateLimitName, key: string): Promise<void> {
    try {
      await this.limiter(name).penalty(key, 1);
    } catch (err) {
      this.deps.log.warn({ err, limit: name }, 'rate limiter unavailable');
    }
  }

  /** Runs checks together (one round trip's wait with Redis) and answers 429 with Retry-After if any refuses. */
  private async all(ctx: HubContext, checks: Array<Promise<void>>): Promise<void> {
    const results = await Promise.allSettled(checks);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!refused) return;
    if (refused.reason instanceof RateLimitedError) ctx.set('Retry-After', String(refused.reason.retryAfterSeconds));
    throw refused.reason;
  }

  /** Per-IP limits that apply before anyone is signed in: sign-in and the operator API. */
  edge(): HubMiddleware {
    return async (ctx, next) => {
      if (ctx.method === 'POST' && ctx.path === '/api/v1/auth/login') await this.all(ctx, [this.consume('loginPerIp', ctx.ip)]);
      else if (ctx.path.startsWith('/api/v1/admin')) await this.all(ctx, [this.consume('operatorPerIp', ctx.ip)]);
      await next();
    };
  }

  /**
   * Wraps the resident gate: once the session names the resident, counts the
   * request against that resident and their IP. A bind also counts against
   * its target (account number or plate) across residents, and for a service
   * with a second factor, a "no such account" answer counts as a wrong second
   * factor: five lock the plate for that resident, many lock it for everyone.
   */
  residentGate(requireResident: HubMiddleware, bindTarget: (body: unknown) => BindTarget | null): HubMiddleware {
    // Koa types a middleware's result as `any`: awaited here rather than returned.
    return async (ctx, next) => {
      await requireResident(ctx, async () => {
        const resident = ctx.state.residentId ?? '';
        const kind = classify(ctx);
        if (kind === 'reads') {
          await this.all(ctx, [this.consume('readsPerResident', resident), this.consume('readsPerIp', ctx.ip)]);
          await next();
          return;
        }
        if (kind === 'orders') {
          await this.all(ctx, [this.consume('ordersPerResident', resident), this.consume('ordersPerIp', ctx.ip)]);
          await next();
          return;
        }
        const target = bindTarget(ctx.request.body);
        const lockKey = target ? `${resident}:${target.key}` : '';
        if (target?.secondFactor) {
          await this.all(ctx, [this.ensureOpen('secondFactorFailuresPerResident', lockKey), this.ensureOpen('secondFactorFailuresPerTarget', target.key)]);
        }
        await this.all(ctx, [
          this.consume('bindPerResident', resident),
          this.consume('bindPerIp', ctx.ip),
          ...(target ? [this.consume('bindPerTarget', target.key)] : []),
        ]);
        try {
          await next();
        } catch (err) {
          if (target?.secondFactor && err instanceof AppError && err.code === 'PROVIDER_ACCOUNT_NOT_FOUND') {
            await Promise.all([this.penalise('secondFactorFailuresPerResident', lockKey), this.penalise('secondFactorFailuresPerTarget', target.key)]);
          }
          throw err;
        }
      });
    };
  }
}
