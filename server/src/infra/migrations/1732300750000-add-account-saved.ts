import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Accounts confirmed "仅本次缴费" (pay without saving) are kept, unlisted, with saved = false. */
export class AddAccountSaved1732300750000 implements MigrationInterface {
  name = 'AddAccountSaved1732300750000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('accounts', new TableColumn({ name: 'saved', type: 'boolean', default: true, isNullable: false }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('accounts', 'saved');
  }
}
