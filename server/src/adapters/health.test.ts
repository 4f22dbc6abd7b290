import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createTestHub, TEST_OPERATOR_TOKEN, type TestHub } from '../../test/support/app';
import { fakeWaterManifest } from '../../test/support/fake-provider';

const op = { Authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

/**
 * A water company with no health endpoint that can stop listening (refusing
 * connections, as a crashed gateway does) and come back on the same port.
 */
async function startStoppableProvider() {
  const lookups: string[] = [];
  const handler: http.RequestListener = (req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const no = (JSON.parse(body || '{}') as { no?: string }).no ?? '';
      if (req.url === '/lookup') lookups.push(no);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/lookup' ? (no === '12345678' ? { ok: true, name: '李水' } : { ok: false, err: 'NO_USER' }) : { ok: true, bills: [] }));
    });
  };
  let server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    lookups,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async restart() {
      server = http.createServer(handler);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
  };
}

/** Polls the resident's city page until the water tile has `status`; returns the milliseconds it took, or fails at `withinMs`. */
async function tileBecomes(hub: TestHub, status: string, withinMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const city = await request(hub.app.callback()).get('/api/v1/cities/330100').expect(200);
    const tile = city.body.serviceGroups.find((g: { category: string }) => g.category === 'water')?.services[0];
    if (tile?.status === status) return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`the water tile is still ${tile?.status} after ${withinMs} ms, expected ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe(`a provider with no health endpoint is probed through a declared look-up (${process.env.DATABASE_URL ? 'MySQL + Redis' : 'SQLite + memory'})`, () => {
  let hub: TestHub;
  let provider: Awaited<ReturnType<typeof startStoppableProvider>>;

  beforeEach(async () => {
    // The hub's own defaults for probing and the breaker: what production runs.
    hub = await createTestHub();
    provider = await startStoppableProvider();
    const manifest = fakeWaterManifest(provider.url, { healthProbe: { account: { customerNo: '00000000' } } });
    await request(hub.app.callback()).post('/api/v1/admin/adapters').set(op).send(manifest).expect(201);
    await request(hub.app.callback()).post('/api/v1/admin/adapters/fake-water/activate').set(op).send({ force: true }).expect(200);
  });
  afterEach(async () => {
    await hub.close();
    await provider.stop().catch(() => undefined);
  });

  it('shows its tile down within 5 s of refusing connections and available within 10 s of answering again', async () => {
    // The probe asks the declared account, whose "not found" still proves the provider up.
    for (let i = 0; i < 50 && !provider.lookups.includes('00000000'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(provider.lookups).toContain('00000000');
    await tileBecomes(hub, 'available', 5_000);

    await provider.stop();
    const refused = await fetch(provider.url).then(
      () => false,
      () => true,
    );
    expect(refused).toBe(true);
    await tileBecomes(hub, 'down', 5_000);

    await provider.restart();
    const probesBefore = provider.lookups.length;
    await tileBecomes(hub, 'available', 10_000);
    expect(provider.lookups.length).toBeGreaterThan(probesBefore);
  }, 30_000);

  it('answers cached bills with the time the provider gave them, not the time of asking', async () => {
    const resident = await hub.services.residents.findOrCreate('openid-health');
    const auth = { Authorization: `Bearer ${(await hub.services.sessions.create(resident.id)).token}` };
    const bound = await request(hub.app.callback()).post('/api/v1/accounts').set(auth).send({ serviceId: 'fake-water', cityCode: '330100', fields: { customerNo: '12345678' } }).expect(201);
    const first = await request(hub.app.callback()).get(`/api/v1/accounts/${bound.body.account.id}/bills`).set(auth).expect(200);
    await new Promise((r) => setTimeout(r, 50));
    const again = await request(hub.app.callback()).get(`/api/v1/accounts/${bound.body.account.id}/bills`).set(auth).expect(200);
    expect(again.body.fetchedAt).toBe(first.body.fetchedAt);
  });
});
