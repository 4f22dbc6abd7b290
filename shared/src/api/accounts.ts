import { z } from 'zod';
import { categorySchema } from '../adapters/manifest';
import { cityCodeSchema } from './cities';

export const bindAccountBodySchema = z.object({
  serviceId: z.string().regex(/^[a-z][a-z0-9-]{2,63}$/, 'serviceId is the id of a service listed for the city'),
  cityCode: cityCodeSchema,
  fields: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,31}$/), z.string().max(64)),
  alias: z.string().trim().min(1).max(20).optional(),
});

export const renameAccountBodySchema = z.object({ alias: z.string().trim().min(1).max(20).nullable() });

export const accountIdParamsSchema = z.object({ id: z.string().uuid('account id must be a UUID') });

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
  })
  .meta({ id: 'Bill' });

export const accountBillsSchema = z
  .object({ accountId: z.string(), bills: z.array(billSchema), totalFen: z.number().int(), fetchedAt: z.string() })
  .meta({ id: 'AccountBills' });

export type Account = z.infer<typeof accountSchema>;
export type Bill = z.infer<typeof billSchema>;
export type LineItem = z.infer<typeof lineItemSchema>;
export type BindAccountBody = z.infer<typeof bindAccountBodySchema>;
