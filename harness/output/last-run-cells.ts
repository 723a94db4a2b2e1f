import type { LastRuns } from '../history/last-runs.js';
import { formatMoment } from './format-values.js';
import { outcomeLabel } from './run-summary.js';

/** The "last run" and "last successful run" cells of a status table; `none` when there is none. */
export function lastRunCells(runs: LastRuns, now: number, none: string): [string, string] {
  return [
    runs.lastRun
      ? `${formatMoment(runs.lastRun.startedAt, now)} ${outcomeLabel(runs.lastRun.outcome)}`
      : none,
    runs.lastSuccess ? formatMoment(runs.lastSuccess.startedAt, now) : none,
  ];
}
