import { CATEGORY_LABELS, categorySchema, type CityServices, type ServiceSummary } from '@cityhub/shared';
import type { AdapterRegistry } from './registry';

/** The services a city has now, one per category, with each one's live status. */
export function servicesForCity(registry: AdapterRegistry, cityCode: string): CityServices['serviceGroups'] {
  const groups: CityServices['serviceGroups'] = [];
  for (const category of categorySchema.options) {
    const adapter = registry.resolve(cityCode, category);
    if (!adapter) continue;
    const d = adapter.describe();
    const health = adapter.healthReport();
    const service: ServiceSummary = {
      serviceId: d.id,
      version: d.version,
      category: d.category,
      name: d.name,
      providerName: d.providerName,
      status: health.status,
      ...(health.reason ? { statusReason: health.reason } : {}),
      accountFields: d.accountFields.map((f) => ({
        name: f.name,
        label: f.label,
        ...(f.placeholder ? { placeholder: f.placeholder } : {}),
        dataType: f.dataType,
        ...(f.pattern ? { pattern: f.pattern } : {}),
        minLength: f.minLength,
        maxLength: f.maxLength,
        optional: f.optional,
        mask: f.mask,
      })),
      paymentRules: d.paymentRules,
    };
    groups.push({ category, label: CATEGORY_LABELS[category], services: [service] });
  }
  return groups;
}
