import { type DayRule, daysMatching, parseDayOfMonth, parseDayOfWeek } from './cron-days.js';
import { type FieldSpec, type FieldText, fieldError, parseValues } from './cron-field.js';
import { ScheduleExpressionError } from './errors.js';

const MINUTE_MS = 60_000;

const MONTH_NAMES = 'JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC'.split(' ');
const WEEKDAY_NAMES = 'SUN MON TUE WED THU FRI SAT'.split(' ');

/** The six fields, in order, as AWS documents them (eb-cron-expressions). */
const FIELDS = [
  { label: 'minutes', min: 0, max: 59, steps: true, wraps: true },
  { label: 'hours', min: 0, max: 23, steps: true, wraps: true },
  { label: 'day-of-month', min: 1, max: 31, steps: true, wraps: true },
  { label: 'month', min: 1, max: 12, names: MONTH_NAMES, steps: true, wraps: true },
  { label: 'day-of-week', min: 1, max: 7, names: WEEKDAY_NAMES, steps: false, wraps: true },
  { label: 'year', min: 1970, max: 2199, steps: true, wraps: false },
] as const satisfies readonly FieldSpec[];

/**
 * An AWS EventBridge cron expression, `cron(minutes hours day-of-month month day-of-week year)`,
 * evaluated in UTC exactly as EventBridge documents it: day-of-week 1-7 = SUN-SAT, `L`, `W`,
 * `LW`, `#`, steps, ranges (which may wrap, as in `20-2`), lists and names.
 *
 * @example
 * const cron = AwsCron.parse('cron(0 9 ? * 2#1 *)'); // 09:00 UTC on the first Monday
 * cron.next(Date.parse('2026-01-01T00:00:00Z')); // 2026-01-05T09:00:00Z
 */
export class AwsCron {
  /** The expression as given, e.g. `cron(0 9 ? * 2#1 *)`. */
  readonly expression: string;
  readonly #years: readonly number[];
  readonly #months: readonly number[];
  readonly #days: DayRule;
  /** Fire times within a matching day, as minutes after midnight, ascending. */
  readonly #timesOfDay: readonly number[];

  private constructor(
    expression: string,
    fields: { years: number[]; months: number[]; days: DayRule; timesOfDay: number[] },
  ) {
    this.expression = expression;
    this.#years = fields.years;
    this.#months = fields.months;
    this.#days = fields.days;
    this.#timesOfDay = fields.timesOfDay;
  }

  /**
   * Reads a `cron(...)` expression.
   *
   * @throws {ScheduleExpressionError} quoting the expression and naming the wrong field.
   */
  static parse(expression: string): AwsCron {
    const texts = splitFields(expression);
    const field = (index: number): FieldText => ({
      expression,
      spec: FIELDS[index] as FieldSpec,
      text: texts[index] as string,
    });
    for (const index of [0, 1, 3, 5]) {
      if (texts[index] === '?') {
        throw fieldError(
          field(index),
          'is not allowed: "?" is only for day-of-month or day-of-week',
        );
      }
    }
    const minutes = parseValues(field(0));
    const hours = parseValues(field(1));
    return new AwsCron(expression, {
      timesOfDay: hours.flatMap((hour) => minutes.map((minute) => hour * 60 + minute)),
      days: parseDays(expression, field(2), field(4)),
      months: parseValues(field(3)),
      years: parseValues(field(5)),
    });
  }

