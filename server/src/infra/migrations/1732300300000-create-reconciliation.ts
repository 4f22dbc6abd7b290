import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Daily reconciliation reports (gateway trade bill vs orders and write-offs). */
export class CreateReconciliation1732300300000 implements MigrationInterface {
  name = 'CreateReconciliation1732300300000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'reconciliation_reports',
        columns: [
          { name: 'date', type: 'varchar', length: '10', isPrimary: true },
          { name: 'generated_at', type: 'datetime', precision: 3 },
          { name: 'report', type: 'text' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('reconciliation_reports');
  }
}
