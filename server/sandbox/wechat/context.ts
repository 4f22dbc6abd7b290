import { createCipheriv, createPrivateKey, createPublicKey, createSign, createVerify, randomBytes, randomInt, type KeyObject } from 'node:crypto';
import type { Delivery, MockState } from './state';

/**
 * What the surfaces of the mock WeChat share: keys, clock, timers, the
 * platform signature, the notification cipher and WeChat's delivery
 * schedule. Written from the public wire format, sharing no code with the
 * hub, so that the hub's client is tested against the format and not
 * against itself.
 */
export interface MockKeys {
  appid: string;
  appSecret: string;
  mchid: string;
  merchantSerial: string;
  merchantPublicKeyPem: string;
  platformSerial: string;
  platformPrivateKeyPem: string;
  apiV3Key: string;
}

export interface MockWechatOptions {
  keys: MockKeys;
  /** 1 = WeChat's real schedule (15 s … 6 h); 0.001 compresses a day into ~90 s. */
  retryScheduleScale?: number;
  /** Probability that a notification is preceded by a WECHATPAY/SIGNTEST/ probe. */
  signTestProbeRate?: number;
  refundDelayMs?: number;
  /**
   * Scale-out tests: every notification is sent twice, as two independent
   * deliveries each retried until acknowledged (WeChat promises at-least-once,
   * not exactly-once).
   */
  duplicateNotifications?: boolean;
  /** Each delivery starts after a random 0…N ms, so notifications of different orders (and the two copies) arrive out of order. */
  notifyJitterMs?: number;
  now?: () => number;
}

/** WeChat's notification retry schedule after the first attempt, in seconds. */
export const RETRY_SCHEDULE_S = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600];

// Parsing a PEM costs more than the RSA operation itself; each key is parsed once (the mock signs every answer and notification).
const keyObjects = new Map<string, KeyObject>();
const keyOf = (pem: string, kind: 'private' | 'public'): KeyObject => {
  let key = keyObjects.get(pem);
  if (!key) keyObjects.set(pem, (key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem)));
  return key;
};
export const signFields = (pem: string, fields: string[]) => createSign('RSA-SHA256').update(fields.map((f) => `${f}\n`).join('')).sign(keyOf(pem, 'private'), 'base64');
export const verifyFields = (pem: string, fields: string[], sig: string) => {
  try {
    return createVerify('RSA-SHA256').update(fields.map((f) => `${f}\n`).join('')).verify(keyOf(pem, 'public'), sig, 'base64');
  } catch {
    return false;
  }
};

export const rfc3339 = (ms: number) => `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
export const beijingDate = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
export const yuan = (fen: number) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

/** n random decimal digits (n ≤ 12 per call: randomInt's range is below 2^48). */
const digits = (n: number): string => {
  let out = '';
  while (out.length < n) {
    const take = Math.min(12, n - out.length);
    out += String(randomInt(0, 10 ** take)).padStart(take, '0');
  }
  return out;
};
/** A 28-digit 微信支付订单号 as WeChat issues them: 4200, six digits, the Beijing date, ten digits. */
export const newTransactionId = (ms: number) => `4200${digits(6)}${beijingDate(ms).replace(/-/g, '')}${digits(10)}`;
/** A 29-digit 微信支付退款单号: 50300, five digits, the Beijing date, eleven digits. */
export const newRefundId = (ms: number) => `50300${digits(5)}${beijingDate(ms).replace(/-/g, '')}${digits(11)}`;

/** An error answer in WeChat's shape: HTTP status, code and a message (Chinese, as WeChat writes them). */
export class MockFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
export const fail = (status: number, code: string, message: string): never => {
  throw new MockFailure(status, code, message);
};

export function createContext(options: MockWechatOptions, state: MockState) {
  const keys = options.keys;
  const now = options.now ?? Date.now;
  const scale = options.retryScheduleScale ?? 1;
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  };

  /** The platform's response/notification signature headers over `timestamp\nnonce\nbody\n`. */
  const sign = (body: string) => {
    const ts = String(Math.floor(now() / 1000));
    const nonceStr = randomBytes(16).toString('hex');
    return { 'Wechatpay-Timestamp': ts, 'Wechatpay-Nonce': nonceStr, 'Wechatpay-Signature': signFields(keys.platformPrivateKeyPem, [ts, nonceStr, body]), 'Wechatpay-Serial': keys.platformSerial };
  };

  /** AES-256-GCM with the APIv3 key, a 12-byte nonce and the tag appended to the ciphertext. */
  const encrypt = (plain: unknown, associatedData: string) => {
    const iv = randomBytes(6).toString('hex');
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(keys.apiV3Key, 'utf8'), Buffer.from(iv, 'utf8'));
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ct = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { algorithm: 'AEAD_AES_256_GCM', ciphertext: ct.toString('base64'), associated_data: associatedData, nonce: iv };
  };

  const post = async (url: string, body: string, headers: Record<string, string>) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048', 'Request-ID': newRequestId(), ...headers }, body, signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  };

  /** Sends one event to notify_url until it is acknowledged with 200/204, on WeChat's schedule. */
  const notify = (url: string, eventType: string, outTradeNo: string, plain: unknown, originalType: string, summary: string) => {
    const eventId = `EV-${randomBytes(10).toString('hex')}`;
    const resource = { original_type: originalType, ...encrypt(plain, originalType) };
    const body = JSON.stringify({ id: eventId, create_time: rfc3339(now()), resource_type: 'encrypt-resource', event_type: eventType, summary, resource });
    const delivery: Delivery = { eventId, eventType, outTradeNo, attempts: 0, acknowledged: false, probes: 0 };
    state.deliveries.push(delivery);
    state.lastEvent.set(outTradeNo, { url, body, delivery });
    const attempt = async (n: number) => {
      if (options.signTestProbeRate && Math.random() < options.signTestProbeRate) {
        delivery.probes++;
        await post(url, body, { ...sign(body), 'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${randomBytes(32).toString('base64')}` }).catch(() => 0);
      }
      delivery.attempts++;
      const status = await post(url, body, sign(body)).catch(() => 0);
      if (status === 200 || status === 204) {
        delivery.acknowledged = true;
        return;
      }
      if (n < RETRY_SCHEDULE_S.length) later(RETRY_SCHEDULE_S[n] * 1000 * scale, () => void attempt(n + 1));
    };
    const copies = options.duplicateNotifications ? 2 : 1;
    if (copies > 1) delivery.copies = copies;
    for (let copy = 0; copy < copies; copy++) {
      const jitterMs = options.notifyJitterMs ? Math.random() * options.notifyJitterMs : 0;
      if (jitterMs) later(jitterMs, () => void attempt(0));
      else void attempt(0);
    }
  };

  const close = () => {
    closed = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };

  return { keys, options, state, now, later, sign, encrypt, post, notify, close };
}

export type MockContext = ReturnType<typeof createContext>;

/** WeChat's Request-ID: an opaque id per answer that its support asks for when a call is investigated. */
export const newRequestId = () => randomBytes(16).toString('hex').toUpperCase();
