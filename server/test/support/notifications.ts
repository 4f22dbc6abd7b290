import { createCipheriv, createSign, randomBytes } from 'node:crypto';
import type { WechatKeys } from '../../src/payments/wechatpay/keys';

/**
 * Builds WeChat Pay v3 payment notifications from the public wire format,
 * to test the hub's notify endpoint with genuine, forged, stale and tampered
 * copies. Each option changes one thing from a genuine notification.
 */
export interface NotificationOptions {
  outTradeNo: string;
  amountFen: number;
  transactionId?: string;
  /** Sign with this key instead of the platform key (a forgery). */
  signingKeyPem?: string;
  /** Wechatpay-Serial header (default: the platform's PUB_KEY_ID). */
  serial?: string;
  /** Seconds added to now for Wechatpay-Timestamp. */
  timestampOffsetS?: number;
  /** A WECHATPAY/SIGNTEST/ probe signature. */
  signTest?: boolean;
  /** Change the body after signing. */
  tamperAfterSigning?: (body: string) => string;
  appid?: string;
  mchid?: string;
}

export function buildNotification(keys: WechatKeys, o: NotificationOptions): { headers: Record<string, string>; body: string } {
  const plain = {
    appid: o.appid ?? keys.appid,
    mchid: o.mchid ?? keys.mchid,
    out_trade_no: o.outTradeNo,
    transaction_id: o.transactionId ?? `4200${randomBytes(10).toString('hex')}`,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    success_time: new Date().toISOString().replace(/\.\d+Z$/, '+00:00'),
    payer: { openid: 'oTestPayer' },
    amount: { total: o.amountFen, payer_total: o.amountFen, currency: 'CNY', payer_currency: 'CNY' },
  };
  const iv = randomBytes(6).toString('hex');
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(keys.apiV3Key, 'utf8'), Buffer.from(iv, 'utf8'));
  cipher.setAAD(Buffer.from('transaction', 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
  const signed = JSON.stringify({
    id: `EV-${randomBytes(8).toString('hex')}`,
    create_time: plain.success_time,
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: 'transaction', nonce: iv },
  });
  const timestamp = String(Math.floor(Date.now() / 1000) + (o.timestampOffsetS ?? 0));
  const nonce = randomBytes(16).toString('hex');
  const signature = o.signTest
    ? `WECHATPAY/SIGNTEST/${randomBytes(32).toString('base64')}`
    : createSign('RSA-SHA256').update(`${timestamp}\n${nonce}\n${signed}\n`).sign(o.signingKeyPem ?? keys.platformPrivateKeyPem, 'base64');
  return {
    body: o.tamperAfterSigning ? o.tamperAfterSigning(signed) : signed,
    headers: {
      'content-type': 'application/json',
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-signature': signature,
      'wechatpay-serial': o.serial ?? keys.platformSerial,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    },
  };
}
