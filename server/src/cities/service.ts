import { Brackets, type DataSource, type Repository } from 'typeorm';
import type { City, CitySearchQuery } from '@cityhub/shared';
import { NotFoundError } from '../errors';
import { CityEntity, type CityRow } from './entities';

/**
 * Escapes LIKE wildcards so a resident's "%" or "_" matches itself. '!' is the
 * escape character because a backslash means different things in SQLite and MySQL.
 */
function likeEscape(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`);
}

/** The city catalog: search by name, pinyin or initials; look up by code. */
export class CityService {
  private readonly repo: Repository<CityRow>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(CityEntity);
  }

  /**
   * Lists cities ordered by code. `q` matches a part of the Chinese name, or a
   * prefix of the full pinyin or of the initials ("郑州", "zhengzhou", "zz").
   */
  async search(query: CitySearchQuery): Promise<City[]> {
    const qb = this.repo.createQueryBuilder('c').orderBy('c.code', 'ASC');
    if (query.province) qb.andWhere('c.province_code = :province', { province: query.province });
    const q = query.q?.trim();
    if (q) {
      const latin = q.toLowerCase().replace(/[\s']/g, '');
      qb.andWhere(
        new Brackets((w) => {
          w.where(`c.name LIKE :contains ESCAPE '!'`, { contains: `%${likeEscape(q)}%` });
          if (/^[a-z]+$/.test(latin)) {
            w.orWhere(`c.pinyin LIKE :prefix ESCAPE '!'`, { prefix: `${latin}%` });
            w.orWhere(`c.initials LIKE :prefix ESCAPE '!'`, { prefix: `${latin}%` });
          }
        }),
      );
    }
    return qb.getMany();
  }

  /** The city with this GB/T 2260 code, or CITY_NOT_FOUND. */
  async get(code: string): Promise<City> {
    const city = await this.repo.findOneBy({ code });
    if (!city) throw new NotFoundError('CITY_NOT_FOUND', `no city with code ${code}`);
    return city;
  }
}
