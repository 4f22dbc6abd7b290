import type Router from '@koa/router';
import { fail, newRefundId, rfc3339, type MockContext } from './context';
import type { Refund, Trade } from './state';

/**
 * Refunds: create (by out_trade_no or transaction_id, idempotent on
 * out_refund_no), query, and the REFUND.SUCCESS notification once the money
 * is back with the payer (after refundDelayMs).
 */

/** Where the money goes back: the mock's payers always paid from their 零钱 balance. */
const USER_RECEIVED_ACCOUNT = '支付用户零钱';

/** A refund as WeChat answers create and query: every documented field, success_time once it succeeded. */
export function refundJson(r: Refund) {
  return {
    refund_id: r.refundId,
    out_refund_no: r.outRefundNo,
    transaction_id: r.transactionId,
    out_trade_no: r.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: USER_RECEIVED_ACCOUNT,
    ...(r.status === 'SUCCESS' && r.successTime ? { success_time: rfc3339(r.successTime) } : {}),
    create_time: rfc3339(r.createdAt),
    status: r.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: r.totalFen,
      refund: r.refundFen,
      from: [],
      // No coupons in the mock: the payer paid everything, the merchant settles everything.
      payer_total: r.totalFen,
      payer_refund: r.refundFen,
      settlement_refund: r.refundFen,
      settlement_total: r.totalFen,
      discount_refund: 0,
      currency: 'CNY',
      refund_fee: 0,
    },
    promotion_detail: [],
  };
}

export function refundRoutes(router: Router, m: MockContext): void {
  const { keys, state, now } = m;

  router.post('/v3/refund/domestic/refunds', (ctx) => {
    const b = (ctx.request.body ?? {}) as Record<string, unknown>;
    const amount = (b.amount ?? {}) as { refund?: unknown; total?: unknown; currency?: unknown };
    if (typeof b.out_refund_no !== 'string' || !/^[0-9A-Za-z_\-|*@]{1,64}$/.test(b.out_refund_no)) fail(400, 'PARAM_ERROR', '参数 out_refund_no 必填，1–64 位数字、字母或 _-|*@');
    if (typeof b.out_trade_no !== 'string' && typeof b.transaction_id !== 'string') fail(400, 'PARAM_ERROR', '参数 out_trade_no 与 transaction_id 必须填写一个');
    if (b.notify_url !== undefined && (typeof b.notify_url !== 'string' || !/^https?:\/\//.test(b.notify_url))) fail(400, 'PARAM_ERROR', '参数 notify_url 必须是 http(s) 地址');
    const t: Trade | undefined =
      typeof b.transaction_id === 'string' ? [...state.trades.values()].find((x) => x.transactionId === b.transaction_id) : state.trades.get(String(b.out_trade_no));
    if (!t) return fail(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    if (!t.transactionId) return fail(400, 'INVALID_REQUEST', '订单未支付，不能退款');
    const existing = state.refunds.get(b.out_refund_no as string);
    if (existing) return void (ctx.body = refundJson(existing));
    const refundFen = amount.refund;
    if (typeof refundFen !== 'number' || !Number.isSafeInteger(refundFen) || refundFen <= 0) fail(400, 'PARAM_ERROR', '参数 amount.refund 必须是正整数（单位：分）');
    if (amount.total !== t.totalFen) fail(400, 'PARAM_ERROR', '参数 amount.total 与订单金额不一致');
    if (amount.currency !== 'CNY') fail(400, 'PARAM_ERROR', '参数 amount.currency 必须是 CNY');
    const refunded = [...state.refunds.values()].filter((r) => r.outTradeNo === t.outTradeNo).reduce((n, r) => n + r.refundFen, 0);
    if (refunded + (refundFen as number) > t.totalFen) fail(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
    const refund: Refund = {
      outRefundNo: b.out_refund_no as string,
      refundId: newRefundId(now()),
      outTradeNo: t.outTradeNo,
      transactionId: t.transactionId,
      refundFen: refundFen as number,
      totalFen: t.totalFen,
      status: 'PROCESSING',
      notifyUrl: b.notify_url as string | undefined,
      createdAt: now(),
    };
    state.refunds.set(refund.outRefundNo, refund);
    t.state = 'REFUND';
    m.later(m.options.refundDelayMs ?? 1000, () => {
      refund.status = 'SUCCESS';
      refund.successTime = now();
      if (!refund.notifyUrl) return;
      const plain = {
        mchid: keys.mchid,
        transaction_id: refund.transactionId,
        out_trade_no: refund.outTradeNo,
        refund_id: refund.refundId,
        out_refund_no: refund.outRefundNo,
        refund_status: 'SUCCESS',
        success_time: rfc3339(refund.successTime),
        user_received_account: USER_RECEIVED_ACCOUNT,
        amount: { total: refund.totalFen, refund: refund.refundFen, payer_total: refund.totalFen, payer_refund: refund.refundFen },
      };
      m.notify(refund.notifyUrl, 'REFUND.SUCCESS', refund.outTradeNo, plain, 'refund', '退款成功');
    });
    ctx.body = refundJson(refund);
  });

  router.get('/v3/refund/domestic/refunds/:no', (ctx) => {
    const r = state.refunds.get(ctx.params.no);
    if (!r) return fail(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    ctx.body = refundJson(r);
  });
}
