import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Operators' choices of who serves a (city, category) that two adapters cover at the same level. */
export class CreateCoverageChoices1732300500000 implements MigrationInterface {
  name = 'CreateCoverageChoices1732300500000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'coverage_choices',
        columns: [
          { name: 'city_code', type: 'varchar', length: '6', isPrimary: true },
          { name: 'category', type: 'varchar', length: '32', isPrimary: true },
          { name: 'adapter_id', type: 'varchar', length: '64' },
          { name: 'replaced_adapter_id', type: 'varchar', length: '64' },
          { name: 'chosen_by', type: 'varchar', length: '64' },
          { name: 'chosen_at', type: 'datetime' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('coverage_choices');
  }
}
