import { IncomingMessage, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet from 'helmet';
import type { HubMiddleware } from './context';

export interface SecurityHeaderOptions {
  /** The script-src sources besides 'self' (the h5 build's inline-script hashes); asked per request, cheap. */
  scriptSrc: () => string;
  /** Origins the h5 page may call besides the hub. */
  connectSrc: string[];
}

export type HeaderList = Array<[name: string, value: string]>;

/**
 * The headers helmet would set with these options, computed by running it
 * once against a stand-in response. Helmet stays the authority on which
 * headers and values are right; it just no longer assembles them per request.
 */
export function helmetHeaders(options: Parameters<typeof helmet>[0]): HeaderList {
  const headers: HeaderList = [];
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.push([name, Array.isArray(value) ? value.join(', ') : String(value)]);
      return this;
    },
    removeHeader() {},
  };
  let failure: unknown;
  // A request that never connects: helmet reads nothing from it.
  helmet(options)(new IncomingMessage(new Socket()), res as unknown as ServerResponse, (err?: unknown) => {
    failure = err;
  });
  if (failure) throw failure instanceof Error ? failure : new Error('helmet refused these options', { cause: failure });
  return headers;
}

/** The headers of the h5 pages. */
function pageHeaders(scriptSrc: string, connectSrc: string[]): HeaderList {
  return helmetHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", scriptSrc],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'", ...connectSrc],
      },
    },
  });
}

/**
 * The headers of a JSON answer: nothing may load or frame it, the browser
 * may not sniff it into something else, other origins may not embed it, and
 * HTTPS stays pinned. Stricter than the page policy (default-src 'none'), and
 * without the headers that only mean something for a document a browser
 * renders (opener policy, agent clusters, DNS prefetch, IE download and XSS
 * filter switches), which a JSON answer never is. (OWASP REST Security Cheat
 * Sheet, "Security headers".)
 */
const API_HEADERS: HeaderList = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];

/**
 * Security headers on every response: the API policy on JSON answers, the
 * page policy (helmet's defaults and the h5 build's CSP) on everything else.
 * Both lists are computed once, the page list again only when the h5 build's
 * inline-script hashes change (issue 8: helmet rebuilt and re-validated the
 * whole page policy on every API request, and its ~800 bytes of headers were
 * a large share of what a small JSON answer costs to send).
 */
export function securityHeaders(options: SecurityHeaderOptions): HubMiddleware {
  let scriptSrc = options.scriptSrc();
  let page = pageHeaders(scriptSrc, options.connectSrc);
  const set = (res: ServerResponse, headers: HeaderList) => {
    for (let i = 0; i < headers.length; i++) res.setHeader(headers[i][0], headers[i][1]);
  };
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      // Decided once the answer is known. An error envelope is written upstream, after this: it gets the page policy.
      if (ctx.response.type === 'application/json') {
        set(ctx.res, API_HEADERS);
      } else {
        const current = options.scriptSrc();
        if (current !== scriptSrc) {
          page = pageHeaders(current, options.connectSrc);
          scriptSrc = current;
        }
        set(ctx.res, page);
      }
    }
  };
}
