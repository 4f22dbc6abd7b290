/**
 * The key-value port: the only way the hub touches shared ephemeral state
 * (cache, rate limits, locks, singleflight, sessions, registry fan-out).
 * Two implementations: in-process (embedded default) and Redis (REDIS_URL).
 */
export interface KeyValueStore {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  /** Sets a value; with ttlMs it expires after that many milliseconds. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Increments an integer counter; ttlMs applies when the counter is created. */
  incr(key: string, ttlMs?: number): Promise<number>;
  /** Sets the key only if absent, with a lease (ttlMs); true if this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes the key only if it still holds `value` (releasing one's own lease). */
  delIfEquals(key: string, value: string): Promise<boolean>;
  publish(channel: string, message: string): Promise<void>;
  /** Subscribes; resolves once the subscription is live; returns an unsubscribe function. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
