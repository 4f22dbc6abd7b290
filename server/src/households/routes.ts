import {
  acceptInviteBodySchema,
  addHouseholdAccountBodySchema,
  createdInviteSchema,
  createHouseholdBodySchema,
  createInviteBodySchema,
  householdAccountParamsSchema,
  householdDetailSchema,
  householdIdParamsSchema,
  householdListSchema,
  householdMemberParamsSchema,
  householdOrderListSchema,
  inviteTokenBodySchema,
  invitePreviewSchema,
  noContentSchema,
  renameHouseholdBodySchema,
} from '@cityhub/shared';
import { ApiRouter } from '../http/api-router';
import type { HubMiddleware } from '../http/context';
import { residentOf } from '../identity/sessions';
import type { HouseholdService } from './service';

/**
 * Resident routes for household groups (缴费分组). Anyone neither owner nor
 * member of a group gets 404 HOUSEHOLD_NOT_FOUND from every one of them; a
 * member asking for an owner's action gets 403. The group's accounts and
 * bills are read, and paid, through /accounts and /orders, which ask the
 * same membership.
 */
export function createHouseholdRoutes({ households, requireResident }: { households: HouseholdService; requireResident: HubMiddleware }): ApiRouter[] {
  const before = [requireResident];
  const tag = 'households';
  const groups = new ApiRouter('/households')
    .route({ method: 'get', path: '', tag, summary: 'The groups I own or belong to', response: householdListSchema, before }, async (_input, ctx) => ({
      households: await households.list(residentOf(ctx)),
    }))
    .route(
      { method: 'post', path: '', tag, summary: 'Create a group (我家, 父母家)', body: createHouseholdBodySchema, status: 201, response: householdDetailSchema, errors: ['HOUSEHOLD_LIMIT_REACHED'], before },
      async ({ body }, ctx) => ({ household: await households.create(residentOf(ctx), body.name) }),
    )
    .route(
      { method: 'get', path: '/:id', tag, summary: 'A group: its people (masked) and accounts (masked)', params: householdIdParamsSchema, response: householdDetailSchema, errors: ['HOUSEHOLD_NOT_FOUND'], before },
      async ({ params }, ctx) => ({ household: await households.detail(residentOf(ctx), params.id) }),
    )
    .route(
      { method: 'patch', path: '/:id', tag, summary: 'Rename a group (owner)', params: householdIdParamsSchema, body: renameHouseholdBodySchema, response: householdDetailSchema, errors: ['HOUSEHOLD_NOT_FOUND', 'FORBIDDEN'], before },
      async ({ params, body }, ctx) => ({ household: await households.rename(residentOf(ctx), params.id, body.name) }),
    )
    .route(
      { method: 'delete', path: '/:id', tag, summary: 'Delete a group (owner); its accounts stay the owner\'s', params: householdIdParamsSchema, status: 204, response: noContentSchema, errors: ['HOUSEHOLD_NOT_FOUND', 'FORBIDDEN'], before },
      async ({ params }, ctx) => {
        await households.remove(residentOf(ctx), params.id);
        return null;
      },
    )
    .route(
      {
        method: 'post',
        path: '/:id/accounts',
        tag,
        summary: 'Put one of my accounts in the group (owner); an account is in at most one group',
        params: householdIdParamsSchema,
        body: addHouseholdAccountBodySchema,
        response: householdDetailSchema,
        errors: ['HOUSEHOLD_NOT_FOUND', 'FORBIDDEN', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_IN_HOUSEHOLD'],
        before,
      },
      async ({ params, body }, ctx) => ({ household: await households.addAccount(residentOf(ctx), params.id, body.accountId) }),
    )
    .route(
      {
        method: 'delete',
        path: '/:id/accounts/:accountId',
        tag,
        summary: 'Take an account out of the group (owner)',
        params: householdAccountParamsSchema,
        status: 204,
        response: noContentSchema,
        errors: ['HOUSEHOLD_NOT_FOUND', 'FORBIDDEN', 'ACCOUNT_NOT_FOUND'],
        before,
      },
      async ({ params }, ctx) => {
        await households.removeAccount(residentOf(ctx), params.id, params.accountId);
        return null;
      },
    )
    .route(
      { method: 'get', path: '/:id/orders', tag, summary: "Latest payments for the group's accounts and who paid (masked)", params: householdIdParamsSchema, response: householdOrderListSchema, errors: ['HOUSEHOLD_NOT_FOUND'], before },
      async ({ params }, ctx) => ({ orders: await households.orders(residentOf(ctx), params.id) }),
    )
    .route(
      {
        method: 'post',
        path: '/:id/invites',
        tag,
        summary: 'A new invitation link (owner): expires in 24 hours, joins at most maxUses people; the token is shown once',
        params: householdIdParamsSchema,
        body: createInviteBodySchema,
        status: 201,
        response: createdInviteSchema,
        errors: ['HOUSEHOLD_NOT_FOUND', 'FORBIDDEN'],
        before,
      },
      async ({ params, body }, ctx) => households.invite(residentOf(ctx), params.id, body.maxUses),
    )
    .route(
      { method: 'delete', path: '/:id/members/:memberId', tag, summary: 'Remove a member (owner): their access ends at once', params: householdMemberParamsSchema, status: 204, response: noContentSchema, errors: ['HOUSEHOLD_NOT_FOUND', 'FORBIDDEN', 'NOT_FOUND'], before },
      async ({ params }, ctx) => {
        await households.removeMember(residentOf(ctx), params.id, params.memberId);
        return null;
      },
    )
    .route(
      { method: 'post', path: '/:id/leave', tag, summary: 'Leave a group (members)', params: householdIdParamsSchema, status: 204, response: noContentSchema, errors: ['HOUSEHOLD_NOT_FOUND', 'CONFLICT'], before },
      async ({ params }, ctx) => {
        await households.leave(residentOf(ctx), params.id);
        return null;
      },
    );
  // The token travels in the body, never in a URL the access log would keep.
  const invites = new ApiRouter('/household-invites')
    .route(
      { method: 'post', path: '/preview', tag, summary: 'What an invitation leads to, before joining', body: inviteTokenBodySchema, response: invitePreviewSchema, errors: ['HOUSEHOLD_INVITE_INVALID'], before },
      async ({ body }, ctx) => households.preview(residentOf(ctx), body.token),
    )
    .route(
      {
        method: 'post',
        path: '/accept',
        tag,
        summary: 'Join the group an invitation leads to',
        body: acceptInviteBodySchema,
        response: householdDetailSchema,
        errors: ['HOUSEHOLD_INVITE_INVALID', 'HOUSEHOLD_ALREADY_MEMBER', 'HOUSEHOLD_LIMIT_REACHED'],
        before,
      },
      async ({ body }, ctx) => ({ household: await households.accept(residentOf(ctx), body.token, body.displayName) }),
    );
  return [groups, invites];
}
