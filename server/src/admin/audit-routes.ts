import { auditPageSchema, auditQuerySchema } from '@cityhub/shared';
import { ApiRouter } from '../http/api-router';
import type { HubMiddleware } from '../http/context';
import type { AuditLog } from './audit';

/** The audit trail for operators (issue 9): who did what, refused calls included. Reading it is audited too. */
export function createAuditRoutes({ audit, requireOperator }: { audit: AuditLog; requireOperator: HubMiddleware }): ApiRouter {
  return new ApiRouter('/admin').route(
    {
      method: 'get',
      path: '/audit',
      tag: 'admin',
      summary: 'The operator audit log, newest first: filter by operator, action, outcome and time; page with `before`',
      query: auditQuerySchema,
      response: auditPageSchema,
      before: [requireOperator],
    },
    async ({ query }) => audit.query(query),
  );
}
