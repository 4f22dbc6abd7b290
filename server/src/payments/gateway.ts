/**
 * The payment gateway as the orders domain needs it. WechatPayGateway
 * implements it over the WeChat Pay API v3 client; the mock gateway in the
 * sandbox and the real one differ only in base URL and keys.
 */
export interface RequestPaymentParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

export interface GatewayTransaction {
  outTradeNo: string;
  tradeState: TradeState;
  transactionId: string | null;
  amountFen: number | null;
  successTime: string | null;
  appid: string | null;
  mchid: string | null;
}

export interface GatewayRefund {
  outRefundNo: string;
  status: 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';
  refundId: string | null;
}

export type GatewayNotification =
  | { kind: 'transaction'; eventId: string; eventType: string; transaction: GatewayTransaction }
  | { kind: 'refund'; eventId: string; eventType: string; refund: GatewayRefund & { outTradeNo: string } };

export interface TradeBillRow {
  successTime: string;
  transactionId: string;
  outTradeNo: string;
  tradeState: string;
  totalFen: number;
  refundId: string | null;
  outRefundNo: string | null;
  refundFen: number;
}

export interface PaymentGateway {
  readonly appid: string;
  readonly mchid: string;
  createPrepay(input: { outTradeNo: string; description: string; amountFen: number; openid: string; notifyUrl: string; timeExpire: Date; attach?: string }): Promise<{ prepayId: string }>;
  requestPaymentParams(prepayId: string): RequestPaymentParams;
  queryOrder(outTradeNo: string): Promise<GatewayTransaction | null>;
  closeOrder(outTradeNo: string): Promise<void>;
  refund(input: { outTradeNo: string; outRefundNo: string; amountFen: number; totalFen: number; reason: string; notifyUrl: string }): Promise<GatewayRefund>;
  queryRefund(outRefundNo: string): Promise<GatewayRefund | null>;
  /** Verifies and decrypts a notification; throws a typed error naming why it was rejected. */
  parseNotification(input: { headers: Record<string, string | undefined>; rawBody: string }): GatewayNotification;
  tradeBill(date: string): Promise<TradeBillRow[]>;
}
