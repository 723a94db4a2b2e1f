import { describe, expect, it } from 'vitest';
import { Schedule, ScheduleExpressionError } from '../../../functions/schedule/schedule.js';
import { thrownBy } from './cases.js';
import { DAY_MS, HOUR_MS, iso, MINUTE_MS, utc } from './time.js';

describe('Schedule factories', () => {
  it.each([
    { schedule: () => Schedule.hourly(), expression: 'cron(0 * * * ? *)' },
    { schedule: () => Schedule.hourly({ minute: 15 }), expression: 'cron(15 * * * ? *)' },
    { schedule: () => Schedule.hourly({ minute: 59 }), expression: 'cron(59 * * * ? *)' },
    { schedule: () => Schedule.daily(), expression: 'cron(0 0 * * ? *)' },
    { schedule: () => Schedule.daily({ hour: 3, minute: 30 }), expression: 'cron(30 3 * * ? *)' },
    { schedule: () => Schedule.daily({ hour: 23 }), expression: 'cron(0 23 * * ? *)' },
    {
      schedule: () => Schedule.expression('cron(0/5 8-17 ? * MON-FRI *)'),
      expression: 'cron(0/5 8-17 ? * MON-FRI *)',
    },
    { schedule: () => Schedule.expression('rate(5 minutes)'), expression: 'rate(5 minutes)' },
  ])('produces $expression', ({ schedule, expression }) => {
    // Act
    const result = schedule();

    // Assess
    expect(result.expression).toBe(expression);
    expect(result.toString()).toBe(expression);
    expect(`${result}`).toBe(expression);
  });

  it.each([
    {
      make: () => Schedule.hourly({ minute: 60 }),
      message: 'Schedule.hourly: minute must be a whole number from 0 to 59, got 60',
    },
    {
      make: () => Schedule.hourly({ minute: -1 }),
      message: 'Schedule.hourly: minute must be a whole number from 0 to 59, got -1',
    },
    {
      make: () => Schedule.hourly({ minute: 1.5 }),
      message: 'Schedule.hourly: minute must be a whole number from 0 to 59, got 1.5',
    },
    {
      make: () => Schedule.hourly({ minute: Number.NaN }),
      message: 'Schedule.hourly: minute must be a whole number from 0 to 59, got NaN',
    },
    {
      make: () => Schedule.daily({ hour: 24 }),
      message: 'Schedule.daily: hour must be a whole number from 0 to 23, got 24',
    },
    {
      make: () => Schedule.daily({ hour: -1 }),
      message: 'Schedule.daily: hour must be a whole number from 0 to 23, got -1',
    },
    {
      make: () => Schedule.daily({ hour: 1.5 }),
      message: 'Schedule.daily: hour must be a whole number from 0 to 23, got 1.5',
    },
    {
      make: () => Schedule.daily({ hour: Number.NaN }),
      message: 'Schedule.daily: hour must be a whole number from 0 to 23, got NaN',
    },
    {
      make: () => Schedule.daily({ minute: 60 }),
      message: 'Schedule.daily: minute must be a whole number from 0 to 59, got 60',
    },
  ])('rejects: $message', ({ make, message }) => {
    // Act
    const error = thrownBy(make);

    // Assess
    expect(error).toBeInstanceOf(ScheduleExpressionError);
    expect(error.message).toBe(message);
  });

  it.each([
    { expression: '', message: '"" is not a schedule expression: expected cron(...) or rate(...)' },
    {
      expression: 'hello',
      message: '"hello" is not a schedule expression: expected cron(...) or rate(...)',
    },
    // Exactly what goes to EventBridge: no case folding, no trimming.
    {
      expression: 'CRON(0 10 * * ? *)',
      message: '"CRON(0 10 * * ? *)" is not a schedule expression: expected cron(...) or rate(...)',
    },
    {
      expression: ' cron(0 10 * * ? *)',
      message:
        '" cron(0 10 * * ? *)" is not a schedule expression: expected cron(...) or rate(...)',
    },
    {
      expression: 'cron(0 25 * * ? *)',
      message: 'cron(0 25 * * ? *): hours field "25" is out of range 0-23',
    },
    {
      expression: 'rate(0 minutes)',
      message: 'rate(0 minutes): value "0" must be a positive whole number',
    },
  ])('Schedule.expression rejects "$expression"', ({ expression, message }) => {
    // Act
    const error = thrownBy(() => Schedule.expression(expression));

    // Assess
    expect(error).toBeInstanceOf(ScheduleExpressionError);
    expect(error.message).toBe(message);
  });
});

