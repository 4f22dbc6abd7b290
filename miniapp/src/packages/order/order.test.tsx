import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { answer, calls, navigated, setRouterParams } from '../../../test/taro';
import OrderPage from './index';

const ORDER = '22222222-2222-4222-8222-222222222222';
const base = {
  id: ORDER, orderNo: 'CH2026112300001', serviceId: 'state-grid', serviceName: '电费', providerName: '国网河南', category: 'electricity', cityCode: '410100',
  accountId: '11111111-1111-4111-8111-111111111111', accountMasked: { consNo: '41****0001' }, bills: [], amountFen: 5230,
  createdAt: '2026-11-23T15:20:00Z', expiresAt: new Date(Date.now() + 3600_000).toISOString(), timeline: [{ status: 'CREATED', at: '2026-11-23T15:20:00Z', note: null }],
};
const payment = { appId: 'wx1', timeStamp: '1', nonceStr: 'n', package: 'prepay_id=wx9', signType: 'RSA', paySign: 's' };

function hub(order: Record<string, unknown>) {
  answer((url, method) => {
    if (url.endsWith('/auth/login')) return { statusCode: 200, data: { token: 't', expiresAt: '2026-12-01T00:00:00Z', user: { id: 'u' } } };
    if (url.includes('/sandbox/client/login')) return { statusCode: 200, data: { code: 'c' } };
    if (url.endsWith(`/orders/${ORDER}/continue`) && method === 'POST') return { statusCode: 200, data: { order: { ...base, ...order }, payment } };
    if (url.endsWith(`/orders/${ORDER}`)) return { statusCode: 200, data: { order: { ...base, ...order } } };
    return { statusCode: 404, data: {} };
  });
}

const deviceZone = process.env.TZ;
beforeEach(() => {
  setRouterParams({ id: ORDER });
  navigated.length = 0;
  process.env.TZ = 'UTC';
});
afterAll(() => {
  process.env.TZ = deviceZone;
});

describe('the order page', () => {
  it('an unpaid order offers 继续支付 (to the cashier with the resumed payment) and 取消订单, and its times are Beijing time', async () => {
    hub({ status: 'CREATED', statusLabel: '待支付', refundReason: null, refund: null, receipt: null });
    render(<OrderPage />);
    await screen.findByText('继续支付');
    expect(screen.getByText('取消订单')).toBeTruthy();
    // 23:20 in Beijing for 15:20Z, on a device set to UTC.
    expect(screen.getByText('2026-11-23 23:20:00')).toBeTruthy();
    await act(async () => fireEvent.click(document.getElementById('order-continue')!));
    await waitFor(() => expect(navigated).toEqual([`/packages/cashier/index?orderId=${ORDER}`]));
    expect(calls.some((c) => c.url.endsWith(`/orders/${ORDER}/continue`) && c.method === 'POST')).toBe(true);
  });

  it('a refunded order says why in Chinese, with the refund number and when it arrives, and is not shown as a success', async () => {
    hub({ status: 'REFUNDED', statusLabel: '已退款', refundReason: '缴费单位未能销账，款项已原路退回', refund: { refundNo: 'RF2026112300001', amountFen: 5230 }, receipt: null });
    render(<OrderPage />);
    await screen.findByText('缴费单位未能销账，款项已原路退回');
    expect(document.getElementById('refund-no')!.textContent).toBe('RF2026112300001');
    expect(document.getElementById('refund-note')!.textContent).toContain('预计 1–3 个工作日到账');
    const status = document.getElementById('order-status')!;
    expect(status.className).toContain('order__status--refunded');
    expect(status.className).not.toContain('completed');
    expect(document.getElementById('order-continue')).toBeNull();
  });
});
