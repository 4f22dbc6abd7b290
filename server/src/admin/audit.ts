import type { DataSource, Repository } from 'typeorm';
import { AuditEntity, type AuditRow } from './entities';

/** The operator audit trail: every admin call, who, what, when, and how it ended. */
export class AuditLog {
  private readonly repo: Repository<AuditRow>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(AuditEntity);
  }

  async record(entry: { actor: string; action: string; target: string; outcome: 'ok' | 'error'; details?: unknown }): Promise<void> {
    await this.repo.insert({
      at: new Date(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target.slice(0, 128),
      outcome: entry.outcome,
      details: entry.details === undefined ? null : JSON.stringify(entry.details).slice(0, 8000),
    });
  }

  async recent(limit = 100): Promise<AuditRow[]> {
    return this.repo.find({ order: { id: 'DESC' }, take: limit });
  }
}
