import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { answer, calls, navigated, setRouterParams } from '../../../test/taro';
import ServicePage from './index';

const ACCOUNT = '11111111-1111-4111-8111-111111111111';
const PREVIEW = '33333333-3333-4333-8333-333333333333';
const city = (code: string, name: string) => ({ code, name, provinceCode: code.slice(0, 2), provinceName: '省', pinyin: 'x', initials: 'x' });
const grid = {
  serviceId: 'state-grid',
  version: '1.1.0',
  category: 'electricity',
  name: '电费',
  providerName: '国网电力',
  status: 'available',
  accountFields: [{ name: 'consNo', label: '户号', placeholder: '10 位电力户号', dataType: 'numeric', minLength: 10, maxLength: 10, optional: false, mask: 'account' }],
  paymentRules: { mode: 'exact', minFen: 1, maxFen: 5000000 },
};
const services = (code: string, name: string) => ({ city: city(code, name), serviceGroups: [{ category: 'electricity', label: '电费', services: [grid] }] });
const preview = {
  previewId: PREVIEW,
  serviceId: 'state-grid',
  serviceName: '电费',
  cityCode: '410100',
  cityName: '郑州市',
  fieldsMasked: { consNo: '4101****01' },
  holderNameMasked: '王**',
  addressHint: '郑州市金水区****',
  expiresAt: '2026-11-23T10:10:00Z',
};
const account = (saved: boolean) => ({
  id: ACCOUNT,
  serviceId: 'state-grid',
  category: 'electricity',
  cityCode: '410100',
  serviceName: '电费',
  providerName: '国网电力',
  alias: null,
  fieldsMasked: { consNo: '4101****01' },
  holderNameMasked: '王**',
  addressHint: '郑州市金水区****',
  remindersLeft: 0,
  saved,
  createdAt: '2026-11-23T10:00:00Z',
});
const fail = (statusCode: number, code: string, details?: unknown) => ({ statusCode, data: { error: { code, message: 'english for operators', details, requestId: 'r' } } });

type Answer = { statusCode: number; data: unknown };
function hub(previewAnswer: Answer, confirmAnswer: Answer = { statusCode: 201, data: { account: account(true) } }) {
  answer((url, method) => {
    if (url.endsWith('/auth/login')) return { statusCode: 200, data: { token: 't', expiresAt: '2026-12-01T00:00:00Z', user: { id: 'u' } } };
    if (url.includes('/sandbox/client/login')) return { statusCode: 200, data: { code: 'c' } };
    if (url.endsWith('/cities/410100')) return { statusCode: 200, data: services('410100', '郑州市') };
    if (url.endsWith('/cities/330100')) return { statusCode: 200, data: services('330100', '杭州市') };
    if (url.endsWith('/accounts') && method === 'GET') return { statusCode: 200, data: { accounts: [] } };
    if (url.endsWith('/accounts/preview')) return previewAnswer;
    if (url.endsWith('/accounts/confirm')) return confirmAnswer;
    return { statusCode: 404, data: {} };
  });
}

/** The field's input once the page has loaded. */
const fieldInput = () =>
  waitFor(() => {
    const el = document.querySelector('#field-consNo input');
    if (!el) throw new Error(`no field yet: ${document.body.textContent}`);
    return el as HTMLInputElement;
  });

async function fillAndLookUp(consNo = '4101000001') {
  render(<ServicePage />);
  const input = await fieldInput();
  fireEvent.change(input, { target: { value: consNo } });
  await act(async () => fireEvent.click(document.getElementById('bind-submit')!));
}

const problem = () => document.getElementById('bind-error')?.textContent ?? '';

beforeEach(() => {
  setRouterParams({ serviceId: 'state-grid', cityCode: '410100' });
  navigated.length = 0;
  Taro.removeStorageSync('cityhub.currentCity');
});

