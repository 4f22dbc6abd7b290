/**
 * Times residents read, always in Beijing time, whatever the phone's time
 * zone (a resident abroad, a device set to UTC, the h5 build in any browser).
 * China keeps UTC+8 all year with no daylight saving, so a fixed offset is
 * exact; it also spares the mini-program Intl time-zone data, which not every
 * WeChat JS engine carries.
 */
const BEIJING_OFFSET_MS = 8 * 3600_000;

const pad = (n: number) => String(n).padStart(2, '0');

/** The wall-clock parts of an instant in Beijing, or null for something that is not a time. */
function beijingParts(value: string | number | Date): { y: number; mo: number; d: number; h: number; mi: number; s: number } | null {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) return null;
  const b = new Date(ms + BEIJING_OFFSET_MS);
  return { y: b.getUTCFullYear(), mo: b.getUTCMonth() + 1, d: b.getUTCDate(), h: b.getUTCHours(), mi: b.getUTCMinutes(), s: b.getUTCSeconds() };
}

/**
 * "2026-11-23 23:22" (or with seconds) in Beijing time for an instant: an ISO
 * string with its offset (the hub's are UTC, "…Z"; providers' may be
 * "+08:00"), epoch milliseconds or a Date. Anything unreadable is shown as
 * given rather than hidden.
 */
export function beijingTime(value: string | number | Date | null | undefined, precision: 'minute' | 'second' = 'minute'): string {
  if (value === null || value === undefined || value === '') return '';
  const p = beijingParts(value);
  if (!p) return String(value);
  const day = `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}`;
  return precision === 'second' ? `${day}:${pad(p.s)}` : day;
}

/** The Beijing calendar day of an instant, "2026-11-23". */
export function beijingDay(value: string | number | Date): string {
  const p = beijingParts(value);
  return p ? `${p.y}-${pad(p.mo)}-${pad(p.d)}` : String(value);
}
