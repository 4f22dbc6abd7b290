import { z } from 'zod';
import {
  activateAdapterBodySchema,
  adapterDetailSchema,
  adapterHealthDetailSchema,
  adapterIdParamsSchema,
  adapterListSchema,
  cityCoverageSchema,
  coverageQuerySchema,
  putSecretBodySchema,
  secretParamsSchema,
  verifyAdapterBodySchema,
  verifyResultSchema,
  noContentSchema,
} from '@cityhub/shared';
import { ApiRouter } from '../http/api-router';
import type { HubMiddleware } from '../http/context';
import type { AdapterAdminService } from './admin-service';

/** Operator routes for adapters and their secrets. Every one needs an operator token and is audited. */
export function createAdapterAdminRoutes({ admin, requireOperator }: { admin: AdapterAdminService; requireOperator: HubMiddleware }): ApiRouter {
  const before = [requireOperator];
  return new ApiRouter('/admin')
    .route(
      { method: 'get', path: '/adapters', tag: 'admin', summary: 'All adapters with versions, status and health', response: adapterListSchema, before },
      async () => ({ adapters: await admin.list() }),
    )
    .route(
      {
        method: 'post',
        path: '/adapters',
        tag: 'admin',
        summary: 'Register a manifest as a draft version (422 lists every invalid path)',
        body: z.unknown(),
        status: 201,
        response: adapterDetailSchema,
        errors: ['INVALID_MANIFEST', 'CONFLICT'],
        before,
      },
      async ({ body }, ctx) => ({ adapter: await admin.register(body, ctx.state.operator ?? 'unknown') }),
    )
    .route(
      {
        method: 'get',
        path: '/adapters/:id',
        tag: 'admin',
        summary: 'One adapter with its versions, status and health',
        params: adapterIdParamsSchema,
        response: adapterDetailSchema,
        errors: ['ADAPTER_NOT_FOUND'],
        before,
      },
      async ({ params }) => ({ adapter: await admin.summary(params.id) }),
    )
    .route(
      {
        method: 'delete',
        path: '/adapters/:id',
        tag: 'admin',
        summary: 'Delete a draft that never served (an adapter that served is disabled instead)',
        params: adapterIdParamsSchema,
        status: 204,
        response: noContentSchema,
        errors: ['ADAPTER_NOT_FOUND', 'CONFLICT'],
        before,
      },
      async ({ params }) => {
        await admin.deleteDraft(params.id);
        return null;
      },
    )
    .route(
      {
        method: 'get',
        path: '/coverage',
        tag: 'admin',
        summary: 'Who serves each category in a city, and why (city beats province beats nationwide; ties by an operator choice)',
        query: coverageQuerySchema,
        response: cityCoverageSchema,
        errors: ['CITY_NOT_FOUND'],
        before,
      },
      async ({ query }) => admin.coverage(query.city),
    )
    .route(
      {
        method: 'post',
        path: '/adapters/:id/verify',
        tag: 'admin',
        summary: "Run the conformance kit against the provider's sandbox",
        params: adapterIdParamsSchema,
        body: verifyAdapterBodySchema,
        response: verifyResultSchema,
        errors: ['ADAPTER_NOT_FOUND'],
        before,
      },
      async ({ params, body }) => ({ report: await admin.verify(params.id, body) }),
    )
    .route(
      {
        method: 'post',
        path: '/adapters/:id/activate',
        tag: 'admin',
        summary: 'Serve this version on every hub process (needs a passing report unless forced; an overlap at the same coverage level needs `replaces`)',
        params: adapterIdParamsSchema,
        body: activateAdapterBodySchema,
        response: adapterDetailSchema,
        errors: ['ADAPTER_NOT_FOUND', 'VERIFICATION_REQUIRED', 'COVERAGE_CONFLICT'],
        before,
      },
      async ({ params, body }, ctx) => ({ adapter: await admin.activate(params.id, body, ctx.state.operator ?? 'unknown') }),
    )
    .route(
      {
        method: 'post',
        path: '/adapters/:id/disable',
        tag: 'admin',
        summary: 'Stop serving this adapter on every hub process',
        params: adapterIdParamsSchema,
        response: adapterDetailSchema,
        errors: ['ADAPTER_NOT_FOUND'],
        before,
      },
      async ({ params }) => ({ adapter: await admin.disable(params.id) }),
    )
    .route(
      {
        method: 'get',
        path: '/adapters/:id/health',
        tag: 'admin',
        summary: 'Breaker state, latency percentiles, error rate and a live probe',
        params: adapterIdParamsSchema,
        response: adapterHealthDetailSchema,
        errors: ['ADAPTER_NOT_FOUND'],
        before,
      },
      async ({ params }) => admin.health(params.id),
    )
    .route(
      {
        method: 'put',
        path: '/secrets/:name',
        tag: 'admin',
        summary: 'Store a provider credential (sealed at rest, never returned)',
        params: secretParamsSchema,
        body: putSecretBodySchema,
        status: 204,
        response: noContentSchema,
        before,
      },
      async ({ params, body }) => {
        await admin.putSecret(params.name, body.value);
        return null;
      },
    );
}
