import { createCipheriv, createHash, createPrivateKey, createPublicKey, createSign, createVerify, randomBytes, type KeyObject } from 'node:crypto';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';

/**
 * A stand-in for WeChat's servers: jscode2session, the Pay API v3 (signed
 * requests and responses, JSAPI prepay, query, close, refunds, trade bill),
 * signed and AES-256-GCM-encrypted notifications with WeChat's retry
 * schedule, and the WeChat client's part (wx.login codes, the cashier that
 * confirms a requestPayment). Written from the public wire format, sharing no
 * code with the hub, so that the hub's client is tested against the format
 * and not against itself.
 */
export interface MockKeys {
  appid: string;
  appSecret: string;
  mchid: string;
  merchantSerial: string;
  merchantPublicKeyPem: string;
  platformSerial: string;
  platformPrivateKeyPem: string;
  apiV3Key: string;
}

export interface MockWechatOptions {
  keys: MockKeys;
  /** 1 = WeChat's real schedule (15 s … 6 h); 0.001 compresses a day into ~90 s. */
  retryScheduleScale?: number;
  /** Probability that a notification is preceded by a WECHATPAY/SIGNTEST/ probe. */
  signTestProbeRate?: number;
  refundDelayMs?: number;
  /**
   * Scale-out tests: every notification is sent twice, as two independent
   * deliveries each retried until acknowledged (WeChat promises at-least-once,
   * not exactly-once).
   */
  duplicateNotifications?: boolean;
  /** Each delivery starts after a random 0…N ms, so notifications of different orders (and the two copies) arrive out of order. */
  notifyJitterMs?: number;
  now?: () => number;
}

/** WeChat's notification retry schedule after the first attempt, in seconds. */
export const RETRY_SCHEDULE_S = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600];

interface Trade {
  appid: string;
  mchid: string;
  outTradeNo: string;
  description: string;
  notifyUrl: string;
  attach?: string;
  totalFen: number;
  openid: string;
  prepayId: string;
  expiresAt: number;
  requestHash: string;
  state: 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND' | 'PAYERROR';
  transactionId?: string;
  successTime?: number;
  createdAt: number;
}

interface Refund {
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  refundFen: number;
  totalFen: number;
  status: 'PROCESSING' | 'SUCCESS';
  notifyUrl?: string;
  createdAt: number;
  successTime?: number;
}

export interface SentMessage {
  touser: string;
  templateId: string;
  page: string;
  data: Record<string, string>;
  at: number;
}

/** Subscribe-message values WeChat accepts: `thing` at most 20 characters, `amount` a currency amount. */
const MESSAGE_VALUE_RULES: Array<[RegExp, RegExp]> = [
  [/^thing\d+$/, /^.{1,20}$/u],
  [/^amount\d+$/, /^[¥$]?\d{1,10}(\.\d{1,2})?元?$/],
  [/^date\d+$/, /^.{1,40}$/],
];

export interface Delivery {
  eventId: string;
  eventType: string;
  outTradeNo: string;
  attempts: number;
  acknowledged: boolean;
  probes: number;
  /** Independent deliveries of this event (2 with duplicateNotifications). */
  copies?: number;
}

