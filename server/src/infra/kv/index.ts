import { LocalCache } from './local-cache';
import { MemoryKeyValueStore } from './memory';
import type { KeyValueStore } from './port';
import { RedisKeyValueStore } from './redis';

export type { KeyValueStore };
export { LocalCache, MemoryKeyValueStore, RedisKeyValueStore };

/** Opens the key-value store the configuration asks for: Redis with REDIS_URL, else in-process. */
export async function openKeyValueStore(redisUrl: string | undefined, namespace?: string): Promise<KeyValueStore> {
  if (!redisUrl) return new MemoryKeyValueStore();
  const store = new RedisKeyValueStore(redisUrl, namespace);
  try {
    await store.connect();
  } catch (err) {
    await store.close();
    throw new Error(`cannot reach Redis at REDIS_URL (${(err as Error).message})`, { cause: err });
  }
  return store;
}
