import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { answer, setRouterParams, toasts } from '../../../test/taro';
import BillsPage from './index';

const ACCOUNT = '11111111-1111-4111-8111-111111111111';
type Bill = Record<string, unknown>;
const header = (category: string, extra: Record<string, unknown> = {}) => ({
  serviceName: '电费',
  category,
  cityCode: '410100',
  alias: null,
  fieldsMasked: { consNo: '4101****05' },
  holderNameMasked: '孙*',
  addressHint: '郑州市管城区****',
  saved: true,
  ...extra,
});
const electricity = (ref: string, period: string, overdue: boolean): Bill => ({
  ref,
  period,
  title: `${period.slice(0, 4)}年${Number(period.slice(4))}月电费`,
  amountFen: 6380,
  lateFeeFen: 0,
  totalFen: 6380,
  dueDate: '2026-10-15',
  lineItems: [],
  usage: { amount: 114, unit: 'kWh' },
  overdue,
});
const passage = (ref: string, from: string, to: string, fee: number): Bill => ({
  ref,
  period: '202610',
  title: `${from} → ${to}`,
  amountFen: fee,
  lateFeeFen: 0,
  totalFen: fee,
  dueDate: '2026-10-28',
  overdue: true,
  lineItems: [{ kind: 'toll_passage', description: `${from} → ${to}`, amountFen: fee, details: { entryStation: from, exitStation: to, entryTime: '2026-10-03T08:12:00+08:00', exitTime: '2026-10-03T08:58:00+08:00' } }],
});
const violation: Bill = {
  ref: '410100000001',
  period: '2026-10-12',
  title: '机动车违反禁止停车标志指示的',
  amountFen: 20000,
  lateFeeFen: 0,
  totalFen: 20000,
  dueDate: null,
  lineItems: [{ kind: 'violation', description: '郑州市金水路 机动车违反禁止停车标志指示的', amountFen: 20000, details: { decisionNo: '410100000001', place: '郑州市金水路', time: '2026-10-12T09:30:00+08:00', behaviour: '机动车违反禁止停车标志指示的', points: 0 } }],
};
const months = (paid: Record<string, number>) =>
  Array.from({ length: 12 }, (_, i) => {
    const month = `2026-${String(i + 1).padStart(2, '0')}`;
    return { month, paidFen: paid[month] ?? 0, orders: paid[month] ? 1 : 0, usage: null };
  });

function hub(bills: { account: unknown; bills: Bill[]; maxBills?: number }, history: unknown = { accountId: ACCOUNT, usageUnit: null, months: months({}) }) {
  answer((url) => {
    if (url.includes('/sandbox/client/login')) return { statusCode: 200, data: { code: 'c' } };
    if (url.endsWith('/auth/login')) return { statusCode: 200, data: { token: 't', expiresAt: '2026-12-01T00:00:00Z', user: { id: 'u' } } };
    if (url.endsWith(`/accounts/${ACCOUNT}/bills`)) return { statusCode: 200, data: { accountId: ACCOUNT, totalFen: 0, fetchedAt: 'now', ...bills } };
    if (url.endsWith(`/accounts/${ACCOUNT}/history`)) return { statusCode: 200, data: history };
    return { statusCode: 404, data: {} };
  });
}

const text = (id: string) => document.getElementById(id)?.textContent ?? '';

beforeEach(() => {
  setRouterParams({ accountId: ACCOUNT });
  toasts.length = 0;
});

describe('bills with context', () => {
  it('heads the page with masked 户号, 户名 and district, flags overdue bills and shows usage', async () => {
    hub({ account: header('electricity'), bills: [electricity('E1', '202609', true), electricity('E2', '202611', false)] });
    render(<BillsPage />);
    await screen.findByText('2026年9月电费');
    expect(text('bills-header-account')).toBe('户号 4101****05');
    expect(text('bills-header-holder')).toBe('户名 孙*');
    expect(text('bills-header')).toContain('郑州市管城区****');
    expect(text('bill-E1')).toContain('逾期');
    expect(text('bill-E2')).not.toContain('逾期');
    expect(text('bill-E1')).toContain('用量 114 度');
    // The hub's order is kept: overdue first.
    const cards = [...document.querySelectorAll('[id^="bill-E"]')].map((e) => e.id);
    expect(cards).toEqual(['bill-E1', 'bill-E2']);
  });

  it('says when an account was kept only to pay once', async () => {
    hub({ account: header('electricity', { saved: false }), bills: [electricity('E1', '202609', true)] });
    render(<BillsPage />);
    await screen.findByText('仅本次缴费，未保存');
  });

  it('labels a violation by 违法时间 and prints the offence once', async () => {
    hub({ account: header('traffic_fine'), bills: [violation] });
    render(<BillsPage />);
    await screen.findByText('违法时间 2026-10-12 09:30');
    expect(text('bill-410100000001')).not.toContain('账期');
    expect(text('bill-410100000001').split('机动车违反禁止停车标志指示的')).toHaveLength(2);
    expect(text('bill-410100000001')).toContain('违法地点 郑州市金水路');
  });

  it('lists toll passages under their month, each selectable, within the bills one payment may take', async () => {
    hub({ account: header('highway_toll'), bills: [passage('P1', '郑州东站', '开封站', 3500), passage('P2', '开封站', '郑州东站', 3500), passage('P3', '郑州南站', '许昌北站', 4200)], maxBills: 2 });
    render(<BillsPage />);
    await screen.findByText('2026年10月通行费');
    // The route is the bill's title; it is not printed again as a line.
    expect(text('bill-P1').split('郑州东站 → 开封站')).toHaveLength(2);
    // Two of three preselected (the payment's limit); a third is refused with a note.
    expect(text('bills-total')).toBe('¥70.00');
    fireEvent.click(document.getElementById('bill-P3')!);
    expect(toasts).toEqual(['一次最多缴 2 笔，请先取消其他账单']);
    fireEvent.click(document.getElementById('bill-P1')!);
    fireEvent.click(document.getElementById('bill-P3')!);
    expect(text('bills-total')).toBe('¥77.00');
  });

  it('shows the last 12 months paid through the hub, or says none yet', async () => {
    hub({ account: header('electricity'), bills: [] });
    const { unmount } = render(<BillsPage />);
    await waitFor(() => expect(text('paid-history')).toContain('还没有通过本平台缴过'));
    expect(text('paid-history-total')).toBe('¥0.00');
    unmount();

    hub({ account: header('electricity'), bills: [] }, { accountId: ACCOUNT, usageUnit: 'kWh', months: months({ '2026-09': 18770, '2026-11': 7420 }).map((m) => ({ ...m, usage: m.paidFen ? 100 : null })) });
    render(<BillsPage />);
    await waitFor(() => expect(text('paid-history-total')).toBe('¥261.90'));
    expect(text('paid-history')).toContain('已缴账单用量合计 200 度');
    await waitFor(() => expect(document.querySelector('#paid-history canvas')).toBeTruthy());
  });
});
