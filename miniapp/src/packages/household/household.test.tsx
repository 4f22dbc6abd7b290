import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { answer, calls, clipboard, navigated, setRouterParams, shareMessage, toasts } from '../../../test/taro';
import HouseholdsPage from './index';
import HouseholdPage from './group';
import JoinHouseholdPage from './join';

const GROUP = '11111111-1111-4111-8111-111111111111';
const ACCOUNT = '33333333-3333-4333-8333-333333333333';
const OTHER_ACCOUNT = '44444444-4444-4444-8444-444444444444';
const MEMBER = '55555555-5555-4555-8555-555555555555';
const TOKEN = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345';

const groupAccount = { id: ACCOUNT, serviceId: 'state-grid', serviceName: '电费', providerName: '国网河南省电力公司', category: 'electricity', cityCode: '410100', alias: null, fieldsMasked: { consNo: '41******0001' }, holderNameMasked: '王**', addressHint: '金水区' };
const detail = (role: 'owner' | 'member') => ({
  household: {
    id: GROUP,
    name: '我家',
    role,
    maxPeople: 10,
    accounts: [groupAccount],
    members: [
      { id: null, role: 'owner', label: '创建者', isMe: role === 'owner', joinedAt: '2026-11-23T00:00:00Z' },
      { id: MEMBER, role: 'member', label: '妈*', isMe: role === 'member', joinedAt: '2026-11-23T01:00:00Z' },
    ],
  },
});
const paidByMember = { id: 'o1', accountId: ACCOUNT, serviceName: '电费', accountMasked: { consNo: '41******0001' }, amountFen: 18770, status: 'COMPLETED', statusLabel: '缴费成功', createdAt: '2026-11-23T15:22:00Z', paidBy: { label: '妈*', isMe: false } };
const mine = { id: OTHER_ACCOUNT, serviceId: 'state-grid', category: 'electricity', cityCode: '410100', serviceName: '电费', providerName: '国网河南省电力公司', alias: '父母家', fieldsMasked: { consNo: '41******0003' }, holderNameMasked: '张*', addressHint: null, remindersLeft: 0, createdAt: '2026-11-23T00:00:00Z' };

const envelope = (code: string, status: number, details?: unknown) => ({ statusCode: status, data: { error: { code, message: 'english for operators', requestId: 'r', ...(details ? { details } : {}) } } });

/** The hub as seen by the pages; `role` is the one asking. */
function hub(role: 'owner' | 'member' | 'stranger', invite: 'ok' | 'expired' = 'ok') {
  answer((url, method) => {
    if (url.endsWith('/auth/login')) return { statusCode: 200, data: { token: 't', expiresAt: 'x', user: { id: 'u' } } };
    if (url.includes('/sandbox/client/login')) return { statusCode: 200, data: { code: 'c' } };
    if (role === 'stranger' && url.includes(`/households/${GROUP}`)) return envelope('HOUSEHOLD_NOT_FOUND', 404);
    if (url.endsWith('/households') && method === 'POST') return { statusCode: 201, data: detail('owner') };
    if (url.endsWith('/households')) return { statusCode: 200, data: { households: [{ id: GROUP, name: '我家', role: 'owner', peopleCount: 2, accountCount: 1 }] } };
    if (url.endsWith(`/households/${GROUP}/orders`)) return { statusCode: 200, data: { orders: [paidByMember] } };
    if (url.endsWith(`/households/${GROUP}/invites`)) return { statusCode: 201, data: { token: TOKEN, expiresAt: '2026-11-24T00:00:00Z', maxUses: 1, path: `/packages/household/join?token=${TOKEN}` } };
    if (url.endsWith(`/households/${GROUP}/members/${MEMBER}`)) return { statusCode: 204, data: null };
    if (url.endsWith(`/households/${GROUP}/accounts`)) return { statusCode: 200, data: detail('owner') };
    if (url.endsWith(`/households/${GROUP}`)) return { statusCode: 200, data: detail(role as 'owner' | 'member') };
    if (url.endsWith('/accounts')) return { statusCode: 200, data: { accounts: [mine] } };
    if (url.endsWith('/household-invites/preview')) return invite === 'ok' ? { statusCode: 200, data: { householdName: '我家', peopleCount: 2, expiresAt: '2026-11-24T00:00:00Z', alreadyIn: false } } : envelope('HOUSEHOLD_INVITE_INVALID', 410, { reason: 'expired' });
    if (url.endsWith('/household-invites/accept')) return { statusCode: 200, data: detail('member') };
    return { statusCode: 404, data: {} };
  });
}

const click = (id: string) => act(async () => fireEvent.click(document.getElementById(id)!));
const type = (placeholder: RegExp, value: string) => fireEvent.change(screen.getByPlaceholderText(placeholder), { target: { value } });

beforeEach(() => {
  toasts.length = 0;
  navigated.length = 0;
  clipboard.length = 0;
  setRouterParams({});
});

