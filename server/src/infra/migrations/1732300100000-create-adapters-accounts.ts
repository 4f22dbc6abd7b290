import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const created = { name: 'created_at', type: 'datetime', precision: 3 } as const;

/** Adapter registry, sealed secrets, operator audit log, residents and their bound accounts. */
export class CreateAdaptersAccounts1732300100000 implements MigrationInterface {
  name = 'CreateAdaptersAccounts1732300100000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'adapters',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'category', type: 'varchar', length: '32' },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'active_version', type: 'varchar', length: '32', isNullable: true },
          created,
          { name: 'updated_at', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'adapter_versions',
        columns: [
          { name: 'adapter_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'version', type: 'varchar', length: '32', isPrimary: true },
          { name: 'manifest', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'verify_report', type: 'text', isNullable: true },
          { name: 'verified_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'created_by', type: 'varchar', length: '64' },
          created,
        ],
        foreignKeys: [{ columnNames: ['adapter_id'], referencedTableName: 'adapters', referencedColumnNames: ['id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'secrets',
        columns: [
          { name: 'name', type: 'varchar', length: '64', isPrimary: true },
          { name: 'sealed', type: 'text' },
          { name: 'updated_at', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'at', type: 'datetime', precision: 3 },
          { name: 'actor', type: 'varchar', length: '64' },
          { name: 'action', type: 'varchar', length: '64' },
          { name: 'target', type: 'varchar', length: '128' },
          { name: 'outcome', type: 'varchar', length: '8' },
          { name: 'details', type: 'text', isNullable: true },
        ],
      }),
    );
    await q.createIndex('audit_log', new TableIndex({ name: 'idx_audit_at', columnNames: ['at'] }));
    await q.createTable(
      new Table({
        name: 'residents',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'openid', type: 'varchar', length: '64', isUnique: true },
          created,
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'accounts',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'resident_id', type: 'varchar', length: '36' },
          { name: 'adapter_id', type: 'varchar', length: '64' },
          { name: 'category', type: 'varchar', length: '32' },
          { name: 'city_code', type: 'varchar', length: '6' },
          { name: 'alias', type: 'varchar', length: '40', isNullable: true },
          { name: 'fields_sealed', type: 'text' },
          { name: 'fields_masked', type: 'text' },
          { name: 'fields_digest', type: 'varchar', length: '64' },
          { name: 'holder_name_masked', type: 'varchar', length: '64' },
          { name: 'address_hint', type: 'varchar', length: '128', isNullable: true },
          created,
        ],
        foreignKeys: [{ columnNames: ['resident_id'], referencedTableName: 'residents', referencedColumnNames: ['id'] }],
      }),
    );
    await q.createIndex('accounts', new TableIndex({ name: 'idx_accounts_resident', columnNames: ['resident_id'] }));
    await q.createIndex(
      'accounts',
      new TableIndex({ name: 'uq_accounts_resident_adapter_fields', columnNames: ['resident_id', 'adapter_id', 'fields_digest'], isUnique: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['accounts', 'residents', 'audit_log', 'secrets', 'adapter_versions', 'adapters']) await q.dropTable(table);
  }
}
