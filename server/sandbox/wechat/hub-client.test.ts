import { WechatPayError, WechatPayGateway } from '../../src/payments/wechatpay/client';
import { startSdkMerchant, type SdkMerchant } from './sdk-merchant';

/**
 * The hub's own WeChat Pay client against the strict mock: it must send what
 * WeChat requires (mchid on queries and close) and read what WeChat sends
 * (digit ids, the refund breakdown, a BOM-prefixed gzipped trade bill whose
 * file stream is unsigned).
 */
describe('the hub WeChat Pay client against the strict mock', () => {
  let w: SdkMerchant;
  let hub: WechatPayGateway;
  beforeAll(async () => {
    w = await startSdkMerchant({ refundDelayMs: 20 });
    hub = new WechatPayGateway(w.keys, { baseUrl: w.gateway.url });
  });
  afterAll(() => w.stop());

  it('queries and closes orders with its mchid, reading unpaid and paid answers', async () => {
    await hub.createPrepay({ outTradeNo: 'HUB000000001', description: '国网电费-户号****0001', amountFen: 4321, openid: 'oHUBpayer', notifyUrl: `${w.merchant.url}/notify`, timeExpire: new Date(Date.now() + 15 * 60_000), attach: 'order-1' });
    expect(await hub.queryOrder('HUB000000001')).toMatchObject({ tradeState: 'NOTPAY', transactionId: null, successTime: null, amountFen: 4321 });
    await hub.closeOrder('HUB000000001');
    expect((await hub.queryOrder('HUB000000001'))?.tradeState).toBe('CLOSED');
    expect(await hub.queryOrder('HUB000000404')).toBeNull();
    const paid = await w.paidOrder('HUB000000002', 5000);
    expect(await hub.queryOrder('HUB000000002')).toMatchObject({ tradeState: 'SUCCESS', transactionId: paid.transactionId, amountFen: 5000, mchid: w.keys.mchid });
  });

  it('places the same order again for its prepay_id, and learns of a changed one with WeChat\'s code and Request-ID', async () => {
    const order = { outTradeNo: 'HUB000000003', description: '燃气费', amountFen: 900, openid: 'oHUBpayer', notifyUrl: `${w.merchant.url}/notify`, timeExpire: new Date(Date.now() + 15 * 60_000) };
    const { prepayId } = await hub.createPrepay(order);
    expect((await hub.createPrepay(order)).prepayId).toBe(prepayId);
    const err = await hub.createPrepay({ ...order, amountFen: 901 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WechatPayError);
    expect(err).toMatchObject({ status: 400, code: 'INVALID_REQUEST', message: '201 商户订单号重复', requestId: expect.stringMatching(/^[0-9A-F]{32}$/) });
  });

  it('refunds and reads the refund and its notification', async () => {
    await w.paidOrder('HUB000000004', 3000);
    const refund = await hub.refund({ outTradeNo: 'HUB000000004', outRefundNo: 'RFHUB000000004', amountFen: 3000, totalFen: 3000, reason: '缴费单位未能销账', notifyUrl: `${w.merchant.url}/notify` });
    expect(refund).toEqual({ outRefundNo: 'RFHUB000000004', status: 'PROCESSING', refundId: expect.stringMatching(/^50300\d{24}$/) });
    const note = await w.notification('REFUND.SUCCESS', 'HUB000000004');
    const raw = w.received.find((n) => n.body.includes(String(note.event.id)));
    if (!raw) throw new Error('notification not kept');
    const headers = Object.fromEntries(Object.entries(raw.headers).map(([k, v]) => [k, String(v)]));
    expect(hub.parseNotification({ headers, rawBody: raw.body })).toMatchObject({ kind: 'refund', refund: { outRefundNo: 'RFHUB000000004', status: 'SUCCESS', outTradeNo: 'HUB000000004', refundId: refund.refundId } });
    expect(await hub.queryRefund('RFHUB000000004')).toEqual({ ...refund, status: 'SUCCESS' });
  });

  it('downloads the day\'s trade bill gzipped, checks its SHA1 over the BOM-prefixed original and parses it', async () => {
    const paid = await w.paidOrder('HUB000000005', 12345);
    const date = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const rows = await hub.tradeBill(date);
    const row = rows.find((r) => r.outTradeNo === 'HUB000000005');
    expect(row).toMatchObject({ transactionId: paid.transactionId, tradeState: 'SUCCESS', totalFen: 12345, refundFen: 0, refundId: null });
    // The first column keeps its name although the file starts with a BOM: the time is read.
    expect(row?.successTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(rows.find((r) => r.outRefundNo === 'RFHUB000000004')).toMatchObject({ tradeState: 'REFUND', refundFen: 3000 });
  });

  it('finds an empty day empty, and a bill date WeChat refuses an error', async () => {
    const twoDaysAgo = new Date(Date.now() + 8 * 3600_000 - 2 * 86_400_000).toISOString().slice(0, 10);
    expect(await hub.tradeBill(twoDaysAgo)).toEqual([]);
    await expect(hub.tradeBill('2026-02-30')).rejects.toMatchObject({ status: 400, code: 'PARAM_ERROR' });
  });
});