describe('the household pages', () => {
  it('refuses an empty or too long group name in Chinese without asking the hub, then creates one and opens it', async () => {
    hub('owner');
    render(<HouseholdsPage />);
    await screen.findByText(/我创建的 · 2 人 · 1 个户号/);
    await click('household-create');
    expect(document.getElementById('household-problem')!.textContent).toBe('请填写分组名称，如“我家”');
    type(/分组名称/, '一二三四五六七八九十一二三四五六七八九十一');
    await click('household-create');
    expect(document.getElementById('household-problem')!.textContent).toBe('分组名称最多 20 个字');
    expect(calls.some((c) => c.method === 'POST' && c.url.endsWith('/households'))).toBe(false);
    type(/分组名称/, ' 父母家 ');
    await click('household-create');
    await waitFor(() => expect(navigated).toEqual([`/packages/household/group?id=${GROUP}`]));
    expect(calls.find((c) => c.method === 'POST' && c.url.endsWith('/households'))!.data).toEqual({ name: '父母家' });
  });

  it("shows the owner the group's accounts masked, who paid, and makes an invitation to copy or share", async () => {
    hub('owner');
    setRouterParams({ id: GROUP });
    render(<HouseholdPage />);
    await screen.findByText('我家');
    expect(document.getElementById(`household-account-${ACCOUNT}`)!.textContent).toContain('41******0001');
    expect(document.getElementById('household-order-o1')!.textContent).toMatch(/妈\* 发起 · 2026-11-23 23:22 · 缴费成功/);
    // An account of mine not yet in the group can be added.
    await click(`household-add-${OTHER_ACCOUNT}`);
    await waitFor(() => expect(calls.find((c) => c.url.endsWith(`/households/${GROUP}/accounts`))!.data).toEqual({ accountId: OTHER_ACCOUNT }));

    await click('household-invite');
    await waitFor(() => expect(document.getElementById('household-invite-ready')).not.toBeNull());
    const link = (document.querySelector('#household-invite-link input') as HTMLInputElement).value;
    expect(link).toMatch(new RegExp(`#/packages/household/join\\?token=${TOKEN}$`));
    await click('household-invite-copy');
    expect(clipboard).toEqual([link]);
    // WeChat's share sheet carries the same path.
    expect(shareMessage!()).toEqual({ title: '邀请你加入「我家」缴费分组', path: `/packages/household/join?token=${TOKEN}` });

    await act(async () => fireEvent.click(screen.getByText('移除')));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.url.endsWith(`/households/${GROUP}/members/${MEMBER}`))).toBe(true));
    expect(toasts).toContain('已移除');
  });

  it('lets a member open the bills of a group account and leave, but not invite or remove', async () => {
    hub('member');
    setRouterParams({ id: GROUP });
    render(<HouseholdPage />);
    await screen.findByText('我家');
    expect(document.getElementById('household-invite')).toBeNull();
    expect(screen.queryByText('移除')).toBeNull();
    expect(document.getElementById('household-leave')).not.toBeNull();
    expect(calls.some((c) => c.url.endsWith('/accounts') && c.method === 'GET')).toBe(false);
    await act(async () => fireEvent.click(screen.getByText('查看账单 ›')));
    expect(navigated).toEqual([`/packages/bills/index?accountId=${ACCOUNT}`]);
  });

  it('tells a stranger in Chinese that there is no such group, and shows nothing of it', async () => {
    hub('stranger');
    setRouterParams({ id: GROUP });
    render(<HouseholdPage />);
    await waitFor(() => expect(document.getElementById('page-error')).not.toBeNull());
    expect(document.getElementById('page-error')!.textContent).toContain('没有找到这个缴费分组');
    expect(document.body.textContent).not.toMatch(/english|我家/);
  });

  it('joins after the invitee confirms with a name, and explains an expired link', async () => {
    hub('member');
    setRouterParams({ token: TOKEN });
    const { unmount } = render(<JoinHouseholdPage />);
    await screen.findByText('邀请你加入「我家」');
    await click('household-join-confirm');
    expect(document.getElementById('household-join-problem')!.textContent).toBe('请填写你在分组中的称呼，如“妈妈”');
    expect(calls.some((c) => c.url.endsWith('/household-invites/accept'))).toBe(false);
    type(/称呼/, '妈妈');
    await click('household-join-confirm');
    await waitFor(() => expect(navigated).toEqual([`/packages/household/group?id=${GROUP}`]));
    expect(calls.find((c) => c.url.endsWith('/household-invites/accept'))!.data).toEqual({ token: TOKEN, displayName: '妈妈' });
    // The token never rides in a URL.
    expect(calls.every((c) => !c.url.includes(TOKEN))).toBe(true);
    unmount();

    hub('member', 'expired');
    render(<JoinHouseholdPage />);
    await waitFor(() => expect(document.getElementById('page-error')!.textContent).toContain('邀请已过期，请让对方重新分享邀请'));
  });
});
