/**
 * The one state every surface of the mock WeChat reads and writes: the
 * trades a merchant created, their refunds, the wx.login codes, the
 * notifications sent, bill download tokens, the access token and the
 * subscribe messages. Tests read it directly (`mock.state`) to look behind
 * the wire format.
 */
export type TradeStateName = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND' | 'PAYERROR';

export interface Trade {
  appid: string;
  mchid: string;
  outTradeNo: string;
  description: string;
  notifyUrl: string;
  attach?: string;
  totalFen: number;
  openid: string;
  prepayId: string;
  expiresAt: number;
  requestHash: string;
  state: TradeStateName;
  transactionId?: string;
  successTime?: number;
  createdAt: number;
}

export interface Refund {
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  refundFen: number;
  totalFen: number;
  status: 'PROCESSING' | 'SUCCESS';
  notifyUrl?: string;
  createdAt: number;
  successTime?: number;
}

export interface SentMessage {
  touser: string;
  templateId: string;
  page: string;
  data: Record<string, string>;
  at: number;
}

export interface Delivery {
  eventId: string;
  eventType: string;
  outTradeNo: string;
  attempts: number;
  acknowledged: boolean;
  probes: number;
  /** Independent deliveries of this event (2 with duplicateNotifications). */
  copies?: number;
}

/** A trade bill ready for download: the original file (BOM included) and whether to send it gzipped. */
export interface BillFile {
  bytes: Buffer;
  gzip: boolean;
  expiresAt: number;
}

export function createState() {
  return {
    trades: new Map<string, Trade>(),
    refunds: new Map<string, Refund>(),
    codes: new Map<string, { userKey: string; expiresAt: number }>(),
    deliveries: [] as Delivery[],
    lastEvent: new Map<string, { url: string; body: string; delivery: Delivery }>(),
    billTokens: new Map<string, BillFile>(),
    /** The stable access token and when it expires. */
    accessToken: null as { token: string; expiresAt: number } | null,
    /** One-time subscriptions a user accepted, by `${openid} ${templateId}`. */
    subscriptions: new Map<string, number>(),
    /** Subscribe messages delivered to users. */
    messages: [] as SentMessage[],
  };
}

export type MockState = ReturnType<typeof createState>;

export function resetState(state: MockState): void {
  state.trades.clear();
  state.refunds.clear();
  state.codes.clear();
  state.deliveries.length = 0;
  state.lastEvent.clear();
  state.billTokens.clear();
  state.subscriptions.clear();
  state.messages.length = 0;
}
