import { beijingDay, beijingTime } from './beijing-time';

describe('Beijing time for everything a resident reads', () => {
  const deviceZone = process.env.TZ;
  afterAll(() => {
    process.env.TZ = deviceZone;
  });

  it.each(['UTC', 'America/Los_Angeles', 'Asia/Shanghai'])('shows an order paid at 15:22Z as 23:22 on a device set to %s', (zone) => {
    process.env.TZ = zone;
    // The device's own clock really is in that zone (Node re-reads TZ when it changes).
    if (zone === 'UTC') expect(new Date('2026-11-23T15:22:05Z').getHours()).toBe(15);
    expect(beijingTime('2026-11-23T15:22:05Z')).toBe('2026-11-23 23:22');
    expect(beijingTime('2026-11-23T15:22:05.123Z', 'second')).toBe('2026-11-23 23:22:05');
  });

  it('rolls over to the next Beijing day, and reads providers\' own offsets right', () => {
    process.env.TZ = 'UTC';
    expect(beijingTime('2026-12-31T16:30:00Z')).toBe('2027-01-01 00:30');
    expect(beijingDay('2026-12-31T16:30:00Z')).toBe('2027-01-01');
    expect(beijingTime('2026-10-03T08:12:00+08:00')).toBe('2026-10-03 08:12');
    expect(beijingTime(Date.UTC(2026, 10, 23, 15, 22))).toBe('2026-11-23 23:22');
  });

  it('shows nothing for no time, and something unreadable as given', () => {
    expect(beijingTime(null)).toBe('');
    expect(beijingTime(undefined)).toBe('');
    expect(beijingTime('下月初')).toBe('下月初');
  });
});
