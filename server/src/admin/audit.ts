import type { AuditEntry, AuditQuery } from '@cityhub/shared';
import { And, LessThan, LessThanOrEqual, Like, MoreThanOrEqual, type DataSource, type FindOperator, type FindOptionsWhere, type Repository } from 'typeorm';
import { AuditEntity, type AuditRow } from './entities';

/** The operator audit trail: every admin call, who, what, when, and how it ended — refused calls too. */
export class AuditLog {
  private readonly repo: Repository<AuditRow>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(AuditEntity);
  }

  async record(entry: { actor: string; action: string; target: string; outcome: AuditRow['outcome']; details?: unknown }): Promise<void> {
    await this.repo.insert({
      at: new Date(),
      actor: entry.actor.slice(0, 64),
      action: entry.action.slice(0, 64),
      target: entry.target.slice(0, 128),
      outcome: entry.outcome,
      details: entry.details === undefined ? null : JSON.stringify(entry.details).slice(0, 8000),
    });
  }

  async recent(limit = 100): Promise<AuditRow[]> {
    return this.repo.find({ order: { id: 'DESC' }, take: limit });
  }

  /** A page of the trail, newest first, filtered by operator, action (substring), outcome and time. */
  async query(q: AuditQuery): Promise<{ entries: AuditEntry[]; nextBefore: number | null }> {
    const where: FindOptionsWhere<AuditRow> = {};
    if (q.operator) where.actor = q.operator;
    if (q.action) where.action = Like(`%${q.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (q.outcome) where.outcome = q.outcome;
    const at: Array<FindOperator<Date>> = [];
    if (q.from) at.push(MoreThanOrEqual(new Date(q.from)));
    if (q.to) at.push(LessThanOrEqual(new Date(q.to)));
    if (at.length) where.at = at.length === 1 ? at[0] : And(...at);
    if (q.before) where.id = LessThan(q.before);
    const rows = await this.repo.find({ where, order: { id: 'DESC' }, take: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return {
      entries: page.map((r) => ({
        id: r.id,
        at: new Date(r.at).toISOString(),
        actor: r.actor,
        action: r.action,
        target: r.target,
        outcome: r.outcome,
        details: r.details === null ? null : (JSON.parse(r.details) as unknown),
      })),
      nextBefore: rows.length > q.limit ? page[page.length - 1].id : null,
    };
  }
}
