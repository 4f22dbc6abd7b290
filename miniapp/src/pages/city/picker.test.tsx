import { act, fireEvent, render, screen } from '@testing-library/react';
import { answer, navigated, setLocation } from '../../../test/taro';
import CityPicker from './index';

const city = (code: string, name: string, provinceCode: string, provinceName: string, pinyin: string, initials: string) => ({ code, name, provinceCode, provinceName, pinyin, initials });
const all = [
  city('110100', '北京市', '11', '北京市', 'beijing', 'bj'),
  city('410100', '郑州市', '41', '河南省', 'zhengzhou', 'zz'),
  city('410300', '洛阳市', '41', '河南省', 'luoyang', 'ly'),
  city('330100', '杭州市', '33', '浙江省', 'hangzhou', 'hz'),
  city('330200', '宁波市', '33', '浙江省', 'ningbo', 'nb'),
];

beforeEach(() => {
  navigated.length = 0;
  answer((url) => {
    if (url.includes('/cities/locate')) {
      const lat = Number(new URL(url, 'http://hub').searchParams.get('lat'));
      return lat > 34 && lat < 35 ? { statusCode: 200, data: { city: all[1], distanceKm: 3 } } : { statusCode: 404, data: { error: { code: 'CITY_NOT_FOUND', message: 'no city', requestId: 'r' } } };
    }
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

  it('offers 热门城市 and the municipalities directly, without unfolding a province of one city', async () => {
    render(<CityPicker />);
    const hot = await screen.findByText('热门城市');
    expect(hot.parentElement!.textContent).toContain('北京');
    expect(hot.parentElement!.textContent).toContain('杭州');
    expect(document.getElementById('group-11')).toBeNull();
    fireEvent.click(document.getElementById('city-110100')!);
    expect(navigated).toEqual(['back']);
  });

  it('locates the resident and offers the city found', async () => {
    setLocation({ latitude: 34.7567, longitude: 113.7786 });
    render(<CityPicker />);
    await act(async () => fireEvent.click(await screen.findByText('定位当前城市')));
    const found = await screen.findByText('郑州市', { selector: '#located-city' });
    fireEvent.click(found);
    const Taro = (await import('../../../test/taro')).default;
    expect((Taro.getStorageSync('cityhub.currentCity') as { code: string }).code).toBe('410100');
  });

  it.each([
    [{ errMsg: 'getLocation:fail auth deny' }, '未获得定位权限'],
    [{ errMsg: 'getLocation:fail timeout' }, '暂时无法获取您的位置'],
    [{ latitude: 48.85, longitude: 2.35 }, '附近暂无可选城市'],
  ])('explains a failed location (%p) in Chinese and leaves the list to choose from', async (outcome, message) => {
    setLocation(outcome);
    render(<CityPicker />);
    await act(async () => fireEvent.click(await screen.findByText('定位当前城市')));
    expect((await screen.findByText(new RegExp(message))).id).toBe('locate-failed');
    expect(screen.getByText('定位当前城市')).toBeTruthy();
  });
});
