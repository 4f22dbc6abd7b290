import request from 'supertest';
import { errorEnvelopeSchema } from '@cityhub/shared';
import { createTestHub, TEST_OPERATOR_TOKEN, type TestHub } from '../test/support/app';

describe('the hub edge', () => {
  let hub: TestHub;
  let server: ReturnType<TestHub['app']['callback']>;
  beforeAll(async () => {
    hub = await createTestHub();
    server = hub.app.callback();
  });
  afterAll(() => hub.close());

  it('puts a request id on every response, keeping a sane one the caller sent', async () => {
    const mine = await request(server).get('/healthz').set('X-Request-Id', 'trace-12345678').expect(200);
    expect(mine.headers['x-request-id']).toBe('trace-12345678');
    const forged = await request(server).get('/healthz').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with the 404 envelope', async () => {
    const res = await request(server).get('/api/v1/nothing-here').expect(404);
    expect(errorEnvelopeSchema.parse(res.body).error.code).toBe('ROUTE_NOT_FOUND');
    expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
  });

  it('answers malformed JSON with the 400 envelope', async () => {
    const res = await request(server).post('/api/v1/cities').set('Content-Type', 'application/json').send('{"q":').expect(400);
    expect(res.body.error.code).toBe('MALFORMED_JSON');
  });

  it('answers a body over the limit with the 413 envelope', async () => {
    const res = await request(server)
      .post('/api/v1/cities')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(20 * 1024) }))
      .expect(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a wrong method on a known route with the 405 envelope', async () => {
    const res = await request(server).delete('/api/v1/cities').expect(405);
    expect(res.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('sends security headers: the strict API policy on JSON answers, the page policy on everything else', async () => {
    const json = await request(server).get('/healthz');
    expect(json.headers['x-content-type-options']).toBe('nosniff');
    expect(json.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(json.headers['x-frame-options']).toBe('DENY');
    expect(json.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(json.headers['strict-transport-security']).toContain('max-age=');
    const other = await request(server).get('/api/v1/nothing-here').expect(404);
    expect(other.headers['content-security-policy']).toContain("default-src 'self'");
    expect(other.headers['x-content-type-options']).toBe('nosniff');
  });

  it('grants CORS only to configured origins', async () => {
    const allowed = await request(server).get('/healthz').set('Origin', 'http://allowed.example');
    expect(allowed.headers['access-control-allow-origin']).toBe('http://allowed.example');
    const other = await request(server).get('/healthz').set('Origin', 'http://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('is live, and ready when both stores answer', async () => {
    await request(server).get('/healthz').expect(200, { status: 'ok' });
    const ready = await request(server).get('/readyz').expect(200);
    expect(ready.body.stores.database.status).toBe('up');
    expect(ready.body.stores.keyValue).toEqual({ kind: hub.stores.kv.kind, status: 'up' });
  });

  it('is not ready when the key-value store is gone', async () => {
    const broken = await createTestHub();
    await broken.stores.kv.close();
    if (broken.stores.kv.kind === 'memory') jest.spyOn(broken.stores.kv, 'ping').mockRejectedValue(new Error('closed'));
    const res = await request(broken.app.callback()).get('/readyz').expect(503);
    expect(res.body.stores.keyValue.status).toBe('down');
    await broken.close();
  });

  it('exports Prometheus metrics by route template, never by raw path', async () => {
    await request(server).get('/api/v1/cities/410100').expect(200);
    const res = await request(server).get('/metrics').set('Authorization', `Bearer ${TEST_OPERATOR_TOKEN}`).expect(200);
    expect(res.text).toContain('cityhub_http_requests_total{method="GET",route="/api/v1/cities/:code",status="200"}');
    expect(res.text).toContain('cityhub_http_request_duration_seconds_bucket');
    expect(res.text).toContain('cityhub_store_up{store="database"} 1');
    expect(res.text).not.toContain('route="/api/v1/cities/410100"');
  });

  it('publishes an OpenAPI 3.1 document generated from the shared schemas', async () => {
    const res = await request(server).get('/api/v1/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.paths['/api/v1/cities/{code}'].get.parameters[0]).toMatchObject({ name: 'code', in: 'path', required: true });
    expect(res.body.components.schemas.City.properties.code.pattern).toBe('^\\d{6}$');
  });
});
