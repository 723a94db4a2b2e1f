import type { TimeZone } from '../../functions/schedule/time-zone.js';

const utcIso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * A fire time for people: in UTC for a UTC job (`2027-03-29T01:30:00Z`); for a zoned job, in
 * the zone with its offset, then in UTC (`2027-03-29 02:30 +02:00 = 2027-03-29T00:30:00Z`).
 */
export function formatFire(fire: number, zone: TimeZone): string {
  if (zone.isUtc) return utcIso(fire);
  const offsetMinutes = Math.round(zone.offsetAt(fire) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offsetMinutes) % 60).padStart(2, '0');
  const wall = new Date(zone.wallTime(fire)).toISOString().slice(0, 16).replace('T', ' ');
  return `${wall} ${sign}${hours}:${minutes} = ${utcIso(fire)}`;
}
