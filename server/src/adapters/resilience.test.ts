import { manifestSchema } from '@cityhub/shared';
import { MemoryKeyValueStore } from '../infra/kv';
import { fakeWaterManifest, scriptFakeWater, startFakeProvider } from '../../test/support/fake-provider';
import { AdapterError } from './contract';
import { ManifestAdapter } from './manifest-adapter';
import { ResilientAdapter } from './resilience';

type Fake = Awaited<ReturnType<typeof startFakeProvider>>;
const fields = { customerNo: '12345678' };

function adapterFor(fake: Fake, id: string, timeoutMs = 300) {
  const manifest = manifestSchema.parse(fakeWaterManifest(fake.url, { id }));
  return new ResilientAdapter(new ManifestAdapter(manifest, undefined), new MemoryKeyValueStore(), {
    timeoutMs,
    breakAfter: 3,
    halfOpenAfterMs: 60_000,
    maxConcurrent: 8,
    maxQueued: 64,
    billCacheTtlMs: 0,
    probeEveryMs: 0,
  });
}

async function settle<T>(call: () => Promise<T>): Promise<{ result?: T; error?: unknown }> {
  try {
    return { result: await call() };
  } catch (error) {
    return { error };
  }
}

describe('a hanging provider does not slow the others', () => {
  let healthy: Fake;
  let hanging: Fake;
  beforeEach(async () => {
    healthy = await startFakeProvider();
    hanging = await startFakeProvider();
    scriptFakeWater(healthy);
    hanging.answers.set('/lookup', { hang: true, body: null });
  });
  afterEach(async () => {
    await healthy.close();
    await hanging.close();
  });

  it('keeps the healthy adapter answering, trips the hanging one to down, then fails it without calling the provider', async () => {
    const good = adapterFor(healthy, 'good-water');
    const bad = adapterFor(hanging, 'bad-water', 1000);

    // First wave: both under concurrent load; the hanging one times out.
    // `settled` records the order in which calls finished, so "the healthy
    // calls never waited for the hanging provider" is asserted by order, not
    // by a clock reading.
    const settled: string[] = [];
    const track = <T>(name: string, call: () => Promise<T>) => settle(call).finally(() => settled.push(name));
    const [goodWave, badWave] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, () => track('good', () => good.lookupAccount({ fields })))),
      Promise.all(Array.from({ length: 8 }, () => track('bad', () => bad.lookupAccount({ fields })))),
    ]);
    expect(goodWave.every((r) => r.error === undefined)).toBe(true);
    expect(settled.slice(0, 20)).toEqual(Array(20).fill('good'));
    expect(badWave.every((r) => r.error instanceof AdapterError && (r.error as AdapterError).code === 'PROVIDER_TIMEOUT')).toBe(true);

    expect(bad.healthReport()).toMatchObject({ status: 'down', breaker: 'open' });
    expect(good.healthReport()).toMatchObject({ status: 'available', breaker: 'closed' });

    // Once open, the breaker answers at once: the provider is not called.
    const calledBefore = hanging.requests.length;
    const fast = await settle(() => bad.lookupAccount({ fields }));
    expect(fast.error).toBeInstanceOf(AdapterError);
    expect((fast.error as AdapterError).code).toBe('PROVIDER_UNAVAILABLE');
    expect(hanging.requests.length).toBe(calledBefore);
  });

  it('does not count "no such account" as a provider failure', async () => {
    const good = adapterFor(healthy, 'good-water');
    for (let i = 0; i < 5; i++) {
      await expect(good.lookupAccount({ fields: { customerNo: '00000000' } })).rejects.toMatchObject({ code: 'PROVIDER_ACCOUNT_NOT_FOUND' });
    }
    expect(good.healthReport().breaker).toBe('closed');
  });
});

describe('bill cache and singleflight', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startFakeProvider();
    scriptFakeWater(fake);
  });
  afterEach(() => fake.close());

  it('makes one provider call for identical concurrent queries and serves repeats from the cache', async () => {
    const manifest = manifestSchema.parse(fakeWaterManifest(fake.url));
    const adapter = new ResilientAdapter(new ManifestAdapter(manifest, undefined), new MemoryKeyValueStore(), {
      timeoutMs: 1000,
      breakAfter: 5,
      halfOpenAfterMs: 1000,
      maxConcurrent: 4,
      maxQueued: 100,
      billCacheTtlMs: 10_000,
      probeEveryMs: 0,
    });
    const results = await Promise.all(Array.from({ length: 25 }, () => adapter.queryBills({ fields })));
    expect(results.every((r) => r.bills.length === 2)).toBe(true);
    await adapter.queryBills({ fields });
    expect(fake.requests.filter((r) => r.url === '/bills')).toHaveLength(1);
  });

  it('counts no probe of a provider it has no way to ask, so its error ratio and latency are real calls only', async () => {
    const adapter = new ResilientAdapter(new ManifestAdapter(manifestSchema.parse(fakeWaterManifest(fake.url)), undefined), new MemoryKeyValueStore(), {
      timeoutMs: 1000,
      breakAfter: 5,
      halfOpenAfterMs: 1000,
      maxConcurrent: 4,
      maxQueued: 100,
      billCacheTtlMs: 0,
      probeEveryMs: 0,
    });
    for (let i = 0; i < 5; i++) await adapter.probe();
    expect(adapter.healthReport().calls).toBe(0);
    await adapter.lookupAccount({ fields });
    expect(adapter.healthReport().calls).toBe(1);
    expect(fake.requests.filter((r) => r.url === '/lookup')).toHaveLength(1);
  });

  it('forgets cached bills after a write-off, so a paid bill is not offered again', async () => {
    const manifest = manifestSchema.parse(fakeWaterManifest(fake.url));
    const adapter = new ResilientAdapter(new ManifestAdapter(manifest, undefined), new MemoryKeyValueStore(), {
      timeoutMs: 1000,
      breakAfter: 5,
      halfOpenAfterMs: 1000,
      maxConcurrent: 4,
      maxQueued: 100,
      billCacheTtlMs: 10_000,
      probeEveryMs: 0,
    });
    expect((await adapter.queryBills({ fields })).bills).toHaveLength(2);
    await adapter.writeOff({ orderNo: 'CH1', fields, billRefs: ['W-202609'], amountFen: 3150 });
    expect((await adapter.queryBills({ fields })).bills.map((b) => b.ref)).toEqual(['W-202610']);
  });
});
