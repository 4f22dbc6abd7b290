import Taro from '@tarojs/taro';
import type { OrderDto, RequestPayment } from '@cityhub/shared';
import { setPendingPayment } from '../api/cashier';

/**
 * An order the resident started paying and left unfinished (payment sheet
 * cancelled, back from the cashier): remembered on the device so the bills
 * page offers 继续支付 / 取消 for it, even after a reload. The hub is the
 * truth: paying the same bills again resumes the order there too, and a
 * remembered order that was paid or closed meanwhile is simply forgotten.
 */
export interface UnfinishedPayment {
  orderId: string;
  accountId: string;
  amountFen: number;
  billRefs: string[];
  expiresAt: string;
}

const KEY = 'cityhub.unfinishedPayment';

export function rememberUnfinished(order: Pick<OrderDto, 'id' | 'accountId' | 'amountFen' | 'bills' | 'expiresAt'>): void {
  const entry: UnfinishedPayment = { orderId: order.id, accountId: order.accountId, amountFen: order.amountFen, billRefs: order.bills.map((b) => b.ref), expiresAt: order.expiresAt };
  Taro.setStorageSync(KEY, JSON.stringify(entry));
}

/** The unfinished payment for this account, if any and not past its time. */
export function unfinishedFor(accountId: string): UnfinishedPayment | null {
  try {
    const raw = Taro.getStorageSync<string>(KEY);
    if (!raw) return null;
    const entry = JSON.parse(raw) as UnfinishedPayment;
    if (entry.accountId !== accountId) return null;
    if (Date.parse(entry.expiresAt) <= Date.now()) {
      forgetUnfinished();
      return null;
    }
    return entry;
  } catch {
    return null;
  }
}

export function forgetUnfinished(orderId?: string): void {
  const raw = Taro.getStorageSync<string>(KEY);
  if (!raw) return;
  if (orderId) {
    try {
      if ((JSON.parse(raw) as UnfinishedPayment).orderId !== orderId) return;
    } catch {
      // unreadable: forget it
    }
  }
  Taro.removeStorageSync(KEY);
}

/** WeChat's requestPayment rejects with errMsg "requestPayment:fail cancel" when the resident closes the sheet. */
export function isPaymentCancel(err: unknown): boolean {
  const errMsg = (err as { errMsg?: unknown } | null)?.errMsg;
  return typeof errMsg === 'string' && /cancel/.test(errMsg);
}

/**
 * Shows the payment sheet for an order: WeChat's in the real build, the mock
 * cashier page otherwise. Resolves 'cancelled' when the resident closed the
 * sheet (the order stays payable and is remembered), 'left' when the page was
 * left for the cashier or the result.
 */
export async function presentPayment(order: OrderDto, payment: RequestPayment): Promise<'cancelled' | 'left'> {
  if (PAYMENT_MODE !== 'wechat') {
    setPendingPayment({ orderId: order.id, payment });
    rememberUnfinished(order);
    await Taro.navigateTo({ url: `/packages/cashier/index?orderId=${order.id}` });
    return 'left';
  }
  try {
    await Taro.requestPayment({ ...payment });
  } catch (err) {
    if (isPaymentCancel(err)) {
      rememberUnfinished(order);
      return 'cancelled';
    }
    // The sheet failed (not the resident's choice): the result page asks the hub what happened.
    await Taro.redirectTo({ url: `/packages/result/index?orderId=${order.id}&failed=1` });
    return 'left';
  }
  forgetUnfinished(order.id);
  await Taro.redirectTo({ url: `/packages/result/index?orderId=${order.id}` });
  return 'left';
}
