import path from 'node:path';
import serve from 'koa-static';
import type { Middleware } from 'koa';

/** A webpack content hash in the name (js/app.1a2b3c4d.js): the content at this URL never changes. */
const HASHED = /\.[0-9a-f]{8}\.[a-z0-9]+$/;

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the h5 build. Hashed files are cached for a year and never
 * revalidated; everything else (index.html, favicon.ico) is revalidated on
 * each load, so a new release is picked up at once. The build writes a
 * brotli (.br) and a gzip (.gz) copy of each text file next to it
 * (miniapp/scripts/precompress.ts); koa-send answers with the best one the
 * browser accepts, so nothing is compressed per request.
 */
export function h5Static(dir: string): Middleware {
  return serve(dir, {
    index: 'index.html',
    brotli: true,
    gzip: true,
    setHeaders(res, file) {
      const name = path.basename(file).replace(/\.(br|gz)$/, '');
      res.setHeader('Cache-Control', HASHED.test(name) ? IMMUTABLE : 'no-cache');
      // Caches between here and the browser must keep the encodings apart.
      res.setHeader('Vary', 'Accept-Encoding');
    },
  });
}
