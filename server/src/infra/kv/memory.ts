import { EventEmitter } from 'node:events';
import type { KeyValueStore } from './port';

interface Entry {
  value: string;
  expiresAt: number | null;
}

/**
 * In-process key-value store for the embedded, single-process mode. Expiry is
 * checked on read, so no timers keep the process alive.
 */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly bus = new EventEmitter();

  constructor(private readonly now: () => number = Date.now) {
    this.bus.setMaxListeners(0);
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private expiry(ttlMs?: number): number | null {
    return ttlMs && ttlMs > 0 ? this.now() + ttlMs : null;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.expiry(ttlMs) });
  }

  async del(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async incr(key: string, ttlMs?: number): Promise<number> {
    const entry = this.live(key);
    if (!entry) {
      this.entries.set(key, { value: '1', expiresAt: this.expiry(ttlMs) });
      return 1;
    }
    const next = Number(entry.value) + 1;
    if (!Number.isSafeInteger(next)) throw new Error(`value at ${key} is not an integer`);
    entry.value = String(next);
    return next;
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.entries.set(key, { value, expiresAt: this.expiry(ttlMs) });
    return true;
  }

  async delIfEquals(key: string, value: string): Promise<boolean> {
    if (this.live(key)?.value !== value) return false;
    this.entries.delete(key);
    return true;
  }

  async publish(channel: string, message: string): Promise<void> {
    // Delivered asynchronously, as Redis would, so publishers never run subscribers inline.
    setImmediate(() => this.bus.emit(channel, message));
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    this.bus.on(channel, onMessage);
    return async () => {
      this.bus.off(channel, onMessage);
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.bus.removeAllListeners();
    this.entries.clear();
  }
}
