import { reconciliationReportSchema, type ReconciliationReport } from '@cityhub/shared';
import { EntitySchema } from 'typeorm';
import { jsonColumn } from '../infra/json-column';

export interface ReconciliationRow {
  date: string;
  generatedAt: Date;
  report: ReconciliationReport;
}

/** One stored report per day; a rerun replaces it. */
export const ReconciliationEntity = new EntitySchema<ReconciliationRow>({
  name: 'Reconciliation',
  tableName: 'reconciliation_reports',
  columns: {
    date: { type: String, length: 10, primary: true },
    generatedAt: { name: 'generated_at', type: 'datetime', precision: 3 },
    report: { type: 'text', transformer: jsonColumn(reconciliationReportSchema, 'reconciliation_reports.report') },
  },
});
