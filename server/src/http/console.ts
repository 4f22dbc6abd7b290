import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors';
import type { HubMiddleware } from './context';
import { helmetHeaders, type HeaderList } from './security-headers';
import { IMMUTABLE } from './static-files';

/** Where the console lives on the hub; its build is made with this base (server/console/vite.config.ts). */
export const CONSOLE_PATH = '/console';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * The console's page headers: helmet's defaults with a policy of its own.
 * Scripts only from the hub (Vite emits no inline script); styles may be
 * inline because Ant Design's CSS-in-JS writes <style> elements and style
 * attributes at run time. This applies under /console only: the h5 app keeps
 * its own policy (security-headers.ts).
 */
function consoleHeaders(): HeaderList {
  return helmetHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // No one frames the console: clickjacking an operator's activate button is the worry.
    frameguard: { action: 'deny' },
  });
}

async function fileAt(root: string, relative: string): Promise<string | undefined> {
  const file = path.resolve(root, relative);
  // Never outside the build (a decoded "..", an absolute path).
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  try {
    return (await fs.promises.stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves the operator console's build at /console: hashed assets cached for
 * a year as immutable, every other path answered with index.html (the
 * console's client routes: /console/adapters/wuhan-water…), never cached so a
 * new build is picked up at once. Paths outside /console pass through.
 */
export function consoleApp(options: { dir?: string }): HubMiddleware {
  const root = options.dir ? path.resolve(options.dir) : undefined;
  const headers = consoleHeaders();
  return async (ctx, next) => {
    if (ctx.path !== CONSOLE_PATH && !ctx.path.startsWith(`${CONSOLE_PATH}/`)) {
      await next();
      return;
    }
    for (const [name, value] of headers) ctx.set(name, value);
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.set('Allow', 'GET, HEAD');
      throw new AppError('METHOD_NOT_ALLOWED', `${ctx.method} is not allowed here`);
    }
    const index = root && (await fileAt(root, 'index.html'));
    if (!root || !index) throw new AppError('ROUTE_NOT_FOUND', 'the operator console is not built on this hub: run `npm run build:console`');
    const relative = ctx.path.slice(CONSOLE_PATH.length + 1);
    // As the static server answers a path that climbs out of its folder: refused, never the page.
    if (relative.split('/').includes('..')) throw new AppError('FORBIDDEN', 'this path is not allowed');
    const isAsset = relative.startsWith('assets/');
    const file = relative ? await fileAt(root, relative) : undefined;
    // A missing hashed asset is a 404, not the page: a stale tab must not parse HTML as a script.
    if (!file && isAsset) throw new AppError('ROUTE_NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`);
    let served = file ?? index;
    ctx.set('Cache-Control', isAsset && file ? IMMUTABLE : 'no-cache');
    ctx.type = CONTENT_TYPES[path.extname(served)] ?? 'application/octet-stream';
    if (isAsset && file) {
      // The build writes a .gz beside each script and style sheet (vite.config.ts): sent to whoever accepts it.
      ctx.vary('Accept-Encoding');
      const gzipped = ctx.acceptsEncodings('gzip', 'identity') === 'gzip' ? await fileAt(root, `${relative}.gz`) : undefined;
      if (gzipped) {
        served = gzipped;
        ctx.set('Content-Encoding', 'gzip');
      }
    }
    const stat = await fs.promises.stat(served);
    // Koa drops a body's Content-Length when a stream is set, so the length goes on last.
    if (ctx.method === 'GET') ctx.body = fs.createReadStream(served);
    else ctx.status = 200;
    ctx.length = stat.size;
    ctx.lastModified = stat.mtime;
  };
}
