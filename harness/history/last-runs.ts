import { Outcome } from '../../functions/runner/types.js';
import type { HistoryEntry } from './run-history.js';

/** Whether a run did the job's work: it succeeded or made progress (cut short), for real. */
function isSuccessfulRun(entry: Pick<HistoryEntry, 'outcome' | 'result'>): boolean {
  const progressed = entry.outcome === Outcome.Succeeded || entry.outcome === Outcome.CutShort;
  // A dry run changes nothing: it says nothing about the job being done.
  return progressed && entry.result?.dryRun !== true;
}

/** A job's latest run, and its latest successful one (see {@link isSuccessfulRun}). */
export interface LastRuns {
  readonly lastRun?: HistoryEntry;
  readonly lastSuccess?: HistoryEntry;
}

/** The latest run and latest successful run among `entries` (in any order). */
export function lastRuns(entries: readonly HistoryEntry[]): LastRuns {
  const newestFirst = [...entries].sort(
    (a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt),
  );
  const lastRun = newestFirst[0];
  const lastSuccess = newestFirst.find(isSuccessfulRun);
  return { ...(lastRun ? { lastRun } : {}), ...(lastSuccess ? { lastSuccess } : {}) };
}
