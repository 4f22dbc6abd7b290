import { parseTradeBill } from './client';

/** The hub's reading of WeChat's trade bill file, as WeChat writes it. */
describe('parseTradeBill', () => {
  const header =
    '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
  const payment = '`2026-11-23 10:15:02,`wxd0c1tyhub0000001,`1900000109,`0,`,`4200000991202611238853086457,`CH20261123A1,`oPayer,`JSAPI,`SUCCESS,`OTHERS,`CNY,`186.50,`0.00,`0,`0,`0.00,`0.00,`,`,`国网电费,`,`0.00,`0.60%,`186.50,`0.00,`';
  const refund = '`2026-11-23 11:00:40,`wxd0c1tyhub0000001,`1900000109,`0,`,`4200000991202611238853086457,`CH20261123A1,`oPayer,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`50300123452026112312345678901,`RF20261123A1,`50.25,`0.00,`ORIGINAL,`SUCCESS,`国网电费,`,`0.00,`0.60%,`186.50,`50.25,`';
  const totals = ['总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额', '`2,`186.50,`50.25,`0.00,`0.00,`186.50,`50.25'];
  const csv = [header, payment, refund, ...totals].join('\r\n') + '\r\n';

  const expected = [
    { successTime: '2026-11-23 10:15:02', transactionId: '4200000991202611238853086457', outTradeNo: 'CH20261123A1', tradeState: 'SUCCESS', totalFen: 18650, refundId: null, outRefundNo: null, refundFen: 0 },
    { successTime: '2026-11-23 11:00:40', transactionId: '4200000991202611238853086457', outTradeNo: 'CH20261123A1', tradeState: 'REFUND', totalFen: 0, refundId: '50300123452026112312345678901', outRefundNo: 'RF20261123A1', refundFen: 5025 },
  ];

  it('reads a bill that starts with the UTF-8 BOM: the first column is still 交易时间', () => {
    expect(parseTradeBill(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]).toString('utf8'))).toEqual(expected);
  });

  it('reads the same bill without a BOM, and stops before the totals', () => {
    expect(parseTradeBill(csv)).toEqual(expected);
  });
});
