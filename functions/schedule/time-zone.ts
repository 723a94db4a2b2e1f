import { ScheduleExpressionError } from './errors.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** Offsets are looked up per bucket of this length (see {@link TimeZone.offsetAt}). */
const BUCKET_MS = 6 * HOUR_MS;
/** No zone is more than 14 hours from UTC (Pacific/Kiritimati, +14). */
const MAX_OFFSET_MS = 15 * HOUR_MS;
const maxCachedBuckets = 20_000;

/** The name UTC goes by: jobs in this zone stay on EventBridge rules. */
export const UTC = 'UTC';

/**
 * An IANA time zone, read from the platform's time-zone data (`Intl`): the offset from UTC at
 * any instant and the instants a wall-clock time stands for. No zone rules are written here.
 *
 * A wall-clock time is given as "wall milliseconds": the epoch milliseconds the same calendar
 * date and time would have in UTC (`Date.UTC(year, month - 1, day, hour, minute)`).
 *
 * @example
 * const zone = TimeZone.of('Europe/Bratislava');
 * zone.instantsOf(Date.UTC(2027, 2, 28, 2, 30)); // [] - clocks go from 02:00 to 03:00
 * zone.instantsOf(Date.UTC(2027, 9, 31, 2, 30)); // two instants, an hour apart
 */
export class TimeZone {
  static readonly #known = new Map<string, TimeZone>();

  /**
   * The zone named `name` (an IANA name such as `Europe/Bratislava`, or `UTC`), one instance
   * per name.
   *
   * @throws {ScheduleExpressionError} when the platform does not know the zone, or knows it
   *   under a different spelling.
   */
  static of(name: string): TimeZone {
    const known = TimeZone.#known.get(name);
    if (known) return known;
    const zone = new TimeZone(name, formatterFor(name));
    TimeZone.#known.set(name, zone);
    return zone;
  }

  /** The name as given, e.g. `Europe/Bratislava`. */
  readonly name: string;
  /** `true` for UTC and the names that mean it (`Etc/UTC`, `GMT`). */
  readonly isUtc: boolean;
  readonly #format: Intl.DateTimeFormat;
  readonly #bucketOffsets = new Map<number, number>();

  private constructor(name: string, format: Intl.DateTimeFormat) {
    this.name = name;
    this.#format = format;
    this.isUtc = format.resolvedOptions().timeZone === UTC;
  }

  /**
   * The offset from UTC at `instant`, in ms (CEST: +7,200,000). Offsets are read from `Intl`
   * once per 6-hour bucket when the bucket's two ends agree (no zone changes its offset twice
   * within 6 hours), and at the instant itself inside a bucket holding a change.
   */
  offsetAt(instant: number): number {
    if (this.isUtc) return 0;
    const bucket = Math.floor(instant / BUCKET_MS);
    let start = this.#bucketOffsets.get(bucket);
    if (start === undefined) {
      start = this.#readOffset(bucket * BUCKET_MS);
      if (this.#bucketOffsets.size >= maxCachedBuckets) this.#bucketOffsets.clear();
      this.#bucketOffsets.set(bucket, start);
    }
    let end = this.#bucketOffsets.get(bucket + 1);
    if (end === undefined) {
      end = this.#readOffset((bucket + 1) * BUCKET_MS);
      this.#bucketOffsets.set(bucket + 1, end);
    }
    return start === end ? start : this.#readOffset(instant);
  }

  /** The wall-clock time at `instant`, as wall milliseconds. */
  wallTime(instant: number): number {
    return instant + this.offsetAt(instant);
  }

  /**
   * The instants at which the zone's clocks show `wall`, earliest first: one on most days,
   * none for a time skipped when clocks go forward, two for a time that occurs twice when
   * they go back.
   */
  instantsOf(wall: number): number[] {
    const before = this.offsetAt(wall - MAX_OFFSET_MS);
    const after = this.offsetAt(wall + MAX_OFFSET_MS);
    if (before === after) return [wall - before];
    const instants: number[] = [];
    for (const offset of [before, after]) {
      const instant = wall - offset;
      if (this.offsetAt(instant) === offset) instants.push(instant);
    }
    return instants.sort((a, b) => a - b);
  }

  /**
   * The instants in [`from`, `to`) at which the offset changes (the first instant with the new
   * offset), found by probing every `stepMs` and bisecting to the minute. Changes closer
   * together than the step that cancel each other out are not seen.
   */
  *transitions(from: number, to: number, stepMs = 7 * 24 * HOUR_MS): Generator<number> {
    if (this.isUtc) return;
    let probe = from;
    let offset = this.#readOffset(probe);
    while (probe < to) {
      const next = Math.min(probe + stepMs, to);
      const nextOffset = this.#readOffset(next);
      if (nextOffset !== offset) {
        let low = probe;
        let high = next;
        while (high - low > MINUTE_MS) {
          const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
          if (this.#readOffset(middle) === offset) low = middle;
          else high = middle;
        }
        yield high;
      }
      probe = next;
      offset = nextOffset;
    }
  }

  /** The name, e.g. `Europe/Bratislava`. */
  toString(): string {
    return this.name;
  }

  #readOffset(instant: number): number {
    const parts = this.#format.formatToParts(instant);
    const field = (type: Intl.DateTimeFormatPartTypes) =>
      Number(parts.find((part) => part.type === type)?.value);
    const wall = Date.UTC(
      field('year'),
      field('month') - 1,
      field('day'),
      field('hour'),
      field('minute'),
      field('second'),
    );
    return wall - Math.floor(instant / 1_000) * 1_000;
  }
}

function formatterFor(name: string): Intl.DateTimeFormat {
  let format: Intl.DateTimeFormat;
  try {
    if (typeof name !== 'string' || name.trim() === '') throw new RangeError('empty');
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new ScheduleExpressionError(
      `unknown time zone ${JSON.stringify(name)}: expected an IANA time zone name such as "Europe/Bratislava" or "UTC"`,
    );
  }
  const resolved = format.resolvedOptions().timeZone;
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) {
    throw new ScheduleExpressionError(
      `time zone ${JSON.stringify(name)} is spelt ${JSON.stringify(resolved)}: IANA names are case-sensitive in AWS`,
    );
  }
  return format;
}
