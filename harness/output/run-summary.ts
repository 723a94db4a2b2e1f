import type { ErrorDetails, JobResult } from '../../functions/runner/types.js';
import { formatCount, formatDuration, formatSpan } from './format-values.js';
import { upkeepNotes } from './partition-upkeep-notes.js';

/** What a finished run's summary is made from: the fields of a `job finished` line. */
export interface FinishedRun {
  readonly outcome: string;
  readonly result?: JobResult;
  readonly error?: ErrorDetails;
  readonly reason?: string;
}

/** An outcome as people say it: `cut_short` → `cut short`. */
export function outcomeLabel(outcome: string): string {
  return outcome.replaceAll('_', ' ');
}

/**
 * What a run did, in a few words: the result's counts (`deleted 100,356 rows in 11 batches`),
 * the error and its causes, or why it was skipped or cut short.
 */
export function summarizeRun(run: FinishedRun): string {
  const parts: string[] = [];
  if (run.error) parts.push(summarizeError(run.error));
  if (run.result) parts.push(summarizeResult(run.result));
  if (run.reason) parts.push(run.reason);
  return parts.filter(Boolean).join('; ');
}

/**
 * A job's result in a few words. Knows the cleanup jobs' fields (`deleted`, `batches`,
 * `dryRun`, `wouldDelete`, `complete`, `partitions`); any other job's result shows its numbers
 * by name.
 */
function summarizeResult(result: JobResult): string {
  const parts: string[] = [];
  const { deleted, batches, wouldDelete, dryRun, complete, lockedRows } = result;
  const partitions = (result.partitions ?? {}) as {
    removal?: unknown;
    removed?: unknown;
    wouldRemove?: unknown;
  };
  if (dryRun === true && typeof wouldDelete === 'number') {
    parts.push(
      `dry run: would delete ${rows(wouldDelete)}${partitionsNote(partitions.wouldRemove, 'to remove')}`,
    );
  } else if (typeof deleted === 'number') {
    const inBatches =
      typeof batches === 'number'
        ? ` in ${formatCount(batches)} ${batches === 1 ? 'batch' : 'batches'}`
        : '';
    const removed = partitionsNote(
      partitions.removed,
      partitions.removal === 'detach' ? 'detached' : 'dropped',
    );
    const path =
      typeof result.strategy === 'string' && result.strategy !== 'partitions'
        ? ` (${result.strategy} path)`
        : '';
    parts.push(`deleted ${rows(deleted)}${inBatches}${path}${removed}`);
  } else {
    const numbers = Object.entries(result).filter(
      (entry): entry is [string, number] => typeof entry[1] === 'number',
    );
    parts.push(numbers.map(([name, value]) => `${name} ${formatCount(value)}`).join(', '));
  }
  parts.push(...upkeepNotes(result.partitions));
  const { refusedRows, settledBatchSize } = result;
  const refused = typeof refusedRows === 'number' && refusedRows > 0;
  const locked = typeof lockedRows === 'number' && lockedRows > 0;
  if (typeof settledBatchSize === 'number') {
    parts.push(`batches cut to ${formatCount(settledBatchSize)} rows after statement timeouts`);
  }
  if (refused) {
    parts.push(
      `${rows(refusedRows)} refused by the database left (${refusalReasons(result.refused)})`,
    );
  }
  if (locked) parts.push(`${rows(lockedRows)} locked by other sessions left for the next run`);
  const { replicaWaitMs, stoppedReason } = result;
  if (typeof replicaWaitMs === 'number' && replicaWaitMs > 0) {
    parts.push(`waited ${formatDuration(replicaWaitMs)} for lagging standbys`);
  }
  if (typeof stoppedReason === 'string') parts.push(`stopped: ${stoppedReason}`);
  else if (!refused && !locked && complete === false) {
    parts.push('stopped early, the next run goes on');
  }
  parts.push(oldestRowNote(result.oldestRow, result.retentionDays));
  return parts.filter(Boolean).join('; ');
}

/**
 * The oldest row left, as measured after the run: `oldest row 1 h 2 min old, within the 30 d
 * retention`, `oldest row left 40 d 1 h old, 10 d past the cutoff (retention 30 d)`, `no row
 * past the cutoff left`, `oldest row not measured (...)`; nothing for a result without one.
 */
export function oldestRowNote(oldestRow: unknown, retentionDays: unknown): string {
  if (typeof oldestRow !== 'object' || oldestRow === null) return '';
  const { measuredBy, ageSeconds, overdueSeconds, reason } = oldestRow as Record<string, unknown>;
  if (measuredBy === 'not measured') return `oldest row not measured (${String(reason)})`;
  const age = typeof ageSeconds === 'number' ? ageSeconds : undefined;
  const days = typeof retentionDays === 'number' ? retentionDays : undefined;
  if (typeof overdueSeconds === 'number' && overdueSeconds > 0) {
    return (
      `oldest row left ${age === undefined ? '' : `${formatSpan(age)} old, `}` +
      `${formatSpan(overdueSeconds)} past the cutoff${days === undefined ? '' : ` (retention ${days} d)`}`
    );
  }
  if (age === undefined)
    return measuredBy === 'index' ? 'no row left' : 'no row past the cutoff left';
  if (days !== undefined)
    return `oldest row ${formatSpan(age)} old, within the ${days} d retention`;
  return 'no row past the cutoff left';
}

/** `trips_start_location_fkey, this fix is under legal hold`: each reason once. */
function refusalReasons(refused: unknown): string {
  if (!Array.isArray(refused)) return 'see the result';
  const reasons = refused.map((group) => String((group as { reason?: unknown }).reason));
  return [...new Set(reasons)].join(', ');
}

/** `, 3 partitions dropped` for a list of partition names; nothing for none. */
function partitionsNote(names: unknown, verb: string): string {
  if (!Array.isArray(names) || names.length === 0) return '';
  return `, ${formatCount(names.length)} ${names.length === 1 ? 'partition' : 'partitions'} ${verb}`;
}

/** `Name: message (code); cause: Name: message (code); ...`, causes followed to the end. */
export function summarizeError(error: ErrorDetails): string {
  const parts: string[] = [];
  for (let current: ErrorDetails | undefined = error; current; current = current.cause) {
    const code = current.code ? ` (${current.code})` : '';
    parts.push(`${current.name}: ${current.message}${code}`);
  }
  return parts.join('; cause: ');
}

function rows(count: number): string {
  return `${formatCount(count)} ${count === 1 ? 'row' : 'rows'}`;
}
