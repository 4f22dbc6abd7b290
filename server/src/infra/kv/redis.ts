import { Redis } from 'ioredis';
import type { KeyValueStore } from './port';

const DEL_IF_EQUALS = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const INCR_WITH_TTL = `local v = redis.call('incr', KEYS[1]) if v == 1 and tonumber(ARGV[1]) > 0 then redis.call('pexpire', KEYS[1], ARGV[1]) end return v`;

/**
 * Redis implementation of the key-value port. `namespace` prefixes keys and
 * channels alike, so test runs and deployments sharing one Redis stay apart.
 * Subscriptions use a second connection, as Redis requires.
 */
export class RedisKeyValueStore implements KeyValueStore {
  readonly kind = 'redis' as const;
  private readonly client: Redis;
  private subscriber: Redis | null = null;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();

  constructor(
    private readonly url: string,
    private readonly namespace = 'cityhub:',
  ) {
    this.client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  }

  /** Connects and fails fast with a clear error when Redis cannot be reached. */
  async connect(): Promise<void> {
    await this.client.connect();
    await this.client.ping();
  }

  /**
   * The connection and namespace, for rate-limiter-flexible's Redis limiter
   * only: it runs its own atomic script, which the port cannot express (issue 9).
   */
  get rateLimiterStore(): { client: Redis; keyPrefix: string } {
    return { client: this.client, keyPrefix: this.namespace };
  }

  private k(key: string): string {
    return this.namespace + key;
  }

  async get(key: string): Promise<string | null> {
    return this.client.get(this.k(key));
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs && ttlMs > 0) await this.client.set(this.k(key), value, 'PX', ttlMs);
    else await this.client.set(this.k(key), value);
  }

  async del(key: string): Promise<void> {
    await this.client.del(this.k(key));
  }

  async incr(key: string, ttlMs?: number): Promise<number> {
    return Number(await this.client.eval(INCR_WITH_TTL, 1, this.k(key), String(ttlMs ?? 0)));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.client.set(this.k(key), value, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async delIfEquals(key: string, value: string): Promise<boolean> {
    return Number(await this.client.eval(DEL_IF_EQUALS, 1, this.k(key), value)) === 1;
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(this.k(channel), message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    const full = this.k(channel);
    if (!this.subscriber) {
      this.subscriber = this.client.duplicate();
      this.subscriber.on('message', (ch: string, message: string) => {
        for (const handler of this.handlers.get(ch) ?? []) handler(message);
      });
    }
    let set = this.handlers.get(full);
    if (!set) {
      set = new Set();
      this.handlers.set(full, set);
      await this.subscriber.subscribe(full);
    }
    set.add(onMessage);
    return async () => {
      const handlers = this.handlers.get(full);
      handlers?.delete(onMessage);
      if (handlers && handlers.size === 0 && this.subscriber) {
        this.handlers.delete(full);
        await this.subscriber.unsubscribe(full);
      }
    };
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    this.handlers.clear();
    await Promise.allSettled([this.subscriber?.quit(), this.client.quit()]);
  }
}
