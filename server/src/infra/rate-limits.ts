import { z } from 'zod';

/** One limit: at most `points` actions per `durationSec` for one key (an IP, a resident, an account number…). */
export const rateLimitSchema = z.strictObject({
  points: z.coerce.number().int().min(1).max(10_000_000),
  durationSec: z.coerce.number().int().min(1).max(7 * 24 * 3600),
});
export type RateLimit = z.infer<typeof rateLimitSchema>;

/**
 * The hub's rate limits (issue 9) and their defaults: high enough that a
 * resident binding a few accounts, checking bills and paying never meets one,
 * low enough that a harvester looping over account numbers or plates meets
 * one within seconds. config/default.json lists the same values; the env
 * variable RATE_LIMITS (JSON, e.g. {"bindPerResident":{"points":1000,"durationSec":60}})
 * overrides any of them, so a benchmark can raise them.
 */
export const DEFAULT_RATE_LIMITS = {
  /** Sign-ins from one IP (a bad login code costs the same as a good one). */
  loginPerIp: { points: 30, durationSec: 60 },
  /** Bind attempts (each one asks a provider about an account) by one resident. */
  bindPerResident: { points: 10, durationSec: 3600 },
  /** Bind attempts from one IP, however many residents it signs in as. */
  bindPerIp: { points: 50, durationSec: 3600 },
  /** Bind attempts naming one account number or plate, across all residents. */
  bindPerTarget: { points: 10, durationSec: 3600 },
  /** Wrong second factors (engine number, card or VIN digits) for one plate by one resident: then that plate is locked for them. */
  secondFactorFailuresPerResident: { points: 5, durationSec: 3600 },
  /**
   * Wrong second factors for one plate across residents: then the plate is
   * locked for everyone. Below bindPerTarget, so a plate probed by many is
   * locked by its failures before its lookups run out.
   */
  secondFactorFailuresPerTarget: { points: 8, durationSec: 3600 },
  /** Account look-ups, bill queries and order reads by one resident. */
  readsPerResident: { points: 300, durationSec: 60 },
  /** The same from one IP. */
  readsPerIp: { points: 1200, durationSec: 60 },
  /** Orders created or closed by one resident. */
  ordersPerResident: { points: 30, durationSec: 600 },
  /** Orders created or closed from one IP. */
  ordersPerIp: { points: 200, durationSec: 600 },
  /** Operator API calls from one IP, signed in or not. */
  operatorPerIp: { points: 300, durationSec: 60 },
} satisfies Record<string, RateLimit>;

export type RateLimitName = keyof typeof DEFAULT_RATE_LIMITS;

export const rateLimitsSchema = z.strictObject(
  Object.fromEntries(Object.entries(DEFAULT_RATE_LIMITS).map(([name, limit]) => [name, rateLimitSchema.default(limit)])) as {
    [K in RateLimitName]: z.ZodDefault<typeof rateLimitSchema>;
  },
);
export type RateLimits = z.infer<typeof rateLimitsSchema>;

/** Merges a RATE_LIMITS override (JSON text) over the configured limits, limit by limit. */
export function mergeRateLimits(base: unknown, overrideJson: string): unknown {
  let override: unknown;
  try {
    override = JSON.parse(overrideJson);
  } catch {
    // Left as text, so the config check names RATE_LIMITS as the culprit.
    return overrideJson;
  }
  const into: Record<string, unknown> = typeof base === 'object' && base !== null ? { ...(base as Record<string, unknown>) } : {};
  if (typeof override !== 'object' || override === null) return override;
  for (const [name, value] of Object.entries(override)) {
    const current = into[name];
    const known = (DEFAULT_RATE_LIMITS as Record<string, RateLimit>)[name];
    into[name] = typeof value === 'object' && value !== null ? { ...known, ...(typeof current === 'object' ? current : {}), ...value } : value;
  }
  return into;
}
