import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Bill reminders: how many one-time WeChat subscriptions each account holds,
 * and which bills a reminder was already sent for (so none is sent twice).
 */
export class CreateReminders1732300400000 implements MigrationInterface {
  name = 'CreateReminders1732300400000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('accounts', new TableColumn({ name: 'reminders_left', type: 'int', default: 0 }));
    await q.createTable(
      new Table({
        name: 'reminders_sent',
        columns: [
          { name: 'account_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'bill_ref', type: 'varchar', length: '64', isPrimary: true },
          { name: 'sent_at', type: 'datetime', precision: 3 },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('reminders_sent');
    await q.dropColumn('accounts', 'reminders_left');
  }
}
