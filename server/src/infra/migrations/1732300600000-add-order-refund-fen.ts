import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Orders refunded in part (bills a per-bill provider refused) record how much. */
export class AddOrderRefundFen1732300600000 implements MigrationInterface {
  name = 'AddOrderRefundFen1732300600000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('orders', new TableColumn({ name: 'refund_fen', type: 'bigint', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('orders', 'refund_fen');
  }
}
