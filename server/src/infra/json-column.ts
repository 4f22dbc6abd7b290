import type { ValueTransformer } from 'typeorm';
import type { z } from 'zod';

/**
 * A TypeORM transformer for a JSON document kept in a text column: written with
 * JSON.stringify, read back through `schema`, so a row's field has the type the
 * schema proves instead of a cast. A stored value that no longer matches (hand-edited,
 * or written by an older release with another shape) fails loudly on read, naming the
 * column, rather than flowing on as the wrong type.
 *
 *   report: { type: 'text', transformer: jsonColumn(reconciliationReportSchema, 'reconciliation.report') }
 */
export function jsonColumn(schema: z.ZodType, column: string): ValueTransformer {
  return {
    to: (value: unknown): string | null | undefined => (value === null || value === undefined ? value : JSON.stringify(value)),
    from: (text: string | null): unknown => (text === null ? null : parseJsonText(schema, column, text)),
  };
}

/**
 * The same reading for JSON text that does not pass through an entity (raw SQL rows, sealed
 * fields): parsed, then proven by `schema`, failing with the column's name.
 */
export function parseJsonText<S extends z.ZodType>(schema: S, column: string, text: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${column}: the stored text is not JSON`, { cause: err });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`${column}: the stored JSON does not match its schema: ${parsed.error.message}`);
  return parsed.data;
}
