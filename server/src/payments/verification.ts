/**
 * Whether a payment the gateway confirmed (by notification or by query) is
 * the one an order asked for. The signature and timestamp of a notification
 * are the gateway client's to check (parseNotification); this is what is left
 * once the gateway is believed: the payer paid exactly the order's amount,
 * to our app and our merchant account. Anything else is never credited.
 */

/** A payment as the gateway reports it. */
export interface ConfirmedPayment {
  transactionId: string;
  /** What the payer paid, in fen; -1 when the gateway did not say. */
  amountFen: number;
  appid: string | null;
  mchid: string | null;
  source: 'notification' | 'query';
}

export type PaymentVerdict = { matches: true } | { matches: false; reason: string };

/** Compares a confirmed payment with the order's amount and our merchant identity. */
export function verifyPayment(order: { amountFen: number }, paid: ConfirmedPayment, merchant: { appid: string; mchid: string }): PaymentVerdict {
  if (!Number.isSafeInteger(paid.amountFen) || paid.amountFen !== Number(order.amountFen)) {
    return { matches: false, reason: `amount ${paid.amountFen} fen differs from the order's ${order.amountFen} fen` };
  }
  if (paid.appid && paid.appid !== merchant.appid) return { matches: false, reason: 'appid differs' };
  if (paid.mchid && paid.mchid !== merchant.mchid) return { matches: false, reason: 'mchid differs' };
  return { matches: true };
}
