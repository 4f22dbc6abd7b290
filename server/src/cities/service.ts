import type { DataSource, Repository } from 'typeorm';
import type { City, CitySearchQuery } from '@cityhub/shared';
import { NotFoundError } from '../errors';
import { LocalCache } from '../infra/kv/local-cache';
import { nearestCity } from './coordinates';
import { CityEntity, type CityRow } from './entities';

/** The catalog held in memory, frozen: every city in code order, and by code. */
interface CityIndex {
  ordered: readonly City[];
  byCode: Map<string, City>;
}

/**
 * Answers to recent searches. The catalog never changes while the hub runs,
 * so an answer stays right; the bound only keeps odd queries from piling up.
 */
const SEARCH_MEMORY_MS = 3600_000;
const SEARCHES_REMEMBERED = 2000;

/**
 * The city catalog: search by name, pinyin or initials; look up by code.
 *
 * The catalog is seeded by migration and read-only at run time, and small
 * (about 340 rows), so it is read once and searched in memory: a search is a
 * scan of 340 short strings instead of an ORM query per keystroke (issue 8).
 */
export class CityService {
  private readonly repo: Repository<CityRow>;
  private index?: Promise<CityIndex>;
  private readonly searches = new LocalCache<readonly City[]>(SEARCH_MEMORY_MS, SEARCHES_REMEMBERED);

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(CityEntity);
  }

  /** Reads the catalog into memory; the first search does it if nobody called this at boot. */
  load(): Promise<void> {
    return this.catalog().then(() => undefined);
  }

  private catalog(): Promise<CityIndex> {
    this.index ??= this.repo.find().then(
      (rows) => {
        const ordered = rows
          .map((r): City => Object.freeze({ code: r.code, name: r.name, provinceCode: r.provinceCode, provinceName: r.provinceName, pinyin: r.pinyin, initials: r.initials }))
          .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
        return { ordered, byCode: new Map(ordered.map((c) => [c.code, c])) };
      },
      (err: unknown) => {
        // A failed read (database not up yet) is retried by the next caller, not remembered.
        this.index = undefined;
        throw err;
      },
    );
    return this.index;
  }

  /**
   * Lists cities ordered by code. `q` matches a part of the Chinese name, or a
   * prefix of the full pinyin or of the initials ("郑州", "zhengzhou", "zz").
   */
  async search(query: CitySearchQuery): Promise<City[]> {
    const { ordered } = await this.catalog();
    const province = query.province ?? '';
    const q = query.q?.trim() ?? '';
    const memoKey = `${province}|${q}`;
    const remembered = this.searches.get(memoKey);
    // A fresh array each time; the cities in it are frozen and shared.
    if (remembered) return [...remembered];
    const latin = q.toLowerCase().replace(/[\s']/g, '');
    const byPinyin = latin !== '' && /^[a-z]+$/.test(latin);
    const found = Object.freeze(
      ordered.filter(
        (city) =>
          (!province || city.provinceCode === province) &&
          (!q || city.name.includes(q) || (byPinyin && (city.pinyin.startsWith(latin) || city.initials.startsWith(latin)))),
      ),
    );
    this.searches.set(memoKey, found);
    return [...found];
  }

  /** The city nearest to where the resident is (for 定位), or CITY_NOT_FOUND when no city is near. */
  async locate(lat: number, lng: number): Promise<{ city: City; distanceKm: number }> {
    const { byCode } = await this.catalog();
    const nearest = nearestCity([lat, lng], byCode.keys());
    const city = nearest && byCode.get(nearest.code);
    if (!nearest || !city) throw new NotFoundError('CITY_NOT_FOUND', 'no city we serve is near this location');
    return { city, distanceKm: Math.round(nearest.distanceKm) };
  }

  /** The city with this GB/T 2260 code, or CITY_NOT_FOUND. */
  async get(code: string): Promise<City> {
    const city = (await this.catalog()).byCode.get(code);
    if (!city) throw new NotFoundError('CITY_NOT_FOUND', `no city with code ${code}`);
    return city;
  }
}
