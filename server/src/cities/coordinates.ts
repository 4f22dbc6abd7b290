import coordinates from './coordinates.json';

/** [latitude, longitude] of a city's seat, by city code (derived by coordinates-source.ts). */
const SEATS = coordinates as unknown as Partial<Record<string, [number, number]>>;

/**
 * A point farther than this from every city seat is not in any city we serve
 * (abroad, at sea). The widest prefectures (阿里, 那曲) reach about 600 km from
 * their seat, so the bound is generous rather than tight.
 */
export const NEAREST_CITY_LIMIT_KM = 800;

const EARTH_RADIUS_KM = 6371;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle (haversine) distance in km. */
export function distanceKm(a: [number, number], b: [number, number]): number {
  const dLat = rad(b[0] - a[0]);
  const dLng = rad(b[1] - a[1]);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[0])) * Math.cos(rad(b[0])) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The city whose seat is nearest to the point, among `codes` (the catalog);
 * null when none is within NEAREST_CITY_LIMIT_KM. A scan of ~350 points: no index needed.
 */
export function nearestCity(point: [number, number], codes: Iterable<string>): { code: string; distanceKm: number } | null {
  let best: { code: string; distanceKm: number } | null = null;
  for (const code of codes) {
    const seat = SEATS[code];
    if (!seat) continue;
    const d = distanceKm(point, seat);
    if (!best || d < best.distanceKm) best = { code, distanceKm: d };
  }
  return best && best.distanceKm <= NEAREST_CITY_LIMIT_KM ? best : null;
}
