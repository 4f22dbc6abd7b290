import { randomUUID } from 'node:crypto';
import { In, type DataSource, type Repository } from 'typeorm';
import { ResidentEntity, type ResidentRow } from './entities';

/** Residents by WeChat openid: found, or created on first sign-in. */
export class ResidentService {
  private readonly repo: Repository<ResidentRow>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(ResidentEntity);
  }

  async findOrCreate(openid: string): Promise<ResidentRow> {
    const existing = await this.repo.findOneBy({ openid });
    if (existing) return existing;
    try {
      const row = { id: randomUUID(), openid, createdAt: new Date() };
      await this.repo.insert(row);
      return row;
    } catch (err) {
      // Two first sign-ins at once: the unique openid lets one insert win; read it back.
      const winner = await this.repo.findOneBy({ openid });
      if (winner) return winner;
      throw err;
    }
  }

  /** WeChat openids by resident id, for messages to residents (ids with no resident are left out). */
  async openids(residentIds: readonly string[]): Promise<Map<string, string>> {
    const ids = [...new Set(residentIds)];
    if (ids.length === 0) return new Map();
    const rows = await this.repo.findBy({ id: In(ids) });
    return new Map(rows.map((r) => [r.id, r.openid]));
  }
}
