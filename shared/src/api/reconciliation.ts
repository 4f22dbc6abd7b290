import { z } from 'zod';

/** A Beijing calendar day, as WeChat's trade bill is cut. */
export const reconciliationDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD')
  .pipe(z.iso.date('date must be a calendar day'))
  // A day that has not begun in Beijing has no trade bill: the gateway's refusal is the caller's mistake, not a 502 (issue 9's fuzz).
  .refine((day) => day <= new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10), 'date must not be in the future (Beijing time)');
export const reconciliationQuerySchema = z.object({ date: reconciliationDateSchema });
export const runReconciliationBodySchema = z.object({ date: reconciliationDateSchema });

export const differenceKindSchema = z.enum([
  'paid_not_written_off',
  'written_off_not_paid',
  'amount_mismatch',
  'payment_without_order',
  'refund_not_recorded',
]);

export const reconciliationDifferenceSchema = z.object({
  kind: differenceKindSchema,
  orderNo: z.string(),
  transactionId: z.string().nullable(),
  gatewayFen: z.number().int().nullable(),
  hubFen: z.number().int().nullable(),
  hubStatus: z.string().nullable(),
});

/** Pay (gateway trade bill) vs write-off (orders) vs refund, for one day; all amounts in fen. */
export const reconciliationReportSchema = z
  .object({
    date: reconciliationDateSchema,
    generatedAt: z.string(),
    counts: z.object({
      gatewayPayments: z.number().int(),
      gatewayRefunds: z.number().int(),
      matched: z.number().int(),
      refunded: z.number().int(),
      differences: z.number().int(),
    }),
    totals: z.object({
      gatewayPaidFen: z.number().int(),
      gatewayRefundedFen: z.number().int(),
      writtenOffFen: z.number().int(),
      refundedOrdersFen: z.number().int(),
    }),
    /** True when every payment is written off or refunded, every write-off was paid, and the fen add up. */
    balanced: z.boolean(),
    differences: z.array(reconciliationDifferenceSchema),
  })
  .meta({ id: 'ReconciliationReport' });

export type ReconciliationReport = z.infer<typeof reconciliationReportSchema>;
export type ReconciliationDifference = z.infer<typeof reconciliationDifferenceSchema>;
