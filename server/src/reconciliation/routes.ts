import { reconciliationQuerySchema, reconciliationReportSchema, runReconciliationBodySchema } from '@cityhub/shared';
import { ApiRouter } from '../http/api-router';
import type { HubMiddleware } from '../http/context';
import type { ReconciliationService } from './service';

/** Operator routes: read a day's report, or run (rerun) it now. */
export function createReconciliationRoutes({ reconciliation, requireOperator }: { reconciliation: ReconciliationService; requireOperator: HubMiddleware }): ApiRouter {
  const before = [requireOperator];
  return new ApiRouter('/admin')
    .route(
      {
        method: 'get',
        path: '/reconciliation',
        tag: 'admin',
        summary: "A day's reconciliation: pay vs write-off vs refund, with the differences",
        query: reconciliationQuerySchema,
        response: reconciliationReportSchema,
        errors: ['REPORT_NOT_FOUND'],
        before,
      },
      async ({ query }) => reconciliation.get(query.date),
    )
    .route(
      {
        method: 'post',
        path: '/reconciliation',
        tag: 'admin',
        summary: "Download the gateway's trade bill for a day and reconcile it now (replaces that day's report)",
        body: runReconciliationBodySchema,
        response: reconciliationReportSchema,
        errors: ['GATEWAY_UNAVAILABLE'],
        before,
      },
      async ({ body }) => reconciliation.run(body.date),
    );
}
