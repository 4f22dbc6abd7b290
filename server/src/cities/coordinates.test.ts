import fs from 'node:fs';
import { buildCityCatalog } from './catalog';
import { distanceKm, nearestCity } from './coordinates';
import { COORDINATES_FILE, coordinatesFromPackage } from './coordinates-source';

describe('city coordinates', () => {
  const codes = buildCityCatalog().map((c) => c.code);

  it('are what the gazetteer package gives today (regenerate with coordinates-source.ts)', () => {
    expect(fs.readFileSync(COORDINATES_FILE, 'utf8')).toBe(coordinatesFromPackage());
  });

  it('cover every prefecture-level city and municipality', () => {
    const seats = JSON.parse(fs.readFileSync(COORDINATES_FILE, 'utf8')) as Record<string, unknown>;
    const prefectures = codes.filter((c) => c.endsWith('00'));
    expect(prefectures.filter((c) => !seats[c])).toEqual([]);
  });

  it('measure distance on the sphere: 北京 to 上海 is about 1,070 km', () => {
    expect(distanceKm([39.908, 116.397], [31.222, 121.458])).toBeGreaterThan(1050);
    expect(distanceKm([39.908, 116.397], [31.222, 121.458])).toBeLessThan(1090);
  });

  it.each([
    ['天安门', 39.9087, 116.3975, '110100'],
    ['郑州东站', 34.7567, 113.7786, '410100'],
    ['杭州西湖', 30.2431, 120.1503, '330100'],
    ['苏州 (not 宿州)', 31.2989, 120.5853, '320500'],
    ['宿州 (not 苏州)', 33.6461, 116.9641, '341300'],
    ['拉萨布达拉宫', 29.6578, 91.1169, '540100'],
    ['重庆解放碑', 29.5575, 106.5773, '500100'],
    ['济源 (directly administered)', 35.0671, 112.6022, '419001'],
  ])('puts %s in its own city', (_, lat, lng, code) => {
    expect(nearestCity([lat, lng], codes)?.code).toBe(code);
  });

  it('finds no city for a point far from China', () => {
    expect(nearestCity([48.8566, 2.3522], codes)).toBeNull();
    expect(nearestCity([0, 0], codes)).toBeNull();
  });
});
