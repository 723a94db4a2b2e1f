import { type FieldText, fieldError, parseValue, parseValues } from './cron-field.js';

/** AWS numbers the days of the week 1 (SUN) to 7 (SAT). */
const SUNDAY = 1;
const SATURDAY = 7;

/** Which days of a month an expression's day field selects. */
export type DayRule =
  /** Day-of-month values: `*`, `1,15`, `1-7`, `1/2`. */
  | { readonly kind: 'dates'; readonly dates: ReadonlySet<number> }
  /** Day-of-month `L`: the last day of the month. */
  | { readonly kind: 'lastDay' }
  /** Day-of-month `LW`: the last weekday (Monday to Friday) of the month. */
  | { readonly kind: 'lastWeekday' }
  /** Day-of-month `15W`: the weekday nearest the 15th, within the same month. */
  | { readonly kind: 'nearestWeekday'; readonly date: number }
  /** Day-of-week values: `*`, `MON-FRI`, `2,4`, `L` (= 7, Saturday). */
  | { readonly kind: 'weekdays'; readonly weekdays: ReadonlySet<number> }
  /** Day-of-week `6L` / `FRIL`: the last Friday of the month. */
  | { readonly kind: 'lastOfWeekday'; readonly weekday: number }
  /** Day-of-week `3#2`: the second Tuesday of the month (none if the month has no such day). */
  | { readonly kind: 'nthWeekday'; readonly weekday: number; readonly nth: number };

/** Reads a day-of-month field other than `?`: `L`, `LW`, `15W`, or values. */
export function parseDayOfMonth(field: FieldText): DayRule {
  const text = field.text.toUpperCase();
  if (text === 'L') return { kind: 'lastDay' };
  if (text === 'LW') return { kind: 'lastWeekday' };
  const nearest = /^(\d+)W$/.exec(text);
  if (nearest?.[1] !== undefined) {
    return { kind: 'nearestWeekday', date: parseValue(field, nearest[1]) };
  }
  if (/[LW]/.test(text)) {
    throw fieldError(
      field,
      'misuses L or W: write L, LW or one day followed by W (e.g. 15W), alone',
    );
  }
  return { kind: 'dates', dates: new Set(parseValues(field)) };
}

/** Reads a day-of-week field other than `?`: `L`, `6L`, `3#2`, or values. */
export function parseDayOfWeek(field: FieldText): DayRule {
  const text = field.text.toUpperCase();
  if (text === 'L') return { kind: 'weekdays', weekdays: new Set([SATURDAY]) };
  const last = /^(\w+)L$/.exec(text);
  if (last?.[1] !== undefined) {
    return { kind: 'lastOfWeekday', weekday: parseValue(field, last[1]) };
  }
  const nth = /^(\w+)#(\w*)$/.exec(text);
  if (nth?.[1] !== undefined && nth[2] !== undefined) {
    if (!/^[1-5]$/.test(nth[2])) {
      throw fieldError(field, `asks for occurrence "${nth[2]}"; after # give 1 to 5`);
    }
    return { kind: 'nthWeekday', weekday: parseValue(field, nth[1]), nth: Number(nth[2]) };
  }
  if (/[L#]/.test(text)) {
    throw fieldError(
      field,
      'misuses L or #: write L, one day followed by L (6L), or one day#n (3#2), alone',
    );
  }
  return { kind: 'weekdays', weekdays: new Set(parseValues(field)) };
}

/** The days of `month` (1-12) in `year` that `rule` selects, in order. */
export function daysMatching(rule: DayRule, year: number, month: number): number[] {
  const lastDay = daysInMonth(year, month);
  const weekdayOf = (day: number) => weekday(year, month, day);
  switch (rule.kind) {
    case 'dates':
      return everyDay(lastDay).filter((day) => rule.dates.has(day));
    case 'lastDay':
      return [lastDay];
    case 'lastWeekday':
      return [nearestWeekday(lastDay, weekdayOf(lastDay), lastDay)];
    case 'nearestWeekday':
      // Like a plain day number, a day the month does not have (31W in April) never fires.
      return rule.date > lastDay ? [] : [nearestWeekday(rule.date, weekdayOf(rule.date), lastDay)];
    case 'weekdays':
      return everyDay(lastDay).filter((day) => rule.weekdays.has(weekdayOf(day)));
    case 'lastOfWeekday':
      return [lastDay - ((weekdayOf(lastDay) - rule.weekday + 7) % 7)];
    case 'nthWeekday': {
      const first = 1 + ((rule.weekday - weekdayOf(1) + 7) % 7);
      const day = first + 7 * (rule.nth - 1);
      return day <= lastDay ? [day] : [];
    }
  }
}

/**
 * The weekday nearest `day` without leaving the month: a Saturday moves to the Friday before
 * (or, on the 1st, to Monday the 3rd); a Sunday moves to the Monday after (or, on the last day,
 * to the Friday before).
 */
function nearestWeekday(day: number, dayOfWeek: number, lastDay: number): number {
  if (dayOfWeek === SATURDAY) return day === 1 ? 3 : day - 1;
  if (dayOfWeek === SUNDAY) return day === lastDay ? day - 2 : day + 1;
  return day;
}

function everyDay(lastDay: number): number[] {
  return Array.from({ length: lastDay }, (_, index) => index + 1);
}

/** Number of days in `month` (1-12). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Day of the week in AWS numbering: 1 = Sunday ... 7 = Saturday. */
function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}
