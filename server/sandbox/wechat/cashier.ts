import type Router from '@koa/router';
import type { CashierOrder, CashierPayAnswer } from '@cityhub/shared';
import { fail, verifyFields, type MockContext } from './context';
import type { Trade } from './state';

/**
 * The WeChat client's part of a payment: wx.requestPayment opens a cashier
 * (the sandbox page the h5 build and the tests drive) that confirms, fails
 * or cancels, after checking the paySign the hub computed. Its refusals are
 * worded in Chinese like the rest of WeChat's answers.
 */
export function cashierRoutes(router: Router, m: MockContext, pay: (t: Trade) => void): void {
  const { keys, state, now } = m;
  const byPrepay = (prepayId: unknown): Trade => [...state.trades.values()].find((x) => x.prepayId === prepayId) ?? fail(404, 'ORDER_NOT_EXIST', '预支付交易单不存在');

  router.get('/sandbox/cashier/order', (ctx) => {
    const t = byPrepay(ctx.query.prepay_id);
    const order: CashierOrder = { prepayId: t.prepayId, outTradeNo: t.outTradeNo, description: t.description, amountFen: t.totalFen, state: t.state, expiresAt: new Date(t.expiresAt).toISOString() };
    ctx.body = order;
  });

  router.post('/sandbox/cashier/pay', (ctx) => {
    const b = (ctx.request.body ?? {}) as Record<string, string | undefined>;
    const t = byPrepay(/^prepay_id=(.+)$/.exec(b.package ?? '')?.[1]);
    if (b.appId !== keys.appid || b.signType !== 'RSA' || !verifyFields(keys.merchantPublicKeyPem, [b.appId, b.timeStamp ?? '', b.nonceStr ?? '', b.package ?? ''], b.paySign ?? '')) {
      fail(400, 'SIGN_ERROR', '支付签名 paySign 校验失败');
    }
    if (t.state !== 'NOTPAY') fail(400, 'ORDER_STATE', `该订单当前状态为 ${t.state}，不能支付`);
    if (t.expiresAt < now()) fail(400, 'ORDER_EXPIRED', '预支付交易单已过期');
    const answer = (body: CashierPayAnswer) => void (ctx.body = body);
    if (b.action === 'cancel') return answer({ errMsg: 'requestPayment:fail cancel' });
    if (b.action === 'fail') {
      t.state = 'PAYERROR';
      return answer({ errMsg: 'requestPayment:fail' });
    }
    if (b.action !== 'confirm') fail(400, 'PARAM_ERROR', '参数 action 只能是 confirm、fail 或 cancel');
    pay(t);
    answer({ errMsg: 'requestPayment:ok', transactionId: t.transactionId });
  });
}
