import { act, fireEvent, render, screen } from '@testing-library/react';
import { answer, navigated } from '../../../test/taro';
import CityPicker from './index';

const city = (code: string, name: string, provinceCode: string, provinceName: string, pinyin: string, initials: string) => ({ code, name, provinceCode, provinceName, pinyin, initials });
const all = [city('410100', '郑州市', '41', '河南省', 'zhengzhou', 'zz'), city('410300', '洛阳市', '41', '河南省', 'luoyang', 'ly'), city('330100', '杭州市', '33', '浙江省', 'hangzhou', 'hz')];

beforeEach(() => {
  navigated.length = 0;
  answer((url) => {
    const q = new URL(url, 'http://hub').searchParams.get('q');
    return { statusCode: 200, data: { cities: q ? all.filter((c) => c.initials === q || c.pinyin.startsWith(q) || c.name.includes(q)) : all } };
  });
});

describe('the city picker', () => {
  it('lists provinces with one open at a time, so the page stays small', async () => {
    render(<CityPicker />);
    await screen.findByText('河南省');
    expect(document.getElementById('city-410100')).toBeNull();
    fireEvent.click(document.getElementById('group-41')!);
    expect(document.getElementById('city-410100')).toBeTruthy();
    fireEvent.click(document.getElementById('group-33')!);
    expect(document.getElementById('city-410100')).toBeNull();
    expect(document.getElementById('city-330100')).toBeTruthy();
  });

  it('searches by initials and remembers the choice', async () => {
    jest.useFakeTimers();
    render(<CityPicker />);
    fireEvent.change(screen.getByPlaceholderText('输入城市名、拼音或首字母'), { target: { value: 'hz' } });
    await act(async () => {
      jest.advanceTimersByTime(200);
    });
    jest.useRealTimers();
    fireEvent.click(await screen.findByText('杭州市'));
    expect(navigated).toEqual(['back']);
    const Taro = (await import('../../../test/taro')).default;
    expect((Taro.getStorageSync('cityhub.currentCity') as { code: string }).code).toBe('330100');
  });
});
