import { randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
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
}
