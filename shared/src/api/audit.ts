import { z } from 'zod';

export const auditOutcomeSchema = z.enum(['ok', 'error', 'refused']);

/** GET /admin/audit: newest first, a page at a time (`before` is the last id of the previous page). */
export const auditQuerySchema = z.object({
  operator: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'an operator name').optional(),
  /** Substring of the action, e.g. "activate" or "POST /adapters". */
  action: z.string().min(1).max(64).optional(),
  outcome: auditOutcomeSchema.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.string(),
    /** The operator's name; for a refused call, "unknown" and the token's fingerprint in details. */
    actor: z.string(),
    action: z.string(),
    target: z.string(),
    outcome: auditOutcomeSchema,
    details: z.unknown().nullable(),
  })
  .meta({ id: 'AuditEntry' });

export const auditPageSchema = z
  .object({
    entries: z.array(auditEntrySchema),
    /** Pass as `before` for the next (older) page; null on the last page. */
    nextBefore: z.number().int().nullable(),
  })
  .meta({ id: 'AuditPage' });

export type AuditQuery = z.infer<typeof auditQuerySchema>;
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type AuditPage = z.infer<typeof auditPageSchema>;
