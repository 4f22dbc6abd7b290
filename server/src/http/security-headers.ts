import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { HubMiddleware } from './context';

export interface SecurityHeaderOptions {
  /** The script-src sources besides 'self' (the h5 build's inline-script hashes); asked per request, cheap. */
  scriptSrc: () => string;
  /** Origins the h5 page may call besides the hub. */
  connectSrc: string[];
}

type HeaderList = Array<[name: string, value: string]>;

/**
 * The headers helmet would set with this policy, computed by running helmet
 * once against a stand-in response. Helmet stays the authority on which
 * headers and values are right; it just no longer assembles them per request.
 */
function headersFor(scriptSrc: string, connectSrc: string[]): HeaderList {
  const headers: HeaderList = [];
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.push([name, Array.isArray(value) ? value.join(', ') : String(value)]);
      return this;
    },
    removeHeader() {},
  };
  let failure: unknown;
  helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", scriptSrc],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'", ...connectSrc],
      },
    },
  })({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    failure = err;
  });
  if (failure) throw failure;
  return headers;
}

/**
 * Security headers (CSP and the rest of helmet's defaults) on every response.
 * The header list is computed once and again only when the h5 build's
 * inline-script hashes change (issue 8: helmet rebuilt and re-validated the
 * whole policy on every request, a tenth of a /healthz).
 */
export function securityHeaders(options: SecurityHeaderOptions): HubMiddleware {
  let scriptSrc = options.scriptSrc();
  let headers = headersFor(scriptSrc, options.connectSrc);
  return async (ctx, next) => {
    const current = options.scriptSrc();
    if (current !== scriptSrc) {
      headers = headersFor(current, options.connectSrc);
      scriptSrc = current;
    }
    const res = ctx.res;
    for (let i = 0; i < headers.length; i++) res.setHeader(headers[i][0], headers[i][1]);
    await next();
  };
}
