import type { ErrorCode, ErrorEnvelope } from '@cityhub/shared';
import { AppError } from '../errors';
import type { HubContext, HubMiddleware } from './context';
import { clientErrorOf, publicFace, unansweredMethod } from './client-errors';

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
      } else {
        const unanswered = unansweredMethod(ctx);
        if (unanswered) send(ctx, unanswered.status, unanswered.code, unanswered.message);
      }
    } catch (thrown) {
      const err = thrown instanceof AppError ? publicFace(thrown, ctx) : clientErrorOf((thrown ?? {}), ctx);
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
