import { z } from 'zod';
import { categorySchema } from '../adapters/manifest';
import { citySchema } from './cities';

/** An account field as the bind form needs it (no provider internals). */
export const publicAccountFieldSchema = z.object({
  name: z.string(),
  label: z.string(),
  placeholder: z.string().optional(),
  dataType: z.enum(['numeric', 'alphanumeric', 'plate', 'text']),
  pattern: z.string().optional(),
  minLength: z.number().int(),
  maxLength: z.number().int(),
  optional: z.boolean(),
  mask: z.enum(['none', 'tail4', 'account', 'plate', 'name', 'full']),
});

export const serviceStatusSchema = z.enum(['available', 'degraded', 'down']);

/** One service of a city as a resident sees it: who provides it, whether it works now, what to fill in. */
export const serviceSummarySchema = z
  .object({
    serviceId: z.string(),
    version: z.string(),
    category: categorySchema,
    name: z.string(),
    providerName: z.string(),
    status: serviceStatusSchema,
    statusReason: z.string().optional(),
    accountFields: z.array(publicAccountFieldSchema),
    // maxBills and writeOffPer default as a manifest's do, so a client reading an older hub's answer still parses it.
    paymentRules: z.object({
      mode: z.enum(['exact', 'partial']),
      minFen: z.number().int(),
      maxFen: z.number().int(),
      maxBills: z.number().int().default(20),
      writeOffPer: z.enum(['order', 'bill']).default('order'),
    }),
  })
  .meta({ id: 'ServiceSummary' });

export const serviceGroupSchema = z.object({
  category: categorySchema,
  label: z.string(),
  services: z.array(serviceSummarySchema),
});

export const cityServicesSchema = z
  .object({ city: citySchema, serviceGroups: z.array(serviceGroupSchema) })
  .meta({ id: 'CityWithServices' });

export type ServiceSummary = z.infer<typeof serviceSummarySchema>;
export type CityServices = z.infer<typeof cityServicesSchema>;
