import { z } from 'zod';
import { categorySchema } from '../adapters/manifest';
import { serviceStatusSchema } from './services';

const fieldsSchema = z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,31}$/), z.string().max(64));

export const adapterIdParamsSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{2,63}$/, 'adapter id is lower-case letters, digits and dashes'),
});

/**
 * A payment the provider already took (its payment number, bills and amount):
 * the kit replays its write-off to exercise the mapping without spending a bill.
 */
export const paidWriteOffSchema = z.object({
  fields: fieldsSchema,
  orderNo: z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'the payment number the provider already wrote off'),
  billRefs: z.array(z.string().min(1).max(64)).min(1).max(20),
  amountFen: z.number().int().min(1),
});

export const verifyAdapterBodySchema = z.object({
  version: z.string().regex(/^\d+\.\d+\.\d+$/).optional(),
  testAccounts: z.object({
    existing: fieldsSchema,
    missing: fieldsSchema,
    /** An account whose first bill the kit may really write off in the provider's sandbox. */
    payable: fieldsSchema.optional(),
    /** Or: a write-off the provider already has, replayed (idempotency) so no bill is spent. */
    paidWriteOff: paidWriteOffSchema.optional(),
  }),
});

export const activateAdapterBodySchema = z.object({
  version: z.string().regex(/^\d+\.\d+\.\d+$/).optional(),
  /** Activate without a passing conformance report (audited). */
  force: z.boolean().default(false),
  /**
   * Adapters this one replaces wherever both cover a city at the same level
   * (recorded, and audited); without it such an overlap refuses activation.
   */
  replaces: z.array(adapterIdParamsSchema.shape.id).max(20).default([]),
});

export const secretParamsSchema = z.object({ name: z.string().regex(/^[a-z][a-z0-9-]{1,63}$/, 'secret names are lower-case, e.g. "grid-hmac"') });
export const putSecretBodySchema = z.object({ value: z.string().min(1).max(4096) });

export const conformanceReportSchema = z
  .object({
    adapterId: z.string(),
    version: z.string(),
    passed: z.boolean(),
    /** Skipped checks are not failures, but a skipped write-off keeps the version from activating unforced. */
    checks: z.array(z.object({ name: z.string(), outcome: z.enum(['passed', 'failed', 'skipped']), passed: z.boolean(), detail: z.string(), ms: z.number() })),
    /** Whether the write-off mapping was exercised against the provider (a payable account or a replayed paid write-off). */
    writeOffExercised: z.boolean(),
    at: z.string(),
  })
  .meta({ id: 'ConformanceReport' });

/** An adapter's health as the hub judges it from its calls to the provider; `status` is what residents see of the service it serves. */
export const adapterHealthSchema = z
  .object({
    status: serviceStatusSchema,
    reason: z.string().optional(),
    breaker: z.enum(['closed', 'open', 'half-open', 'isolated']),
    calls: z.number().int(),
    errorRate: z.number(),
    latencyMs: z.object({ p50: z.number(), p95: z.number(), p99: z.number() }),
  })
  .meta({ id: 'AdapterHealth' });

export const adapterVersionSummarySchema = z.object({
  version: z.string(),
  status: z.enum(['draft', 'verified', 'active', 'retired']),
  verified: z.boolean(),
  createdBy: z.string(),
  createdAt: z.string(),
});

export const adapterSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    providerName: z.string(),
    category: categorySchema,
    kind: z.enum(['manifest', 'code']),
    status: z.enum(['draft', 'active', 'disabled']),
    activeVersion: z.string().nullable(),
    versions: z.array(adapterVersionSummarySchema),
    health: adapterHealthSchema.nullable(),
    /** What the shown version's manifest covers (the console's coverage column). */
    coverage: z.object({ nationwide: z.boolean(), provinces: z.array(z.string()), cities: z.array(z.string()) }).nullable().optional(),
  })
  .meta({ id: 'AdapterSummary' });

export const adapterListSchema = z.object({ adapters: z.array(adapterSummarySchema) });
export const adapterDetailSchema = z.object({ adapter: adapterSummarySchema });
export const adapterHealthDetailSchema = z.object({
  adapterId: z.string(),
  version: z.string().nullable(),
  health: adapterHealthSchema.nullable(),
  probe: z.object({ ok: z.boolean(), detail: z.string().optional() }).nullable(),
});
export const verifyResultSchema = z.object({ report: conformanceReportSchema });

export type AdapterSummary = z.infer<typeof adapterSummarySchema>;
export type VerifyAdapterBody = z.infer<typeof verifyAdapterBodySchema>;
export type ConformanceReportDto = z.infer<typeof conformanceReportSchema>;
export type AdapterHealth = z.infer<typeof adapterHealthSchema>;
export type AdapterHealthDetail = z.infer<typeof adapterHealthDetailSchema>;

export const coverageQuerySchema = z.object({ city: z.string().regex(/^\d{6}$/, 'city is a six-digit GB/T 2260 code') });

/** How an adapter reaches a city: named in the city, through its province, or everywhere. */
export const coverageLevelSchema = z.enum(['city', 'province', 'nationwide']);
export type CoverageLevel = z.infer<typeof coverageLevelSchema>;

/** Why the serving adapter serves a city: its level beat the others', or an operator chose it among equals. */
export const servingReasonSchema = z.enum([...coverageLevelSchema.options, 'chosen']);
export type ServingReason = z.infer<typeof servingReasonSchema>;

/** One (city, category) where an adapter being activated would tie with an adapter already serving it. */
export const coverageConflictSchema = z.object({ cityCode: z.string(), cityName: z.string(), category: categorySchema, servedBy: z.string() });
export type CoverageConflict = z.infer<typeof coverageConflictSchema>;
/** The details of a COVERAGE_CONFLICT error: the ties an operator resolves with `replaces`. */
export const coverageConflictDetailsSchema = z.object({ conflicts: z.array(coverageConflictSchema) });

export const cityCoverageSchema = z
  .object({
    city: z.object({ code: z.string(), name: z.string(), provinceName: z.string() }),
    categories: z.array(
      z.object({
        category: categorySchema,
        label: z.string(),
        /** Who serves, and why: the most specific level, or an operator's choice among equals. */
        servedBy: z.object({ adapterId: z.string(), reason: servingReasonSchema }).nullable(),
        /** Every active adapter covering this city for the category, with the level it covers it at. */
        candidates: z.array(z.object({ adapterId: z.string(), level: coverageLevelSchema })),
      }),
    ),
  })
  .meta({ id: 'CityCoverage' });

export type CityCoverage = z.infer<typeof cityCoverageSchema>;
