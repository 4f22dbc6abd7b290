import Taro from '@tarojs/taro';
import { accountCreatedSchema, type Account } from '@cityhub/shared';
import { request } from './request';
import { mockUserKey } from './session';

/**
 * WeChat's one-time subscription for the bill-reminder template: the real
 * wx.requestSubscribeMessage in a WeChat build, the mock WeChat client
 * otherwise. True when the resident accepted.
 */
async function subscribe(): Promise<boolean> {
  if (PAYMENT_MODE === 'wechat') {
    // WeChat takes tmplIds alone; Taro's Option type also demands entityIds, which only other platforms use.
    const option = { tmplIds: [REMINDER_TEMPLATE_ID] };
    const answer = await Taro.requestSubscribeMessage(option as Taro.requestSubscribeMessage.Option).catch(() => null);
    return (answer as Record<string, string> | null)?.[REMINDER_TEMPLATE_ID] === 'accept';
  }
  const res = await Taro.request({
    url: `${WECHAT_MOCK_BASE}/sandbox/client/subscribe`,
    method: 'POST',
    data: { userKey: mockUserKey(), tmplIds: [REMINDER_TEMPLATE_ID] },
    header: { 'content-type': 'application/json' },
  });
  return (res.data as Record<string, string>)[REMINDER_TEMPLATE_ID] === 'accept';
}

/**
 * Asks the resident for one reminder when a bill on this account comes due.
 * Must run straight from a tap (WeChat shows its consent sheet only then).
 * Returns the account with its new count, or null when the resident declined.
 */
export async function askForReminder(accountId: string): Promise<Account | null> {
  if (!(await subscribe())) return null;
  const { account } = await request({ method: 'POST', path: `/accounts/${encodeURIComponent(accountId)}/reminders`, schema: accountCreatedSchema, auth: true });
  return account;
}
