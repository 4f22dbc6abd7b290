import { randomUUID } from 'node:crypto';
import type { Logger } from '../infra/logger';
import type { HubMiddleware } from './context';

const CLIENT_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Gives every request an id (the caller's X-Request-Id when it looks sane, so
 * a trace can cross services) and a child logger carrying it; echoes it back.
 */
export function requestId(log: Logger): HubMiddleware {
  return async (ctx, next) => {
    const offered = ctx.get('x-request-id');
    const id = CLIENT_ID.test(offered) ? offered : randomUUID();
    ctx.state.requestId = id;
    ctx.state.log = log.child({ requestId: id });
    ctx.set('X-Request-Id', id);
    await next();
  };
}
