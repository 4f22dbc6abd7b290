import { createHash, randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type Koa from 'koa';
import { fail, newTransactionId, rfc3339, type MockContext } from './context';
import type { Trade, TradeStateName } from './state';

/** How long WeChat keeps a prepay_id payable. */
const PREPAY_VALID_MS = 2 * 3600_000;

/**
 * Pay v3 transactions: JSAPI prepay, query (by out_trade_no and by
 * transaction_id), close, and the payment itself (played by the cashier or
 * by a test) with its TRANSACTION.SUCCESS notification.
 */

/** trade_state_desc as WeChat writes it: Chinese, for the resident-facing side of a merchant's support. */
export const TRADE_STATE_DESC: Record<TradeStateName, string> = {
  SUCCESS: '支付成功',
  REFUND: '转入退款',
  NOTPAY: '订单未支付',
  CLOSED: '订单已关闭',
  PAYERROR: '支付失败，请重新下单支付',
};

/** The order as WeChat answers a query: the payer, bank and success time exist only once it was paid. */
export function transactionJson(t: Trade) {
  const base = { appid: t.appid, mchid: t.mchid, out_trade_no: t.outTradeNo, trade_state: t.state, trade_state_desc: TRADE_STATE_DESC[t.state], ...(t.attach ? { attach: t.attach } : {}) };
  if (!t.transactionId || !t.successTime) return { ...base, amount: { total: t.totalFen, currency: 'CNY', payer_currency: 'CNY' } };
  return {
    ...base,
    transaction_id: t.transactionId,
    trade_type: 'JSAPI',
    bank_type: 'OTHERS',
    success_time: rfc3339(t.successTime),
    payer: { openid: t.openid },
    amount: { total: t.totalFen, payer_total: t.totalFen, currency: 'CNY', payer_currency: 'CNY' },
  };
}

/**
 * Endpoints that name a merchant (query string or body) check it against the
 * merchant that signed the request, as WeChat does: absent or different is a
 * 400 PARAM_ERROR, not an answer about someone else's order.
 */
export function requireMchid(m: MockContext, value: unknown, where: 'querystring' | 'body'): void {
  if (typeof value !== 'string' || value === '') fail(400, 'PARAM_ERROR', `缺少参数 mchid（${where === 'body' ? '请求体' : '查询参数'}），直连商户号为必填项`);
  if (value !== m.keys.mchid) fail(400, 'PARAM_ERROR', `参数 mchid 与请求签名的商户号不一致`);
}

export function transactionRoutes(router: Router, m: MockContext) {
  const { keys, state, now } = m;

  const pay = (t: Trade) => {
    t.state = 'SUCCESS';
    t.successTime = now();
    t.transactionId = newTransactionId(t.successTime);
    m.notify(t.notifyUrl, 'TRANSACTION.SUCCESS', t.outTradeNo, transactionJson(t), 'transaction', '支付成功');
  };

  router.post('/v3/pay/transactions/jsapi', (ctx) => {
    const b = (ctx.request.body ?? {}) as Record<string, unknown>;
    const amount = (b.amount ?? {}) as { total?: unknown; currency?: unknown };
    const payer = (b.payer ?? {}) as { openid?: unknown };
    requireMchid(m, b.mchid, 'body');
    if (b.appid !== keys.appid) fail(400, 'APPID_MCHID_NOT_MATCH', 'appid 与 mchid 不匹配');
    const outTradeNo = b.out_trade_no;
    if (typeof outTradeNo !== 'string' || !/^[0-9A-Za-z_\-|*]{6,32}$/.test(outTradeNo)) fail(400, 'PARAM_ERROR', '参数 out_trade_no 格式错误：6–32 位数字、字母或 _-|*');
    if (typeof b.description !== 'string' || !b.description || b.description.length > 127) fail(400, 'PARAM_ERROR', '参数 description 必填，且不超过 127 个字符');
    const total = amount.total;
    if (typeof total !== 'number' || !Number.isSafeInteger(total) || total <= 0) fail(400, 'PARAM_ERROR', '参数 amount.total 必须是正整数（单位：分）');
    if (amount.currency !== undefined && amount.currency !== 'CNY') fail(400, 'PARAM_ERROR', '参数 amount.currency 只支持 CNY');
    if (typeof b.notify_url !== 'string' || !/^https?:\/\//.test(b.notify_url)) fail(400, 'PARAM_ERROR', '参数 notify_url 必填，且必须是 http(s) 地址');
    if (typeof payer.openid !== 'string' || !payer.openid) fail(400, 'PARAM_ERROR', '参数 payer.openid 必填');
    if (b.attach !== undefined && (typeof b.attach !== 'string' || b.attach.length > 128)) fail(400, 'PARAM_ERROR', '参数 attach 不超过 128 个字符');
    const timeExpire = typeof b.time_expire === 'string' ? Date.parse(b.time_expire) : undefined;
    if (b.time_expire !== undefined && !Number.isFinite(timeExpire)) fail(400, 'PARAM_ERROR', '参数 time_expire 必须是 RFC 3339 时间');
    const no = outTradeNo as string;
    // Every parameter counts: an order number may be placed again only with exactly the same order.
    const requestHash = createHash('sha256').update(JSON.stringify([b.appid, b.mchid, b.description, total, payer.openid, b.notify_url, b.attach ?? null, b.time_expire ?? null])).digest('hex');
    const existing = state.trades.get(no);
    if (existing) {
      if (existing.requestHash !== requestHash) fail(400, 'INVALID_REQUEST', '201 商户订单号重复');
      if (existing.state === 'CLOSED') fail(400, 'ORDER_CLOSED', '订单已关闭');
      // A prepay_id lives two hours; the same order placed again after that gets a new one
      // (the old one is no longer payable), as long as the order's own time_expire allows.
      if (existing.state === 'NOTPAY' && existing.expiresAt <= now() && (timeExpire === undefined || timeExpire > now())) {
        existing.prepayId = `wx${randomBytes(16).toString('hex')}`;
        existing.expiresAt = Math.min(timeExpire ?? Infinity, now() + PREPAY_VALID_MS);
      }
      return void (ctx.body = { prepay_id: existing.prepayId });
    }
    const trade: Trade = {
      appid: keys.appid,
      mchid: keys.mchid,
      outTradeNo: no,
      description: b.description as string,
      notifyUrl: b.notify_url as string,
      attach: b.attach as string | undefined,
      totalFen: total as number,
      openid: payer.openid as string,
      prepayId: `wx${randomBytes(16).toString('hex')}`,
      expiresAt: Math.min(timeExpire ?? Infinity, now() + PREPAY_VALID_MS),
      requestHash,
      state: 'NOTPAY',
      createdAt: now(),
    };
    state.trades.set(no, trade);
    ctx.body = { prepay_id: trade.prepayId };
  });

  const found = (t: Trade | undefined): Trade => t ?? fail(404, 'ORDER_NOT_EXIST', '订单不存在');
  const query = (ctx: Koa.Context, t: () => Trade | undefined) => {
    requireMchid(m, ctx.query.mchid, 'querystring');
    ctx.body = transactionJson(found(t()));
  };
  router.get('/v3/pay/transactions/out-trade-no/:no', (ctx) => query(ctx, () => state.trades.get(ctx.params.no)));
  router.get('/v3/pay/transactions/id/:id', (ctx) => query(ctx, () => [...state.trades.values()].find((x) => x.transactionId === ctx.params.id)));

  router.post('/v3/pay/transactions/out-trade-no/:no/close', (ctx) => {
    requireMchid(m, (ctx.request.body as { mchid?: unknown } | undefined)?.mchid, 'body');
    const t = found(state.trades.get(ctx.params.no));
    if (t.state === 'SUCCESS' || t.state === 'REFUND') fail(400, 'ORDERPAID', '订单已支付');
    t.state = 'CLOSED';
    ctx.status = 204;
  });

  return { pay };
}
