import request from 'supertest';
import { DataSource } from 'typeorm';
import { openDatabase } from '../infra/database';
import { openKeyValueStore } from '../infra/kv';
import { createTestHub, TEST_OPERATOR_TOKEN, type TestHub } from '../../test/support/app';
import { fakeWaterManifest, scriptFakeWater, startFakeProvider } from '../../test/support/fake-provider';
import { openTestStores, type TestStores } from '../../test/support/stores';

const op = { Authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

describe(`live activation across hub processes (${process.env.REDIS_URL ? 'MySQL + Redis' : 'shared embedded stores'})`, () => {
  let storesA: TestStores;
  let storesB: TestStores;
  let hubA: TestHub;
  let hubB: TestHub;
  let fake: Awaited<ReturnType<typeof startFakeProvider>>;
  let extra: DataSource | undefined;

  beforeAll(async () => {
    fake = await startFakeProvider();
    scriptFakeWater(fake);
    storesA = await openTestStores();
    if (storesA.mode === 'real') {
      // Hub B has its own database pool and Redis connections on the same database and namespace,
      // as a second process would.
      extra = await openDatabase({ databaseUrl: storesA.databaseUrl, dataDir: ':memory:' });
      const kv = await openKeyValueStore(storesA.redisUrl, storesA.redisNamespace);
      storesB = { ...storesA, dataSource: extra, kv, close: async () => { await extra?.destroy(); await kv.close(); } };
    } else {
      storesB = storesA;
    }
    hubA = await createTestHub({ stores: storesA });
    hubB = await createTestHub({ stores: storesB });
  });
  afterAll(async () => {
    await hubA.close();
    await hubB.close();
    if (storesB !== storesA) await storesB.close();
    await storesA.close();
    await fake.close();
  });

  it('serves an adapter on hub B within a second of its activation through hub A', async () => {
    const a = hubA.app.callback();
    const b = hubB.app.callback();
    await request(a).post('/api/v1/admin/adapters').set(op).send(fakeWaterManifest(fake.url)).expect(201);
    expect((await request(b).get('/api/v1/cities/330100')).body.serviceGroups).toEqual([]);

    await request(a).post('/api/v1/admin/adapters/fake-water/activate').set(op).send({ force: true }).expect(200);
    const activatedAt = Date.now();
    let seenAfterMs = -1;
    while (Date.now() - activatedAt < 1000) {
      const city = await request(b).get('/api/v1/cities/330100');
      if (city.body.serviceGroups.length === 1) {
        seenAfterMs = Date.now() - activatedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seenAfterMs).toBeGreaterThanOrEqual(0);

    await request(a).post('/api/v1/admin/adapters/fake-water/disable').set(op).expect(200);
    const disabledAt = Date.now();
    let goneAfterMs = -1;
    while (Date.now() - disabledAt < 1000) {
      if ((await request(b).get('/api/v1/cities/330100')).body.serviceGroups.length === 0) {
        goneAfterMs = Date.now() - disabledAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(goneAfterMs).toBeGreaterThanOrEqual(0);
  });
});
