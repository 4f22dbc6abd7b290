import { beijingDate } from './context';
import { startSdkMerchant, type SdkMerchant } from './sdk-merchant';

/** Pay v3 transactions as strict as WeChat, checked with the wechatpay-node-v3 SDK as the merchant. */
describe('mock WeChat Pay v3 transactions', () => {
  let w: SdkMerchant;
  beforeAll(async () => {
    w = await startSdkMerchant();
  });
  afterAll(() => w.stop());

  const query = (no: string, mchid: string | null = w.keys.mchid) => w.call('GET', `/v3/pay/transactions/out-trade-no/${no}${mchid === null ? '' : `?mchid=${mchid}`}`);

  it('writes trade_state_desc in Chinese as WeChat does, through unpaid, paid, refunded and closed', async () => {
    await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('DESC00000001', 100));
    expect((await query('DESC00000001')).json).toMatchObject({ trade_state: 'NOTPAY', trade_state_desc: '订单未支付' });
    await w.paidOrder('DESC00000002', 100);
    expect((await query('DESC00000002')).json).toMatchObject({ trade_state: 'SUCCESS', trade_state_desc: '支付成功' });
    expect((await w.call('POST', '/v3/refund/domestic/refunds', w.refundBody('DESC00000002', 'RDESC00000002', 100, 100))).status).toBe(200);
    expect((await query('DESC00000002')).json).toMatchObject({ trade_state: 'REFUND', trade_state_desc: '转入退款' });
    expect((await w.call('POST', '/v3/pay/transactions/out-trade-no/DESC00000001/close', { mchid: w.keys.mchid })).status).toBe(204);
    const closed = await query('DESC00000001');
    expect(closed.verified).toBe(true);
    expect(closed.json).toMatchObject({ trade_state: 'CLOSED', trade_state_desc: '订单已关闭' });
  });

  it('answers an unpaid or closed order without bank_type, transaction_id, success_time or payer; a paid one with all of them', async () => {
    await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('UNPAID000001', 500));
    await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('UNPAID000002', 500));
    await w.call('POST', '/v3/pay/transactions/out-trade-no/UNPAID000002/close', { mchid: w.keys.mchid });
    for (const no of ['UNPAID000001', 'UNPAID000002']) {
      const { json, verified } = await query(no);
      expect(verified).toBe(true);
      for (const field of ['bank_type', 'transaction_id', 'success_time', 'payer']) expect(json).not.toHaveProperty(field);
      expect(json?.amount).toEqual({ total: 500, currency: 'CNY', payer_currency: 'CNY' });
    }
    await w.paidOrder('PAID00000001', 500);
    const paid = (await query('PAID00000001')).json;
    expect(paid).toMatchObject({ bank_type: 'OTHERS', trade_type: 'JSAPI', payer: { openid: 'oSDKpayer0000000000000000001' }, amount: { total: 500, payer_total: 500 } });
    expect(paid?.success_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  });

  it('refuses a query without mchid or with another merchant\'s, with 400 PARAM_ERROR in Chinese', async () => {
    const trade = await w.paidOrder('MCHID0000001', 300);
    for (const res of [await query('MCHID0000001', null), await query('MCHID0000001', '1900000999'), await w.call('GET', `/v3/pay/transactions/id/${trade.transactionId}`), await w.call('GET', `/v3/pay/transactions/id/${trade.transactionId}?mchid=1900000999`)]) {
      expect(res.status).toBe(400);
      expect(res.verified).toBe(true);
      expect(res.json?.code).toBe('PARAM_ERROR');
      expect(res.json?.message).toMatch(/mchid/);
      expect(res.json?.message).toMatch(/[\u4e00-\u9fff]/);
    }
    expect((await w.call('GET', `/v3/pay/transactions/id/${trade.transactionId}?mchid=${w.keys.mchid}`)).json).toMatchObject({ out_trade_no: 'MCHID0000001' });
  });

  it('refuses close and prepay without the right mchid, and changes nothing', async () => {
    await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('MCHID0000002', 300));
    for (const body of [{}, { mchid: '1900000999' }]) {
      const res = await w.call('POST', '/v3/pay/transactions/out-trade-no/MCHID0000002/close', body);
      expect(res.status).toBe(400);
      expect(res.json?.code).toBe('PARAM_ERROR');
    }
    expect(w.mock.state.trades.get('MCHID0000002')?.state).toBe('NOTPAY');
    const prepay = await w.call('POST', '/v3/pay/transactions/jsapi', { ...w.jsapiOrder('MCHID0000003', 300), mchid: undefined });
    expect(prepay.status).toBe(400);
    expect(prepay.json).toMatchObject({ code: 'PARAM_ERROR' });
    expect(w.mock.state.trades.has('MCHID0000003')).toBe(false);
  });

  it('answers a repeated out_trade_no with other parameters 400 INVALID_REQUEST 201 商户订单号重复, and the same order with its prepay_id', async () => {
    const first = await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('DUPL00000001', 1000));
    const again = await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('DUPL00000001', 1000));
    expect(again.json?.prepay_id).toBe(first.json?.prepay_id);
    const changed = await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('DUPL00000001', 999));
    expect(changed.status).toBe(400);
    expect(changed.verified).toBe(true);
    expect(changed.json).toEqual({ code: 'INVALID_REQUEST', message: '201 商户订单号重复' });
    expect(w.mock.state.trades.get('DUPL00000001')?.totalFen).toBe(1000);
  });

  it('refuses to place a closed order again, even unchanged: 400 ORDER_CLOSED', async () => {
    await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('DUPL00000002', 1000));
    await w.call('POST', '/v3/pay/transactions/out-trade-no/DUPL00000002/close', { mchid: w.keys.mchid });
    const again = await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('DUPL00000002', 1000));
    expect(again.status).toBe(400);
    expect(again.json).toMatchObject({ code: 'ORDER_CLOSED', message: '订单已关闭' });
    expect(w.mock.state.trades.get('DUPL00000002')?.state).toBe('CLOSED');
  });

  it('issues transaction ids of WeChat\'s 28 digits (4200…, the Beijing date inside), in the notification and the query', async () => {
    await w.paidOrder('DIGITS000001', 700);
    const { resource } = await w.notification('TRANSACTION.SUCCESS', 'DIGITS000001');
    const id = String(resource.transaction_id);
    expect(id).toMatch(/^4200\d{24}$/);
    expect(id.slice(10, 18)).toBe(beijingDate(Date.now()).replace(/-/g, ''));
    expect((await query('DIGITS000001')).json?.transaction_id).toBe(id);
    const second = await w.paidOrder('DIGITS000002', 700);
    expect(second.transactionId).not.toBe(id);
  });
  it('gives the same order placed again after its prepay_id\'s two hours a new prepay_id, and the old one no longer opens the cashier', async () => {
    const first = (await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('PREPAY000001', 800))).json?.prepay_id;
    expect((await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('PREPAY000001', 800))).json?.prepay_id).toBe(first);
    const trade = w.mock.state.trades.get('PREPAY000001');
    if (!trade) throw new Error('the mock kept no trade');
    // Two hours pass for the prepay only (the merchant's signed calls are checked against the real clock).
    trade.expiresAt = Date.now() - 1;
    const again = await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('PREPAY000001', 800));
    expect(again.status).toBe(200);
    expect(again.json?.prepay_id).toMatch(/^wx[0-9a-f]{32}$/);
    expect(again.json?.prepay_id).not.toBe(first);
    expect((await fetch(`${w.gateway.url}/sandbox/cashier/order?prepay_id=${String(first)}`)).status).toBe(404);
    expect((await fetch(`${w.gateway.url}/sandbox/cashier/order?prepay_id=${String(again.json?.prepay_id)}`)).status).toBe(200);
  });
});
