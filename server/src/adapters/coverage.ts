import type { Category, City, Coverage, CoverageConflict, CoverageLevel, ServingReason } from '@cityhub/shared';

export type { CoverageConflict, CoverageLevel, ServingReason };

/** Lower serves first: a city-level adapter beats a province-level one, which beats a nationwide one. */
const LEVEL_RANK: Record<CoverageLevel, number> = { city: 0, province: 1, nationwide: 2 };

/** What coverage needs to know of an active adapter. */
export interface CoverageCandidate {
  id: string;
  category: Category;
  coverage: Coverage;
}

/** An operator's recorded choice: in this city, for this category, this adapter serves. */
export interface CoverageChoice {
  cityCode: string;
  category: Category;
  adapterId: string;
}

export interface Serving {
  adapterId: string;
  reason: ServingReason;
}

/** The level at which an adapter's coverage reaches a city, or null if it does not. */
export function levelIn(coverage: Coverage, cityCode: string): CoverageLevel | null {
  if (coverage.cities.includes(cityCode)) return 'city';
  if (coverage.provinces.includes(cityCode.slice(0, 2))) return 'province';
  return coverage.nationwide ? 'nationwide' : null;
}

/**
 * Who serves a category in a city, and why. Among the adapters covering the
 * city the most specific level wins; among equals, the operator's recorded
 * choice. Equals without a choice cannot arise through activation (it refuses
 * them); should stored data hold some, the lowest id serves, so that every
 * hub process still picks the same, and the coverage report shows the tie.
 */
export function servingAdapter(candidates: readonly CoverageCandidate[], choices: readonly CoverageChoice[], cityCode: string, category: Category): Serving | null {
  let bestRank = Infinity;
  let best: Array<{ id: string; level: CoverageLevel }> = [];
  for (const c of candidates) {
    if (c.category !== category) continue;
    const level = levelIn(c.coverage, cityCode);
    if (!level) continue;
    const rank = LEVEL_RANK[level];
    if (rank < bestRank) {
      bestRank = rank;
      best = [{ id: c.id, level }];
    } else if (rank === bestRank) best.push({ id: c.id, level });
  }
  if (!best.length) return null;
  if (best.length === 1) return { adapterId: best[0].id, reason: best[0].level };
  const chosen = choices.find((ch) => ch.cityCode === cityCode && ch.category === category && best.some((b) => b.id === ch.adapterId));
  if (chosen) return { adapterId: chosen.adapterId, reason: 'chosen' };
  const lowest = best.map((b) => b.id).sort()[0];
  return { adapterId: lowest, reason: best[0].level };
}

/**
 * The (city, category) pairs where `incoming`, once active, would tie with
 * another active adapter at the most specific level present: activating it
 * there would shadow one of them silently, so the operator must choose.
 * Where the incoming adapter is more specific it simply wins (city beats
 * province); where it is less specific the other keeps serving.
 */
export function activationConflicts(
  incoming: CoverageCandidate,
  active: readonly CoverageCandidate[],
  choices: readonly CoverageChoice[],
  cities: readonly Pick<City, 'code' | 'name'>[],
): CoverageConflict[] {
  const others = active.filter((a) => a.id !== incoming.id && a.category === incoming.category);
  const conflicts: CoverageConflict[] = [];
  for (const city of cities) {
    const level = levelIn(incoming.coverage, city.code);
    if (!level) continue;
    const mine = LEVEL_RANK[level];
    for (const other of others) {
      const theirs = levelIn(other.coverage, city.code);
      if (!theirs || LEVEL_RANK[theirs] !== mine) continue;
      // A tie someone more specific already settles is no tie.
      const moreSpecific = others.some((o) => {
        const level = levelIn(o.coverage, city.code);
        return level !== null && LEVEL_RANK[level] < mine;
      });
      if (moreSpecific) continue;
      // Already chosen for this city: re-activating (a new version) changes nothing there.
      if (choices.some((ch) => ch.cityCode === city.code && ch.category === incoming.category && ch.adapterId === incoming.id)) continue;
      conflicts.push({ cityCode: city.code, cityName: city.name, category: incoming.category, servedBy: other.id });
    }
  }
  return conflicts;
}
