import { accountBillsSchema, accountCreatedSchema, accountIdParamsSchema, accountListSchema, bindAccountBodySchema, renameAccountBodySchema, noContentSchema } from '@cityhub/shared';
import type { z } from 'zod';
import { ApiRouter } from '../http/api-router';
import type { HubMiddleware } from '../http/context';
import { residentOf } from '../identity/sessions';
import type { AccountService } from './service';

/** Resident routes for bound accounts and what they owe. */
export function createAccountRoutes({
  accounts,
  bills,
  requireResident,
}: {
  accounts: AccountService;
  /**
   * What is owed on an account: the bills domain, which opens accounts through AccountService,
   * so this domain names only the one method it calls.
   */
  bills: { billsFor(residentId: string, accountId: string): Promise<z.infer<typeof accountBillsSchema>> };
  requireResident: HubMiddleware;
}): ApiRouter {
  const before = [requireResident];
  return new ApiRouter('/accounts')
    .route(
      { method: 'get', path: '', tag: 'accounts', summary: 'My bound accounts (masked)', response: accountListSchema, before },
      async (_input, ctx) => ({ accounts: await accounts.list(residentOf(ctx)) }),
    )
    .route(
      {
        method: 'post',
        path: '',
        tag: 'accounts',
        summary: "Bind an account: fields checked against the service's schema and confirmed with the provider",
        body: bindAccountBodySchema,
        status: 201,
        response: accountCreatedSchema,
        errors: ['PROVIDER_ACCOUNT_NOT_FOUND', 'ACCOUNT_ALREADY_BOUND', 'PROVIDER_UNAVAILABLE'],
        before,
      },
      async ({ body }, ctx) => ({ account: await accounts.bind(residentOf(ctx), body) }),
    )
    .route(
      {
        method: 'patch',
        path: '/:id',
        tag: 'accounts',
        summary: 'Rename an account (alias, or null to clear it)',
        params: accountIdParamsSchema,
        body: renameAccountBodySchema,
        response: accountCreatedSchema,
        errors: ['ACCOUNT_NOT_FOUND'],
        before,
      },
      async ({ params, body }, ctx) => ({ account: await accounts.rename(residentOf(ctx), params.id, body.alias) }),
    )
    .route(
      {
        method: 'post',
        path: '/:id/reminders',
        tag: 'accounts',
        summary: 'Record one bill reminder the resident granted through WeChat (wx.requestSubscribeMessage accepted)',
        params: accountIdParamsSchema,
        response: accountCreatedSchema,
        errors: ['ACCOUNT_NOT_FOUND'],
        before,
      },
      async ({ params }, ctx) => ({ account: await accounts.grantReminder(residentOf(ctx), params.id) }),
    )
    .route(
      {
        method: 'delete',
        path: '/:id',
        tag: 'accounts',
        summary: 'Unbind an account',
        params: accountIdParamsSchema,
        status: 204,
        response: noContentSchema,
        errors: ['ACCOUNT_NOT_FOUND'],
        before,
      },
      async ({ params }, ctx) => {
        await accounts.remove(residentOf(ctx), params.id);
        return null;
      },
    )
    .route(
      {
        method: 'get',
        path: '/:id/bills',
        tag: 'accounts',
        summary: 'What is owed on this account now',
        params: accountIdParamsSchema,
        response: accountBillsSchema,
        errors: ['ACCOUNT_NOT_FOUND', 'PROVIDER_UNAVAILABLE', 'PROVIDER_TIMEOUT'],
        before,
      },
      async ({ params }, ctx) => bills.billsFor(residentOf(ctx), params.id),
    );
}
