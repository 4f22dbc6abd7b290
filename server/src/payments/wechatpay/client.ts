import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { yuanToFen } from '@cityhub/shared';
import { z } from 'zod';
import { AppError } from '../../errors';
import { beijingRfc3339 } from '../../infra/beijing-time';
import type { GatewayNotification, GatewayRefund, GatewayTransaction, PaymentGateway, RequestPaymentParams, TradeBillRow, TradeState } from '../gateway';
import type { WechatKeys } from './keys';
import { authorizationHeader, checkGatewaySignature, decryptResource, nonce, signFields } from './signing';

/** A failure answered by the gateway (status and WeChat's error code) or met on the way to it. */
export class WechatPayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** WeChat's Request-ID of the answer: what its support asks for when a call is investigated. */
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = 'WechatPayError';
  }
}

const TRADE_STATES = ['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR'] as const satisfies readonly TradeState[];
const REFUND_STATUSES = ['SUCCESS', 'CLOSED', 'PROCESSING', 'ABNORMAL'] as const satisfies ReadonlyArray<GatewayRefund['status']>;

/**
 * What the hub reads of WeChat's answers and notification resources, parsed
 * rather than trusted: the answer is signed, but a field WeChat omits (an
 * unpaid order has no transaction_id) must be absent here too, not guessed.
 */
const transactionJson = z
  .object({
    appid: z.string().optional(),
    mchid: z.string().optional(),
    out_trade_no: z.string(),
    transaction_id: z.string().optional(),
    trade_state: z.enum(TRADE_STATES),
    success_time: z.string().optional(),
    amount: z.object({ total: z.number().int().optional() }).optional(),
  })
  .transform(
    (t): GatewayTransaction => ({
      outTradeNo: t.out_trade_no,
      tradeState: t.trade_state,
      transactionId: t.transaction_id ?? null,
      amountFen: t.amount?.total ?? null,
      successTime: t.success_time ?? null,
      appid: t.appid ?? null,
      mchid: t.mchid ?? null,
    }),
  );

/** A refund answer says `status`; a refund notification says `refund_status`. */
const refundJson = z
  .object({
    out_refund_no: z.string(),
    out_trade_no: z.string(),
    refund_id: z.string().optional(),
    status: z.enum(REFUND_STATUSES).optional(),
    refund_status: z.enum(REFUND_STATUSES).optional(),
  })
  .transform((r, ctx) => {
    const status = r.status ?? r.refund_status;
    if (!status) {
      ctx.addIssue({ code: 'custom', message: 'status or refund_status is required', path: ['status'] });
      return z.NEVER;
    }
    return { outRefundNo: r.out_refund_no, status, refundId: r.refund_id ?? null, outTradeNo: r.out_trade_no };
  });

const prepayJson = z.object({ prepay_id: z.string().min(1) });
const tradeBillJson = z.object({ download_url: z.url(), hash_value: z.string().regex(/^[0-9a-fA-F]{40}$/) });
const errorJson = z.object({ code: z.string().optional(), message: z.string().optional() });
const eventJson = z.object({
  id: z.string(),
  event_type: z.string(),
  resource: z.object({ ciphertext: z.string(), nonce: z.string(), associated_data: z.string().optional() }),
});

