import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { answer, calls, toasts } from '../../../test/taro';
import MePage from './index';

const ACCOUNT = '33333333-3333-4333-8333-333333333333';
const account = (remindersLeft: number) => ({
  id: ACCOUNT, serviceId: 'state-grid', category: 'electricity', cityCode: '410100', serviceName: '电费', providerName: '国网河南省电力公司',
  alias: null, fieldsMasked: { consNo: '410****001' }, holderNameMasked: '王*国', addressHint: null, remindersLeft, createdAt: '2026-11-23T00:00:00Z',
});

/** The hub and the mock WeChat client; `choice` is what the resident answers on WeChat's consent sheet. */
function world(choice: 'accept' | 'reject') {
  answer((url, method) => {
    if (url.endsWith('/auth/login')) return { statusCode: 200, data: { token: 't', expiresAt: 'x', user: { id: 'u' } } };
    if (url.includes('/sandbox/client/login')) return { statusCode: 200, data: { code: 'c' } };
    if (url.includes('/sandbox/client/subscribe')) return { statusCode: 200, data: { errMsg: 'requestSubscribeMessage:ok', 'cityhub-bill-due': choice } };
    if (url.endsWith(`/accounts/${ACCOUNT}/reminders`) && method === 'POST') return { statusCode: 200, data: { account: account(1) } };
    if (url.endsWith('/accounts')) return { statusCode: 200, data: { accounts: [account(0)] } };
    return { statusCode: 404, data: {} };
  });
}

beforeEach(() => {
  toasts.length = 0;
});

describe('the me page', () => {
  it('turns on a bill reminder once the resident accepts WeChat\'s subscription, and shows how many are left', async () => {
    world('accept');
    render(<MePage />);
    await screen.findByText(/王\*国/);
    expect(document.getElementById(`me-reminders-${ACCOUNT}`)).toBeNull();
    await act(async () => fireEvent.click(document.getElementById(`me-remind-${ACCOUNT}`)!));
    await waitFor(() => expect(document.getElementById(`me-reminders-${ACCOUNT}`)!.textContent).toContain('还可提醒 1 次'));
    expect(toasts).toEqual(['已开启，账单到期时提醒你']);
    const subscribe = calls.find((c) => c.url.includes('/sandbox/client/subscribe'))!;
    expect(subscribe.data).toMatchObject({ tmplIds: ['cityhub-bill-due'] });
  });

  it('tells the hub nothing when the resident declines', async () => {
    world('reject');
    render(<MePage />);
    await screen.findByText(/王\*国/);
    await act(async () => fireEvent.click(document.getElementById(`me-remind-${ACCOUNT}`)!));
    await waitFor(() => expect(toasts).toEqual(['未开启提醒']));
    expect(calls.some((c) => c.url.endsWith('/reminders'))).toBe(false);
    expect(document.getElementById(`me-reminders-${ACCOUNT}`)).toBeNull();
  });
});
