import { z } from 'zod';
import { categorySchema } from '../adapters/manifest';
import { cityCodeSchema } from './cities';

export const bindAccountBodySchema = z.object({
  serviceId: z.string().regex(/^[a-z][a-z0-9-]{2,63}$/, 'serviceId is the id of a service listed for the city'),
  cityCode: cityCodeSchema,
  fields: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,31}$/), z.string().max(64)),
  alias: z.string().trim().min(1).max(20).optional(),
});

/** Look an account up at the provider without saving anything: the same fields a bind takes. */
export const previewAccountBodySchema = bindAccountBodySchema.omit({ alias: true });

/**
 * What the provider says about an account, before the resident confirms it:
 * masked holder name, district and city. Nothing is saved; `previewId` names
 * the look-up for the confirmation (valid a few minutes, for this resident only).
 */
export const accountPreviewSchema = z
  .object({
    previewId: z.string(),
    serviceId: z.string(),
    serviceName: z.string(),
    cityCode: z.string(),
    /** The chosen city's name, confirmed by the provider (or not contradicted by it). */
    cityName: z.string(),
    fieldsMasked: z.record(z.string(), z.string()),
    holderNameMasked: z.string(),
    addressHint: z.string().nullable(),
    expiresAt: z.string(),
  })
  .meta({ id: 'AccountPreview' });

export const accountPreviewAnswerSchema = z.object({ preview: accountPreviewSchema });

/**
 * Confirms a preview: `save: true` adds the account to 我的; `save: false`
 * (仅本次缴费) makes an account row only its owner can open (bills, pay,
 * remove) and that no list shows.
 */
export const confirmAccountBodySchema = z.object({
  previewId: z.guid('previewId is the id a preview answered with'),
  save: z.boolean().default(true),
  alias: z.string().trim().min(1).max(20).optional(),
});

export const renameAccountBodySchema = z.object({ alias: z.string().trim().min(1).max(20).nullable() });

export const accountIdParamsSchema = z.object({ id: z.guid('account id must be a UUID') });

/** A bound account as the resident sees it: identifying fields masked. */
export const accountSchema = z
  .object({
    id: z.string(),
    serviceId: z.string(),
    category: categorySchema,
    cityCode: z.string(),
    serviceName: z.string(),
    providerName: z.string(),
    alias: z.string().nullable(),
    fieldsMasked: z.record(z.string(), z.string()),
    holderNameMasked: z.string(),
    addressHint: z.string().nullable(),
    /**
     * Bill reminders this account may still receive: each one the resident
     * granted through WeChat's one-time subscription allows one message.
     */
    remindersLeft: z.number().int().nonnegative(),
    /** False for an account confirmed "仅本次缴费": not listed in 我的, removable, its owner's alone. */
    saved: z.boolean().default(true),
    createdAt: z.string(),
  })
  .meta({ id: 'Account' });

export const accountListSchema = z.object({ accounts: z.array(accountSchema) }).meta({ id: 'AccountList' });
export const accountCreatedSchema = z.object({ account: accountSchema });

export const lineItemSchema = z.object({
  kind: z.enum(['charge', 'toll_passage', 'violation']),
  description: z.string(),
  amountFen: z.number().int(),
  details: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
});

/** One bill: amounts in integer fen; totalFen = amountFen + lateFeeFen. */
export const billSchema = z
  .object({
    ref: z.string(),
    period: z.string(),
    title: z.string(),
    amountFen: z.number().int().min(0),
    lateFeeFen: z.number().int().min(0),
    totalFen: z.number().int().min(0),
    dueDate: z.string().nullable(),
    lineItems: z.array(lineItemSchema),
    /** What was used in the period, where the provider says (kWh, m³…). */
    usage: z.object({ amount: z.number().nonnegative(), unit: z.string().max(8) }).nullable().default(null),
    /** Past its due date (Beijing calendar day) when the hub answered. */
    overdue: z.boolean().default(false),
  })
  .meta({ id: 'Bill' });

/** Whose bills these are, as the bills page heads them: masked 户号 and 户名, district. */
export const billsAccountSchema = z.object({
  serviceName: z.string(),
  category: categorySchema,
  cityCode: z.string(),
  alias: z.string().nullable(),
  fieldsMasked: z.record(z.string(), z.string()),
  holderNameMasked: z.string(),
  addressHint: z.string().nullable(),
  saved: z.boolean(),
});

/** Overdue bills come first, then by period. */
export const accountBillsSchema = z
  .object({
    accountId: z.string(),
    account: billsAccountSchema,
    bills: z.array(billSchema),
    totalFen: z.number().int(),
    fetchedAt: z.string(),
    /** From the service's payment rules: how many bills one order may pay. */
    maxBills: z.number().int().min(1).default(20),
  })
  .meta({ id: 'AccountBills' });

/** One Beijing calendar month of an account's history: paid through the hub (integer fen), usage where known. */
export const historyMonthSchema = z.object({
  month: z.string().regex(/^\d{4}-\d{2}$/),
  paidFen: z.number().int().min(0),
  orders: z.number().int().min(0),
  usage: z.number().nonnegative().nullable(),
});

/** The last 12 months, oldest first, months with nothing paid included. */
export const accountHistorySchema = z
  .object({ accountId: z.string(), usageUnit: z.string().nullable(), months: z.array(historyMonthSchema) })
  .meta({ id: 'AccountHistory' });

/** What the resident paid through the hub this Beijing month, over all their accounts (本月已缴 on 我的). */
export const paidThisMonthSchema = z
  .object({ month: z.string(), paidFen: z.number().int().min(0), orders: z.number().int().min(0) })
  .meta({ id: 'PaidThisMonth' });

export type Account = z.infer<typeof accountSchema>;
export type Bill = z.infer<typeof billSchema>;
export type LineItem = z.infer<typeof lineItemSchema>;
export type BindAccountBody = z.infer<typeof bindAccountBodySchema>;
export type PreviewAccountBody = z.infer<typeof previewAccountBodySchema>;
export type ConfirmAccountBody = z.input<typeof confirmAccountBodySchema>;
export type AccountPreview = z.infer<typeof accountPreviewSchema>;
export type AccountHistory = z.infer<typeof accountHistorySchema>;
export type HistoryMonth = z.infer<typeof historyMonthSchema>;
export type BillsAccount = z.infer<typeof billsAccountSchema>;
