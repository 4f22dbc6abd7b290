import type { City } from '@cityhub/shared';

/**
 * 热门城市: the four municipalities and the largest provincial capitals and
 * cities, in the order residents expect them (as on WeChat's and Alipay's pickers).
 */
export const HOT_CITY_CODES = ['110100', '310100', '440100', '440300', '330100', '510100', '420100', '410100', '320100', '610100', '500100', '120100'] as const;

export type CityGrouping = 'province' | 'letter';

export interface CityGroup {
  key: string;
  title: string;
  cities: City[];
}

/** Groups cities by province (in catalog order) or by the first letter of their pinyin (A–Z). */
export function groupCities(cities: readonly City[], by: CityGrouping): CityGroup[] {
  const groups = new Map<string, CityGroup>();
  for (const city of cities) {
    const key = by === 'province' ? city.provinceCode : city.initials.charAt(0).toUpperCase();
    const title = by === 'province' ? city.provinceName : key;
    const group = groups.get(key) ?? { key, title, cities: [] };
    group.cities.push(city);
    groups.set(key, group);
  }
  const list = [...groups.values()];
  return by === 'letter' ? list.sort((a, b) => a.key.localeCompare(b.key)) : list;
}
