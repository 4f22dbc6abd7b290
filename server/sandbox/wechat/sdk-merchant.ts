import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WxPay from 'wechatpay-node-v3';
import { generateDevKeys } from '../../src/payments/wechatpay/keys';
import { eventually } from '../../test/support/wait';
import { createMockWechat, type MockWechatOptions } from './mock';

/**
 * Test support: the mock gateway on a port, with a public WeChat Pay SDK
 * (wechatpay-node-v3) playing the merchant. The SDK builds and signs the
 * requests, verifies the mock's response and notification signatures and
 * decrypts notification resources; the hub's own client is not involved, so
 * the mock cannot merely agree with itself.
 */
export type Json = Record<string, any>;

export interface SdkAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: Json | null;
  /** The SDK's verdict on the Wechatpay-Signature of the answer. */
  verified: boolean;
}

export interface Notification {
  headers: http.IncomingHttpHeaders;
  body: string;
}

function listen(handler: http.RequestListener): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

export async function startSdkMerchant(options: Partial<Omit<MockWechatOptions, 'keys' | 'now'>> = {}) {
  const keys = generateDevKeys();
  /** The mock's clock runs this far from the real one (a test moves it to make "yesterday's" payments). */
  const clock = { shiftMs: 0 };
  const mock = createMockWechat({ keys, retryScheduleScale: 0.001, refundDelayMs: 10, ...options, now: () => Date.now() + clock.shiftMs });
  const received: Notification[] = [];
  const merchantState = { ackStatus: 204 };
  const gateway = await listen(mock.app.callback());
  const merchant = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = merchantState.ackStatus;
      res.end();
    });
  });
  const sdk = new WxPay({
    appid: keys.appid,
    mchid: keys.mchid,
    serial_no: keys.merchantSerial,
    publicKey: Buffer.from(keys.merchantPublicKeyPem),
    privateKey: Buffer.from(keys.merchantPrivateKeyPem),
    key: keys.apiV3Key,
  });
  // "WeChat Pay public key" mode: the SDK looks keys up by the PUB_KEY_ID serial.
  (WxPay as unknown as { certificates: Record<string, string> }).certificates[keys.platformSerial] = keys.platformPublicKeyPem;

  /** The SDK's Authorization header for a request (its own signature and header builders). */
  const authorization = (method: string, pathWithQuery: string, body?: Json): string => {
    const nonceStr = randomBytes(8).toString('hex');
    const timestamp = String(Math.floor(Date.now() / 1000));
    return sdk.getAuthorization(nonceStr, timestamp, sdk.getSignature(method, nonceStr, timestamp, pathWithQuery, body));
  };

  /** A request signed by the SDK, sent as the SDK would send it; the answer with the SDK's signature verdict. */
  const call = async (method: 'GET' | 'POST', pathWithQuery: string, body?: Json): Promise<SdkAnswer> => {
    const res = await fetch(gateway.url + pathWithQuery, {
      method,
      headers: { authorization: authorization(method, pathWithQuery, body), 'content-type': 'application/json', accept: 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const h = (name: string) => res.headers.get(name) ?? '';
    const verified = await sdk.verifySign({ timestamp: h('wechatpay-timestamp'), nonce: h('wechatpay-nonce'), body: text, serial: h('wechatpay-serial'), signature: h('wechatpay-signature') });
    return { status: res.status, headers: res.headers, text, json: text && /json/.test(h('content-type')) ? (JSON.parse(text) as Json) : null, verified };
  };

  /** A download the merchant signs like any v3 call; the raw bytes (a BOM must survive). */
  const download = async (downloadUrl: string) => {
    const url = new URL(downloadUrl);
    const res = await fetch(gateway.url + url.pathname + url.search, { headers: { authorization: authorization('GET', url.pathname + url.search) } });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  /** Verifies a received notification with the SDK and decrypts its resource with the SDK. */
  const open = async (n: Notification) => {
    const header = (name: string) => String(n.headers[name] ?? '');
    const verified = await sdk.verifySign({ timestamp: header('wechatpay-timestamp'), nonce: header('wechatpay-nonce'), body: n.body, serial: header('wechatpay-serial'), signature: header('wechatpay-signature') });
    const event = JSON.parse(n.body) as Json;
    const resource = sdk.decipher_gcm<Json>(event.resource.ciphertext, event.resource.associated_data, event.resource.nonce, keys.apiV3Key);
    return { verified, event, resource };
  };

  /** The first notification of this event type about this order, verified and decrypted. */
  const notification = (eventType: string, outTradeNo: string) =>
    eventually(async () => {
      for (const n of received) {
        const opened = await open(n);
        if (opened.event.event_type === eventType && opened.resource.out_trade_no === outTradeNo) return opened;
      }
      return undefined;
    });

  const jsapiOrder = (outTradeNo: string, total = 18650): Json => ({
    appid: keys.appid,
    mchid: keys.mchid,
    description: '国网电费-户号****0001',
    out_trade_no: outTradeNo,
    notify_url: `${merchant.url}/notify`,
    amount: { total, currency: 'CNY' },
    payer: { openid: 'oSDKpayer0000000000000000001' },
  });

  /**
   * A JSAPI order placed through the SDK and paid by the payer (the cashier's
   * confirm, without HTTP), `paidShiftMs` away from now (-1 day: paid yesterday).
   */
  const paidOrder = async (outTradeNo: string, total = 18650, paidShiftMs = 0) => {
    const res = await call('POST', '/v3/pay/transactions/jsapi', jsapiOrder(outTradeNo, total));
    if (res.status !== 200) throw new Error(`prepay failed: ${res.text}`);
    const trade = mock.state.trades.get(outTradeNo);
    if (!trade) throw new Error('the mock kept no trade');
    // Only the payment moves in time: the merchant's signed calls are checked against the real clock.
    clock.shiftMs = paidShiftMs;
    try {
      mock.pay(trade);
    } finally {
      clock.shiftMs = 0;
    }
    return trade;
  };

  const refundBody = (outTradeNo: string, outRefundNo: string, refund: number, total: number): Json => ({
    out_trade_no: outTradeNo,
    out_refund_no: outRefundNo,
    reason: '缴费单位未能销账',
    notify_url: `${merchant.url}/notify`,
    amount: { refund, total, currency: 'CNY' },
  });

  const stop = async () => {
    mock.close();
    for (const s of [gateway.server, merchant.server]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  };

  return { keys, mock, sdk, clock, merchantState, received, gateway, merchant, authorization, call, download, open, notification, jsapiOrder, paidOrder, refundBody, stop };
}

export type SdkMerchant = Awaited<ReturnType<typeof startSdkMerchant>>;
