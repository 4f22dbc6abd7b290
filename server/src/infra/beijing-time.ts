/**
 * China Standard Time (UTC+8, no daylight saving), in which WeChat writes
 * times and cuts its daily bills.
 */
const OFFSET_MS = 8 * 3600_000;

const shifted = (at: Date) => new Date(at.getTime() + OFFSET_MS);

/** The Beijing calendar day of an instant: "2026-11-23". */
export function beijingDate(at: Date = new Date()): string {
  return shifted(at).toISOString().slice(0, 10);
}

/** The Beijing hour of an instant, 0–23. */
export function beijingHour(at: Date = new Date()): number {
  return shifted(at).getUTCHours();
}

/** RFC 3339 in Beijing time, as WeChat writes times: "2026-11-23T13:05:00+08:00". */
export function beijingRfc3339(at: Date): string {
  return `${shifted(at).toISOString().slice(0, 19)}+08:00`;
}
