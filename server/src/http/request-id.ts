import { randomUUID } from 'node:crypto';
import type { Logger } from '../infra/logger';
import type { HubMiddleware, HubState } from './context';

const CLIENT_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * A request's state with its logger made on first use: most requests never
 * log, and a pino child with redaction serialises its bindings through the
 * redactor when it is made (issue 8: a tenth of a /healthz).
 */
class RequestState implements HubState {
  private child?: Logger;

  constructor(
    private readonly parent: Logger,
    readonly requestId: string,
  ) {}

  get log(): Logger {
    return (this.child ??= this.parent.child({ requestId: this.requestId }));
  }

  set log(log: Logger) {
    this.child = log;
  }
}

/**
 * Gives every request an id (the caller's X-Request-Id when it looks sane, so
 * a trace can cross services) and a logger carrying it; echoes it back.
 */
export function requestId(log: Logger): HubMiddleware {
  return async (ctx, next) => {
    const offered = ctx.get('x-request-id');
    const id = CLIENT_ID.test(offered) ? offered : randomUUID();
    ctx.state = new RequestState(log, id);
    ctx.set('X-Request-Id', id);
    await next();
  };
}
