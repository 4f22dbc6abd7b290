import { createHash, createSign, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WxPay from 'wechatpay-node-v3';
import { beijingDate } from '../../src/infra/beijing-time';
import { generateDevKeys } from '../../src/payments/wechatpay/keys';
import { waitUntil } from '../../test/support/wait';
import { createMockWechat } from './mock';

/**
 * The mock gateway proven against a public WeChat Pay SDK (wechatpay-node-v3)
 * playing the merchant: the SDK signs requests the mock must accept, and
 * verifies and decrypts what the mock sends back. The hub's own client is
 * not involved, so the mock cannot merely agree with itself.
 */
const keys = generateDevKeys();

function listen(handler: http.RequestListener): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

describe('mock WeChat Pay v3 against the wechatpay-node-v3 SDK', () => {
  const mock = createMockWechat({ keys, retryScheduleScale: 0.001, refundDelayMs: 10 });
  const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  let ackStatus = 204;
  let gateway: { url: string; server: http.Server };
  let merchant: { url: string; server: http.Server };
  const sdk = new WxPay({
    appid: keys.appid,
    mchid: keys.mchid,
    serial_no: keys.merchantSerial,
    publicKey: Buffer.from(keys.merchantPublicKeyPem),
    privateKey: Buffer.from(keys.merchantPrivateKeyPem),
    key: keys.apiV3Key,
  });

  beforeAll(async () => {
    gateway = await listen(mock.app.callback());
    merchant = await listen((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = ackStatus;
        res.end();
      });
    });
    // "WeChat Pay public key" mode: the SDK looks keys up by the PUB_KEY_ID serial.
    (WxPay as unknown as { certificates: Record<string, string> }).certificates[keys.platformSerial] = keys.platformPublicKeyPem;
  });
  afterAll(async () => {
    mock.close();
    for (const s of [gateway.server, merchant.server]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  /** The SDK's Authorization header for a request (its own signature and header builders). */
  function sdkAuthorization(method: string, pathWithQuery: string, body?: Record<string, unknown>): string {
    const nonceStr = randomBytes(8).toString('hex');
    const timestamp = String(Math.floor(Date.now() / 1000));
    return sdk.getAuthorization(nonceStr, timestamp, sdk.getSignature(method, nonceStr, timestamp, pathWithQuery, body));
  }

  /** A request signed by the SDK, sent as the SDK would send it. */
  async function sdkCall(method: 'GET' | 'POST', path: string, body?: Record<string, unknown>) {
    const authorization = sdkAuthorization(method, path, body);
    const res = await fetch(gateway.url + path, {
      method,
      headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const h = (name: string) => res.headers.get(name) ?? '';
    const verified = await sdk.verifySign({ timestamp: h('wechatpay-timestamp'), nonce: h('wechatpay-nonce'), body: text, serial: h('wechatpay-serial'), signature: h('wechatpay-signature') });
    return { status: res.status, json: text ? JSON.parse(text) : null, verified, serial: h('wechatpay-serial') };
  }

  const jsapiOrder = (outTradeNo: string, total = 18650) => ({
    appid: keys.appid,
    mchid: keys.mchid,
    description: '国网电费-户号****0001',
    out_trade_no: outTradeNo,
    notify_url: `${merchant.url}/notify`,
    amount: { total, currency: 'CNY' },
    payer: { openid: 'oSDKpayer0000000000000000001' },
  });

  it('accepts an SDK-signed JSAPI prepay and signs its answer with the PUB_KEY_ID key', async () => {
    const res = await sdkCall('POST', '/v3/pay/transactions/jsapi', jsapiOrder('SDK0000000001'));
    expect(res.status).toBe(200);
    expect(res.json.prepay_id).toMatch(/^wx/);
    expect(res.serial).toMatch(/^PUB_KEY_ID_/);
    expect(res.verified).toBe(true);
  });

  it('rejects a request whose body was changed after the SDK signed it, with 401 SIGN_ERROR', async () => {
    const body = jsapiOrder('SDK0000000002');
    const authorization = sdkAuthorization('POST', '/v3/pay/transactions/jsapi', body);
    const res = await fetch(`${gateway.url}/v3/pay/transactions/jsapi`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, amount: { total: 1, currency: 'CNY' } }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('SIGN_ERROR');
  });

  it('rejects a signature more than five minutes old', async () => {
    const body = JSON.stringify(jsapiOrder('SDK0000000003'));
    const ts = String(Math.floor(Date.now() / 1000) - 301);
    const nonceStr = randomBytes(8).toString('hex');
    const sig = createSign('RSA-SHA256').update(`POST\n/v3/pay/transactions/jsapi\n${ts}\n${nonceStr}\n${body}\n`).sign(keys.merchantPrivateKeyPem, 'base64');
    const res = await fetch(`${gateway.url}/v3/pay/transactions/jsapi`, {
      method: 'POST',
      headers: { authorization: sdk.getAuthorization(nonceStr, ts, sig), 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(401);
  });

  it('sends a payment notification the SDK verifies and decrypts, retrying until acknowledged', async () => {
    const order = jsapiOrder('SDK0000000004', 2345);
    const { json } = await sdkCall('POST', '/v3/pay/transactions/jsapi', order);
    ackStatus = 500; // the merchant fails the first delivery: the mock must try again
    received.length = 0;
    mock.pay(mock.state.trades.get('SDK0000000004')!);
    await waitUntil(() => received.length >= 1);
    ackStatus = 204;
    await waitUntil(() => received.length >= 2);
    const { headers, body } = received[1];
    const verified = await sdk.verifySign({
      timestamp: String(headers['wechatpay-timestamp']),
      nonce: String(headers['wechatpay-nonce']),
      body,
      serial: String(headers['wechatpay-serial']),
      signature: String(headers['wechatpay-signature']),
    });
    expect(verified).toBe(true);
    const event = JSON.parse(body);
    expect(event.event_type).toBe('TRANSACTION.SUCCESS');
    const resource = sdk.decipher_gcm<Record<string, any>>(event.resource.ciphertext, event.resource.associated_data, event.resource.nonce, keys.apiV3Key);
    expect(resource).toMatchObject({ out_trade_no: 'SDK0000000004', trade_state: 'SUCCESS', amount: { total: 2345 }, appid: keys.appid, mchid: keys.mchid });
    expect(json.prepay_id).toBeTruthy();
    const delivery = mock.state.deliveries.find((d) => d.outTradeNo === 'SDK0000000004')!;
    await waitUntil(() => delivery.acknowledged);
    expect(delivery.attempts).toBe(2);
  });

  it('answers order query, refund and the trade bill in the v3 format', async () => {
    const q = await sdkCall('GET', `/v3/pay/transactions/out-trade-no/SDK0000000004?mchid=${keys.mchid}`);
    expect(q.verified).toBe(true);
    expect(q.json).toMatchObject({ trade_state: 'SUCCESS', amount: { total: 2345 } });
    const refund = await sdkCall('POST', '/v3/refund/domestic/refunds', { out_trade_no: 'SDK0000000004', out_refund_no: 'RSDK0000000004', reason: '测试', notify_url: `${merchant.url}/notify`, amount: { refund: 2345, total: 2345, currency: 'CNY' } });
    expect(refund.status).toBe(200);
    expect(refund.verified).toBe(true);
    const date = beijingDate();
    const bill = await sdkCall('GET', `/v3/bill/tradebill?bill_date=${date}`);
    expect(bill.verified).toBe(true);
    // The download is a v3 call too: signed by the merchant like any other.
    const download = new URL(bill.json.download_url);
    const authorization = sdkAuthorization('GET', `${download.pathname}${download.search}`);
    const csv = await (await fetch(download, { headers: { authorization } })).text();
    expect(createHash('sha1').update(csv).digest('hex')).toBe(bill.json.hash_value);
    expect(csv).toContain('`SDK0000000004');
    expect(csv).toContain('`23.45');
  });

  it('jscode2session exchanges a wx.login code once, and only with the right secret', async () => {
    const { code } = (await (await fetch(`${gateway.url}/sandbox/client/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userKey: 'alice' }) })).json()) as { code: string };
    const exchange = (secret: string) => fetch(`${gateway.url}/sns/jscode2session?appid=${keys.appid}&secret=${secret}&js_code=${code}&grant_type=authorization_code`).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect((await exchange('wrong')).errcode).toBe(40013);
    const first = await exchange(keys.appSecret);
    expect(first.openid).toMatch(/^o/);
    expect(first.session_key).toBeTruthy();
    expect((await exchange(keys.appSecret)).errcode).toBe(40029);
  });
});
