import request from 'supertest';
import { auditPageSchema, errorEnvelopeSchema } from '@cityhub/shared';
import { tokenFingerprint } from '../src/admin/operator-auth';
import { createTestHub, TEST_OPERATOR_TOKEN, type TestHub } from './support/app';
import { loginResident } from './support/resident';

/** Issue 9: operators are watched, and what is private is not cached or explained to forgers. */
describe('operators watched', () => {
  let hub: TestHub;
  const op = { Authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
  beforeAll(async () => {
    hub = await createTestHub();
  });
  afterAll(() => hub.close());

  const audit = async (query: Record<string, string | number>) => auditPageSchema.parse((await request(hub.url).get('/api/v1/admin/audit').query(query).set(op).expect(200)).body);

  it('records a refused operator call with the token fingerprint, never the token', async () => {
    const forged = 'forged-operator-token-0123456789abcdef';
    await request(hub.url).get('/api/v1/admin/adapters').set('Authorization', `Bearer ${forged}`).expect(401);
    await request(hub.url).post('/api/v1/admin/adapters/grid/activate').expect(401);
    const page = await audit({ outcome: 'refused' });
    expect(page.entries.map((e) => [e.action, e.actor])).toEqual([
      ['POST /adapters/grid/activate', 'unknown'],
      ['GET /adapters', 'unknown'],
    ]);
    expect(page.entries[1].details).toMatchObject({ tokenFingerprint: tokenFingerprint(forged) });
    expect(page.entries[0].details).toMatchObject({ tokenFingerprint: null });
    expect(JSON.stringify(page)).not.toContain(forged);
  });

  it('pages the audit log newest first and filters it by operator, action, outcome and time', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    for (let i = 0; i < 3; i++) await request(hub.url).get('/api/v1/admin/adapters').set(op).expect(200);
    await request(hub.url).get('/api/v1/admin/adapters/nope').set(op).expect(404);
    const first = await audit({ operator: 'tester', action: 'GET /adapters', from: since, limit: 2 });
    expect(first.entries).toHaveLength(2);
    expect(first.entries.every((e) => e.actor === 'tester' && e.action.startsWith('GET /adapters'))).toBe(true);
    expect(first.entries[0].id).toBeGreaterThan(first.entries[1].id);
    const second = await audit({ operator: 'tester', action: 'GET /adapters', from: since, limit: 2, before: first.nextBefore ?? 0 });
    expect(second.entries.length).toBeGreaterThan(0);
    expect(second.entries[0].id).toBeLessThan(first.entries[1].id);
    const errors = await audit({ outcome: 'error', action: '/adapters/nope' });
    expect(errors.entries).toHaveLength(1);
    expect(await audit({ to: '2000-01-01T00:00:00Z' })).toEqual({ entries: [], nextBefore: null });
    const bad = await request(hub.url).get('/api/v1/admin/audit').query({ outcome: 'maybe' }).set(op).expect(400);
    expect(errorEnvelopeSchema.parse(bad.body).error.code).toBe('VALIDATION_FAILED');
  });

  it('keeps /metrics behind the operator token, and does not audit the scrapes', async () => {
    const refused = await request(hub.url).get('/metrics').expect(401);
    expect(errorEnvelopeSchema.parse(refused.body).error.code).toBe('UNAUTHENTICATED');
    const before = (await audit({ operator: 'tester' })).entries.length;
    const res = await request(hub.url).get('/metrics').set(op).expect(200);
    expect(res.text).toContain('cityhub_http_requests_total');
    expect((await audit({ operator: 'tester' })).entries.length).toBe(before + 1); // the audit read itself, not the scrape
  });

  it('answers every authenticated request with Cache-Control: no-store, errors included', async () => {
    const me = await loginResident(hub, 'private-person');
    expect((await request(hub.url).get('/api/v1/accounts').set(me.auth).expect(200)).headers['cache-control']).toBe('no-store');
    expect((await request(hub.url).get('/api/v1/accounts/00000000-0000-4000-8000-000000000000/bills').set(me.auth).expect(404)).headers['cache-control']).toBe('no-store');
    expect((await request(hub.url).get('/api/v1/admin/adapters').set(op).expect(200)).headers['cache-control']).toBe('no-store');
  });

  it('tells a forged notification only that it was refused; the reason goes to the log', async () => {
    const res = await request(hub.url)
      .post('/api/v1/payments/wechat/notify')
      .set('Content-Type', 'application/json')
      .set('Wechatpay-Timestamp', String(Math.floor(Date.now() / 1000)))
      .set('Wechatpay-Nonce', 'n0nce')
      .set('Wechatpay-Signature', 'Zm9yZ2Vk')
      .set('Wechatpay-Serial', 'FORGED')
      .send({ id: 'evt', resource: { ciphertext: 'x', nonce: 'y', associated_data: 'z' } })
      .expect(401);
    expect(res.body.error).toMatchObject({ code: 'SIGNATURE_INVALID', message: 'notification refused' });
    const logged = hub.logLines.find((l) => l.msg === 'payment notification refused');
    expect(String(logged?.reason)).toMatch(/notification rejected: .+/);
  });
});
