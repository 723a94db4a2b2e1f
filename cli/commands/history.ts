import type { HistoryEntry } from '../../harness/history/run-history.js';
import { formatDateTime, formatDuration } from '../../harness/output/format-values.js';
import { outcomeLabel, summarizeRun } from '../../harness/output/run-summary.js';
import { formatTable } from '../../harness/output/table.js';

/** The fields of a run that `history` shows (local entries and AWS query rows alike). */
export type HistoryRow = Pick<
  HistoryEntry,
  'job' | 'trigger' | 'scheduledTime' | 'outcome' | 'durationMs' | 'result' | 'error' | 'reason'
>;

/**
 * Runs as a table, in the order given (newest first): when each was scheduled (UTC), the
 * job, its trigger, outcome and duration, and its result's counts or its error.
 */
export function formatHistory(rows: readonly HistoryRow[]): string {
  if (rows.length === 0) return 'no runs yet';
  return formatTable(
    ['scheduled (UTC)', 'job', 'trigger', 'outcome', 'duration', 'result or error'],
    rows.map((row) => [
      formatDateTime(Date.parse(row.scheduledTime)),
      row.job,
      row.trigger,
      outcomeLabel(row.outcome),
      formatDuration(row.durationMs),
      summarizeRun(row),
    ]),
  );
}
