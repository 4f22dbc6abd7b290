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

/** What the audit log keeps of a refused token: enough to tell two attempts apart, nothing to replay. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(`cityhub operator token:${token}`).digest('hex').slice(0, 12);
}

/**
 * Operator bearer tokens from configuration. Compares digests in constant time
 * so a token cannot be guessed byte by byte, then audits the call after it ran
 * (unless `auditAllowed` is false, as for Prometheus scrapes). Refused calls
 * are always audited.
 */
export function requireOperator(tokens: Record<string, string>, audit: AuditLog, options: { auditAllowed?: boolean } = {}): HubMiddleware {
  const known = Object.entries(tokens).map(([name, token]) => ({ name, digest: digest(token) }));
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    const match = /^Bearer (.+)$/.exec(header);
    const action = `${ctx.method} ${ctx.path.replace(/^\/api\/v1\/admin/, '')}`;
    // A refused call is recorded with a fingerprint of what was offered, never the token itself (issue 9).
    const refuse = async (error: AppError) => {
      await audit
        .record({ actor: 'unknown', action, target: ctx.path, outcome: 'refused', details: { tokenFingerprint: match ? tokenFingerprint(match[1]) : null, ip: ctx.ip } })
        .catch((err: unknown) => ctx.state.log.warn({ err }, 'refused operator call not audited'));
      return error;
    };
    if (!match) throw await refuse(new UnauthenticatedError('operator routes need an operator bearer token'));
    const offered = digest(match[1]);
    const operator = known.find((k) => timingSafeEqual(k.digest, offered));
    if (!operator) throw await refuse(new AppError('UNAUTHENTICATED', 'unknown operator token'));
    ctx.state.operator = operator.name;
    if (options.auditAllowed === false) {
      await next();
      return;
    }
    try {
      await next();
      await audit.record({ actor: operator.name, action, target: ctx.path, outcome: 'ok' });
    } catch (err) {
      await audit.record({ actor: operator.name, action, target: ctx.path, outcome: 'error', details: { code: (err as AppError).code ?? 'INTERNAL' } });
      throw err;
    }
  };
}
