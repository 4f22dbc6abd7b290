import { openKeyValueStore, type KeyValueStore } from '../infra/kv';
import { openTestStores, type TestStores } from '../../test/support/stores';
import { waitUntil } from '../../test/support/wait';
import { SessionService } from './sessions';

/**
 * Two hub processes, as two SessionServices on two connections to one store.
 * With Redis each remembers recent checks (issue 8); a sign-out on one must
 * still stop the token on the other.
 */
describe(`sessions across hub processes (${process.env.REDIS_URL ? 'redis' : 'memory'})`, () => {
  let stores: TestStores;
  let otherKv: KeyValueStore;
  let hub1: SessionService;
  let hub2: SessionService;

  beforeAll(async () => {
    stores = await openTestStores();
    otherKv = stores.redisUrl ? await openKeyValueStore(stores.redisUrl, stores.redisNamespace) : stores.kv;
    hub1 = new SessionService(stores.kv);
    // hub2 would remember a check for a minute: only the published sign-out can make it refuse within the wait below.
    hub2 = new SessionService(otherKv, undefined, 60_000);
  });
  afterAll(async () => {
    if (otherKv !== stores.kv) await otherKv.close();
    await stores.close();
  });

  it('accepts on one process a session made on the other, at once', async () => {
    const session = await hub1.create('resident-a');
    expect(await hub2.residentFor(session.token)).toBe('resident-a');
  });

  it('refuses on the other process a token signed out on one, though that process had just checked it', async () => {
    const session = await hub1.create('resident-b');
    expect(await hub2.residentFor(session.token)).toBe('resident-b');
    expect(await hub2.residentFor(session.token)).toBe('resident-b');
    await hub1.revoke(session.token);
    expect(await hub1.residentFor(session.token)).toBeNull();
    await waitUntil(async () => (await hub2.residentFor(session.token)) === null);
  });

  it('refuses a token that was never issued', async () => {
    expect(await hub2.residentFor('x'.repeat(43))).toBeNull();
    expect(await hub2.residentFor('not a token')).toBeNull();
  });
});
