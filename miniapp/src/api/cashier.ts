import Taro from '@tarojs/taro';
import { cashierOrderSchema, cashierPayAnswerSchema, type CashierOrder, type RequestPayment } from '@cityhub/shared';

/*
 * The mock WeChat client's payment sheet: what wx.requestPayment does in the
 * real app, done at the mock gateway, which checks paySign as WeChat would.
 * Its answers are parsed with the schemas the mock answers with (shared/).
 */
export type { CashierOrder };

export async function cashierOrder(payment: RequestPayment): Promise<CashierOrder> {
  const prepayId = payment.package.replace(/^prepay_id=/, '');
  const res = await Taro.request({ url: `${WECHAT_MOCK_BASE}/sandbox/cashier/order?prepay_id=${encodeURIComponent(prepayId)}` });
  if (res.statusCode !== 200) throw new Error('cashier order not found');
  return cashierOrderSchema.parse(res.data);
}

export async function cashierPay(payment: RequestPayment, action: 'confirm' | 'cancel' | 'fail'): Promise<'ok' | 'cancel' | 'fail'> {
  const res = await Taro.request({ url: `${WECHAT_MOCK_BASE}/sandbox/cashier/pay`, method: 'POST', data: { ...payment, action }, header: { 'content-type': 'application/json' } });
  const answer = cashierPayAnswerSchema.safeParse(res.data);
  const errMsg = answer.success ? answer.data.errMsg : '';
  return errMsg === 'requestPayment:ok' ? 'ok' : errMsg.endsWith('cancel') ? 'cancel' : 'fail';
}

/** Hands a payment between pages without putting paySign in a URL. */
let pendingPayment: { orderId: string; payment: RequestPayment } | null = null;
export const setPendingPayment = (p: typeof pendingPayment) => void (pendingPayment = p);
export const readPendingPayment = () => pendingPayment;
