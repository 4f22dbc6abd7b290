import { accountFieldsSchema, type ServiceSummary } from '@cityhub/shared';

/**
 * Checks a bind form with the same shared schema the hub applies, and says
 * what is wrong per field in the resident's words.
 */
export function fieldErrors(fields: ServiceSummary['accountFields'], values: Record<string, string>): Record<string, string> {
  const result = accountFieldsSchema(fields).safeParse(Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== '')));
  if (result.success) return {};
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const name = String(issue.path[0] ?? '');
    const field = fields.find((f) => f.name === name);
    if (!field || errors[name]) continue;
    errors[name] = name in values && values[name].trim() ? `${field.label}格式不正确` : `请填写${field.label}`;
  }
  return errors;
}

/**
 * The keyboard a field opens: the number pad for digits-only fields (户号,
 * card numbers), the full keyboard for plates and codes with letters.
 */
export function inputTypeOf(field: Pick<ServiceSummary['accountFields'][number], 'dataType'>): 'number' | 'text' {
  return field.dataType === 'numeric' ? 'number' : 'text';
}
