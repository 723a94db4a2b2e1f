import type { OldestRow } from '../../functions/retention/oldest-row.js';
import type { HistoryEntry } from './run-history.js';

/** A job's latest measurement of the oldest row it left, and the run that took it. */
export interface OldestRowMeasurement {
  /** When the measuring run started (ISO 8601). */
  readonly startedAt: string;
  readonly runId: string;
  /** What the run measured (its result's `oldestRow`). */
  readonly oldestRow: OldestRow;
  /**
   * The retention the run held the rows to, in days (the location cleanup's result says it).
   * @default - absent for a job whose rows carry their own expiry (the idempotency-key purge)
   */
  readonly retentionDays?: number;
}

/**
 * The newest run among `entries` (in any order) whose result holds an `oldestRow`: a purge's
 * run that returned (succeeded, cut short, or a dry run, which measures what is there too).
 * Runs that failed or were skipped return no result, so they are passed over.
 */
export function lastMeasurement(
  entries: readonly HistoryEntry[],
): OldestRowMeasurement | undefined {
  const measured = entries
    .filter((entry) => isOldestRow(entry.result?.oldestRow))
    .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))[0];
  if (!measured?.result) return undefined;
  const { retentionDays } = measured.result;
  return {
    startedAt: measured.startedAt,
    runId: measured.runId,
    oldestRow: measured.result.oldestRow as OldestRow,
    ...(typeof retentionDays === 'number' ? { retentionDays } : {}),
  };
}

function isOldestRow(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { measuredBy } = value as { measuredBy?: unknown };
  return measuredBy === 'index' || measuredBy === 'expired rows' || measuredBy === 'not measured';
}
