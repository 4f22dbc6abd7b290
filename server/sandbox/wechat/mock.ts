import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { billRoutes } from './bills';
import { cashierRoutes } from './cashier';
import { createContext, MockFailure, newRequestId, verifyFields, type MockContext, type MockWechatOptions } from './context';
import { loginRoutes } from './login';
import { messageRoutes } from './messages';
import { refundRoutes } from './refunds';
import { createState, resetState } from './state';
import { transactionRoutes } from './transactions';

/**
 * A stand-in for WeChat's servers, one module per surface over one shared
 * state (state.ts) and one shared machinery (context.ts):
 *   login.ts         wx.login codes, jscode2session, the stable access token
 *   messages.ts      subscribe messages: send, and the user's accept/reject
 *   transactions.ts  Pay v3 JSAPI prepay, query, close, the payment notification
 *   refunds.ts       refund create/query and the refund notification
 *   bills.ts         the trade bill and its download
 *   cashier.ts       the WeChat client's cashier behind wx.requestPayment
 * What still differs from the real WeChat on purpose is listed in docs/mock-wechat.md.
 */
export { RETRY_SCHEDULE_S, type MockKeys, type MockWechatOptions } from './context';
export type { Delivery, Refund, SentMessage, Trade } from './state';

export function createMockWechat(options: MockWechatOptions) {
  const state = createState();
  const m = createContext(options, state);

  const app = new Koa();
  // The h5 mini-program (another origin) plays the WeChat client here: wx.login and the cashier.
  app.use(async (ctx, next) => {
    if (!ctx.path.startsWith('/sandbox/')) return next();
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.set('Access-Control-Allow-Headers', 'content-type');
    ctx.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    if (ctx.method === 'OPTIONS') return void (ctx.status = 204);
    return next();
  });
  // Answers first, so that a body the parser refuses is answered in WeChat's shape too.
  app.use(payApiAnswers(m));
  app.use(bodyParser({ enableTypes: ['json'] }));
  app.use(merchantSignatureCheck(m));

  const router = new Router();
  loginRoutes(router, m);
  messageRoutes(router, m);
  const { pay } = transactionRoutes(router, m);
  refundRoutes(router, m);
  billRoutes(router, m);
  cashierRoutes(router, m, pay);
  controlRoutes(router, m);
  app.use(router.routes());
  app.use(router.allowedMethods());

  return {
    app,
    state,
    /** Lets a test play the payer without HTTP. */
    pay,
    close: m.close,
  };
}

/**
 * Pay v3 answers as WeChat gives them: errors as `{code, message}`, a
 * Request-ID on every answer, and the platform signature over the body
 * (errors included; the bill file stream is the one exception).
 */
function payApiAnswers(m: MockContext): Koa.Middleware {
  return async (ctx, next) => {
    const v3 = ctx.path.startsWith('/v3/');
    if (v3) ctx.set('Request-ID', newRequestId());
    try {
      await next();
    } catch (err) {
      const failure = err instanceof MockFailure ? err : asFailure(err);
      ctx.status = failure.status;
      ctx.body = { code: failure.code, message: failure.message };
      ctx.state.unsigned = false;
    }
    if (!v3 || ctx.state.unsigned === true) return;
    const text = ctx.body === undefined || ctx.body === null || ctx.status === 204 ? '' : typeof ctx.body === 'string' ? ctx.body : JSON.stringify(ctx.body);
    ctx.set(m.sign(text));
    if (text) {
      if (!ctx.type) ctx.type = 'application/json';
      ctx.body = text;
    }
  };
}

/** Koa's own 4xx errors (a body that is not JSON, too large) as WeChat words them; anything else is its SYSTEM_ERROR. */
function asFailure(err: unknown): MockFailure {
  const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
  if (status >= 400 && status < 500) return new MockFailure(400, 'PARAM_ERROR', '请求体无法解析，应为合法的 JSON');
  return new MockFailure(500, 'SYSTEM_ERROR', '系统错误，请稍后重试');
}

/** Every /v3 call must carry the merchant's signature, made within five minutes. */
function merchantSignatureCheck(m: MockContext): Koa.Middleware {
  const { keys, now } = m;
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/v3/')) return next();
    const m1 = /^WECHATPAY2-SHA256-RSA2048 (.+)$/.exec(ctx.get('authorization'));
    const params = Object.fromEntries([...(m1?.[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const raw = typeof ctx.request.rawBody === 'string' ? ctx.request.rawBody : '';
    const skew = Math.abs(now() / 1000 - Number(params.timestamp));
    const ok =
      params.mchid === keys.mchid &&
      params.serial_no === keys.merchantSerial &&
      Number.isFinite(skew) &&
      skew <= 300 &&
      verifyFields(keys.merchantPublicKeyPem, [ctx.method, ctx.url, params.timestamp ?? '', params.nonce_str ?? '', raw], params.signature ?? '');
    if (!ok) throw new MockFailure(401, 'SIGN_ERROR', '签名错误');
    return next();
  };
}

/** Sandbox controls for tests and the scale/crash runs: what was notified, redelivery, reset. */
function controlRoutes(router: Router, m: MockContext): void {
  const { state } = m;
  router.post('/sandbox/notifications/redeliver', async (ctx) => {
    const last = state.lastEvent.get(String((ctx.request.body as { out_trade_no?: unknown } | undefined)?.out_trade_no));
    if (!last) throw new MockFailure(404, 'NOT_FOUND', 'no notification for this order');
    last.delivery.attempts++;
    ctx.body = { status: await m.post(last.url, last.body, m.sign(last.body)).catch(() => 0) };
  });
  // What the gateway sent: how many events, delivery attempts and acknowledgements (for scale and crash tests).
  router.get('/sandbox/notifications', (ctx) => {
    const d = state.deliveries;
    ctx.body = {
      events: d.length,
      copies: d.reduce((n, x) => n + (x.copies ?? 1), 0),
      attempts: d.reduce((n, x) => n + x.attempts, 0),
      acknowledged: d.filter((x) => x.acknowledged).length,
      unacknowledged: d.filter((x) => !x.acknowledged).map((x) => ({ eventType: x.eventType, outTradeNo: x.outTradeNo, attempts: x.attempts })),
    };
  });
  router.post('/sandbox/reset', (ctx) => {
    resetState(state);
    ctx.body = { reset: true };
  });
}
