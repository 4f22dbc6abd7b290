import {
  accountBillsSchema,
  accountCreatedSchema,
  accountHistorySchema,
  accountListSchema,
  accountPreviewAnswerSchema,
  noContentSchema,
  paidThisMonthSchema,
  type BindAccountBody,
  type ConfirmAccountBody,
  type PreviewAccountBody,
} from '@cityhub/shared';
import { request } from './request';

export const listAccounts = () => request({ path: '/accounts', schema: accountListSchema, auth: true });

export const bindAccount = (body: BindAccountBody) => request({ method: 'POST', path: '/accounts', body, schema: accountCreatedSchema, auth: true });

/** Asks the provider about an account (masked name, district, city); saves nothing. */
export const previewAccount = (body: PreviewAccountBody) => request({ method: 'POST', path: '/accounts/preview', body, schema: accountPreviewAnswerSchema, auth: true });

/** Saves a preview to 我的 (save), or keeps it only to pay once. */
export const confirmAccount = (body: ConfirmAccountBody) => request({ method: 'POST', path: '/accounts/confirm', body, schema: accountCreatedSchema, auth: true });

export const renameAccount = (id: string, alias: string | null) =>
  request({ method: 'PATCH', path: `/accounts/${encodeURIComponent(id)}`, body: { alias }, schema: accountCreatedSchema, auth: true });

export const unbindAccount = (id: string) => request({ method: 'DELETE', path: `/accounts/${encodeURIComponent(id)}`, schema: noContentSchema, auth: true });

export const accountBills = (id: string) => request({ path: `/accounts/${encodeURIComponent(id)}/bills`, schema: accountBillsSchema, auth: true });

/** The last 12 months paid on an account through the hub (the chart). */
export const accountHistory = (id: string) => request({ path: `/accounts/${encodeURIComponent(id)}/history`, schema: accountHistorySchema, auth: true });

/** 本月已缴 over all my accounts. */
export const paidThisMonth = () => request({ path: '/accounts/paid-this-month', schema: paidThisMonthSchema, auth: true });
