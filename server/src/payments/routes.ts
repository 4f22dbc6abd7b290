import { noContentSchema } from '@cityhub/shared';
import { z } from 'zod';
import { AppError } from '../errors';
import { ApiRouter } from '../http/api-router';
import { crashPoint } from '../infra/crash-points';
import type { Logger } from '../infra/logger';
import type { PaymentGateway } from './gateway';
import type { ConfirmedPayment } from './verification';

/**
 * What the gateway's notifications change: the orders domain implements it (OrderService). Declared
 * here so payments does not import orders, which uses the gateway.
 */
export interface PaymentOutcomes {
  /** 'unknown-order' when no order has this number; any other answer means the notification is handled. */
  markPaid(orderNo: string, paid: ConfirmedPayment): Promise<string>;
  markRefunded(outRefundNo: string): Promise<boolean>;
}

/**
 * The gateway's notification endpoint. Verified by the gateway's signature,
 * not a bearer token. Answers 2xx only after the change is committed, so a
 * crash before the commit makes the gateway send it again. Whether the
 * payment matches its order is payments/verification.ts's to say.
 */
export function createPaymentRoutes({ orders, gateway, log }: { orders: PaymentOutcomes; gateway: PaymentGateway; log: Logger }): ApiRouter {
  return new ApiRouter('/payments').route(
    {
      method: 'post',
      path: '/wechat/notify',
      tag: 'payments',
      summary: 'WeChat Pay notifications (signed, AES-256-GCM encrypted); from the gateway only',
      body: z.unknown(),
      status: 204,
      response: noContentSchema,
      errors: ['SIGNATURE_INVALID', 'ORDER_NOT_FOUND'],
    },
    async (_input, ctx) => {
      const rawBody = typeof ctx.request.rawBody === 'string' ? ctx.request.rawBody : '';
      const headers = Object.fromEntries(Object.entries(ctx.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v[0] : v]));
      const notification = gateway.parseNotification({ headers, rawBody });
      if (notification.kind === 'transaction') {
        const t = notification.transaction;
        if (t.tradeState !== 'SUCCESS') return null;
        const outcome = await orders.markPaid(t.outTradeNo, { transactionId: t.transactionId ?? '', amountFen: t.amountFen ?? -1, appid: t.appid, mchid: t.mchid, source: 'notification' });
        if (outcome === 'unknown-order') {
          log.warn({ eventId: notification.eventId }, 'payment notification for an unknown order');
          throw new AppError('ORDER_NOT_FOUND', 'no order with this out_trade_no');
        }
        crashPoint('notify-committed');
        return null;
      }
      if (notification.refund.status === 'SUCCESS') await orders.markRefunded(notification.refund.outRefundNo);
      crashPoint('notify-committed');
      return null;
    },
  );
}
