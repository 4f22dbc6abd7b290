import { EntitySchema } from 'typeorm';

/** One operator action: who did what to which thing, when, and how it ended. */
export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  action: string;
  target: string;
  outcome: 'ok' | 'error' | 'refused';
  details: string | null;
}

export const AuditEntity = new EntitySchema<AuditRow>({
  name: 'Audit',
  tableName: 'audit_log',
  columns: {
    id: { type: Number, primary: true, generated: 'increment' },
    at: { type: 'datetime' },
    actor: { type: String, length: 64 },
    action: { type: String, length: 64 },
    target: { type: String, length: 128 },
    outcome: { type: String, length: 8 },
    details: { type: 'text', nullable: true },
  },
});
