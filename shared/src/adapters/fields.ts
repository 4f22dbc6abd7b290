import { z } from 'zod';
import type { AccountField } from './manifest';

const DATA_TYPE_PATTERNS: Record<AccountField['dataType'], RegExp> = {
  numeric: /^\d+$/,
  alphanumeric: /^[A-Za-z0-9]+$/,
  // 省份简称 + 发牌机关字母 + 5 or 6 characters (new-energy plates have 6).
  plate: /^[\u4e00-\u9fa5][A-Z][A-Z0-9]{4,5}[A-Z0-9挂学警港澳]$/,
  // Control characters are exactly what free text must not hold (they break logs and providers' forms).
  // eslint-disable-next-line no-control-regex
  text: /^[^\u0000-\u001f]+$/,
};

const DATA_TYPE_WORDS: Record<AccountField['dataType'], string> = {
  numeric: 'digits only',
  alphanumeric: 'letters and digits only',
  plate: 'a car plate such as 豫A12345',
  text: 'text',
};

/**
 * Builds the zod schema that checks a resident's account fields against an
 * adapter's field definitions. The mini-program validates the bind form with
 * it and the hub validates POST /accounts with it, so both say the same thing.
 */
export function accountFieldsSchema(fields: readonly AccountField[]) {
  const shape: Record<string, z.ZodType<string | undefined>> = {};
  for (const field of fields) {
    let schema = z
      .string({ error: `${field.name} (${field.label}) is required` })
      .trim()
      .min(field.minLength, `${field.name} (${field.label}) must be at least ${field.minLength} characters`)
      .max(field.maxLength, `${field.name} (${field.label}) must be at most ${field.maxLength} characters`)
      .regex(DATA_TYPE_PATTERNS[field.dataType], `${field.name} (${field.label}) must be ${DATA_TYPE_WORDS[field.dataType]}`);
    if (field.pattern) schema = schema.regex(new RegExp(field.pattern), `${field.name} (${field.label}) has the wrong format`);
    shape[field.name] = field.optional ? schema.optional() : schema;
  }
  return z.strictObject(shape);
}
