import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { answer, calls, navigated, paymentsRequested, setRouterParams, toasts } from '../../../test/taro';
import BillsPage from './index';

const bill = (ref: string, period: string, amountFen: number, lateFeeFen = 0) => ({
  ref,
  period,
  title: `${period.slice(0, 4)}年${Number(period.slice(4))}月电费`,
  amountFen,
  lateFeeFen,
  totalFen: amountFen + lateFeeFen,
  dueDate: '2026-11-15',
  lineItems: [{ kind: 'charge', description: '峰时电量', amountFen, details: {} }],
});

const ACCOUNT = '11111111-1111-4111-8111-111111111111';
/** The header the hub sends with the bills (masked). */
const header = { serviceName: '电费', category: 'electricity', cityCode: '410100', alias: null, fieldsMasked: { consNo: '4101****01' }, holderNameMasked: '王**', addressHint: '郑州市金水区****', saved: true };
const ORDER = '22222222-2222-4222-8222-222222222222';
const payment = { appId: 'wx1', timeStamp: '1', nonceStr: 'n', package: 'prepay_id=wx123', signType: 'RSA', paySign: 's' };
const order = {
  id: ORDER, orderNo: 'CH1', status: 'CREATED', statusLabel: '待支付', serviceId: 'state-grid', serviceName: '电费', providerName: '国网', category: 'electricity',
  cityCode: '410100', accountId: ACCOUNT, accountMasked: {}, bills: [], amountFen: 42180, createdAt: '2026-11-23T00:00:00Z', expiresAt: '2026-11-23T02:00:00Z',
  refundReason: null, timeline: [], receipt: null,
};

function hub(orderAnswers: Array<{ statusCode: number; data: unknown }>) {
  answer((url, method) => {
    if (url.endsWith('/auth/login')) return { statusCode: 200, data: { token: 't', expiresAt: '2026-12-01T00:00:00Z', user: { id: 'u' } } };
    if (url.includes('/sandbox/client/login')) return { statusCode: 200, data: { code: 'c' } };
    if (url.endsWith(`/accounts/${ACCOUNT}/bills`)) return { statusCode: 200, data: { accountId: ACCOUNT, account: header, bills: [bill('B1', '202609', 18650, 120), bill('B2', '202610', 23410)], totalFen: 42180, fetchedAt: 'now' } };
    if (url.endsWith('/orders') && method === 'POST') return orderAnswers.shift() ?? { statusCode: 500, data: {} };
    return { statusCode: 404, data: {} };
  });
}

beforeEach(() => {
  setRouterParams({ accountId: ACCOUNT });
  navigated.length = 0;
  toasts.length = 0;
  paymentsRequested.length = 0;
});

describe('the bills page', () => {
  it('lists the bills with late fee and line items, selects all, and totals in yuan from fen', async () => {
    hub([]);
    render(<BillsPage />);
    await screen.findByText('2026年9月电费');
    expect(screen.getByText('含违约金')).toBeTruthy();
    expect(screen.getByText('¥1.20')).toBeTruthy();
    expect(document.getElementById('bills-total')!.textContent).toBe('¥421.80');
    // Unselecting a bill takes it out of the total.
    fireEvent.click(document.getElementById('bill-B2')!);
    expect(document.getElementById('bills-total')!.textContent).toBe('¥187.70');
  });

  it('keeps one Idempotency-Key for a pay attempt: a retry after a failure sends the same key', async () => {
    hub([{ statusCode: 503, data: { error: { code: 'PROVIDER_UNAVAILABLE', message: '缴费单位系统暂时无法连接', requestId: 'r' } } }, { statusCode: 201, data: { order, payment } }]);
    render(<BillsPage />);
    await screen.findByText('2026年10月电费');
    await act(async () => fireEvent.click(document.getElementById('pay-button')!));
    // The resident reads the Chinese message for the code, not the hub's text.
    await waitFor(() => expect(toasts).toEqual(['缴费单位系统暂时无法连接，未扣款，请稍后再试']));
    await act(async () => fireEvent.click(document.getElementById('pay-button')!));
    await waitFor(() => expect(navigated).toEqual([`/packages/cashier/index?orderId=${ORDER}`]));
    const keys = calls.filter((c) => c.url.endsWith('/orders')).map((c) => c.header['Idempotency-Key']);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(calls.find((c) => c.url.endsWith('/orders'))!.data).toEqual({ accountId: ACCOUNT, billRefs: ['B1', 'B2'] });
  });

  it('in a real-WeChat build, hands the server\'s parameters to requestPayment and opens the result page', async () => {
    const build = globalThis as unknown as { PAYMENT_MODE: string };
    build.PAYMENT_MODE = 'wechat';
    try {
      hub([{ statusCode: 201, data: { order, payment } }]);
      render(<BillsPage />);
      await screen.findByText('2026年10月电费');
      await act(async () => fireEvent.click(document.getElementById('pay-button')!));
      await waitFor(() => expect(navigated).toEqual([`/packages/result/index?orderId=${ORDER}`]));
      expect(paymentsRequested).toEqual([payment]);
      // No mock cashier in this build: nothing talks to the sandbox client.
      expect(calls.some((c) => c.url.includes('/sandbox/'))).toBe(false);
    } finally {
      build.PAYMENT_MODE = 'mock';
    }
  });

  it('shows the empty state when nothing is owed', async () => {
    answer((url) =>
      url.endsWith('/auth/login')
        ? { statusCode: 200, data: { token: 't', expiresAt: 'x', user: { id: 'u' } } }
        : url.includes('client/login')
          ? { statusCode: 200, data: { code: 'c' } }
          : { statusCode: 200, data: { accountId: ACCOUNT, account: header, bills: [], totalFen: 0, fetchedAt: 'now' } },
    );
    render(<BillsPage />);
    expect(await screen.findByText('当前没有待缴账单')).toBeTruthy();
  });
});
