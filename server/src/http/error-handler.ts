import type { ErrorCode, ErrorEnvelope } from '@cityhub/shared';
import { AppError } from '../errors';
import type { HubContext, HubMiddleware } from './context';

/** Maps errors thrown by Koa itself or its body parser onto our codes. */
function fromHttpError(err: { status?: number; name?: string }): AppError | null {
  switch (err.status) {
    case 400:
      // co-body reports unparsable JSON as a SyntaxError carrying status 400.
      return err.name === 'SyntaxError'
        ? new AppError('MALFORMED_JSON', 'request body is not valid JSON (send a JSON object)')
        : new AppError('BAD_REQUEST', 'the request could not be read');
    case 413:
      return new AppError('PAYLOAD_TOO_LARGE', 'request body is too large');
    case 415:
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the request body as application/json');
    case 405:
      return new AppError('METHOD_NOT_ALLOWED', 'method not allowed on this route');
    default:
      return null;
  }
}

function send(ctx: HubContext, status: number, code: ErrorCode, message: string, details?: unknown): void {
  const body: ErrorEnvelope = { error: { code, message, requestId: ctx.state.requestId } };
  if (details !== undefined) body.error.details = details;
  ctx.status = status;
  ctx.body = body;
}

/**
 * The one error edge: every failure leaves as the one envelope. Expected
 * errors keep their message; anything else becomes a 500 whose details stay
 * in the log (with the request id), never in the response.
 */
export function errorHandler(): HubMiddleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        send(ctx, 404, 'ROUTE_NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`);
      }
    } catch (thrown) {
      const err = thrown instanceof AppError ? thrown : fromHttpError((thrown ?? {}) as { status?: number; name?: string });
      const status = err?.status ?? 500;
      // Only 5xx are logged: they are ours to fix. 4xx are the caller's and already answered.
      if (status >= 500) ctx.state.log.error({ err: thrown, status, path: ctx.path, method: ctx.method }, 'request failed');
      if (err && err.expose) {
        send(ctx, err.status, err.code, err.message, err.details);
        return;
      }
      send(ctx, status, err?.code ?? 'INTERNAL', status === 503 ? 'service temporarily unavailable' : 'internal error');
    }
  };
}
