import { render, waitFor } from '@testing-library/react';
import { answer } from '../../../test/taro';
import MePage from './index';

function hub(paid: { statusCode: number; data: unknown }) {
  answer((url) => {
    if (url.includes('/sandbox/client/login')) return { statusCode: 200, data: { code: 'c' } };
    if (url.endsWith('/auth/login')) return { statusCode: 200, data: { token: 't', expiresAt: '2026-12-01T00:00:00Z', user: { id: 'u' } } };
    if (url.endsWith('/accounts/paid-this-month')) return paid;
    if (url.endsWith('/accounts')) return { statusCode: 200, data: { accounts: [] } };
    return { statusCode: 404, data: {} };
  });
}

describe('本月已缴 on 我的', () => {
  it("shows this month's total in yuan from the hub's fen, with the number of payments", async () => {
    hub({ statusCode: 200, data: { month: '2026-11', paidFen: 26190, orders: 2 } });
    render(<MePage />);
    await waitFor(() => expect(document.getElementById('me-paid-month')?.textContent).toBe('本月已缴¥261.90（2 笔）'));
  });

  it('leaves the total out when it cannot be read, and the page still works', async () => {
    hub({ statusCode: 503, data: { error: { code: 'NOT_READY', message: 'x', requestId: 'r' } } });
    render(<MePage />);
    await waitFor(() => expect(document.getElementById('page-empty')).toBeTruthy());
    expect(document.getElementById('me-paid-month')).toBeNull();
  });
});
