import type Koa from 'koa';
import type { Logger } from '../infra/logger';

/** What the hub's middleware puts on ctx.state for the handlers after it. */
export interface HubState {
  requestId: string;
  log: Logger;
}

export type HubContext = Koa.ParameterizedContext<HubState>;
export type HubMiddleware = Koa.Middleware<HubState>;
