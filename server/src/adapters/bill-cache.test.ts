import { manifestSchema } from '@cityhub/shared';
import { MemoryKeyValueStore } from '../infra/kv';
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
