import { z } from 'zod';
import { categorySchema } from '../adapters/manifest';
import { billSchema } from './accounts';

/**
 * PARTLY_REFUNDING / PARTLY_REFUNDED: a provider that writes off bill by bill
 * took some bills of the order and refused others; the refused ones are
 * refunded, the rest stay paid.
 */
export const orderStatusSchema = z.enum(['CREATED', 'PAID', 'POSTING', 'COMPLETED', 'CLOSED', 'REFUNDING', 'REFUNDED', 'PARTLY_REFUNDING', 'PARTLY_REFUNDED']);
export type OrderStatusDto = z.infer<typeof orderStatusSchema>;

/** Chinese words residents see for each order status. */
export const ORDER_STATUS_LABELS: Record<OrderStatusDto, string> = {
  CREATED: '待支付',
  PAID: '已支付',
  POSTING: '销账中',
  COMPLETED: '缴费成功',
  CLOSED: '已关闭',
  REFUNDING: '退款中',
  REFUNDED: '已退款',
  PARTLY_REFUNDING: '部分缴费成功，退款中',
  PARTLY_REFUNDED: '部分缴费成功，已退款',
};

export const createOrderBodySchema = z.object({
  accountId: z.uuid('accountId must be the id of one of your accounts'),
  billRefs: z
    .array(z.string().min(1).max(64))
    .min(1, 'choose at least one bill')
    .max(20, 'at most 20 bills per order')
    .refine((refs) => new Set(refs).size === refs.length, 'billRefs must not repeat a bill'),
});

export const idempotencyKeySchema = z
  .string({ error: 'the Idempotency-Key header is required' })
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'Idempotency-Key must be 8–64 letters, digits, - or _');

export const orderIdParamsSchema = z.object({ id: z.uuid('order id must be a UUID') });

export const orderListQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(50).default(20),
  serviceId: z.string().regex(/^[a-z][a-z0-9-]{2,63}$/).optional(),
  category: categorySchema.optional(),
});

export const requestPaymentSchema = z
  .object({
    appId: z.string(),
    timeStamp: z.string(),
    nonceStr: z.string(),
    package: z.string(),
    signType: z.literal('RSA'),
    paySign: z.string(),
  })
  .meta({ id: 'RequestPaymentParams' });

export const receiptSchema = z.object({
  providerName: z.string(),
  serviceName: z.string(),
  accountMasked: z.record(z.string(), z.string()),
  amountFen: z.number().int(),
  transactionId: z.string(),
  writeOffRef: z.string(),
  paidAt: z.string(),
  completedAt: z.string(),
});

/** Money going back to the payer: the number residents quote to WeChat Pay support, and how much. */
export const refundSchema = z.object({ refundNo: z.string(), amountFen: z.number().int() });

export const orderSchema = z
  .object({
    id: z.string(),
    orderNo: z.string(),
    status: orderStatusSchema,
    statusLabel: z.string(),
    serviceId: z.string(),
    serviceName: z.string(),
    providerName: z.string(),
    category: categorySchema,
    cityCode: z.string(),
    accountId: z.string(),
    accountMasked: z.record(z.string(), z.string()),
    bills: z.array(billSchema),
    amountFen: z.number().int(),
    createdAt: z.string(),
    expiresAt: z.string(),
    refundReason: z.string().nullable(),
    /** Set once a refund was started (all of the order, or the bills a per-bill provider refused). */
    refund: refundSchema.nullable().default(null),
    timeline: z.array(z.object({ status: orderStatusSchema, at: z.string(), note: z.string().nullable() })),
    receipt: receiptSchema.nullable(),
  })
  .meta({ id: 'Order' });

export const createdOrderSchema = z.object({ order: orderSchema, payment: requestPaymentSchema.nullable() }).meta({ id: 'CreatedOrder' });
export const orderDetailSchema = z.object({ order: orderSchema });
export const orderListSchema = z
  .object({ orders: z.array(orderSchema), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() })
  .meta({ id: 'OrderList' });

export type OrderDto = z.infer<typeof orderSchema>;
export type CreateOrderBody = z.infer<typeof createOrderBodySchema>;
export type RequestPayment = z.infer<typeof requestPaymentSchema>;
