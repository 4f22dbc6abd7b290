import type { City } from '@cityhub/shared';
import { groupCities } from './group-cities';

const city = (code: string, name: string, provinceCode: string, provinceName: string, initials: string): City => ({ code, name, provinceCode, provinceName, pinyin: '', initials });
const cities = [
  city('410100', '郑州市', '41', '河南省', 'zz'),
  city('410300', '洛阳市', '41', '河南省', 'ly'),
  city('330100', '杭州市', '33', '浙江省', 'hz'),
  city('110100', '北京市', '11', '北京市', 'bj'),
];

describe('groupCities', () => {
  it('groups by province in catalog order', () => {
    expect(groupCities(cities, 'province').map((g) => [g.title, g.cities.map((c) => c.name)])).toEqual([
      ['河南省', ['郑州市', '洛阳市']],
      ['浙江省', ['杭州市']],
      ['北京市', ['北京市']],
    ]);
  });

  it('groups by the first letter of the pinyin, A to Z', () => {
    expect(groupCities(cities, 'letter').map((g) => [g.title, g.cities.map((c) => c.code)])).toEqual([
      ['B', ['110100']],
      ['H', ['330100']],
      ['L', ['410300']],
      ['Z', ['410100']],
    ]);
  });
});
