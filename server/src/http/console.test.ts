import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { createTestHub, type TestHub } from '../../test/support/app';

/** The operator console's mount (issue 10 part 6), on a stand-in build. */
describe('the console at /console', () => {
  let build: string;
  let h5: string;
  let hub: TestHub;
  let unbuilt: TestHub;

  beforeAll(async () => {
    build = fs.mkdtempSync(path.join(os.tmpdir(), 'cityhub-console-'));
    fs.mkdirSync(path.join(build, 'assets'));
    fs.writeFileSync(path.join(build, 'index.html'), '<!doctype html><script type="module" src="/console/assets/index-AbC123.js"></script>');
    fs.writeFileSync(path.join(build, 'assets', 'index-AbC123.js'), 'console.log("console")');
    h5 = fs.mkdtempSync(path.join(os.tmpdir(), 'cityhub-h5-'));
    fs.writeFileSync(path.join(h5, 'index.html'), '<!doctype html><script>window.sizing=1</script>');
    hub = await createTestHub({ consoleDir: build, h5Dir: h5 });
    unbuilt = await createTestHub({ consoleDir: path.join(build, 'missing') });
  });
  afterAll(async () => {
    await hub?.close();
    await unbuilt?.close();
    fs.rmSync(build, { recursive: true, force: true });
    fs.rmSync(h5, { recursive: true, force: true });
  });

  it('answers every client route with index.html, never cached', async () => {
    for (const route of ['/console', '/console/', '/console/adapters/wuhan-water', '/console/audit']) {
      const res = await request(hub.url).get(route).expect(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text).toContain('/console/assets/index-AbC123.js');
    }
  });

  it('caches hashed assets for a year as immutable, and answers a missing one 404 rather than the page', async () => {
    const asset = await request(hub.url).get('/console/assets/index-AbC123.js').expect(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.text).toBe('console.log("console")');
    // A precompressed copy goes to whoever accepts gzip, the file itself to the rest.
    fs.writeFileSync(path.join(build, 'assets', 'index-AbC123.js.gz'), gzipSync('console.log("console")'));
    const gzipped = await request(hub.url).get('/console/assets/index-AbC123.js').set('Accept-Encoding', 'gzip').expect(200);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toBe('Accept-Encoding');
    expect(gzipped.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(gzipped.text).toBe('console.log("console")');
    const plain = await request(hub.url).get('/console/assets/index-AbC123.js').set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toBe('console.log("console")');
    const missing = await request(hub.url).get('/console/assets/index-Old999.js').expect(404);
    expect(missing.body.error.code).toBe('ROUTE_NOT_FOUND');
  });

  it("gives the console a policy of its own: scripts from the hub only, inline styles for antd, no framing; the h5 page's policy is untouched", async () => {
    const page = await request(hub.url).get('/console/adapters').expect(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');

    const h5Page = await request(hub.url).get('/').expect(200);
    const h5Csp = String(h5Page.headers['content-security-policy']);
    // The h5 build's inline script is allowed by its hash there, and only there.
    expect(h5Csp).toMatch(/script-src 'self' 'sha256-[^']+'/);
    expect(csp).not.toContain('sha256-');
  });

  it('refuses other methods and paths that climb out, in the envelope', async () => {
    const post = await request(hub.url).post('/console/adapters').send({}).expect(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(post.body.error.code).toBe('METHOD_NOT_ALLOWED');
    const climb = await request(hub.url).get('/console/../package.json').expect(403);
    expect(climb.body.error.code).toBe('FORBIDDEN');
    const head = await request(hub.url).head('/console/assets/index-AbC123.js').set('Accept-Encoding', 'identity').expect(200);
    expect(head.headers['content-length']).toBe(String('console.log("console")'.length));
  });

  it('says how to build the console when a hub has none, and leaves other paths alone', async () => {
    const res = await request(unbuilt.url).get('/console/').expect(404);
    expect(res.body.error.message).toContain('npm run build:console');
    await request(unbuilt.url).get('/consoles').expect(404);
    await request(unbuilt.url).get('/healthz').expect(200);
  });
});
