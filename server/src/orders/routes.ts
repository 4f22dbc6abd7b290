import {
  createOrderBodySchema,
  createdOrderSchema,
  idempotencyKeySchema,
  orderDetailSchema,
  orderIdParamsSchema,
  orderListQuerySchema,
  orderListSchema,
} from '@cityhub/shared';
import { InputError } from '../errors';
import { ApiRouter } from '../http/api-router';
import type { HubMiddleware } from '../http/context';
import { residentOf } from '../identity/sessions';
import type { OrderService } from './service';

/** Resident routes for orders: pay (resuming the resident's own unpaid order for the same bills), continue, history, detail with receipt, cancel. */
export function createOrderRoutes({ orders, requireResident }: { orders: OrderService; requireResident: HubMiddleware }): ApiRouter {
  const before = [requireResident];
  return new ApiRouter('/orders')
    .route(
      {
        method: 'post',
        path: '',
        tag: 'orders',
        summary: 'Pay bills: creates an order (or resumes the caller\'s own unpaid order for exactly these bills, closing their unpaid orders for an overlapping other set) and returns the requestPayment parameters (Idempotency-Key header required)',
        body: createOrderBodySchema,
        status: 201,
        response: createdOrderSchema,
        errors: ['IDEMPOTENCY_KEY_REUSED', 'BILL_ALREADY_IN_ORDER', 'ACCOUNT_NOT_FOUND', 'PROVIDER_UNAVAILABLE'],
        before,
      },
      async ({ body }, ctx) => {
        const key = idempotencyKeySchema.safeParse(ctx.get('idempotency-key') || undefined);
        if (!key.success) throw new InputError(key.error.issues[0].message, [{ path: 'headers.idempotency-key', message: key.error.issues[0].message }]);
        const result = await orders.create(residentOf(ctx), key.data, body);
        return result.body;
      },
    )
    .route(
      { method: 'get', path: '', tag: 'orders', summary: 'My orders, newest first, paged', query: orderListQuerySchema, response: orderListSchema, before },
      async ({ query }, ctx) => orders.list(residentOf(ctx), query),
    )
    .route(
      {
        method: 'get',
        path: '/:id',
        tag: 'orders',
        summary: 'One order with its status timeline and, once complete, its receipt',
        params: orderIdParamsSchema,
        response: orderDetailSchema,
        errors: ['ORDER_NOT_FOUND'],
        before,
      },
      async ({ params }, ctx) => ({ order: await orders.get(residentOf(ctx), params.id) }),
    )
    .route(
      {
        method: 'post',
        path: '/:id/continue',
        tag: 'orders',
        summary: 'Continue paying an unpaid order (继续支付): the same prepay while valid, a new one after; an expired order is replaced by a new one for its bills',
        params: orderIdParamsSchema,
        response: createdOrderSchema,
        errors: ['ORDER_NOT_FOUND', 'CONFLICT', 'BILL_ALREADY_IN_ORDER', 'PROVIDER_UNAVAILABLE'],
        before,
      },
      async ({ params }, ctx) => orders.resume(residentOf(ctx), params.id),
    )
    .route(
      {
        method: 'post',
        path: '/:id/close',
        tag: 'orders',
        summary: 'Cancel an unpaid order (closed at the gateway too)',
        params: orderIdParamsSchema,
        response: orderDetailSchema,
        errors: ['ORDER_NOT_FOUND', 'CONFLICT'],
        before,
      },
      async ({ params }, ctx) => ({ order: await orders.close(residentOf(ctx), params.id) }),
    );
}
