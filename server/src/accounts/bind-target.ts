import type { AdapterRegistry } from '../adapters/registry';
import type { BindTarget } from '../http/rate-limit';

/**
 * What a bind request looks up, for the per-target rate limits (issue 9):
 * the service and its identifying field (account number or plate, the first
 * field that is not a secret), as a keyed digest so no store ever holds the
 * number. A service with a secret field ("full" mask: engine number, card or
 * VIN digits) has a second factor whose failures are counted. Reads the raw,
 * not yet validated body: anything unexpected is simply "no target".
 */
export function bindTargetOf(registry: AdapterRegistry, digest: (value: string) => string, body: unknown): BindTarget | null {
  if (typeof body !== 'object' || body === null) return null;
  const { serviceId, fields } = body as { serviceId?: unknown; fields?: unknown };
  if (typeof serviceId !== 'string' || typeof fields !== 'object' || fields === null) return null;
  const adapter = registry.activeAdapter(serviceId);
  if (!adapter) return null;
  const accountFields = adapter.describe().accountFields;
  const identifying = accountFields.find((f) => f.mask !== 'full');
  const value = identifying ? (fields as Record<string, unknown>)[identifying.name] : undefined;
  if (typeof value !== 'string') return null;
  return {
    key: digest(`bind-target:${serviceId}:${value.trim().toUpperCase()}`),
    secondFactor: accountFields.some((f) => f.mask === 'full'),
  };
}
