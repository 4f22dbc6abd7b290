import { act, fireEvent, render, screen } from '@testing-library/react';
import { answer, navigated, toasts } from '../../../test/taro';
import Home from './index';

const service = (serviceId: string, category: string, name: string, status: string, statusReason?: string) => ({
  serviceId, version: '1.0.0', category, name, providerName: `${name}公司`, status, ...(statusReason ? { statusReason } : {}),
  accountFields: [], paymentRules: { mode: 'exact', minFen: 1, maxFen: 100000 },
});

/** The hub as the home page sees it: 郑州 with one service available, one down, one degraded. */
function hub(url: string) {
  if (url.endsWith('/cities/410100'))
    return {
      statusCode: 200,
      data: {
        city: { code: '410100', name: '郑州市', provinceCode: '41', provinceName: '河南省', pinyin: 'zhengzhou', initials: 'zz' },
        serviceGroups: [
          { category: 'electricity', label: '电费', services: [service('state-grid', 'electricity', '电费', 'available')] },
          { category: 'gas', label: '燃气费', services: [service('city-gas', 'gas', '燃气费', 'down', '缴费单位连续无响应')] },
          { category: 'highway_toll', label: '高速通行费', services: [service('highway-etc', 'highway_toll', '高速通行费', 'degraded')] },
        ],
      },
    };
  if (url.endsWith('/auth/login')) return { statusCode: 200, data: { token: 't', expiresAt: 'x', user: { id: 'u' } } };
  if (url.includes('client/login')) return { statusCode: 200, data: { code: 'c' } };
  if (url.endsWith('/accounts')) return { statusCode: 200, data: { accounts: [] } };
  return { statusCode: 404, data: {} };
}

beforeEach(() => {
  navigated.length = 0;
  toasts.length = 0;
  answer(hub);
});

describe('the home page', () => {
  it('groups services as residents think of them and greys a provider that is not well', async () => {
    render(<Home />);
    await screen.findByText('生活缴费');
    expect(screen.getByText('交通出行')).toBeTruthy();
    const gas = document.getElementById('tile-city-gas')!;
    expect(gas.getAttribute('data-status')).toBe('down');
    expect(gas.className).toContain('home__tile--down');
    expect(gas.textContent).toContain('暂停服务');
    expect(document.getElementById('tile-highway-etc')!.textContent).toContain('服务繁忙');
    expect(document.getElementById('tile-state-grid')!.textContent).not.toMatch(/暂停|繁忙/);
  });

  it('opens a working service and explains a stopped one instead of opening it', async () => {
    render(<Home />);
    await screen.findByText('生活缴费');
    await act(async () => fireEvent.click(document.getElementById('tile-city-gas')!));
    expect(navigated).toEqual([]);
    expect(toasts).toEqual(['暂停服务：缴费单位连续无响应']);
    await act(async () => fireEvent.click(document.getElementById('tile-state-grid')!));
    expect(navigated).toEqual(['/packages/service/index?serviceId=state-grid&cityCode=410100']);
  });

  it('tells the resident which kinds of service the city lacks', async () => {
    render(<Home />);
    await screen.findByText('生活缴费');
    const note = document.getElementById('coverage-note')!;
    expect(note.textContent).toContain('郑州市暂未开通水费、交通违法');
    expect(note.textContent).not.toMatch(/电费|燃气费|高速通行费/);
  });

  it('says plainly when a city has no service at all', async () => {
    answer((url) => (url.endsWith('/cities/410100') ? { statusCode: 200, data: { city: { code: '410100', name: '郑州市', provinceCode: '41', provinceName: '河南省', pinyin: 'zhengzhou', initials: 'zz' }, serviceGroups: [] } } : hub(url)));
    render(<Home />);
    expect((await screen.findByText(/缴费单位尚未接入/)).textContent).toContain('可切换到其他城市');
  });

  it('says so when the city cannot be loaded, and retries on tap', async () => {
    answer(() => ({ statusCode: 503, data: { error: { code: 'NOT_READY', message: '服务暂时不可用', requestId: 'r' } } }));
    render(<Home />);
    // NOT_READY reaches the resident as its Chinese message (lib/messages.ts), not the hub's text.
    const hint = await screen.findByText(/服务正在启动，请稍后再试/);
    answer(hub);
    await act(async () => fireEvent.click(hint));
    expect(await screen.findByText('生活缴费')).toBeTruthy();
  });
});