/** WeChat's error body, when the answer has one. */
function errorOf(text: string): { code?: string; message?: string } {
  try {
    const parsed = errorJson.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * The hub's WeChat Pay API v3 client. Every request is signed with the
 * merchant key and every response's signature is verified against the
 * platform key; pointing baseUrl at api.mch.weixin.qq.com with real keys is
 * the only difference between the mock and production.
 */
export class WechatPayGateway implements PaymentGateway {
  readonly appid: string;
  readonly mchid: string;

  constructor(
    private readonly keys: WechatKeys,
    private readonly options: { baseUrl: string; timeoutMs?: number },
  ) {
    this.appid = keys.appid;
    this.mchid = keys.mchid;
  }

  /** A signed call whose signed answer is checked; errors thrown with WeChat's status, code and Request-ID. */
  private async call(method: 'GET' | 'POST', pathWithQuery: string, body?: unknown): Promise<{ status: number; text: string; requestId: string | null }> {
    const { res, bytes } = await this.send(method, pathWithQuery, body);
    const text = bytes.toString('utf8');
    const requestId = res.headers.get('request-id');
    const headers = Object.fromEntries([...res.headers.entries()].map(([k, v]) => [k.toLowerCase(), v]));
    // Error answers are signed too; an unsigned or forged answer is never trusted.
    const problem = checkGatewaySignature(headers, text, { publicKeyPem: this.keys.platformPublicKeyPem, serial: this.keys.platformSerial });
    if (problem) throw new WechatPayError(res.status, 'RESPONSE_SIGNATURE', `gateway response rejected: ${problem}`, requestId);
    if (res.status >= 400) {
      const err = errorOf(text);
      throw new WechatPayError(res.status, err.code ?? 'HTTP_ERROR', err.message ?? `HTTP ${res.status}`, requestId);
    }
    return { status: res.status, text, requestId };
  }

  /** A call whose JSON answer is parsed with `schema`; an answer that does not fit is a 502 BAD_RESPONSE. */
  private async answer<T>(schema: z.ZodType<T>, method: 'GET' | 'POST', pathWithQuery: string, body?: unknown): Promise<T> {
    const { text, requestId } = await this.call(method, pathWithQuery, body);
    let parsed: z.ZodSafeParseResult<T>;
    try {
      parsed = schema.safeParse(JSON.parse(text));
    } catch {
      throw new WechatPayError(502, 'BAD_RESPONSE', 'the gateway answered with malformed JSON', requestId);
    }
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new WechatPayError(502, 'BAD_RESPONSE', `the gateway's answer does not fit: ${issue.path.join('.') || '(body)'} ${issue.message}`, requestId);
    }
    return parsed.data;
  }

  /**
   * Downloads a bill file. WeChat does not sign the file stream (its
   * documentation says to skip verification there); the SHA1 from the signed
   * tradebill answer vouches for the content instead.
   */
  private async download(pathWithQuery: string): Promise<Buffer> {
    const { res, bytes } = await this.send('GET', pathWithQuery);
    if (res.status >= 400) {
      // Errors of the download are ordinary signed JSON answers: their code is believed only when signed.
      const text = bytes.toString('utf8');
      const headers = Object.fromEntries([...res.headers.entries()].map(([k, v]) => [k.toLowerCase(), v]));
      const problem = checkGatewaySignature(headers, text, { publicKeyPem: this.keys.platformPublicKeyPem, serial: this.keys.platformSerial });
      const err = problem ? {} : errorOf(text);
      throw new WechatPayError(res.status, err.code ?? 'HTTP_ERROR', err.message ?? `HTTP ${res.status}`, res.headers.get('request-id'));
    }
    return bytes;
  }

  /** One signed request; the answer's raw bytes (a bill may start with a BOM, which text decoding would drop). */
  private async send(method: 'GET' | 'POST', pathWithQuery: string, body?: unknown): Promise<{ res: Response; bytes: Buffer }> {
    const bodyText = body === undefined ? '' : JSON.stringify(body);
    const authorization = authorizationHeader({ mchid: this.mchid, serial: this.keys.merchantSerial, privateKeyPem: this.keys.merchantPrivateKeyPem, method, pathWithQuery, body: bodyText });
    let res: Response;
    try {
      res = await fetch(this.options.baseUrl.replace(/\/+$/, '') + pathWithQuery, {
        method,
        headers: { authorization, accept: 'application/json', ...(bodyText ? { 'content-type': 'application/json' } : {}) },
        body: bodyText || undefined,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
    } catch (err) {
      throw new WechatPayError(0, 'NETWORK', `cannot reach the payment gateway: ${(err as Error).name}`);
    }
    try {
      return { res, bytes: Buffer.from(await res.arrayBuffer()) };
    } catch (err) {
      throw new WechatPayError(res.status, 'NETWORK', `the payment gateway's answer was cut off: ${(err as Error).name}`, res.headers.get('request-id'));
    }
  }

  async createPrepay(input: { outTradeNo: string; description: string; amountFen: number; openid: string; notifyUrl: string; timeExpire: Date; attach?: string }): Promise<{ prepayId: string }> {
    const json = await this.answer(prepayJson, 'POST', '/v3/pay/transactions/jsapi', {
      appid: this.appid,
      mchid: this.mchid,
      description: input.description,
      out_trade_no: input.outTradeNo,
      time_expire: beijingRfc3339(input.timeExpire),
      attach: input.attach,
      notify_url: input.notifyUrl,
      amount: { total: input.amountFen, currency: 'CNY' },
      payer: { openid: input.openid },
    });
    return { prepayId: json.prepay_id };
  }

  /** The parameters wx.requestPayment takes, signed with the merchant key. */
  requestPaymentParams(prepayId: string): RequestPaymentParams {
    const timeStamp = String(Math.floor(Date.now() / 1000));
    const nonceStr = nonce();
    const pkg = `prepay_id=${prepayId}`;
    return { appId: this.appid, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign: signFields(this.keys.merchantPrivateKeyPem, [this.appid, timeStamp, nonceStr, pkg]) };
  }

  async queryOrder(outTradeNo: string): Promise<GatewayTransaction | null> {
    try {
      // WeChat answers 400 PARAM_ERROR to a query without the merchant's mchid.
      return await this.answer(transactionJson, 'GET', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${this.mchid}`);
    } catch (err) {
      if (err instanceof WechatPayError && err.status === 404) return null;
      throw err;
    }
  }

  async closeOrder(outTradeNo: string): Promise<void> {
    // The body names the merchant: WeChat refuses a close without mchid.
    await this.call('POST', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`, { mchid: this.mchid });
  }

  async refund(input: { outTradeNo: string; outRefundNo: string; amountFen: number; totalFen: number; reason: string; notifyUrl: string }): Promise<GatewayRefund> {
    const { outRefundNo, status, refundId } = await this.answer(refundJson, 'POST', '/v3/refund/domestic/refunds', {
      out_trade_no: input.outTradeNo,
      out_refund_no: input.outRefundNo,
      reason: input.reason,
      notify_url: input.notifyUrl,
      amount: { refund: input.amountFen, total: input.totalFen, currency: 'CNY' },
    });
    return { outRefundNo, status, refundId };
  }

  async queryRefund(outRefundNo: string): Promise<GatewayRefund | null> {
    try {
      const { status, refundId } = await this.answer(refundJson, 'GET', `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`);
      return { outRefundNo, status, refundId };
    } catch (err) {
      if (err instanceof WechatPayError && err.status === 404) return null;
      throw err;
    }
  }

  parseNotification(input: { headers: Record<string, string | undefined>; rawBody: string }): GatewayNotification {
    const problem = checkGatewaySignature(input.headers, input.rawBody, { publicKeyPem: this.keys.platformPublicKeyPem, serial: this.keys.platformSerial });
    if (problem) throw new AppError('SIGNATURE_INVALID', `notification rejected: ${problem}`);
    let event: z.infer<typeof eventJson>;
    let plain: unknown;
    try {
      event = eventJson.parse(JSON.parse(input.rawBody));
      plain = JSON.parse(decryptResource(event.resource, this.keys.apiV3Key));
    } catch {
      throw new AppError('SIGNATURE_INVALID', 'notification rejected: the resource does not decrypt');
    }
    const eventType = event.event_type;
    const refund = eventType.startsWith('REFUND.') ? refundJson.safeParse(plain) : null;
    const transaction = refund ? null : transactionJson.safeParse(plain);
    if (refund?.success) return { kind: 'refund', eventId: event.id, eventType, refund: refund.data };
    if (transaction?.success) return { kind: 'transaction', eventId: event.id, eventType, transaction: transaction.data };
    throw new AppError('SIGNATURE_INVALID', `notification rejected: the ${refund ? 'refund' : 'transaction'} it carries lacks fields the hub needs`);
  }

  /**
   * Downloads and parses the day's trade bill (all trades), gzipped on the
   * wire, verifying the SHA1 of the original file (BOM included).
   */
  async tradeBill(date: string): Promise<TradeBillRow[]> {
    let meta: z.infer<typeof tradeBillJson>;
    try {
      meta = await this.answer(tradeBillJson, 'GET', `/v3/bill/tradebill?bill_date=${date}&bill_type=ALL&tar_type=GZIP`);
    } catch (err) {
      if (err instanceof WechatPayError && err.code === 'NO_STATEMENT_EXIST') return [];
      throw err;
    }
    const url = new URL(meta.download_url);
    const compressed = await this.download(url.pathname + url.search);
    let original: Buffer;
    try {
      original = gunzipSync(compressed);
    } catch {
      throw new WechatPayError(502, 'BILL_GZIP', 'the trade bill download is not a gzip file');
    }
    if (createHash('sha1').update(original).digest('hex') !== meta.hash_value.toLowerCase()) throw new WechatPayError(502, 'BILL_HASH', 'the trade bill does not match its SHA1');
    return parseTradeBill(original.toString('utf8'));
  }
}

/** Parses WeChat's trade bill CSV: a UTF-8 BOM, backtick-prefixed fields, yuan amounts, two totals lines at the end. */
export function parseTradeBill(csv: string): TradeBillRow[] {
  const lines = csv.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim());
  const header = lines[0].split(',');
  const totalsAt = lines.findIndex((l) => l.startsWith('总交易单数'));
  const rows = lines.slice(1, totalsAt < 0 ? undefined : totalsAt);
  const col = (name: string) => header.indexOf(name);
  const clean = (v: string | undefined) => (v ?? '').replace(/^`/, '');
  // Payment rows carry `0 in the refund-number columns: no refund.
  const refundNo = (v: string | undefined) => {
    const no = clean(v);
    return no && no !== '0' ? no : null;
  };
  return rows.map((line) => {
    const f = line.split(',');
    const refundFen = clean(f[col('退款金额')]);
    return {
      successTime: clean(f[col('交易时间')]),
      transactionId: clean(f[col('微信订单号')]),
      outTradeNo: clean(f[col('商户订单号')]),
      tradeState: clean(f[col('交易状态')]),
      totalFen: yuanToFen(clean(f[col('应结订单金额')]) || '0'),
      refundId: refundNo(f[col('微信退款单号')]),
      outRefundNo: refundNo(f[col('商户退款单号')]),
      refundFen: yuanToFen(refundFen || '0'),
    };
  });
}

