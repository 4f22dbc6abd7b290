import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const str = (name: string, length: number) => ({ name, type: 'varchar', length: String(length) });

/** Household accounts (缴费分组, issue 11): groups, their members, their accounts and invitation links. */
export class CreateHouseholds1732301100000 implements MigrationInterface {
  name = 'CreateHouseholds1732301100000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'households',
        columns: [{ ...str('id', 36), isPrimary: true }, str('owner_id', 36), str('name', 40), { name: 'created_at', type: 'datetime' }, { name: 'updated_at', type: 'datetime' }],
      }),
    );
    await q.createIndex('households', new TableIndex({ name: 'idx_households_owner', columnNames: ['owner_id'] }));
    await q.createTable(
      new Table({
        name: 'household_members',
        columns: [{ ...str('id', 36), isPrimary: true }, str('household_id', 36), str('resident_id', 36), str('display_name', 40), { name: 'joined_at', type: 'datetime' }],
      }),
    );
    // One membership per resident and group; reads go both ways (a group's members, a resident's groups).
    await q.createIndex('household_members', new TableIndex({ name: 'uq_household_members', columnNames: ['household_id', 'resident_id'], isUnique: true }));
    await q.createIndex('household_members', new TableIndex({ name: 'idx_household_members_resident', columnNames: ['resident_id'] }));
    await q.createTable(
      new Table({
        name: 'household_accounts',
        columns: [{ ...str('account_id', 36), isPrimary: true }, str('household_id', 36), { name: 'added_at', type: 'datetime' }],
      }),
    );
    await q.createIndex('household_accounts', new TableIndex({ name: 'idx_household_accounts_household', columnNames: ['household_id'] }));
    await q.createTable(
      new Table({
        name: 'household_invites',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('household_id', 36),
          { ...str('token_digest', 64), isUnique: true },
          { name: 'uses_left', type: 'int' },
          { name: 'expires_at', type: 'datetime' },
          { name: 'created_at', type: 'datetime' },
        ],
      }),
    );
    await q.createIndex('household_invites', new TableIndex({ name: 'idx_household_invites_household', columnNames: ['household_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('household_invites');
    await q.dropTable('household_accounts');
    await q.dropTable('household_members');
    await q.dropTable('households');
  }
}
