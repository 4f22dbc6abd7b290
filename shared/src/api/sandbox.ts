import { z } from 'zod';

/**
 * The mock WeChat's client surfaces (mock mode only, server/sandbox/wechat):
 * its stand-ins for wx.login and wx.requestPayment's cashier. Not the hub's
 * API, but the mock and the mini-program (and the test and bench drivers)
 * exchange these bodies, so they are defined once, here.
 */

/** POST /sandbox/client/login {userKey}: the code wx.login would give, for POST /api/v1/auth/login. */
export const sandboxLoginAnswerSchema = z.object({ code: z.string().min(1) });

/** GET /sandbox/cashier/order?prepay_id=…: what the cashier sheet shows before the resident confirms. */
export const cashierOrderSchema = z.object({
  prepayId: z.string(),
  outTradeNo: z.string(),
  description: z.string(),
  amountFen: z.number().int(),
  /** WeChat's trade state: NOTPAY until paid, then SUCCESS, CLOSED, PAYERROR … */
  state: z.string(),
  expiresAt: z.string(),
});
export type CashierOrder = z.infer<typeof cashierOrderSchema>;

/** POST /sandbox/cashier/pay: wx.requestPayment's answer (`requestPayment:ok`, `requestPayment:fail cancel`, `requestPayment:fail`). */
export const cashierPayAnswerSchema = z.object({ errMsg: z.string(), transactionId: z.string().optional() });
export type CashierPayAnswer = z.infer<typeof cashierPayAnswerSchema>;
