import { createdOrderSchema, orderDetailSchema, orderListSchema } from '@cityhub/shared';
import { request } from './request';

/** One key per pay attempt: a double tap, or a retry after a lost answer, finds the same order. */
export function newIdempotencyKey(): string {
  return `pay-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

export const createOrder = (body: { accountId: string; billRefs: string[] }, idempotencyKey: string) =>
  request({ method: 'POST', path: '/orders', body, headers: { 'Idempotency-Key': idempotencyKey }, schema: createdOrderSchema, auth: true });

export const getOrder = (id: string) => request({ path: `/orders/${encodeURIComponent(id)}`, schema: orderDetailSchema, auth: true });

export const listOrders = (page: number, category?: string) =>
  request({ path: '/orders', query: { page: String(page), pageSize: '20', category }, schema: orderListSchema, auth: true });

/** 继续支付: the order's payment parameters again (a new prepay when the old one expired; a new order when the order did). */
export const continueOrder = (id: string) =>
  request({ method: 'POST', path: `/orders/${encodeURIComponent(id)}/continue`, body: {}, schema: createdOrderSchema, auth: true });

export const closeOrder = (id: string) => request({ method: 'POST', path: `/orders/${encodeURIComponent(id)}/close`, body: {}, schema: orderDetailSchema, auth: true });
