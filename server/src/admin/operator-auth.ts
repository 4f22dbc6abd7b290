import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError, UnauthenticatedError } from '../errors';
import type { HubMiddleware } from '../http/context';
import type { AuditLog } from './audit';

declare module '../http/context' {
  interface HubState {
    operator?: string;
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Operator bearer tokens from configuration. Compares digests in constant time
 * so a token cannot be guessed byte by byte, then audits the call after it ran.
 */
export function requireOperator(tokens: Record<string, string>, audit: AuditLog): HubMiddleware {
  const known = Object.entries(tokens).map(([name, token]) => ({ name, digest: digest(token) }));
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    const match = /^Bearer (.+)$/.exec(header);
    if (!match) throw new UnauthenticatedError('operator routes need an operator bearer token');
    const offered = digest(match[1]);
    const operator = known.find((k) => timingSafeEqual(k.digest, offered));
    if (!operator) throw new AppError('UNAUTHENTICATED', 'unknown operator token');
    ctx.state.operator = operator.name;
    const action = `${ctx.method} ${ctx.path.replace(/^\/api\/v1\/admin/, '')}`;
    try {
      await next();
      await audit.record({ actor: operator.name, action, target: ctx.path, outcome: 'ok' });
    } catch (err) {
      await audit.record({ actor: operator.name, action, target: ctx.path, outcome: 'error', details: { code: (err as AppError).code ?? 'INTERNAL' } });
      throw err;
    }
  };
}
