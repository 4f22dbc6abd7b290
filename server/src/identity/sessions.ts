import { randomBytes } from 'node:crypto';
import { UnauthenticatedError } from '../errors';
import type { HubMiddleware } from '../http/context';
import type { KeyValueStore } from '../infra/kv';

declare module '../http/context' {
  interface HubState {
    residentId?: string;
  }
}

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

export interface Session {
  token: string;
  residentId: string;
  expiresAt: Date;
}

/**
 * The hub's own session tokens: opaque random strings held in the key-value
 * store, so any hub process can check them and a sign-out revokes them at once.
 */
export class SessionService {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly ttlMs = SESSION_TTL_MS,
  ) {}

  async create(residentId: string): Promise<Session> {
    const token = randomBytes(32).toString('base64url');
    await this.kv.set(`session:${token}`, residentId, this.ttlMs);
    return { token, residentId, expiresAt: new Date(Date.now() + this.ttlMs) };
  }

  async residentFor(token: string): Promise<string | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    return this.kv.get(`session:${token}`);
  }

  async revoke(token: string): Promise<void> {
    await this.kv.del(`session:${token}`);
  }
}

/** Resident routes: a valid session token or 401. Sets ctx.state.residentId. */
export function requireResident(sessions: SessionService): HubMiddleware {
  return async (ctx, next) => {
    const match = /^Bearer (\S+)$/.exec(ctx.get('authorization'));
    const residentId = match ? await sessions.residentFor(match[1]) : null;
    if (!residentId) throw new UnauthenticatedError();
    ctx.state.residentId = residentId;
    await next();
  };
}

/** The signed-in resident's id; only valid after requireResident ran. */
export function residentOf(ctx: { state: { residentId?: string } }): string {
  if (!ctx.state.residentId) throw new UnauthenticatedError();
  return ctx.state.residentId;
}
