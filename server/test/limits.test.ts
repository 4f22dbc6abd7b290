import net from 'node:net';
import request from 'supertest';
import { errorEnvelopeSchema } from '@cityhub/shared';
import { MAX_SESSIONS_PER_RESIDENT } from '../src/identity/sessions';
import { createTestHub, type TestHub } from './support/app';
import { loginResident } from './support/resident';

/** Sends raw bytes to the hub and reads whatever it answers until it closes the connection. */
function raw(hub: TestHub, write: (socket: net.Socket) => void): Promise<{ status: number; headers: string; body: unknown }> {
  const { hostname, port } = new URL(hub.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => write(socket));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: rest.length ? JSON.parse(rest.join('\r\n\r\n')) : undefined });
    });
  });
}

describe('slow and malformed clients get the envelope and let go (issue 9)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    // Short timeouts so the test does not wait the production 30 s.
    hub = await createTestHub({ serverLimits: { requestTimeoutMs: 1500, headersTimeoutMs: 1000 } });
  });
  afterAll(() => hub.close());

  it('cuts a body sent slowly with 408 in the envelope', async () => {
    let drip: NodeJS.Timeout | undefined;
    const res = await raw(hub, (socket) => {
      socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
      drip = setInterval(() => socket.writable && socket.write(' '), 200);
    });
    clearInterval(drip);
    expect(res.status).toBe(408);
    expect(errorEnvelopeSchema.parse(res.body).error.code).toBe('REQUEST_TIMEOUT');
  });

  it('answers headers too large for the parser with 431 in the envelope', async () => {
    const res = await raw(hub, (socket) => socket.write(`GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Pad: ${'a'.repeat(40_000)}\r\n\r\n`));
    expect(res.status).toBe(431);
    expect(errorEnvelopeSchema.parse(res.body).error.code).toBe('HEADERS_TOO_LARGE');
  });

  it('answers a NUL in a header with 400 in the envelope', async () => {
    const res = await raw(hub, (socket) => socket.write('GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Bad: a\u0000b\r\n\r\n'));
    expect(res.status).toBe(400);
    expect(errorEnvelopeSchema.parse(res.body).error.code).toBe('BAD_REQUEST');
  });
});

describe('sessions are bounded and revocable (issue 9)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await createTestHub();
  });
  afterAll(() => hub.close());

  it(`keeps at most ${MAX_SESSIONS_PER_RESIDENT} live sessions per resident, revoking the oldest`, async () => {
    const sessions = [];
    for (let i = 0; i <= MAX_SESSIONS_PER_RESIDENT; i++) sessions.push(await loginResident(hub, 'many-phones'));
    await request(hub.url).get('/api/v1/accounts').set(sessions[0].auth).expect(401);
    for (const s of sessions.slice(1)) await request(hub.url).get('/api/v1/accounts').set(s.auth).expect(200);
  });

  it('POST /auth/logout revokes the token', async () => {
    const me = await loginResident(hub, 'leaving');
    await request(hub.url).get('/api/v1/accounts').set(me.auth).expect(200);
    await request(hub.url).post('/api/v1/auth/logout').set(me.auth).expect(204);
    const res = await request(hub.url).get('/api/v1/accounts').set(me.auth).expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });
});

describe('a refused method is told what the path takes (issue 9)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await createTestHub();
  });
  afterAll(() => hub.close());

  it.each([
    ['DELETE', '/api/v1/cities', 'GET, HEAD, OPTIONS'],
    ['PUT', '/api/v1/accounts/00000000-0000-4000-8000-000000000000', 'PATCH, DELETE, OPTIONS'],
    ['PROPFIND', '/api/v1/orders', 'POST, GET, HEAD, OPTIONS'],
  ])('%s %s → 405 with Allow: %s', async (method, path, allow) => {
    const res = await fetch(`${hub.url}${path}`, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(errorEnvelopeSchema.parse(await res.json()).error.code).toBe('METHOD_NOT_ALLOWED');
  });
});
