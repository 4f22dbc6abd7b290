import { createHash, randomBytes } from 'node:crypto';
import { UnauthenticatedError } from '../errors';
import type { HubMiddleware } from '../http/context';
import type { KeyValueStore } from '../infra/kv';
import { LocalCache } from '../infra/kv/local-cache';

declare module '../http/context' {
  interface HubState {
    residentId?: string;
  }
}

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

/** Live sessions one resident may hold; signing in once more revokes the oldest (issue 9). */
export const MAX_SESSIONS_PER_RESIDENT = 10;

/**
 * How long a session check is remembered in this process when sessions live
 * in Redis. A sign-out anywhere is published and forgotten here at once; this
 * only bounds how long a lost message could keep a revoked token working.
 */
export const SESSION_CHECK_TTL_MS = 2_000;

/** Channel on which sign-outs are announced to every hub process (as token digests, never tokens). */
const SESSION_REVOKED = 'sessions:revoked';

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

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
  /**
   * Recent positive checks by token digest, with Redis only (issue 8: one
   * round trip per resident request); the in-process store is already local.
   */
  private readonly checked?: LocalCache<string>;
  private listening?: Promise<boolean>;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly ttlMs = SESSION_TTL_MS,
    checkTtlMs = SESSION_CHECK_TTL_MS,
  ) {
    if (kv.kind === 'redis') this.checked = new LocalCache(checkTtlMs);
  }

  /** Subscribes to sign-outs once; checks are remembered only while that subscription is live. */
  private listen(): Promise<boolean> {
    this.listening ??= this.kv.subscribe(SESSION_REVOKED, (revoked) => this.checked?.forget(revoked)).then(
      () => true,
      () => {
        this.listening = undefined;
        return false;
      },
    );
    return this.listening;
  }

  async create(residentId: string): Promise<Session> {
    const token = randomBytes(32).toString('base64url');
    await this.kv.set(`session:${token}`, residentId, this.ttlMs);
    await this.admit(residentId, token);
    return { token, residentId, expiresAt: new Date(Date.now() + this.ttlMs) };
  }

  /**
   * Keeps at most MAX_SESSIONS_PER_RESIDENT live sessions: each sign-in takes
   * the next of that many slots (an atomic counter, so concurrent sign-ins
   * never share one) and revokes the token the slot held, the oldest.
   */
  private async admit(residentId: string, token: string): Promise<void> {
    const seq = await this.kv.incr(`session-seq:${residentId}`, this.ttlMs);
    const slot = `session-slot:${residentId}:${seq % MAX_SESSIONS_PER_RESIDENT}`;
    const evicted = await this.kv.get(slot);
    if (evicted) await this.revoke(evicted);
    await this.kv.set(slot, token, this.ttlMs);
  }

  async residentFor(token: string): Promise<string | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    if (!this.checked) return this.kv.get(`session:${token}`);
    const key = digest(token);
    const known = this.checked.get(key);
    if (known) return known;
    const [residentId, listening] = await Promise.all([this.kv.get(`session:${token}`), this.listen()]);
    // Only valid sessions are remembered: a token signed in a moment ago on another process is never refused.
    if (residentId && listening) this.checked.set(key, residentId);
    return residentId;
  }

  async revoke(token: string): Promise<void> {
    await this.kv.del(`session:${token}`);
    if (this.checked) {
      const key = digest(token);
      this.checked.forget(key);
      await this.kv.publish(SESSION_REVOKED, key);
    }
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
