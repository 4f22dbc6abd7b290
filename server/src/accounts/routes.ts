import {
  accountBillsSchema,
  accountCreatedSchema,
  accountHistorySchema,
  accountIdParamsSchema,
  accountListSchema,
  accountPreviewAnswerSchema,
  bindAccountBodySchema,
  confirmAccountBodySchema,
  noContentSchema,
  paidThisMonthSchema,
  previewAccountBodySchema,
  renameAccountBodySchema,
} from '@cityhub/shared';
import type { z } from 'zod';
import { ApiRouter } from '../http/api-router';
import type { HubMiddleware } from '../http/context';
import { residentOf } from '../identity/sessions';
import type { AccountService } from './service';

/** Resident routes for bound accounts and what they owe. */
export function createAccountRoutes({
  accounts,
  bills,
  history,
  requireResident,
}: {
  accounts: AccountService;
  /**
   * What is owed on an account: the bills domain, which opens accounts through AccountService,
   * so this domain names only the one method it calls.
   */
  bills: { billsFor(residentId: string, accountId: string): Promise<z.infer<typeof accountBillsSchema>> };
  /** What was paid through the hub (bills/history.ts), named by the two methods called, as `bills` is. */
  history: {
    forAccount(residentId: string, accountId: string): Promise<z.infer<typeof accountHistorySchema>>;
    thisMonth(residentId: string): Promise<z.infer<typeof paidThisMonthSchema>>;
  };
  requireResident: HubMiddleware;
}): ApiRouter {
  const before = [requireResident];
  return new ApiRouter('/accounts')
    .route(
      { method: 'get', path: '', tag: 'accounts', summary: 'My bound accounts (masked; accounts kept only to pay once are not listed)', response: accountListSchema, before },
      async (_input, ctx) => ({ accounts: await accounts.list(residentOf(ctx)) }),
    )
    .route(
      {
        method: 'post',
        path: '/preview',
        tag: 'accounts',
        summary: "Look an account up at the provider (masked holder name, district, city) without saving anything; rate-limited as a bind",
        body: previewAccountBodySchema,
        response: accountPreviewAnswerSchema,
        errors: ['PROVIDER_ACCOUNT_NOT_FOUND', 'ACCOUNT_IN_OTHER_CITY', 'PROVIDER_UNAVAILABLE', 'PROVIDER_TIMEOUT', 'RATE_LIMITED'],
        before,
      },
      async ({ body }, ctx) => ({ preview: await accounts.preview(residentOf(ctx), body) }),
    )
    .route(
      {
        method: 'post',
        path: '/confirm',
        tag: 'accounts',
        summary: 'Confirm a preview: save the account to 我的 (save: true) or keep it only to pay once (save: false)',
        body: confirmAccountBodySchema,
        status: 201,
        response: accountCreatedSchema,
        errors: ['PREVIEW_EXPIRED', 'ACCOUNT_ALREADY_BOUND', 'PROVIDER_UNAVAILABLE'],
        before,
      },
      async ({ body }, ctx) => ({ account: await accounts.confirm(residentOf(ctx), body) }),
    )
    .route(
      { method: 'get', path: '/paid-this-month', tag: 'accounts', summary: '本月已缴: paid through the hub this Beijing month, over all my accounts (integer fen)', response: paidThisMonthSchema, before },
      async (_input, ctx) => history.thisMonth(residentOf(ctx)),
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
        errors: ['PROVIDER_ACCOUNT_NOT_FOUND', 'ACCOUNT_IN_OTHER_CITY', 'ACCOUNT_ALREADY_BOUND', 'PROVIDER_UNAVAILABLE'],
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
    )
    .route(
      {
        method: 'get',
        path: '/:id/history',
        tag: 'accounts',
        summary: 'The last 12 Beijing months paid on this account through the hub (months with nothing paid included; usage where the provider gave it)',
        params: accountIdParamsSchema,
        response: accountHistorySchema,
        errors: ['ACCOUNT_NOT_FOUND'],
        before,
      },
      async ({ params }, ctx) => history.forAccount(residentOf(ctx), params.id),
    );
}
