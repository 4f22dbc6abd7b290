import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const dt = (name: string, isNullable = false) => ({ name, type: 'datetime', precision: 3, isNullable });
const str = (name: string, length: number, isNullable = false) => ({ name, type: 'varchar', length: String(length), isNullable });

/** Orders with their timeline, bill locks (one live order per bill), the outbox and idempotency keys. */
export class CreateOrders1732300200000 implements MigrationInterface {
  name = 'CreateOrders1732300200000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'orders',
        columns: [
          { ...str('id', 36), isPrimary: true },
          { ...str('order_no', 32), isUnique: true },
          str('resident_id', 36),
          str('account_id', 36),
          str('adapter_id', 64),
          str('adapter_version', 32),
          str('category', 32),
          str('city_code', 6),
          str('service_name', 64),
          str('provider_name', 64),
          { name: 'fields_sealed', type: 'text' },
          { name: 'account_masked', type: 'text' },
          { name: 'bill_refs', type: 'text' },
          { name: 'bills', type: 'text' },
          { name: 'amount_fen', type: 'bigint' },
          str('status', 16),
          str('prepay_id', 64, true),
          dt('expires_at'),
          str('transaction_id', 64, true),
          dt('paid_at', true),
          str('write_off_ref', 64, true),
          dt('completed_at', true),
          str('refund_no', 64, true),
          str('refund_reason', 200, true),
          dt('closed_at', true),
          dt('created_at'),
          dt('updated_at'),
        ],
      }),
    );
    await q.createIndex('orders', new TableIndex({ name: 'idx_orders_resident_created', columnNames: ['resident_id', 'created_at'] }));
    await q.createIndex('orders', new TableIndex({ name: 'idx_orders_status_updated', columnNames: ['status', 'updated_at'] }));
    await q.createTable(
      new Table({
        name: 'order_events',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          str('order_id', 36),
          dt('at'),
          str('status', 16),
          str('note', 200, true),
        ],
      }),
    );
    await q.createIndex('order_events', new TableIndex({ name: 'idx_order_events_order', columnNames: ['order_id'] }));
    await q.createTable(
      new Table({
        name: 'bill_locks',
        columns: [
          { ...str('adapter_id', 64), isPrimary: true },
          { ...str('account_digest', 64), isPrimary: true },
          { ...str('bill_ref', 64), isPrimary: true },
          str('order_id', 36),
        ],
      }),
    );
    await q.createIndex('bill_locks', new TableIndex({ name: 'idx_bill_locks_order', columnNames: ['order_id'] }));
    await q.createTable(
      new Table({
        name: 'outbox',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          str('order_id', 36),
          str('kind', 16),
          str('status', 16),
          { name: 'attempts', type: 'integer' },
          dt('next_attempt_at'),
          str('lease_owner', 64, true),
          dt('lease_until', true),
          str('last_error', 500, true),
          dt('created_at'),
          dt('updated_at'),
        ],
      }),
    );
    await q.createIndex('outbox', new TableIndex({ name: 'uq_outbox_order_kind', columnNames: ['order_id', 'kind'], isUnique: true }));
    await q.createIndex('outbox', new TableIndex({ name: 'idx_outbox_due', columnNames: ['status', 'next_attempt_at'] }));
    await q.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { ...str('resident_id', 36), isPrimary: true },
          { ...str('idem_key', 64), isPrimary: true },
          str('request_hash', 64),
          { name: 'status_code', type: 'integer', isNullable: true },
          { name: 'response', type: 'text', isNullable: true },
          dt('created_at'),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['idempotency_keys', 'outbox', 'bill_locks', 'order_events', 'orders']) await q.dropTable(t);
  }
}