describe('Schedule.next and nextFires', () => {
  const anchor = utc('2026-01-01T00:00:30Z');

  it('a cron ignores the anchor', () => {
    // Prepare
    const schedule = Schedule.hourly({ minute: 15 });

    // Act
    const fire = schedule.next(utc('2026-01-01T00:15Z'), anchor);

    // Assess
    expect(iso(fire)).toBe('2026-01-01T01:15Z');
  });

  it('a rate counts from the anchor', () => {
    // Prepare
    const schedule = Schedule.expression('rate(1 hour)');

    // Act
    const fires = schedule.nextFires(3, anchor, anchor);

    // Assess
    expect(fires).toEqual([anchor + HOUR_MS, anchor + 2 * HOUR_MS, anchor + 3 * HOUR_MS]);
  });

  it('nextFires lists consecutive fires', () => {
    // Prepare
    const schedule = Schedule.daily({ hour: 3, minute: 30 });

    // Act
    const fires = schedule.nextFires(3, utc('2026-01-01T03:30Z'), anchor).map(iso);

    // Assess
    expect(fires).toEqual(['2026-01-02T03:30Z', '2026-01-03T03:30Z', '2026-01-04T03:30Z']);
  });

  it('nextFires returns fewer when the schedule ends, and none for a count of 0', () => {
    // Prepare
    const schedule = Schedule.expression('cron(0 0 1 1 ? 2026-2027)');

    // Act
    const fires = schedule.nextFires(5, utc('2025-06-01T00:00Z'), anchor).map(iso);

    // Assess
    expect(fires).toEqual(['2026-01-01T00:00Z', '2027-01-01T00:00Z']);
    expect(schedule.nextFires(0, utc('2025-06-01T00:00Z'), anchor)).toEqual([]);
  });

  it('nextFires rejects a count that is not a whole number', () => {
    // Prepare
    const schedule = Schedule.hourly();

    // Act
    const error = thrownBy(() => schedule.nextFires(1.5, anchor, anchor));

    // Assess
    expect(error).toBeInstanceOf(RangeError);
  });
});

describe('Schedule.longestGapMs', () => {
  it.each([
    { expression: 'cron(0 * * * ? *)', gapMs: HOUR_MS, why: 'hourly' },
    { expression: 'cron(30 3 * * ? *)', gapMs: DAY_MS, why: 'daily' },
    { expression: 'rate(5 minutes)', gapMs: 5 * MINUTE_MS, why: 'a rate: its period' },
    { expression: 'cron(0 8,20 * * ? *)', gapMs: 12 * HOUR_MS, why: '20:00 to 08:00' },
    {
      expression: 'cron(0 9 ? * MON-FRI *)',
      gapMs: 3 * DAY_MS,
      why: 'Friday 09:00 to Monday 09:00',
    },
    // Friday 17:45 to Monday 09:00 = 3 days less 8 h 45 min = 63 h 15 min.
    {
      expression: 'cron(0/15 9-17 ? * MON-FRI *)',
      gapMs: 63 * HOUR_MS + 15 * MINUTE_MS,
      why: 'Friday 17:45 to Monday 09:00',
    },
    // Across a February 29th the year has 366 days.
    { expression: 'cron(0 0 1 1 ? *)', gapMs: 366 * DAY_MS, why: 'yearly, across a leap day' },
    // First Mondays are 28 or 35 days apart.
    { expression: 'cron(0 9 ? * 2#1 *)', gapMs: 35 * DAY_MS, why: 'first Monday to first Monday' },
    // February 29th: usually 4 years apart, but 2096 to 2104 is 8 (2100 is no leap year).
    {
      expression: 'cron(0 0 29 2 ? *)',
      gapMs: (8 * 365 + 1) * DAY_MS,
      why: '2096-02-29 to 2104-02-29',
    },
    { expression: 'cron(0 0 30 2 ? *)', gapMs: Number.POSITIVE_INFINITY, why: 'never fires' },
    { expression: 'cron(0 0 1 1 ? 2030)', gapMs: Number.POSITIVE_INFINITY, why: 'fires once' },
  ])('$expression: $why', ({ expression, gapMs }) => {
    // Prepare
    const schedule = Schedule.expression(expression);

    // Act
    const longest = schedule.longestGapMs;

    // Assess
    expect(longest).toBe(gapMs);
  });

  it('agrees with the factories the catalogue uses', () => {
    // Act, Assess
    expect(Schedule.hourly({ minute: 15 }).longestGapMs).toBe(HOUR_MS);
    expect(Schedule.daily({ hour: 3, minute: 30 }).longestGapMs).toBe(DAY_MS);
  });
});
