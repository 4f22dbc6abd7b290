import type { DataSource } from 'typeorm';
import type { OrderStatusDto, ReconciliationDifference, ReconciliationReport } from '@cityhub/shared';
import { AppError, NotFoundError } from '../errors';
import type { Logger } from '../infra/logger';
import type { OrderLedger, OrderRecord } from '../orders/ledger';
import type { PaymentGateway, TradeBillRow } from '../payments/gateway';
import { ReconciliationEntity } from './entities';

/** The report keeps this many differences in full; the counts cover all of them. */
const MAX_LISTED_DIFFERENCES = 200;
/** Order statuses under which a refund at the gateway is expected. */
const REFUND_STATUSES = new Set<OrderStatusDto>(['REFUNDING', 'REFUNDED', 'PARTLY_REFUNDING', 'PARTLY_REFUNDED']);

/**
 * Matches the gateway's trade bill for a day against the hub's orders and
 * write-offs: every payment should be written off (COMPLETED) or refunded,
 * every write-off should have a payment, and the fen should add up.
 */
export class ReconciliationService {
  constructor(private readonly deps: { dataSource: DataSource; orders: OrderLedger; gateway: PaymentGateway; log: Logger }) {}

  async run(date: string): Promise<ReconciliationReport> {
    let rows: TradeBillRow[];
    try {
      rows = await this.deps.gateway.tradeBill(date);
    } catch (err) {
      throw new AppError('GATEWAY_UNAVAILABLE', `the trade bill for ${date} could not be downloaded; try again later`, undefined, { expose: true, cause: err });
    }
    const payments = rows.filter((r) => r.tradeState === 'SUCCESS');
    const refunds = rows.filter((r) => r.tradeState === 'REFUND');

    const byNo = await this.deps.orders.byOrderNos(rows.map((r) => r.outTradeNo));
    // Orders the hub believes were paid that day: each must appear in the bill.
    const start = new Date(Date.parse(`${date}T00:00:00+08:00`));
    const end = new Date(start.getTime() + 24 * 3600_000);
    const paidThatDay = await this.deps.orders.paidBetween(start, end, ['PAID', 'POSTING', 'COMPLETED', 'PARTLY_REFUNDING', 'PARTLY_REFUNDED']);

    const differences: ReconciliationDifference[] = [];
    const diff = (kind: ReconciliationDifference['kind'], orderNo: string, row: TradeBillRow | null, order: OrderRecord | undefined) =>
      differences.push({ kind, orderNo, transactionId: row?.transactionId ?? order?.transactionId ?? null, gatewayFen: row ? row.totalFen : null, hubFen: order ? Number(order.amountFen) : null, hubStatus: order?.status ?? null });

    let matched = 0;
    let refunded = 0;
    let writtenOffFen = 0;
    let refundedOrdersFen = 0;
    const paidNos = new Set<string>();
    for (const row of payments) {
      paidNos.add(row.outTradeNo);
      const order = byNo.get(row.outTradeNo);
      if (!order) diff('payment_without_order', row.outTradeNo, row, undefined);
      else if (order.status === 'REFUNDING' || order.status === 'REFUNDED') {
        refunded++;
        refundedOrdersFen += row.totalFen;
      } else if (Number(order.amountFen) !== row.totalFen) diff('amount_mismatch', row.outTradeNo, row, order);
      else if (order.status === 'PARTLY_REFUNDING' || order.status === 'PARTLY_REFUNDED') {
        // Some bills written off, the refused ones refunded: the payment splits between the two.
        matched++;
        refunded++;
        const refundFen = Number(order.refundFen ?? 0);
        writtenOffFen += Number(order.amountFen) - refundFen;
        refundedOrdersFen += refundFen;
      }
      else if (order.status === 'COMPLETED') {
        matched++;
        writtenOffFen += Number(order.amountFen);
      } else diff('paid_not_written_off', row.outTradeNo, row, order);
    }
    for (const order of paidThatDay) {
      if (!paidNos.has(order.orderNo) && !byNo.has(order.orderNo)) diff('written_off_not_paid', order.orderNo, null, order);
    }
    for (const row of refunds) {
      const order = byNo.get(row.outTradeNo);
      if (!order || !REFUND_STATUSES.has(order.status)) diff('refund_not_recorded', row.outTradeNo, row, order);
    }

    const gatewayPaidFen = payments.reduce((n, r) => n + r.totalFen, 0);
    const gatewayRefundedFen = refunds.reduce((n, r) => n + r.refundFen, 0);
    const report: ReconciliationReport = {
      date,
      generatedAt: new Date().toISOString(),
      counts: { gatewayPayments: payments.length, gatewayRefunds: refunds.length, matched, refunded, differences: differences.length },
      totals: { gatewayPaidFen, gatewayRefundedFen, writtenOffFen, refundedOrdersFen },
      balanced: differences.length === 0 && gatewayPaidFen === writtenOffFen + refundedOrdersFen,
      differences: differences.slice(0, MAX_LISTED_DIFFERENCES),
    };
    await this.deps.dataSource.getRepository(ReconciliationEntity).save({ date, generatedAt: new Date(), report });
    this.deps.log.info({ date, balanced: report.balanced, differences: differences.length }, 'reconciliation report stored');
    return report;
  }

  async get(date: string): Promise<ReconciliationReport> {
    const row = await this.deps.dataSource.getRepository(ReconciliationEntity).findOneBy({ date });
    if (!row) throw new NotFoundError('REPORT_NOT_FOUND', `no reconciliation report for ${date}; run one with POST /api/v1/admin/reconciliation`);
    return row.report;
  }

  async has(date: string): Promise<boolean> {
    return (await this.deps.dataSource.getRepository(ReconciliationEntity).countBy({ date })) > 0;
  }
}
