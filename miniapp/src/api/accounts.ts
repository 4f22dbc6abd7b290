import { accountBillsSchema, accountCreatedSchema, accountListSchema, noContentSchema, type BindAccountBody } from '@cityhub/shared';
import { request } from './request';

export const listAccounts = () => request({ path: '/accounts', schema: accountListSchema, auth: true });

export const bindAccount = (body: BindAccountBody) => request({ method: 'POST', path: '/accounts', body, schema: accountCreatedSchema, auth: true });

export const renameAccount = (id: string, alias: string | null) =>
  request({ method: 'PATCH', path: `/accounts/${encodeURIComponent(id)}`, body: { alias }, schema: accountCreatedSchema, auth: true });

export const unbindAccount = (id: string) => request({ method: 'DELETE', path: `/accounts/${encodeURIComponent(id)}`, schema: noContentSchema, auth: true });

export const accountBills = (id: string) => request({ path: `/accounts/${encodeURIComponent(id)}/bills`, schema: accountBillsSchema, auth: true });
