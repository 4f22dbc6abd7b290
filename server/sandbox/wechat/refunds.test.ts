import { startSdkMerchant, type SdkMerchant } from './sdk-merchant';

/** Refunds as WeChat answers and notifies them, checked with the wechatpay-node-v3 SDK as the merchant. */
describe('mock WeChat Pay v3 refunds', () => {
  let w: SdkMerchant;
  beforeAll(async () => {
    // Refunds stay PROCESSING long enough to see the create answer before the money is back.
    w = await startSdkMerchant({ refundDelayMs: 200 });
  });
  afterAll(() => w.stop());

  const REFUND_ID = /^50300\d{24}$/;

  it('answers a refund with every field WeChat sends: ids, channel, account, the amount breakdown, promotions', async () => {
    const trade = await w.paidOrder('REFUND000001', 2000);
    const res = await w.call('POST', '/v3/refund/domestic/refunds', w.refundBody('REFUND000001', 'RREFUND000001', 1500, 2000));
    expect(res.status).toBe(200);
    expect(res.verified).toBe(true);
    expect(res.json).toEqual({
      refund_id: expect.stringMatching(REFUND_ID),
      out_refund_no: 'RREFUND000001',
      transaction_id: trade.transactionId,
      out_trade_no: 'REFUND000001',
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      create_time: expect.stringMatching(/\+08:00$/),
      status: 'PROCESSING',
      funds_account: 'AVAILABLE',
      amount: { total: 2000, refund: 1500, from: [], payer_total: 2000, payer_refund: 1500, settlement_refund: 1500, settlement_total: 2000, discount_refund: 0, currency: 'CNY', refund_fee: 0 },
      promotion_detail: [],
    });
  });

  it('answers a refund query the same way, with success_time once the refund succeeded and not before', async () => {
    await w.paidOrder('REFUND000002', 800);
    const created = await w.call('POST', '/v3/refund/domestic/refunds', w.refundBody('REFUND000002', 'RREFUND000002', 800, 800));
    const processing = await w.call('GET', '/v3/refund/domestic/refunds/RREFUND000002');
    expect(processing.verified).toBe(true);
    expect(processing.json).toMatchObject({ status: 'PROCESSING', refund_id: created.json?.refund_id, channel: 'ORIGINAL' });
    expect(processing.json).not.toHaveProperty('success_time');
    await w.notification('REFUND.SUCCESS', 'REFUND000002');
    const done = await w.call('GET', '/v3/refund/domestic/refunds/RREFUND000002');
    expect(done.json).toMatchObject({
      status: 'SUCCESS',
      success_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/),
      transaction_id: expect.stringMatching(/^4200\d{24}$/),
      user_received_account: '支付用户零钱',
      amount: { payer_refund: 800, settlement_refund: 800, settlement_total: 800, discount_refund: 0 },
    });
  });

  it('sends REFUND.SUCCESS the SDK verifies and decrypts, naming the transaction, the refund and where the money went', async () => {
    const trade = await w.paidOrder('REFUND000003', 1200);
    const created = await w.call('POST', '/v3/refund/domestic/refunds', w.refundBody('REFUND000003', 'RREFUND000003', 1200, 1200));
    const { verified, event, resource } = await w.notification('REFUND.SUCCESS', 'REFUND000003');
    expect(verified).toBe(true);
    expect(event).toMatchObject({ event_type: 'REFUND.SUCCESS', summary: '退款成功', resource: { original_type: 'refund', associated_data: 'refund', algorithm: 'AEAD_AES_256_GCM' } });
    expect(resource).toEqual({
      mchid: w.keys.mchid,
      transaction_id: trade.transactionId,
      out_trade_no: 'REFUND000003',
      refund_id: created.json?.refund_id,
      out_refund_no: 'RREFUND000003',
      refund_status: 'SUCCESS',
      success_time: expect.stringMatching(/\+08:00$/),
      user_received_account: '支付用户零钱',
      amount: { total: 1200, refund: 1200, payer_total: 1200, payer_refund: 1200 },
    });
  });

  it('is idempotent on out_refund_no and refuses more than was paid or an unpaid order, creating nothing', async () => {
    await w.paidOrder('REFUND000004', 1000);
    const first = await w.call('POST', '/v3/refund/domestic/refunds', w.refundBody('REFUND000004', 'RREFUND000004', 600, 1000));
    const again = await w.call('POST', '/v3/refund/domestic/refunds', w.refundBody('REFUND000004', 'RREFUND000004', 600, 1000));
    expect(again.json?.refund_id).toBe(first.json?.refund_id);
    const tooMuch = await w.call('POST', '/v3/refund/domestic/refunds', w.refundBody('REFUND000004', 'RREFUND000004B', 500, 1000));
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.json?.message).toMatch(/[\u4e00-\u9fff]/);
    await w.call('POST', '/v3/pay/transactions/jsapi', w.jsapiOrder('REFUND000005', 1000));
    const unpaid = await w.call('POST', '/v3/refund/domestic/refunds', w.refundBody('REFUND000005', 'RREFUND000005', 100, 1000));
    expect(unpaid.status).toBe(400);
    expect(unpaid.verified).toBe(true);
    expect([...w.mock.state.refunds.keys()].filter((no) => no.startsWith('RREFUND000004') || no === 'RREFUND000005')).toEqual(['RREFUND000004']);
  });
});
