import { manifestSchema } from '@cityhub/shared';
import { MemoryKeyValueStore, openKeyValueStore, type KeyValueStore } from '../infra/kv';
import { openTestStores, type TestStores } from '../../test/support/stores';
import { waitUntil } from '../../test/support/wait';
import { fakeWaterManifest, scriptFakeWater, startFakeProvider } from '../../test/support/fake-provider';
import { ManifestAdapter } from './manifest-adapter';
import { DEFAULT_RESILIENCE, ResilientAdapter } from './resilience';

/** The bill cache after issue 8: a hit parses nothing new, and what it hands out cannot be changed by the caller. */
describe('the bill cache', () => {
  let fake: Awaited<ReturnType<typeof startFakeProvider>>;
  let adapter: ResilientAdapter;
  const billCalls = () => fake.requests.filter((r) => r.url.includes('bill')).length;

  beforeEach(async () => {
    fake = await startFakeProvider();
    scriptFakeWater(fake);
    const manifest = manifestSchema.parse(fakeWaterManifest(fake.url, { id: 'cached-water' }));
    adapter = new ResilientAdapter(new ManifestAdapter(manifest, undefined), new MemoryKeyValueStore(), { ...DEFAULT_RESILIENCE, billCacheTtlMs: 60_000 });
  });
  afterEach(() => fake.close());

  it('answers a repeated query from the cache with the same frozen bills', async () => {
    const fields = Object.freeze({ customerNo: '12345678' });
    const first = await adapter.queryBills({ fields });
    const second = await adapter.queryBills({ fields });
    const third = await adapter.queryBills({ fields: { customerNo: '12345678' } });
    expect(billCalls()).toBe(1);
    expect(third).toBe(second);
    expect(second).toEqual(first);
    expect(Object.isFrozen(second.bills)).toBe(true);
    expect(() => (second.bills as unknown as unknown[]).push({})).toThrow(TypeError);
  });

  it('asks the provider again once the bills are forgotten', async () => {
    const fields = Object.freeze({ customerNo: '12345678' });
    await adapter.queryBills({ fields });
    await adapter.queryBills({ fields });
    await adapter.forgetBills(fields);
    await adapter.queryBills({ fields });
    expect(billCalls()).toBe(2);
  });
});

/** Two hub processes on one store: bills one forgets (after a write-off) are not shown by the other, though it keeps recent bills in memory with Redis. */
describe(`the bill cache across hub processes (${process.env.REDIS_URL ? 'redis' : 'memory'})`, () => {
  let fake: Awaited<ReturnType<typeof startFakeProvider>>;
  let stores: TestStores;
  let otherKv: KeyValueStore;
  const billCalls = () => fake.requests.filter((r) => r.url.includes('bill')).length;

  beforeAll(async () => {
    fake = await startFakeProvider();
    scriptFakeWater(fake);
    stores = await openTestStores();
    otherKv = stores.redisUrl ? await openKeyValueStore(stores.redisUrl, stores.redisNamespace) : stores.kv;
  });
  afterAll(async () => {
    if (otherKv !== stores.kv) await otherKv.close();
    await stores.close();
    await fake.close();
  });

  it('asks the provider again on the other process once one process forgot the bills', async () => {
    const manifest = manifestSchema.parse(fakeWaterManifest(fake.url, { id: 'shared-water' }));
    const options = { ...DEFAULT_RESILIENCE, billCacheTtlMs: 60_000 };
    const hub1 = new ResilientAdapter(new ManifestAdapter(manifest, undefined), stores.kv, options);
    // hub2 would keep bills in memory for a minute: only the published forget can send it back to the provider.
    const hub2 = new ResilientAdapter(new ManifestAdapter(manifest, undefined), otherKv, { ...options, localBillsTtlMs: 60_000 });
    const fields = Object.freeze({ customerNo: '12345678' });
    await hub1.queryBills({ fields });
    await hub2.queryBills({ fields });
    await hub2.queryBills({ fields });
    expect(billCalls()).toBe(1);
    await hub1.forgetBills(fields);
    await waitUntil(async () => {
      await hub2.queryBills({ fields });
      return billCalls() === 2;
    });
  });
});
