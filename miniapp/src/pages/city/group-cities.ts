import type { City } from '@cityhub/shared';

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
