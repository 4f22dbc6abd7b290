import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * When an order's prepay stops being usable (WeChat's prepay_id lives 2 hours,
 * and never past the order's own time_expire): a resident who continues a
 * pending order is handed the same prepay until then, a new one after.
 */
export class AddOrderPrepayExpiry1732301200000 implements MigrationInterface {
  name = 'AddOrderPrepayExpiry1732301200000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('orders', new TableColumn({ name: 'prepay_expires_at', type: 'datetime', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('orders', 'prepay_expires_at');
  }
}
