import { Duration } from 'aws-cdk-lib';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
/** CloudWatch: period × evaluation periods is at most 7 days (1 day for periods under 1 hour). */
const maxWindowMs = 7 * day;
/** CloudWatch: an alarm's period is at most 1 day. */
const maxPeriodMs = day;

/** How the "no successful run" alarm looks back. */
export interface FreshnessWindow {
  readonly period: Duration;
  readonly evaluationPeriods: number;
}

/**
 * The alarm window for "no successful run for two schedule periods", given the longest gap
 * between two fires: periods of the gap (rounded up to a minute, or to an hour from an hour
 * on, at most a day), as many as cover two gaps, within CloudWatch's 7-day limit.
 *
 * @returns `undefined` when the limits leave no window longer than one gap plus one period
 *   (a job that runs less often than about every 6 days cannot be watched this way).
 */
export function freshnessWindow(longestGapMs: number): FreshnessWindow | undefined {
  if (!Number.isFinite(longestGapMs) || longestGapMs <= 0) return undefined;
  const periodMs = schedulePeriod(longestGapMs).toMilliseconds();
  const wanted = Math.ceil((2 * longestGapMs) / periodMs);
  const evaluationPeriods = Math.min(wanted, Math.floor(maxWindowMs / periodMs));
  if (evaluationPeriods * periodMs < longestGapMs + periodMs) return undefined;
  return { period: Duration.millis(periodMs), evaluationPeriods };
}

/**
 * An alarm period that holds about one run: the longest gap between two fires, rounded up to
 * a minute (to an hour from an hour on), at most a day (CloudWatch's longest period).
 */
export function schedulePeriod(longestGapMs: number): Duration {
  const unit = longestGapMs < hour ? minute : hour;
  return Duration.millis(Math.min(Math.max(1, Math.ceil(longestGapMs / unit)) * unit, maxPeriodMs));
}