  /**
   * The first fire strictly after `afterMs` (epoch ms, UTC), on a whole minute; `undefined`
   * when the year field allows no later fire.
   *
   * Walks the allowed months and, within each, only the days that match, so a call costs at
   * most one step per month up to the year 2199, even for expressions that never fire.
   */
  next(afterMs: number): number | undefined {
    if (Number.isNaN(afterMs)) {
      throw new RangeError(`${this.expression}: next() needs a time, got NaN`);
    }
    const from = new Date(Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
    if (Number.isNaN(from.getTime())) return undefined;
    const start = {
      year: from.getUTCFullYear(),
      month: from.getUTCMonth() + 1,
      day: from.getUTCDate(),
      minuteOfDay: from.getUTCHours() * 60 + from.getUTCMinutes(),
    };
    for (const year of this.#years) {
      if (year < start.year) continue;
      for (const month of this.#months) {
        if (year === start.year && month < start.month) continue;
        const startMonth = year === start.year && month === start.month;
        for (const day of daysMatching(this.#days, year, month)) {
          if (startMonth && day < start.day) continue;
          const minuteOfDay =
            startMonth && day === start.day
              ? this.#firstTimeFrom(start.minuteOfDay)
              : this.#timesOfDay[0];
          if (minuteOfDay !== undefined) {
            return Date.UTC(year, month - 1, day) + minuteOfDay * MINUTE_MS;
          }
        }
      }
    }
    return undefined;
  }

  /**
   * The longest interval between two consecutive fires over every fire the expression has
   * (all years it allows), computed exactly: every matching day has the same times of day, so
   * the longest gap is either within a day or from the last fire of one matching day to the
   * first of the next. `Infinity` when the expression fires fewer than twice.
   */
  longestGapMs(): number {
    const times = this.#timesOfDay;
    const firstTime = times[0] ?? 0;
    const lastTime = times.at(-1) ?? 0;
    let longest = 0;
    for (let index = 1; index < times.length; index++) {
      longest = Math.max(longest, ((times[index] ?? 0) - (times[index - 1] ?? 0)) * MINUTE_MS);
    }
    let fireDays = 0;
    let previousDayMs: number | undefined;
    for (const year of this.#years) {
      for (const month of this.#months) {
        for (const day of daysMatching(this.#days, year, month)) {
          const dayMs = Date.UTC(year, month - 1, day);
          if (previousDayMs !== undefined) {
            longest = Math.max(longest, dayMs - previousDayMs + (firstTime - lastTime) * MINUTE_MS);
          }
          previousDayMs = dayMs;
          fireDays++;
        }
      }
    }
    return fireDays * times.length < 2 ? Number.POSITIVE_INFINITY : longest;
  }

  /** The first and last year the year field allows. */
  get yearRange(): { readonly first: number; readonly last: number } {
    return { first: this.#years[0] ?? 1970, last: this.#years.at(-1) ?? 2199 };
  }

  /** The expression, as given. */
  toString(): string {
    return this.expression;
  }

  /** The first time of day at or after `minuteOfDay` (binary search), if any. */
  #firstTimeFrom(minuteOfDay: number): number | undefined {
    const times = this.#timesOfDay;
    let low = 0;
    let high = times.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((times[middle] ?? 0) < minuteOfDay) low = middle + 1;
      else high = middle;
    }
    return times[low];
  }
}

/** `cron(a b c d e f)` → its six field texts. */
function splitFields(expression: string): string[] {
  const inner = /^cron\((.*)\)$/s.exec(expression)?.[1];
  if (inner === undefined) {
    throw new ScheduleExpressionError(
      `${JSON.stringify(expression)} is not a cron expression: expected cron(...)`,
    );
  }
  const texts = inner.trim() === '' ? [] : inner.trim().split(/\s+/);
  if (texts.length !== FIELDS.length) {
    throw new ScheduleExpressionError(
      `${expression}: expected 6 fields (minutes hours day-of-month month day-of-week year), got ${texts.length}`,
    );
  }
  return texts;
}

/** AWS: exactly one of day-of-month and day-of-week is `?`; the other selects the days. */
function parseDays(expression: string, dayOfMonth: FieldText, dayOfWeek: FieldText): DayRule {
  const monthIsAny = dayOfMonth.text === '?';
  const weekIsAny = dayOfWeek.text === '?';
  if (monthIsAny && weekIsAny) {
    throw new ScheduleExpressionError(
      `${expression}: day-of-month and day-of-week are both "?"; one of them must select the days`,
    );
  }
  if (!monthIsAny && !weekIsAny) {
    throw new ScheduleExpressionError(
      `${expression}: day-of-month "${dayOfMonth.text}" and day-of-week "${dayOfWeek.text}" are both set; AWS requires "?" in one of them`,
    );
  }
  return monthIsAny ? parseDayOfWeek(dayOfWeek) : parseDayOfMonth(dayOfMonth);
}
