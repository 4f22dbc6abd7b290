import { createSign, randomBytes } from 'node:crypto';
import { waitUntil } from '../../test/support/wait';
import { startSdkMerchant, type SdkMerchant } from './sdk-merchant';

/**
 * The mock gateway's signatures, encryption and delivery, proven against a
 * public WeChat Pay SDK (wechatpay-node-v3) playing the merchant.
 * Surface-specific behaviour: transactions.test.ts, refunds.test.ts, bills.test.ts.
 */
describe('mock WeChat Pay v3 against the wechatpay-node-v3 SDK', () => {
  let w: SdkMerchant;
  beforeAll(async () => {
    w = await startSdkMerchant();
  });
  afterAll(() => w.stop());

  it('accepts an SDK-signed JSAPI prepay and signs its answer with the PUB_KEY_ID key', async () => {
    const res = await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('SDK0000000001'));
    expect(res.status).toBe(200);
    expect(res.json?.prepay_id).toMatch(/^wx/);
    expect(res.headers.get('wechatpay-serial')).toMatch(/^PUB_KEY_ID_/);
    expect(res.verified).toBe(true);
  });

  it('rejects a request whose body was changed after the SDK signed it, with 401 SIGN_ERROR', async () => {
    const body = w.jsapiOrder('SDK0000000002');
    const res = await fetch(`${w.gateway.url}/v3/pay/transactions/jsapi`, {
      method: 'POST',
      headers: { authorization: w.authorization('POST', '/v3/pay/transactions/jsapi', body), 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, amount: { total: 1, currency: 'CNY' } }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('SIGN_ERROR');
    expect(w.mock.state.trades.has('SDK0000000002')).toBe(false);
  });

  it('rejects a signature more than five minutes old', async () => {
    const body = JSON.stringify(w.jsapiOrder('SDK0000000003'));
    const ts = String(Math.floor(Date.now() / 1000) - 301);
    const nonceStr = randomBytes(8).toString('hex');
    const sig = createSign('RSA-SHA256').update(`POST\n/v3/pay/transactions/jsapi\n${ts}\n${nonceStr}\n${body}\n`).sign(w.keys.merchantPrivateKeyPem, 'base64');
    const res = await fetch(`${w.gateway.url}/v3/pay/transactions/jsapi`, {
      method: 'POST',
      headers: { authorization: w.sdk.getAuthorization(nonceStr, ts, sig), 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(401);
  });

  it('answers a body that is not JSON with a signed 400 PARAM_ERROR, and places nothing', async () => {
    const body = '{"out_trade_no":"SDK0000000009",';
    const ts = String(Math.floor(Date.now() / 1000));
    const nonceStr = randomBytes(8).toString('hex');
    const sig = createSign('RSA-SHA256').update(`POST\n/v3/pay/transactions/jsapi\n${ts}\n${nonceStr}\n${body}\n`).sign(w.keys.merchantPrivateKeyPem, 'base64');
    const res = await fetch(`${w.gateway.url}/v3/pay/transactions/jsapi`, {
      method: 'POST',
      headers: { authorization: w.sdk.getAuthorization(nonceStr, ts, sig), 'content-type': 'application/json' },
      body,
    });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ code: 'PARAM_ERROR' });
    const h = (name: string) => res.headers.get(name) ?? '';
    expect(await w.sdk.verifySign({ timestamp: h('wechatpay-timestamp'), nonce: h('wechatpay-nonce'), body: text, serial: h('wechatpay-serial'), signature: h('wechatpay-signature') })).toBe(true);
    expect(w.mock.state.trades.has('SDK0000000009')).toBe(false);
  });

  it('sends a payment notification the SDK verifies and decrypts, retrying until acknowledged', async () => {
    await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('SDK0000000004', 2345));
    w.merchantState.ackStatus = 500; // the merchant fails the first delivery: the mock must try again
    w.received.length = 0;
    const trade = w.mock.state.trades.get('SDK0000000004');
    if (!trade) throw new Error('no trade');
    w.mock.pay(trade);
    await waitUntil(() => w.received.length >= 1);
    w.merchantState.ackStatus = 204;
    await waitUntil(() => w.received.length >= 2);
    const { verified, event, resource } = await w.open(w.received[1]);
    expect(verified).toBe(true);
    expect(event.event_type).toBe('TRANSACTION.SUCCESS');
    expect(event.resource.original_type).toBe('transaction');
    expect(w.received[1].headers['request-id']).toMatch(/^[0-9A-F]{32}$/);
    expect(resource).toMatchObject({ out_trade_no: 'SDK0000000004', trade_state: 'SUCCESS', trade_state_desc: '支付成功', amount: { total: 2345, payer_total: 2345 }, appid: w.keys.appid, mchid: w.keys.mchid });
    const delivery = w.mock.state.deliveries.find((d) => d.outTradeNo === 'SDK0000000004');
    await waitUntil(() => delivery?.acknowledged === true);
    expect(delivery?.attempts).toBe(2);
  });

  it('puts a distinct Request-ID on every Pay v3 answer: successes, errors and refusals (the bill file: bills.test.ts)', async () => {
    const answers = [
      await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('SDK0000000005')),
      await w.call('GET', `/v3/pay/transactions/out-trade-no/SDK0000000005?mchid=${w.keys.mchid}`),
      await w.call('GET', `/v3/pay/transactions/out-trade-no/NOSUCHORDER?mchid=${w.keys.mchid}`),
      await w.call('POST', '/v3/pay/transactions/out-trade-no/SDK0000000005/close', { mchid: w.keys.mchid }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 404, 204]);
    const unsigned = await fetch(`${w.gateway.url}/v3/pay/transactions/out-trade-no/SDK0000000005?mchid=${w.keys.mchid}`);
    expect(unsigned.status).toBe(401);
    const ids = [...answers.map((a) => a.headers.get('request-id')), unsigned.headers.get('request-id')];
    for (const id of ids) expect(id).toMatch(/^[0-9A-F]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the sandbox cashier pays only a requestPayment whose paySign verifies, and only once', async () => {
    const { json } = await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('SDK0000000006', 990));
    const pkg = `prepay_id=${String(json?.prepay_id)}`;
    const timeStamp = String(Math.floor(Date.now() / 1000));
    const nonceStr = randomBytes(8).toString('hex');
    const paySign = createSign('RSA-SHA256').update(`${w.keys.appid}\n${timeStamp}\n${nonceStr}\n${pkg}\n`).sign(w.keys.merchantPrivateKeyPem, 'base64');
    const pay = (params: Record<string, string>) =>
      fetch(`${w.gateway.url}/sandbox/cashier/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appId: w.keys.appid, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign, action: 'confirm', ...params }) });
    const forged = await pay({ timeStamp: String(Number(timeStamp) + 1) });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ code: 'SIGN_ERROR', message: expect.stringMatching(/paySign/) });
    expect(w.mock.state.trades.get('SDK0000000006')?.state).toBe('NOTPAY');
    const paid = await pay({});
    expect(await paid.json()).toEqual({ errMsg: 'requestPayment:ok', transactionId: expect.stringMatching(/^4200\d{24}$/) });
    expect(w.mock.state.trades.get('SDK0000000006')?.state).toBe('SUCCESS');
    const twice = await pay({});
    expect(twice.status).toBe(400);
    expect(await twice.json()).toMatchObject({ code: 'ORDER_STATE' });
  });

  it('jscode2session exchanges a wx.login code once, and only with the right secret', async () => {
    const { code } = (await (await fetch(`${w.gateway.url}/sandbox/client/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userKey: 'alice' }) })).json()) as { code: string };
    const exchange = (secret: string) => fetch(`${w.gateway.url}/sns/jscode2session?appid=${w.keys.appid}&secret=${secret}&js_code=${code}&grant_type=authorization_code`).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect((await exchange('wrong')).errcode).toBe(40013);
    const first = await exchange(w.keys.appSecret);
    expect(first.openid).toMatch(/^o/);
    expect(first.session_key).toBeTruthy();
    expect((await exchange(w.keys.appSecret)).errcode).toBe(40029);
  });
});
