import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import Koa from 'koa';
import request from 'supertest';
import { h5Static, IMMUTABLE } from './static-files';

describe('h5 static files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h5-'));
  const js = 'console.log("城市服务");'.repeat(50);
  const app = new Koa();
  app.use(h5Static(dir));
  const server = app.callback();

  beforeAll(() => {
    fs.mkdirSync(path.join(dir, 'js'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>城市服务</title>');
    fs.writeFileSync(path.join(dir, 'js/app.1a2b3c4d.js'), js);
    fs.writeFileSync(path.join(dir, 'js/app.1a2b3c4d.js.br'), brotliCompressSync(js));
    fs.writeFileSync(path.join(dir, 'js/app.1a2b3c4d.js.gz'), gzipSync(js));
    fs.writeFileSync(path.join(dir, 'favicon.ico'), Buffer.from([0, 0, 1, 0]));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('sends hashed files brotli-compressed when the browser takes br, cached for a year', async () => {
    const res = await request(server).get('/js/app.1a2b3c4d.js').set('Accept-Encoding', 'gzip, deflate, br').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe(IMMUTABLE);
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    // superagent inflates br itself; the length on the wire is the compressed file's.
    expect((res.body as Buffer).toString()).toBe(js);
    expect(Number(res.headers['content-length'])).toBeLessThan(Buffer.byteLength(js) / 5);
  });

  it('falls back to gzip, then to the plain file', async () => {
    const gz = await request(server).get('/js/app.1a2b3c4d.js').set('Accept-Encoding', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.text).toBe(js); // supertest inflates gzip
    const plain = await request(server).get('/js/app.1a2b3c4d.js').set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe(IMMUTABLE);
  });

  it('has the page and unhashed files revalidated on every load', async () => {
    const page = await request(server).get('/').expect(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.text).toContain('城市服务');
    const icon = await request(server).get('/favicon.ico').expect(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });
});
