import { CATEGORY_LABELS, categorySchema, type CityServices } from '@cityhub/shared';

/**
 * What a resident should be told when their city offers only some kinds of
 * service: which ones are missing, so an empty corner of the page is
 * explained rather than puzzling. Null when every kind is there.
 */
export function coverageNote(city: CityServices): string | null {
  const offered = new Set(city.serviceGroups.filter((g) => g.services.length > 0).map((g) => g.category));
  const missing = categorySchema.options.filter((c) => !offered.has(c)).map((c) => CATEGORY_LABELS[c]);
  if (!missing.length) return null;
  const name = city.city.name;
  if (!offered.size) return `${name}的缴费单位尚未接入，暂不能在这里缴费。可切换到其他城市，或到缴费单位的营业厅、官方渠道办理。`;
  return `${name}暂未开通${missing.join('、')}：这些缴费单位尚未接入，请通过其官方渠道缴纳。其余服务可在下方办理。`;
}
