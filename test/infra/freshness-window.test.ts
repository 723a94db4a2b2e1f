import { describe, expect, it } from 'vitest';
import { freshnessWindow } from '../../infra/freshness-window.js';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

describe('freshnessWindow', () => {
  it.each([
    ['every 5 minutes', 5 * minute, 300, 2],
    ['every 90 seconds (rounded up to a minute)', 90_000, 120, 2],
    ['hourly', hour, 3_600, 2],
    ['every 6 hours', 6 * hour, 21_600, 2],
    ['daily', day, 86_400, 2],
    ['weekdays only (Friday → Monday)', 3 * day, 86_400, 6],
    ['every 5 days (capped at 7 days)', 5 * day, 86_400, 7],
  ])('%s: periods of %i s, %i of them', (_label, gap, periodSeconds, evaluationPeriods) => {
    const window = freshnessWindow(gap);
    expect(window?.period.toSeconds()).toBe(periodSeconds);
    expect(window?.evaluationPeriods).toBe(evaluationPeriods);
    // CloudWatch's limits: 7 days in all; 1 day for periods under an hour
    const total = periodSeconds * evaluationPeriods;
    expect(total).toBeLessThanOrEqual(periodSeconds < 3_600 ? 86_400 : 604_800);
    expect(total * 1_000).toBeGreaterThan(gap);
  });

  it.each([
    ['weekly', 7 * day],
    ['yearly', 365 * day],
    ['a cron that fires once', Number.POSITIVE_INFINITY],
  ])('gives no window for a job run %s (CloudWatch looks back 7 days at most)', (_label, gap) => {
    expect(freshnessWindow(gap)).toBeUndefined();
  });
});
