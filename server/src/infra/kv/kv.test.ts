import { openTestStores, type TestStores } from '../../../test/support/stores';
import { waitUntil } from '../../../test/support/wait';

describe(`key-value store (${process.env.REDIS_URL ? 'redis' : 'memory'})`, () => {
  let stores: TestStores;
  beforeAll(async () => {
    stores = await openTestStores();
  });
  afterAll(() => stores.close());

  it('gets what was set and forgets it after its TTL', async () => {
    await stores.kv.set('a', '1', 80);
    expect(await stores.kv.get('a')).toBe('1');
    await new Promise((r) => setTimeout(r, 150));
    expect(await stores.kv.get('a')).toBeNull();
  });

  it('increments counters atomically under concurrency', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => stores.kv.incr('counter', 10_000)));
    expect(new Set(results).size).toBe(50);
    expect(Math.max(...results)).toBe(50);
  });

  it('grants a lease to exactly one of many concurrent claimants', async () => {
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => stores.kv.setIfAbsent('lease', `owner-${i}`, 5_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('releases a lease only for its owner', async () => {
    await stores.kv.setIfAbsent('lock', 'me', 5_000);
    expect(await stores.kv.delIfEquals('lock', 'someone-else')).toBe(false);
    expect(await stores.kv.delIfEquals('lock', 'me')).toBe(true);
    expect(await stores.kv.setIfAbsent('lock', 'next', 5_000)).toBe(true);
  });

  it('delivers published messages to subscribers until they unsubscribe', async () => {
    const received: string[] = [];
    const unsubscribe = await stores.kv.subscribe('events', (m) => received.push(m));
    await stores.kv.publish('events', 'one');
    await waitUntil(() => received.length === 1, 2000);
    await unsubscribe();
    await stores.kv.publish('events', 'two');
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toEqual(['one']);
  });
});