describe('the account form: look up, then confirm, then save', () => {
  it('opens the number pad for a numeric 户号', async () => {
    hub({ statusCode: 200, data: { preview } });
    render(<ServicePage />);
    const input = await fieldInput();
    expect(input.getAttribute('data-type')).toBe('number');
  });

  it('checks the field first and asks nobody when it is malformed', async () => {
    hub({ statusCode: 200, data: { preview } });
    await fillAndLookUp('41010');
    expect(screen.getByText('户号格式不正确')).toBeTruthy();
    expect(calls.some((c) => c.url.endsWith('/accounts/preview'))).toBe(false);
  });

  it('shows the masked holder and district before saving; 确认绑定 saves it to 我的', async () => {
    hub({ statusCode: 200, data: { preview } });
    await fillAndLookUp();
    await screen.findByText('请核对户主信息');
    expect(document.getElementById('preview-holder')!.textContent).toBe('王**');
    expect(document.getElementById('preview-address')!.textContent).toBe('郑州市金水区****');
    expect(calls.find((c) => c.url.endsWith('/accounts/preview'))!.data).toEqual({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000001' } });
    // Nothing saved yet: no confirmation was sent.
    expect(calls.some((c) => c.url.endsWith('/accounts/confirm'))).toBe(false);
    await act(async () => fireEvent.click(document.getElementById('bind-confirm')!));
    await waitFor(() => expect(document.getElementById('bind-confirmation')!.textContent).toContain('已绑定：王**'));
    expect(calls.find((c) => c.url.endsWith('/accounts/confirm'))!.data).toEqual({ previewId: PREVIEW, save: true });
    expect(document.getElementById(`account-${ACCOUNT}`)).toBeTruthy();
  });

  it('仅本次缴费 opens the bills without adding the account to the list', async () => {
    hub({ statusCode: 200, data: { preview } }, { statusCode: 201, data: { account: account(false) } });
    await fillAndLookUp();
    await screen.findByText('请核对户主信息');
    await act(async () => fireEvent.click(document.getElementById('pay-once')!));
    await waitFor(() => expect(navigated).toEqual([`/packages/bills/index?accountId=${ACCOUNT}`]));
    expect(calls.find((c) => c.url.endsWith('/accounts/confirm'))!.data).toEqual({ previewId: PREVIEW, save: false });
    expect(document.getElementById(`account-${ACCOUNT}`)).toBeNull();
  });

  it('names the city an account belongs to and switches to it', async () => {
    hub(fail(422, 'ACCOUNT_IN_OTHER_CITY', { cityCode: '330100', cityName: '杭州市' }));
    await fillAndLookUp('3301000001');
    await waitFor(() => expect(problem()).toContain('这个户号属于杭州市'));
    expect(problem()).toContain('切换到杭州市');
    await act(async () => fireEvent.click(document.getElementById('switch-city')!));
    await waitFor(() => expect(navigated).toEqual(['/packages/service/index?serviceId=state-grid&cityCode=330100']));
    expect((Taro.getStorageSync('cityhub.currentCity') as { code: string }).code).toBe('330100');
  });

  it.each([
    [fail(422, 'PROVIDER_ACCOUNT_NOT_FOUND'), '缴费单位查不到这个户号'],
    [fail(503, 'PROVIDER_UNAVAILABLE'), '缴费单位系统暂时无法连接'],
    [fail(429, 'RATE_LIMITED', { retryAfterSeconds: 60 }), '操作太频繁了'],
    [fail(400, 'VALIDATION_FAILED', { issues: [{ path: 'body.fields.consNo', message: 'x' }] }), '填写的信息有误'],
  ])('says in Chinese what went wrong (%#) and stays on the form', async (reply, chinese) => {
    hub(reply);
    await fillAndLookUp();
    await waitFor(() => expect(problem()).toContain(chinese));
    expect(problem()).not.toMatch(/english|[A-Za-z]{4,}/);
    expect(document.getElementById('bind-submit')).toBeTruthy();
  });

  it('an expired look-up goes back to the form with a note to look it up again', async () => {
    hub({ statusCode: 200, data: { preview } }, fail(410, 'PREVIEW_EXPIRED'));
    await fillAndLookUp();
    await screen.findByText('请核对户主信息');
    await act(async () => fireEvent.click(document.getElementById('bind-confirm')!));
    await waitFor(() => expect(problem()).toContain('查询结果已过期'));
    expect(document.getElementById('bind-preview')).toBeNull();
    expect(document.getElementById('bind-submit')).toBeTruthy();
  });

  it('an account bound already offers its bills', async () => {
    hub({ statusCode: 200, data: { preview } }, fail(409, 'ACCOUNT_ALREADY_BOUND', { accountId: ACCOUNT }));
    await fillAndLookUp();
    await screen.findByText('请核对户主信息');
    await act(async () => fireEvent.click(document.getElementById('bind-confirm')!));
    await waitFor(() => expect(problem()).toContain('已经绑定过了'));
    await act(async () => fireEvent.click(document.getElementById('open-bound')!));
    expect(navigated).toEqual([`/packages/bills/index?accountId=${ACCOUNT}`]);
  });
});