// Parsing a PEM costs more than the RSA operation itself; each key is parsed once (the mock signs every answer and notification).
const keyObjects = new Map<string, KeyObject>();
const keyOf = (pem: string, kind: 'private' | 'public'): KeyObject => {
  let key = keyObjects.get(pem);
  if (!key) keyObjects.set(pem, (key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem)));
  return key;
};
const signFields = (pem: string, fields: string[]) => createSign('RSA-SHA256').update(fields.map((f) => `${f}\n`).join('')).sign(keyOf(pem, 'private'), 'base64');
const verifyFields = (pem: string, fields: string[], sig: string) => {
  try {
    return createVerify('RSA-SHA256').update(fields.map((f) => `${f}\n`).join('')).verify(keyOf(pem, 'public'), sig, 'base64');
  } catch {
    return false;
  }
};
const rfc3339 = (ms: number) => `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
const beijingDate = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
const yuan = (fen: number) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

export function createMockWechat(options: MockWechatOptions) {
  const keys = options.keys;
  const now = options.now ?? Date.now;
  const scale = options.retryScheduleScale ?? 1;
  const state = {
    trades: new Map<string, Trade>(),
    refunds: new Map<string, Refund>(),
    codes: new Map<string, { userKey: string; expiresAt: number }>(),
    deliveries: [] as Delivery[],
    lastEvent: new Map<string, { url: string; body: string; delivery: Delivery }>(),
    billTokens: new Map<string, string>(),
    /** The stable access token and when it expires. */
    accessToken: null as { token: string; expiresAt: number } | null,
    /** One-time subscriptions a user accepted, by `${openid} ${templateId}`. */
    subscriptions: new Map<string, number>(),
    /** Subscribe messages delivered to users. */
    messages: [] as SentMessage[],
  };
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  };

  const sign = (body: string) => {
    const ts = String(Math.floor(now() / 1000));
    const nonceStr = randomBytes(16).toString('hex');
    return { 'Wechatpay-Timestamp': ts, 'Wechatpay-Nonce': nonceStr, 'Wechatpay-Signature': signFields(keys.platformPrivateKeyPem, [ts, nonceStr, body]), 'Wechatpay-Serial': keys.platformSerial };
  };

  const encrypt = (plain: unknown, associatedData: string) => {
    const iv = randomBytes(6).toString('hex');
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(keys.apiV3Key, 'utf8'), Buffer.from(iv, 'utf8'));
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ct = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { algorithm: 'AEAD_AES_256_GCM', ciphertext: ct.toString('base64'), associated_data: associatedData, nonce: iv };
  };

  const transactionJson = (t: Trade) => ({
    appid: t.appid,
    mchid: t.mchid,
    out_trade_no: t.outTradeNo,
    transaction_id: t.transactionId,
    trade_type: 'JSAPI',
    trade_state: t.state,
    trade_state_desc: t.state === 'SUCCESS' ? '支付成功' : t.state,
    bank_type: 'OTHERS',
    attach: t.attach ?? '',
    success_time: t.successTime ? rfc3339(t.successTime) : undefined,
    payer: { openid: t.openid },
    amount: { total: t.totalFen, payer_total: t.totalFen, currency: 'CNY', payer_currency: 'CNY' },
  });

  /** Sends one event to notify_url until it is acknowledged with 200/204, on WeChat's schedule. */
  const notify = (url: string, eventType: string, outTradeNo: string, resource: unknown, originalType: string, summary: string) => {
    const eventId = `EV-${randomBytes(10).toString('hex')}`;
    const body = JSON.stringify({ id: eventId, create_time: rfc3339(now()), resource_type: 'encrypt-resource', event_type: eventType, summary, resource: { original_type: originalType, ...(resource as object) } });
    const delivery: Delivery = { eventId, eventType, outTradeNo, attempts: 0, acknowledged: false, probes: 0 };
    state.deliveries.push(delivery);
    state.lastEvent.set(outTradeNo, { url, body, delivery });
    const attempt = async (n: number) => {
      if (options.signTestProbeRate && Math.random() < options.signTestProbeRate) {
        delivery.probes++;
        await post(url, body, { ...sign(body), 'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${randomBytes(32).toString('base64')}` }).catch(() => 0);
      }
      delivery.attempts++;
      const status = await post(url, body, sign(body)).catch(() => 0);
      if (status === 200 || status === 204) {
        delivery.acknowledged = true;
        return;
      }
      if (n < RETRY_SCHEDULE_S.length) later(RETRY_SCHEDULE_S[n] * 1000 * scale, () => void attempt(n + 1));
    };
    const copies = options.duplicateNotifications ? 2 : 1;
    if (copies > 1) delivery.copies = copies;
    for (let copy = 0; copy < copies; copy++) {
      const jitterMs = options.notifyJitterMs ? Math.random() * options.notifyJitterMs : 0;
      if (jitterMs) later(jitterMs, () => void attempt(0));
      else void attempt(0);
    }
  };

  const post = async (url: string, body: string, headers: Record<string, string>) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048', 'Request-ID': randomBytes(8).toString('hex'), ...headers }, body, signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  };

  const pay = (t: Trade) => {
    t.state = 'SUCCESS';
    t.transactionId = `4200${beijingDate(now()).replace(/-/g, '')}${randomBytes(8).toString('hex').slice(0, 14)}`;
    t.successTime = now();
    notify(t.notifyUrl, 'TRANSACTION.SUCCESS', t.outTradeNo, encrypt(transactionJson(t), 'transaction'), 'transaction', '支付成功');
  };

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
  app.use(bodyParser({ enableTypes: ['json'] }));

  // Error answers in WeChat's shape; /v3 answers (errors included) signed with the platform key.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const e = err as { status?: number; code?: string; message: string };
      ctx.status = e.status ?? 500;
      ctx.body = { code: e.code ?? 'SYSTEM_ERROR', message: e.message };
    }
    if (ctx.path.startsWith('/v3/')) {
      const text = ctx.body === undefined || ctx.body === null || ctx.status === 204 ? '' : typeof ctx.body === 'string' ? ctx.body : JSON.stringify(ctx.body);
      ctx.set(sign(text));
      if (text) {
        if (!ctx.type) ctx.type = 'application/json';
        ctx.body = text;
      }
    }
  });
  const fail = (status: number, code: string, message: string): never => {
    throw Object.assign(new Error(message), { status, code });
  };

  // Merchant request signatures on every /v3 call.
  app.use(async (ctx, next) => {
    if (!ctx.path.startsWith('/v3/')) return next();
    const header = ctx.get('authorization');
    const m = /^WECHATPAY2-SHA256-RSA2048 (.+)$/.exec(header);
    const params = Object.fromEntries([...(m?.[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const raw = typeof ctx.request.rawBody === 'string' ? ctx.request.rawBody : '';
    const skew = Math.abs(now() / 1000 - Number(params.timestamp));
    const ok =
      params.mchid === keys.mchid &&
      params.serial_no === keys.merchantSerial &&
      Number.isFinite(skew) &&
      skew <= 300 &&
      verifyFields(keys.merchantPublicKeyPem, [ctx.method, ctx.url, params.timestamp ?? '', params.nonce_str ?? '', raw], params.signature ?? '');
    if (!ok) fail(401, 'SIGN_ERROR', '签名错误');
    return next();
  });

  const router = new Router();
  const digestOf = (userKey: string) => createHash('sha256').update(`${keys.appid}:${userKey}`).digest('base64url');
  const openidOf = (userKey: string) => `o${digestOf(userKey).slice(0, 27)}`;
  const userKeyOf = (ctx: Koa.Context) => {
    const userKey = String((ctx.request.body as { userKey?: unknown })?.userKey ?? '');
    if (!/^[\w-]{1,64}$/.test(userKey)) fail(400, 'PARAM_ERROR', 'userKey must be 1–64 letters, digits, _ or -');
    return userKey;
  };

  router.get('/sns/jscode2session', (ctx) => {
    const { appid, secret, js_code: code } = ctx.query as Record<string, string>;
    if (appid !== keys.appid || secret !== keys.appSecret) return void (ctx.body = { errcode: 40013, errmsg: 'invalid appid or secret' });
    const entry = code ? state.codes.get(code) : undefined;
    if (code) state.codes.delete(code);
    if (!entry || entry.expiresAt < now()) return void (ctx.body = { errcode: 40029, errmsg: 'invalid code' });
    ctx.body = { openid: openidOf(entry.userKey), session_key: randomBytes(16).toString('base64'), unionid: `u${digestOf(entry.userKey).slice(27, 40)}` };
  });

  // The server API of subscribe messages (订阅消息): a stable access token, then subscribe/send.
  router.post('/cgi-bin/stable_token', (ctx) => {
    const b = (ctx.request.body ?? {}) as Record<string, unknown>;
    if (b.grant_type !== 'client_credential') return void (ctx.body = { errcode: 40002, errmsg: 'invalid grant_type' });
    if (b.appid !== keys.appid || b.secret !== keys.appSecret) return void (ctx.body = { errcode: 40013, errmsg: 'invalid appid or secret' });
    if (!state.accessToken || state.accessToken.expiresAt < now() || b.force_refresh === true) {
      state.accessToken = { token: randomBytes(24).toString('base64url'), expiresAt: now() + 7200_000 };
    }
    ctx.body = { access_token: state.accessToken.token, expires_in: Math.round((state.accessToken.expiresAt - now()) / 1000) };
  });
  router.post('/cgi-bin/message/subscribe/send', (ctx) => {
    const token = state.accessToken;
    if (!token || token.token !== ctx.query.access_token) return void (ctx.body = { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
    if (token.expiresAt < now()) return void (ctx.body = { errcode: 42001, errmsg: 'access_token expired' });
    const b = (ctx.request.body ?? {}) as { touser?: unknown; template_id?: unknown; page?: unknown; data?: unknown };
    if (typeof b.touser !== 'string' || !b.touser) return void (ctx.body = { errcode: 40003, errmsg: 'invalid openid' });
    if (typeof b.template_id !== 'string' || !b.template_id) return void (ctx.body = { errcode: 40037, errmsg: 'invalid template_id' });
    const data: Record<string, string> = {};
    for (const [key, entry] of Object.entries((b.data ?? {}) as Record<string, { value?: unknown }>)) {
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

  // The WeChat client's part of subscribe messages: wx.requestSubscribeMessage, accepted or rejected by the user.
  router.post('/sandbox/client/subscribe', (ctx) => {
    const openid = openidOf(userKeyOf(ctx));
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
    ctx.body = { messages: userKey ? state.messages.filter((m) => m.touser === openidOf(userKey)) : state.messages };
  });

  router.post('/sandbox/client/login', (ctx) => {
    const userKey = userKeyOf(ctx);
    const code = randomBytes(16).toString('hex');
    state.codes.set(code, { userKey, expiresAt: now() + 5 * 60_000 });
    ctx.body = { code };
  });

  router.post('/v3/pay/transactions/jsapi', (ctx) => {
    const b = ctx.request.body as Record<string, any>;
    const total = b?.amount?.total;
    if (b?.appid !== keys.appid || b?.mchid !== keys.mchid) fail(400, 'PARAM_ERROR', 'appid/mchid mismatch');
    if (typeof b.out_trade_no !== 'string' || !/^[0-9A-Za-z_\-|*]{6,32}$/.test(b.out_trade_no)) fail(400, 'PARAM_ERROR', 'out_trade_no invalid');
    if (typeof b.description !== 'string' || !b.description || b.description.length > 127) fail(400, 'PARAM_ERROR', 'description invalid');
    if (!Number.isSafeInteger(total) || total <= 0) fail(400, 'PARAM_ERROR', 'amount.total must be a positive integer (fen)');
    if (typeof b.notify_url !== 'string' || typeof b?.payer?.openid !== 'string') fail(400, 'PARAM_ERROR', 'notify_url and payer.openid are required');
    const requestHash = createHash('sha256').update(JSON.stringify([b.description, total, b.payer.openid, b.notify_url])).digest('hex');
    const existing = state.trades.get(b.out_trade_no);
    if (existing) {
      if (existing.requestHash !== requestHash) fail(400, 'INVALID_REQUEST', 'out_trade_no already used with other parameters');
      return void (ctx.body = { prepay_id: existing.prepayId });
    }
    const expiresAt = b.time_expire ? Date.parse(b.time_expire) : now() + 2 * 3600_000;
    const trade: Trade = {
      appid: b.appid,
      mchid: b.mchid,
      outTradeNo: b.out_trade_no,
      description: b.description,
      notifyUrl: b.notify_url,
      attach: b.attach,
      totalFen: total,
      openid: b.payer.openid,
      prepayId: `wx${randomBytes(16).toString('hex')}`,
      expiresAt: Math.min(expiresAt, now() + 2 * 3600_000),
      requestHash,
      state: 'NOTPAY',
      createdAt: now(),
    };
    state.trades.set(trade.outTradeNo, trade);
    ctx.body = { prepay_id: trade.prepayId };
  });
  router.get('/v3/pay/transactions/out-trade-no/:no', (ctx) => {
    const t = state.trades.get(ctx.params.no);
    if (!t) fail(404, 'ORDER_NOT_EXIST', '订单不存在');
    ctx.body = transactionJson(t!);
  });
  router.get('/v3/pay/transactions/id/:id', (ctx) => {
    const t = [...state.trades.values()].find((x) => x.transactionId === ctx.params.id);
    if (!t) fail(404, 'ORDER_NOT_EXIST', '订单不存在');
    ctx.body = transactionJson(t!);
  });
  router.post('/v3/pay/transactions/out-trade-no/:no/close', (ctx) => {
    const t = state.trades.get(ctx.params.no);
    if (!t) fail(404, 'ORDER_NOT_EXIST', '订单不存在');
    if (t!.state === 'SUCCESS' || t!.state === 'REFUND') fail(400, 'ORDERPAID', '订单已支付');
    t!.state = 'CLOSED';
    ctx.status = 204;
  });

  router.post('/v3/refund/domestic/refunds', (ctx) => {
    const b = ctx.request.body as Record<string, any>;
    const t = state.trades.get(String(b?.out_trade_no));
    if (!t || !t.transactionId) fail(404, 'RESOURCE_NOT_EXISTS', '订单不存在或未支付');
    const existing = state.refunds.get(String(b.out_refund_no));
    if (existing) return void (ctx.body = refundJson(existing));
    const refundFen = b?.amount?.refund;
    const refunded = [...state.refunds.values()].filter((r) => r.outTradeNo === t!.outTradeNo).reduce((n, r) => n + r.refundFen, 0);
    if (!Number.isSafeInteger(refundFen) || refundFen <= 0 || b.amount.total !== t!.totalFen || refunded + refundFen > t!.totalFen) fail(400, 'PARAM_ERROR', 'refund amount invalid');
    const refund: Refund = { outRefundNo: b.out_refund_no, refundId: `5030${randomBytes(10).toString('hex')}`, outTradeNo: t!.outTradeNo, refundFen, totalFen: t!.totalFen, status: 'PROCESSING', notifyUrl: b.notify_url, createdAt: now() };
    state.refunds.set(refund.outRefundNo, refund);
    t!.state = 'REFUND';
    later(options.refundDelayMs ?? 1000, () => {
      refund.status = 'SUCCESS';
      refund.successTime = now();
      if (refund.notifyUrl) {
        const plain = { mchid: keys.mchid, transaction_id: t!.transactionId, out_trade_no: t!.outTradeNo, refund_id: refund.refundId, out_refund_no: refund.outRefundNo, refund_status: 'SUCCESS', success_time: rfc3339(refund.successTime), user_received_account: '支付用户零钱', amount: { total: refund.totalFen, refund: refund.refundFen, payer_total: refund.totalFen, payer_refund: refund.refundFen } };
        notify(refund.notifyUrl, 'REFUND.SUCCESS', t!.outTradeNo, encrypt(plain, 'refund'), 'refund', '退款成功');
      }
    });
    ctx.body = refundJson(refund);
  });
  const refundJson = (r: Refund) => ({ refund_id: r.refundId, out_refund_no: r.outRefundNo, out_trade_no: r.outTradeNo, status: r.status, create_time: rfc3339(r.createdAt), amount: { refund: r.refundFen, total: r.totalFen, currency: 'CNY' } });
  router.get('/v3/refund/domestic/refunds/:no', (ctx) => {
    const r = state.refunds.get(ctx.params.no);
    if (!r) fail(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    ctx.body = refundJson(r!);
  });

  router.get('/v3/bill/tradebill', (ctx) => {
    const date = String(ctx.query.bill_date ?? '');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) fail(400, 'PARAM_ERROR', 'bill_date must be YYYY-MM-DD');
    if (date > beijingDate(now())) fail(400, 'PARAM_ERROR', 'bill_date is in the future');
    const csv = tradeBillCsv(date);
    if (!csv) fail(400, 'NO_STATEMENT_EXIST', '该日期无账单');
    const token = randomBytes(12).toString('hex');
    state.billTokens.set(token, csv!);
    ctx.body = { download_url: `${ctx.protocol}://${ctx.host}/v3/billdownload/file?token=${token}`, hash_type: 'SHA1', hash_value: createHash('sha1').update(csv!).digest('hex') };
  });
  router.get('/v3/billdownload/file', (ctx) => {
    const csv = state.billTokens.get(String(ctx.query.token));
    if (!csv) fail(404, 'RESOURCE_NOT_EXISTS', 'no such bill');
    ctx.type = 'text/csv';
    ctx.body = csv;
  });
  const tradeBillCsv = (date: string): string | null => {
    const header = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
    const line = (fields: Array<string | number>) => fields.map((f) => `\`${f}`).join(',');
    const rows: string[] = [];
    let paidFen = 0;
    let refundFen = 0;
    for (const t of state.trades.values()) {
      if (!t.successTime || beijingDate(t.successTime) !== date) continue;
      paidFen += t.totalFen;
      rows.push(line([rfc3339(t.successTime).slice(0, 19).replace('T', ' '), t.appid, t.mchid, '0', '', t.transactionId!, t.outTradeNo, t.openid, 'JSAPI', 'SUCCESS', 'OTHERS', 'CNY', yuan(t.totalFen), '0.00', '0', '0', '0.00', '0.00', '', '', t.description, t.attach ?? '', '0.00', '0.60%', yuan(t.totalFen), '0.00', '']));
    }
    for (const r of state.refunds.values()) {
      if (beijingDate(r.createdAt) !== date) continue;
      const t = state.trades.get(r.outTradeNo)!;
      refundFen += r.refundFen;
      rows.push(line([rfc3339(r.createdAt).slice(0, 19).replace('T', ' '), t.appid, t.mchid, '0', '', t.transactionId!, t.outTradeNo, t.openid, 'JSAPI', 'REFUND', 'OTHERS', 'CNY', '0.00', '0.00', r.refundId, r.outRefundNo, yuan(r.refundFen), '0.00', 'ORIGINAL', r.status, t.description, t.attach ?? '', '0.00', '0.60%', yuan(t.totalFen), yuan(r.refundFen), '']));
    }
    if (!rows.length) return null;
    const totals = ['总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额', line([rows.length, yuan(paidFen), yuan(refundFen), '0.00', '0.00', yuan(paidFen), yuan(refundFen)])];
    return [header, ...rows, ...totals].join('\r\n') + '\r\n';
  };

  // The WeChat client's part: requestPayment opens a cashier that confirms, fails or cancels.
  router.get('/sandbox/cashier/order', (ctx) => {
    const t = [...state.trades.values()].find((x) => x.prepayId === ctx.query.prepay_id);
    if (!t) fail(404, 'ORDER_NOT_EXIST', 'no such prepay');
    ctx.body = { prepayId: t!.prepayId, outTradeNo: t!.outTradeNo, description: t!.description, amountFen: t!.totalFen, state: t!.state, expiresAt: new Date(t!.expiresAt).toISOString() };
  });
  router.post('/sandbox/cashier/pay', (ctx) => {
    const b = (ctx.request.body ?? {}) as Record<string, string>;
    const prepayId = /^prepay_id=(.+)$/.exec(b.package ?? '')?.[1];
    const t = [...state.trades.values()].find((x) => x.prepayId === prepayId);
    if (!t) fail(404, 'ORDER_NOT_EXIST', 'no such prepay');
    if (b.appId !== keys.appid || b.signType !== 'RSA' || !verifyFields(keys.merchantPublicKeyPem, [b.appId, b.timeStamp, b.nonceStr, b.package], b.paySign ?? '')) {
      fail(400, 'SIGN_ERROR', 'paySign does not verify');
    }
    if (t!.state !== 'NOTPAY') fail(400, 'ORDER_STATE', `this order is ${t!.state}`);
    if (t!.expiresAt < now()) fail(400, 'ORDER_EXPIRED', 'this prepay has expired');
    if (b.action === 'cancel') return void (ctx.body = { errMsg: 'requestPayment:fail cancel' });
    if (b.action === 'fail') {
      t!.state = 'PAYERROR';
      return void (ctx.body = { errMsg: 'requestPayment:fail' });
    }
    if (b.action !== 'confirm') fail(400, 'PARAM_ERROR', 'action must be confirm, fail or cancel');
    pay(t!);
    ctx.body = { errMsg: 'requestPayment:ok', transactionId: t!.transactionId };
  });
  router.post('/sandbox/notifications/redeliver', async (ctx) => {
    const last = state.lastEvent.get(String((ctx.request.body as { out_trade_no?: unknown })?.out_trade_no));
    if (!last) fail(404, 'NOT_FOUND', 'no notification for this order');
    last!.delivery.attempts++;
    ctx.body = { status: await post(last!.url, last!.body, sign(last!.body)).catch(() => 0) };
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
    state.trades.clear();
    state.refunds.clear();
    state.codes.clear();
    state.deliveries.length = 0;
    state.lastEvent.clear();
    state.subscriptions.clear();
    state.messages.length = 0;
    ctx.body = { reset: true };
  });
  app.use(router.routes());
  app.use(router.allowedMethods());

  return {
    app,
    state,
    /** Lets a test play the payer without HTTP. */
    pay,
    close: () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
