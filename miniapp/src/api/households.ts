import {
  createdInviteSchema,
  householdDetailSchema,
  householdListSchema,
  householdOrderListSchema,
  invitePreviewSchema,
  noContentSchema,
} from '@cityhub/shared';
import { request } from './request';

const at = (id: string) => `/households/${encodeURIComponent(id)}`;

export const listHouseholds = () => request({ path: '/households', schema: householdListSchema, auth: true });

export const createHousehold = (name: string) => request({ method: 'POST', path: '/households', body: { name }, schema: householdDetailSchema, auth: true });

export const getHousehold = (id: string) => request({ path: at(id), schema: householdDetailSchema, auth: true });

export const renameHousehold = (id: string, name: string) => request({ method: 'PATCH', path: at(id), body: { name }, schema: householdDetailSchema, auth: true });

export const deleteHousehold = (id: string) => request({ method: 'DELETE', path: at(id), schema: noContentSchema, auth: true });

export const addHouseholdAccount = (id: string, accountId: string) =>
  request({ method: 'POST', path: `${at(id)}/accounts`, body: { accountId }, schema: householdDetailSchema, auth: true });

export const removeHouseholdAccount = (id: string, accountId: string) =>
  request({ method: 'DELETE', path: `${at(id)}/accounts/${encodeURIComponent(accountId)}`, schema: noContentSchema, auth: true });

export const householdOrders = (id: string) => request({ path: `${at(id)}/orders`, schema: householdOrderListSchema, auth: true });

export const createInvite = (id: string) => request({ method: 'POST', path: `${at(id)}/invites`, body: {}, schema: createdInviteSchema, auth: true });

export const removeMember = (id: string, memberId: string) =>
  request({ method: 'DELETE', path: `${at(id)}/members/${encodeURIComponent(memberId)}`, schema: noContentSchema, auth: true });

export const leaveHousehold = (id: string) => request({ method: 'POST', path: `${at(id)}/leave`, body: {}, schema: noContentSchema, auth: true });

// The invitation token travels in the body: a URL with it could end up in an access log.
export const previewInvite = (token: string) => request({ method: 'POST', path: '/household-invites/preview', body: { token }, schema: invitePreviewSchema, auth: true });

export const acceptInvite = (token: string, displayName: string) =>
  request({ method: 'POST', path: '/household-invites/accept', body: { token, displayName }, schema: householdDetailSchema, auth: true });
