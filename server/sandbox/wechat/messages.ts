import type Router from '@koa/router';
import { fail, type MockContext } from './context';
import { openidOf, userKeyOf } from './login';

/**
 * Subscribe messages (订阅消息): the server API that sends them with an
 * access token, and the WeChat client's wx.requestSubscribeMessage that a
 * user accepts (one message per acceptance) or rejects.
 */

/** Subscribe-message values WeChat accepts: `thing` at most 20 characters, `amount` a currency amount. */
const MESSAGE_VALUE_RULES: Array<[RegExp, RegExp]> = [
  [/^thing\d+$/, /^.{1,20}$/u],
  [/^amount\d+$/, /^[¥$]?\d{1,10}(\.\d{1,2})?元?$/],
  [/^date\d+$/, /^.{1,40}$/],
];

export function messageRoutes(router: Router, m: MockContext): void {
  const { keys, state, now } = m;

  router.post('/cgi-bin/message/subscribe/send', (ctx) => {
    const token = state.accessToken;
    if (!token || token.token !== ctx.query.access_token) return void (ctx.body = { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
    if (token.expiresAt < now()) return void (ctx.body = { errcode: 42001, errmsg: 'access_token expired' });
    const b = (ctx.request.body ?? {}) as { touser?: unknown; template_id?: unknown; page?: unknown; data?: unknown };
    if (typeof b.touser !== 'string' || !b.touser) return void (ctx.body = { errcode: 40003, errmsg: 'invalid openid' });
    if (typeof b.template_id !== 'string' || !b.template_id) return void (ctx.body = { errcode: 40037, errmsg: 'invalid template_id' });
    const data: Record<string, string> = {};
    for (const [key, entry] of Object.entries((b.data ?? {}) as Record<string, { value?: unknown } | undefined>)) {
      const rule = MESSAGE_VALUE_RULES.find(([name]) => name.test(key));
      const value = entry?.value;
      if (!rule || typeof value !== 'string' || !rule[1].test(value)) return void (ctx.body = { errcode: 47003, errmsg: `argument invalid! data.${key}.value invalid` });
      data[key] = value;
    }
    const slot = `${b.touser} ${b.template_id}`;
    const left = state.subscriptions.get(slot) ?? 0;
    if (left === 0) return void (ctx.body = { errcode: 43101, errmsg: 'user refuse to accept the msg' });
    state.subscriptions.set(slot, left - 1);
    state.messages.push({ touser: b.touser, templateId: b.template_id, page: typeof b.page === 'string' ? b.page : '', data, at: now() });
    ctx.body = { errcode: 0, errmsg: 'ok', msgid: state.messages.length };
  });

  // The WeChat client's part: wx.requestSubscribeMessage, accepted or rejected by the user.
  router.post('/sandbox/client/subscribe', (ctx) => {
    const openid = openidOf(keys, userKeyOf(ctx));
    const { tmplIds, action = 'accept' } = (ctx.request.body ?? {}) as { tmplIds?: unknown; action?: unknown };
    if (!Array.isArray(tmplIds) || tmplIds.length === 0 || tmplIds.length > 3 || !tmplIds.every((t) => typeof t === 'string' && /^[\w-]{1,64}$/.test(t))) {
      fail(400, 'PARAM_ERROR', 'tmplIds must list 1–3 template ids');
    }
    if (action !== 'accept' && action !== 'reject') fail(400, 'PARAM_ERROR', 'action must be accept or reject');
    const answer: Record<string, string> = { errMsg: 'requestSubscribeMessage:ok' };
    for (const t of tmplIds as string[]) {
      answer[t] = action as string;
      if (action === 'accept') state.subscriptions.set(`${openid} ${t}`, (state.subscriptions.get(`${openid} ${t}`) ?? 0) + 1);
    }
    ctx.body = answer;
  });

  router.get('/sandbox/messages', (ctx) => {
    const userKey = String(ctx.query.userKey ?? '');
    ctx.body = { messages: userKey ? state.messages.filter((msg) => msg.touser === openidOf(keys, userKey)) : state.messages };
  });
}
