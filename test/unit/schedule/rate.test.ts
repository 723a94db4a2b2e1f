import { describe, expect, it } from 'vitest';
import { ScheduleExpressionError } from '../../../functions/schedule/errors.js';
import { RateExpression } from '../../../functions/schedule/rate.js';
import { thrownBy } from './cases.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, utc } from './time.js';

describe('RateExpression.parse', () => {
  it.each([
    // AWS's documented examples, and plurals.
    { expression: 'rate(1 minute)', periodMs: MINUTE_MS },
    { expression: 'rate(5 minutes)', periodMs: 5 * MINUTE_MS },
    { expression: 'rate(1 hour)', periodMs: HOUR_MS },
    { expression: 'rate(2 hours)', periodMs: 2 * HOUR_MS },
    { expression: 'rate(1 day)', periodMs: DAY_MS },
    { expression: 'rate(7 days)', periodMs: 7 * DAY_MS },
  ])('reads $expression', ({ expression, periodMs }) => {
    // Act
    const rate = RateExpression.parse(expression);

    // Assess
    expect(rate.periodMs).toBe(periodMs);
    expect(rate.expression).toBe(expression);
    expect(rate.longestGapMs()).toBe(periodMs);
  });

  it.each([
    {
      expression: 'rate(0 minutes)',
      message: 'rate(0 minutes): value "0" must be a positive whole number',
    },
    {
      expression: 'rate(-5 minutes)',
      message: 'rate(-5 minutes): value "-5" must be a positive whole number',
    },
    {
      expression: 'rate(1.5 hours)',
      message: 'rate(1.5 hours): value "1.5" must be a positive whole number',
    },
    {
      expression: 'rate(five minutes)',
      message: 'rate(five minutes): value "five" must be a positive whole number',
    },
    {
      expression: 'rate(1 hours)',
      message:
        'rate(1 hours): a value of 1 needs the unit "hour", not "hours" (AWS: singular for 1, plural otherwise)',
    },
    {
      expression: 'rate(2 hour)',
      message:
        'rate(2 hour): a value of 2 needs the unit "hours", not "hour" (AWS: singular for 1, plural otherwise)',
    },
    {
      expression: 'rate(5 weeks)',
      message: 'rate(5 weeks): unit "weeks" must be one of minute, minutes, hour, hours, day, days',
    },
    {
      expression: 'rate(5 Minutes)',
      message:
        'rate(5 Minutes): unit "Minutes" must be one of minute, minutes, hour, hours, day, days',
    },
    {
      expression: 'rate(5)',
      message: 'rate(5): expected a value and a unit, e.g. rate(5 minutes), got 1 part(s)',
    },
    {
      expression: 'rate()',
      message: 'rate(): expected a value and a unit, e.g. rate(5 minutes), got 0 part(s)',
    },
    {
      expression: 'rate(5 minutes',
      message: '"rate(5 minutes" is not a rate expression: expected rate(value unit)',
    },
  ])('rejects $expression', ({ expression, message }) => {
    // Act
    const error = thrownBy(() => RateExpression.parse(expression));

    // Assess
    expect(error).toBeInstanceOf(ScheduleExpressionError);
    expect(error.message).toBe(message);
  });
});

describe('RateExpression.next: fires at anchor + k × period, k ≥ 1', () => {
  // The scheduler started mid-minute: rates are anchored there, not on whole minutes.
  const anchor = utc('2026-01-01T00:00:30Z');
  const rate = RateExpression.parse('rate(5 minutes)');
  const period = 5 * MINUTE_MS;

  it('fires first one period after the anchor', () => {
    // Act
    const first = rate.next(anchor, anchor);

    // Assess
    expect(first).toBe(anchor + period);
  });

  it('before the anchor, still fires first one period after it', () => {
    // Act
    const first = rate.next(anchor - DAY_MS, anchor);

    // Assess
    expect(first).toBe(anchor + period);
  });

  it('fires strictly after the given instant', () => {
    // Prepare
    const fire = anchor + period;

    // Act, Assess
    expect(rate.next(fire - 1, anchor)).toBe(fire);
    expect(rate.next(fire, anchor)).toBe(fire + period);
    expect(rate.next(anchor + 12 * MINUTE_MS, anchor)).toBe(anchor + 3 * period);
  });
});
