import { createdOrderSchema, type OrderStatusDto } from '@cityhub/shared';
import { EntitySchema } from 'typeorm';
import type { z } from 'zod';
import { jsonColumn } from '../infra/json-column';

/** The order's status: the public API's own list (shared/), one definition. */
export type OrderStatus = OrderStatusDto;

/** An order to pay some bills of one account. Amounts in integer fen. */
export interface OrderRow {
  id: string;
  orderNo: string;
  residentId: string;
  accountId: string;
  adapterId: string;
  adapterVersion: string;
  category: string;
  cityCode: string;
  serviceName: string;
  providerName: string;
  /** The account's fields, sealed: the write-off needs them even if the account is unbound meanwhile. */
  fieldsSealed: string;
  accountMasked: string;
  billRefs: string;
  bills: string;
  amountFen: number;
  status: OrderStatus;
  prepayId: string | null;
  /** When the prepay stops being usable (2 hours after it was obtained, never past the order's expiry); null before the first. */
  prepayExpiresAt: Date | null;
  expiresAt: Date;
  transactionId: string | null;
  paidAt: Date | null;
  writeOffRef: string | null;
  completedAt: Date | null;
  refundNo: string | null;
  refundReason: string | null;
  /** What is refunded when it is part of the order (bills a per-bill provider refused); null: all of it, or nothing. */
  refundFen: number | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One step of an order's timeline. */
export interface OrderEventRow {
  id: number;
  orderId: string;
  at: Date;
  status: OrderStatus;
  note: string | null;
}

/** Holds a bill while an order for it is live: the unique key makes a second live order impossible. */
export interface BillLockRow {
  adapterId: string;
  accountDigest: string;
  billRef: string;
  orderId: string;
}

export type OutboxKind = 'write_off' | 'refund';

/** Work that must happen after a commit (transactional outbox), claimed by workers with a lease. */
export interface OutboxRow {
  id: number;
  orderId: string;
  kind: OutboxKind;
  status: 'pending' | 'done';
  attempts: number;
  nextAttemptAt: Date;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The first answer to a POST /orders with a given Idempotency-Key. */
export interface IdempotencyRow {
  residentId: string;
  key: string;
  requestHash: string;
  statusCode: number | null;
  /** The answer given, replayed to a retry with the same key. */
  response: z.infer<typeof createdOrderSchema> | null;
  createdAt: Date;
}

const dt = (name: string, nullable = false) => ({ name, type: 'datetime' as const, nullable });

export const OrderEntity = new EntitySchema<OrderRow>({
  name: 'Order',
  tableName: 'orders',
  columns: {
    id: { type: String, length: 36, primary: true },
    orderNo: { name: 'order_no', type: String, length: 32, unique: true },
    residentId: { name: 'resident_id', type: String, length: 36 },
    accountId: { name: 'account_id', type: String, length: 36 },
    adapterId: { name: 'adapter_id', type: String, length: 64 },
    adapterVersion: { name: 'adapter_version', type: String, length: 32 },
    category: { type: String, length: 32 },
    cityCode: { name: 'city_code', type: String, length: 6 },
    serviceName: { name: 'service_name', type: String, length: 64 },
    providerName: { name: 'provider_name', type: String, length: 64 },
    fieldsSealed: { name: 'fields_sealed', type: 'text' },
    accountMasked: { name: 'account_masked', type: 'text' },
    billRefs: { name: 'bill_refs', type: 'text' },
    bills: { type: 'text' },
    amountFen: { name: 'amount_fen', type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } },
    status: { type: String, length: 16 },
    prepayId: { name: 'prepay_id', type: String, length: 64, nullable: true },
    prepayExpiresAt: dt('prepay_expires_at', true),
    expiresAt: dt('expires_at'),
    transactionId: { name: 'transaction_id', type: String, length: 64, nullable: true },
    paidAt: dt('paid_at', true),
    writeOffRef: { name: 'write_off_ref', type: String, length: 64, nullable: true },
    completedAt: dt('completed_at', true),
    refundNo: { name: 'refund_no', type: String, length: 64, nullable: true },
    refundReason: { name: 'refund_reason', type: String, length: 200, nullable: true },
    refundFen: { name: 'refund_fen', type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) } },
    closedAt: dt('closed_at', true),
    createdAt: dt('created_at'),
    updatedAt: dt('updated_at'),
  },
});

export const OrderEventEntity = new EntitySchema<OrderEventRow>({
  name: 'OrderEvent',
  tableName: 'order_events',
  columns: {
    id: { type: Number, primary: true, generated: 'increment' },
    orderId: { name: 'order_id', type: String, length: 36 },
    at: { type: 'datetime' },
    status: { type: String, length: 16 },
    note: { type: String, length: 200, nullable: true },
  },
});

export const BillLockEntity = new EntitySchema<BillLockRow>({
  name: 'BillLock',
  tableName: 'bill_locks',
  columns: {
    adapterId: { name: 'adapter_id', type: String, length: 64, primary: true },
    accountDigest: { name: 'account_digest', type: String, length: 64, primary: true },
    billRef: { name: 'bill_ref', type: String, length: 64, primary: true },
    orderId: { name: 'order_id', type: String, length: 36 },
  },
});

export const OutboxEntity = new EntitySchema<OutboxRow>({
  name: 'Outbox',
  tableName: 'outbox',
  columns: {
    id: { type: Number, primary: true, generated: 'increment' },
    orderId: { name: 'order_id', type: String, length: 36 },
    kind: { type: String, length: 16 },
    status: { type: String, length: 16 },
    attempts: { type: Number },
    nextAttemptAt: dt('next_attempt_at'),
    leaseOwner: { name: 'lease_owner', type: String, length: 64, nullable: true },
    leaseUntil: dt('lease_until', true),
    lastError: { name: 'last_error', type: String, length: 500, nullable: true },
    createdAt: dt('created_at'),
    updatedAt: dt('updated_at'),
  },
});

export const IdempotencyEntity = new EntitySchema<IdempotencyRow>({
  name: 'IdempotencyKey',
  tableName: 'idempotency_keys',
  columns: {
    residentId: { name: 'resident_id', type: String, length: 36, primary: true },
    key: { name: 'idem_key', type: String, length: 64, primary: true },
    requestHash: { name: 'request_hash', type: String, length: 64 },
    statusCode: { name: 'status_code', type: Number, nullable: true },
    response: { type: 'text', nullable: true, transformer: jsonColumn(createdOrderSchema, 'idempotency_keys.response') },
    createdAt: dt('created_at'),
  },
});
