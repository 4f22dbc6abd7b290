import Taro from '@tarojs/taro';
import type { RequestPayment } from '@cityhub/shared';

/**
 * The mock WeChat client's payment sheet: what wx.requestPayment does in the
 * real app, done at the mock gateway, which checks paySign as WeChat would.
 */
export interface CashierOrder {
  prepayId: string;
  outTradeNo: string;
  description: string;
  amountFen: number;
  state: string;
  expiresAt: string;
}

export async function cashierOrder(payment: RequestPayment): Promise<CashierOrder> {
  const prepayId = payment.package.replace(/^prepay_id=/, '');
  const res = await Taro.request({ url: `${WECHAT_MOCK_BASE}/sandbox/cashier/order?prepay_id=${encodeURIComponent(prepayId)}` });
  if (res.statusCode !== 200) throw new Error('cashier order not found');
  return res.data as CashierOrder;
}

export async function cashierPay(payment: RequestPayment, action: 'confirm' | 'cancel' | 'fail'): Promise<'ok' | 'cancel' | 'fail'> {
  const res = await Taro.request({ url: `${WECHAT_MOCK_BASE}/sandbox/cashier/pay`, method: 'POST', data: { ...payment, action }, header: { 'content-type': 'application/json' } });
  const errMsg = (res.data as { errMsg?: string }).errMsg ?? '';
  return errMsg === 'requestPayment:ok' ? 'ok' : errMsg.endsWith('cancel') ? 'cancel' : 'fail';
}

/** Hands a payment between pages without putting paySign in a URL. */
let pendingPayment: { orderId: string; payment: RequestPayment } | null = null;
export const setPendingPayment = (p: typeof pendingPayment) => void (pendingPayment = p);
export const readPendingPayment = () => pendingPayment;
