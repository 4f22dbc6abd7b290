import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { answer, calls, navigated, paymentsRequested, setRouterParams, toasts } from '../../../test/taro';
import BillsPage from './index';

/** The pay button's handling of an unfinished payment (issue 11): 继续支付 / 取消 instead of locked bills. */
const ACCOUNT = '11111111-1111-4111-8111-111111111111';
const ORDER = '22222222-2222-4222-8222-222222222222';
const bill = (ref: string, period: string, amountFen: number) => ({
  ref, period, title: `${period.slice(0, 4)}年${Number(period.slice(4))}月电费`, amountFen, lateFeeFen: 0, totalFen: amountFen, dueDate: '2026-11-15', lineItems: [],
});
const account = { serviceName: '电费', category: 'electricity', cityCode: '410100', alias: null, fieldsMasked: { consNo: '4101****01' }, holderNameMasked: '王*', addressHint: null, saved: true };
const firstPayment = { appId: 'wx1', timeStamp: '1700000000', nonceStr: 'n1', package: 'prepay_id=wx123', signType: 'RSA', paySign: 's1' };
// 继续支付 re-signs the same prepay: a new timestamp, nonce and signature.
const resumedPayment = { appId: 'wx1', timeStamp: '1700000600', nonceStr: 'n2', package: 'prepay_id=wx123', signType: 'RSA', paySign: 's2' };
const order = (status: string) => ({
  id: ORDER, orderNo: 'CH1', status, statusLabel: status === 'CREATED' ? '待支付' : '已关闭', serviceId: 'state-grid', serviceName: '电费', providerName: '国网', category: 'electricity',
  cityCode: '410100', accountId: ACCOUNT, accountMasked: {}, bills: [bill('B1', '202610', 23410)], amountFen: 23410,
  createdAt: '2026-11-23T00:00:00Z', expiresAt: new Date(Date.now() + 3600_000).toISOString(), refundReason: null, timeline: [], receipt: null,
});

function hub() {
  answer((url, method) => {
    if (url.endsWith('/auth/login')) return { statusCode: 200, data: { token: 't', expiresAt: '2026-12-01T00:00:00Z', user: { id: 'u' } } };
    if (url.endsWith(`/accounts/${ACCOUNT}/bills`)) return { statusCode: 200, data: { accountId: ACCOUNT, account, bills: [bill('B1', '202610', 23410)], totalFen: 23410, fetchedAt: 'now' } };
    if (url.endsWith('/orders') && method === 'POST') return { statusCode: 201, data: { order: order('CREATED'), payment: firstPayment } };
    if (url.endsWith(`/orders/${ORDER}/continue`)) return { statusCode: 200, data: { order: order('CREATED'), payment: resumedPayment } };
    if (url.endsWith(`/orders/${ORDER}/close`)) return { statusCode: 200, data: { order: order('CLOSED') } };
    return { statusCode: 404, data: {} };
  });
}

const build = globalThis as unknown as { PAYMENT_MODE: string };

beforeEach(() => {
  setRouterParams({ accountId: ACCOUNT });
  navigated.length = 0;
  toasts.length = 0;
  paymentsRequested.length = 0;
  Taro.removeStorageSync('cityhub.unfinishedPayment');
  build.PAYMENT_MODE = 'wechat';
  hub();
});
afterEach(() => {
  build.PAYMENT_MODE = 'mock';
  jest.restoreAllMocks();
});

const tap = (id: string) => act(async () => fireEvent.click(document.getElementById(id)!));

describe('paying in the real-WeChat build', () => {
  it('a cancelled payment sheet leaves 继续支付, and a second tap opens the sheet again with the resumed parameters', async () => {
    jest.spyOn(Taro, 'requestPayment').mockRejectedValueOnce({ errMsg: 'requestPayment:fail cancel' });
    render(<BillsPage />);
    await screen.findByText('2026年10月电费');
    await tap('pay-button');

    // Cancelled: no result page, no error, the order offered to continue or cancel.
    await screen.findByText('继续支付');
    expect(navigated).toEqual([]);
    expect(toasts).toEqual(['已取消支付，未扣款，可继续支付或取消订单']);
    expect(document.getElementById('pay-unfinished')!.textContent).toContain('¥234.10');
    expect(Taro.requestPayment).toHaveBeenCalledWith(firstPayment);

    await tap('pay-continue');
    await waitFor(() => expect(navigated).toEqual([`/packages/result/index?orderId=${ORDER}`]));
    expect(calls.filter((c) => c.url.endsWith(`/orders/${ORDER}/continue`) && c.method === 'POST')).toHaveLength(1);
    expect(Taro.requestPayment).toHaveBeenCalledTimes(2);
    expect(paymentsRequested).toEqual([resumedPayment]);
    // One order only: continuing does not create another.
    expect(calls.filter((c) => c.url.endsWith('/orders') && c.method === 'POST')).toHaveLength(1);
  });

  it('the unfinished order survives leaving the page, and 取消 closes it at the hub', async () => {
    jest.spyOn(Taro, 'requestPayment').mockRejectedValueOnce({ errMsg: 'requestPayment:fail cancel' });
    const first = render(<BillsPage />);
    await screen.findByText('2026年10月电费');
    await tap('pay-button');
    await screen.findByText('继续支付');
    first.unmount();

    render(<BillsPage />);
    await screen.findByText('继续支付');
    await tap('pay-cancel');
    await waitFor(() => expect(calls.some((c) => c.url.endsWith(`/orders/${ORDER}/close`) && c.method === 'POST')).toBe(true));
    await waitFor(() => expect(document.getElementById('pay-unfinished')).toBeNull());
    expect(toasts).toContain('订单已取消，未扣款');
  });

  it('a sheet that fails (not cancelled) goes to the result page, which asks the hub', async () => {
    jest.spyOn(Taro, 'requestPayment').mockRejectedValueOnce({ errMsg: 'requestPayment:fail (network)' });
    render(<BillsPage />);
    await screen.findByText('2026年10月电费');
    await tap('pay-button');
    await waitFor(() => expect(navigated).toEqual([`/packages/result/index?orderId=${ORDER}&failed=1`]));
  });
});
