import { constants as zlib } from 'node:zlib';
import { AppError } from '../errors';
import type { RouteSpec } from './api-router';
import type { HubContext, HubMiddleware } from './context';

/** The methods the hub answers on some route; what an unknown method is told it may use instead. */
const KNOWN_METHODS = 'GET, HEAD, POST, PATCH, DELETE, OPTIONS';

/** zlib's error codes ("Z_DATA_ERROR", "ERR__ERROR_FORMAT_PADDING_1"…): a body that does not match its Content-Encoding. */
const ZLIB_CODES = new Set(Object.keys(zlib).filter((k) => k.startsWith('Z_') || k.startsWith('BROTLI_DECODER_ERROR')));

/**
 * Maps what Koa, its body parser, the router and the static server throw
 * onto the envelope's codes, so a malformed request is a 4xx and never a 500
 * (issue 9): a path with ".." (the static server's 403), a body that does not
 * match its Content-Encoding (zlib's errors), an unknown method (the
 * router's 501, answered 405 with Allow).
 */
export function clientErrorOf(err: { status?: number; name?: string; code?: string; expose?: boolean }, ctx: HubContext): AppError | null {
  if (typeof err.code === 'string' && (ZLIB_CODES.has(err.code) || err.code.startsWith('ERR_BROTLI') || err.code.startsWith('ERR__'))) {
    return new AppError('BAD_REQUEST', 'the request body does not match its Content-Encoding');
  }
  const status = err.status;
  if (typeof status !== 'number') return null;
  switch (status) {
    case 400:
      // co-body reports unparsable JSON as a SyntaxError carrying status 400.
      return err.name === 'SyntaxError'
        ? new AppError('MALFORMED_JSON', 'request body is not valid JSON (send a JSON object)')
        : new AppError('BAD_REQUEST', 'the request could not be read');
    case 403:
      return new AppError('FORBIDDEN', 'this path is not allowed');
    case 404:
      return new AppError('ROUTE_NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`);
    case 405:
    case 501:
      if (!ctx.response.get('Allow')) ctx.set('Allow', KNOWN_METHODS);
      return new AppError('METHOD_NOT_ALLOWED', `${ctx.method} is not allowed here`);
    case 408:
      return new AppError('REQUEST_TIMEOUT', 'the request did not arrive in time');
    case 413:
      return new AppError('PAYLOAD_TOO_LARGE', 'request body is too large');
    case 415:
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the request body as application/json');
    case 431:
      return new AppError('HEADERS_TOO_LARGE', 'request headers are too large');
    default:
      // Any other refusal a library meant for the client stays a 4xx.
      return status >= 400 && status < 500 && err.expose !== false ? new AppError('BAD_REQUEST', 'the request could not be served') : null;
  }
}

/**
 * A status some middleware set without a body (the router's 405/501 without
 * throwing): answered in the envelope, with Allow. Null when there is none.
 */
export function unansweredMethod(ctx: HubContext): AppError | null {
  if (ctx.body !== undefined && ctx.body !== null) return null;
  if (ctx.status !== 405 && ctx.status !== 501) return null;
  return clientErrorOf({ status: ctx.status }, ctx);
}

/**
 * What the caller is told of an expected error. A refused payment
 * notification learns nothing of why (a forger would use the reason to
 * correct the next attempt); the reason goes to the log (issue 9).
 */
export function publicFace(err: AppError, ctx: HubContext): AppError {
  if (err.code !== 'SIGNATURE_INVALID') return err;
  ctx.state.log.warn({ reason: err.message, path: ctx.path }, 'payment notification refused');
  return new AppError('SIGNATURE_INVALID', 'notification refused');
}

/**
 * Names in `Allow` the methods a known API path takes when the router refuses
 * a method (it throws 405/501 without the header): DELETE /api/v1/cities →
 * "GET, HEAD, OPTIONS". Costs nothing unless the router throws.
 */
export function allowOnRefusedMethod(specs: RouteSpec[]): HubMiddleware {
  const routes = specs.map((spec) => ({
    pattern: new RegExp(`^${spec.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]\w*/g, '[^/]+')}/?$`, 'i'),
    method: spec.method.toUpperCase(),
  }));
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const status = (err as { status?: unknown } | null)?.status;
      if (status === 405 || status === 501) {
        const methods = new Set(routes.filter((r) => r.pattern.test(ctx.path)).map((r) => r.method));
        if (methods.has('GET')) methods.add('HEAD');
        if (methods.size) ctx.set('Allow', [...methods, 'OPTIONS'].join(', '));
      }
      throw err;
    }
  };
}
