/**
 * Whether the coming partitions surely all exist, read from the partitions' bounds alone: the
 * steady hourly run's case, which then skips reading the period and planning (two statements)
 * and makes nothing. It only ever answers `true` when the full plan would make nothing: the
 * partitions must cover, without a gap, from the current time to `ahead` of the longest periods
 * the latest partition's length allows (a calendar month counted as 31 days, a day not cut at
 * midnight UTC as 26 hours, as a zone's clock change can make it). Anything it cannot be sure
 * of gets the full plan.
 */
import type { PartitionLayout } from './partition-layout.js';

const hour = 3_600_000;
const day = 24 * hour;

/**
 * `true` when the partitions of `layout` cover, gap-free, from `now` through `ahead` periods of
 * the latest partition's longest possible length; `false` when the full plan must decide.
 *
 * @param now - the current time (`timestamptz` text, or ISO 8601)
 */
export function surelyCovered(layout: PartitionLayout, now: string, ahead: number): boolean {
  if (layout.cast !== 'timestamptz') return false;
  const at = instant(now);
  const ranges = layout.ranges.map((range) => ({
    ...range,
    start: range.from === null ? undefined : instant(range.from),
    end: range.to === null ? undefined : instant(range.to),
  }));
  if (
    at === undefined ||
    ranges.some((range) => range.start === undefined || range.end === undefined)
  ) {
    return false;
  }
  const latest = ranges.reduce<(typeof ranges)[number] | undefined>(
    (found, range) => (!found || (range.end ?? 0) > (found.end ?? 0) ? range : found),
    undefined,
  );
  if (!latest) return false;
  const horizon = at + ahead * longest(latest.start ?? 0, (latest.end ?? 0) - (latest.start ?? 0));
  let current = ranges.find((range) => (range.start ?? 0) <= at && at < (range.end ?? 0));
  while (current) {
    if ((current.end ?? 0) >= horizon + 1) return true;
    const to = current.to;
    current = ranges.find((range) => range.from === to);
  }
  return false;
}

/**
 * The longest a period like the latest partition (from `start`, `length` long) can be: months
 * of 31 days; whole days cut at midnight UTC as they are (UTC's days are 24 hours); other days
 * of 26 hours (a zone's clock change; Antarctica/Troll's is 2 hours); shorter ones as they are.
 */
function longest(start: number, length: number): number {
  if (length >= 27 * day) return Math.round(length / (30.44 * day)) * 31 * day;
  if (length % day === 0 && start % day === 0) return length;
  if (length >= 22 * hour) return Math.round(length / day) * 26 * hour;
  return length;
}

/** `2026-10-29 00:00:00+00` (or ISO 8601 with `Z`) → epoch milliseconds; else `undefined`. */
function instant(text: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(\+00|Z)$/.exec(text);
  if (!match) return undefined;
  const millis = (match[3] ?? '.0').slice(0, 4).padEnd(4, '0');
  const value = Date.parse(`${match[1]}T${match[2]}${millis}Z`);
  return Number.isNaN(value) ? undefined : value;
}
