import { createHash, randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type Koa from 'koa';
import { fail, type MockContext, type MockKeys } from './context';

/**
 * Login and access tokens: the WeChat client's wx.login (a code valid five
 * minutes and once), the server's jscode2session, and the stable access
 * token the server API of subscribe messages needs.
 */
const digestOf = (keys: MockKeys, userKey: string) => createHash('sha256').update(`${keys.appid}:${userKey}`).digest('base64url');
/** The same user always gets the same openid under one appid, as in WeChat. */
export const openidOf = (keys: MockKeys, userKey: string) => `o${digestOf(keys, userKey).slice(0, 27)}`;

/** The sandbox client names its user by a userKey (a test's or a tester's handle), never by a real account. */
export const userKeyOf = (ctx: Koa.Context): string => {
  const raw = (ctx.request.body as { userKey?: unknown } | undefined)?.userKey;
  const userKey = typeof raw === 'string' ? raw : '';
  if (!/^[\w-]{1,64}$/.test(userKey)) fail(400, 'PARAM_ERROR', 'userKey must be 1–64 letters, digits, _ or -');
  return userKey;
};

export function loginRoutes(router: Router, m: MockContext): void {
  const { keys, state, now } = m;

  router.get('/sns/jscode2session', (ctx) => {
    const { appid, secret, js_code: code } = ctx.query as Record<string, string>;
    if (appid !== keys.appid || secret !== keys.appSecret) return void (ctx.body = { errcode: 40013, errmsg: 'invalid appid or secret' });
    const entry = code ? state.codes.get(code) : undefined;
    if (code) state.codes.delete(code);
    if (!entry || entry.expiresAt < now()) return void (ctx.body = { errcode: 40029, errmsg: 'invalid code' });
    ctx.body = { openid: openidOf(keys, entry.userKey), session_key: randomBytes(16).toString('base64'), unionid: `u${digestOf(keys, entry.userKey).slice(27, 40)}` };
  });

  router.post('/sandbox/client/login', (ctx) => {
    const userKey = userKeyOf(ctx);
    const code = randomBytes(16).toString('hex');
    state.codes.set(code, { userKey, expiresAt: now() + 5 * 60_000 });
    ctx.body = { code };
  });

  router.post('/cgi-bin/stable_token', (ctx) => {
    const b = (ctx.request.body ?? {}) as Record<string, unknown>;
    if (b.grant_type !== 'client_credential') return void (ctx.body = { errcode: 40002, errmsg: 'invalid grant_type' });
    if (b.appid !== keys.appid || b.secret !== keys.appSecret) return void (ctx.body = { errcode: 40013, errmsg: 'invalid appid or secret' });
    if (!state.accessToken || state.accessToken.expiresAt < now() || b.force_refresh === true) {
      state.accessToken = { token: randomBytes(24).toString('base64url'), expiresAt: now() + 7200_000 };
    }
    ctx.body = { access_token: state.accessToken.token, expires_in: Math.round((state.accessToken.expiresAt - now()) / 1000) };
  });
}
