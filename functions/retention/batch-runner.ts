/**
 * One place where a batch runs: its own short transaction, its failure turned into a
 * {@link BatchFailedError} that says what is known, and the run's totals kept.
 */
import type { ClientBase, QueryResult } from 'pg';
import { SqlState, sqlStateOf } from '../db/sqlstate.js';
import {
  CommitOutcomeUnknownError,
  inShortTransaction,
  type TransactionLimits,
} from '../db/transaction.js';
import type { ColumnCutoff } from './column-cutoff.js';
import { BatchFailedError, type BatchFailureProgress } from './errors.js';

/**
 * The most heap pages one batch visits by default, on either path: 32 MiB of 8 KiB pages,
 * consecutive on the heap path, scattered over the table (in index order) on the index path.
 */
export const defaultMaxPagesPerBatch = 4_096;

/** Where a batched delete has got to, after a batch committed. */
export interface BatchProgress {
  /** Batches committed so far. */
  readonly batches: number;
  /** Rows deleted so far, all batches together. */
  readonly deleted: number;
  /** Rows deleted by the batch that just committed. */
  readonly batchDeleted: number;
}

/** The totals of one run, over every path and partition it goes through. */
export interface Tally {
  batches: number;
  deleted: number;
  /** Rows of the partitions removed whole so far (dropped or detached), not in `deleted`. */
  partitionRows: number;
}

/** What every batch of a run shares. */
export interface BatchRunner {
  readonly db: ClientBase;
  /** The table, for messages. */
  readonly table: string;
  /** Rows with a key before this expire. */
  readonly cutoff: ColumnCutoff;
  /** The most rows a batch aims to delete. */
  readonly batchSize: number;
  /** The most heap pages a batch visits (see {@link defaultMaxPagesPerBatch}). */
  readonly maxPagesPerBatch: number;
  /** `statement_timeout` and `lock_timeout` of each batch. */
  readonly limits: TransactionLimits;
  /** Limits of a read-only statement that may read the whole table (a count). */
  readonly countLimits: TransactionLimits;
  /** Once aborted, no new batch starts. */
  readonly signal?: AbortSignal;
  /** The run's totals, updated after each committed batch. */
  readonly tally: Tally;
  /** Called after each committed batch, and awaited before the next one starts. */
  readonly onBatch?: (progress: BatchProgress) => void | Promise<void>;
}

/**
 * A batch reads a few thousand index entries or pages: starting parallel workers for it (as the
 * planner may, for an `OFFSET` into a large range) costs more than the scan.
 */
const noParallelWorkers = { max_parallel_workers_per_gather: '0' };

/** A batch's outcome: what it deleted, or that it waited too long for a row lock. */
export type BatchAttempt<T> = { readonly value: T } | { readonly lockTimedOut: true };

/**
 * Runs one batch in its own transaction and counts it. A lock timeout (another session holds
 * a row lock) is returned for the caller to go around; any other failure is thrown.
 *
 * @param passThrough - errors that are rethrown as they are (after the rollback)
 * @throws {BatchFailedError} rolled back, or with an unknown outcome when `COMMIT` was cut off.
 */
export async function runBatch<T extends { readonly deleted: number }>(
  runner: BatchRunner,
  work: (begun: readonly QueryResult[]) => Promise<T>,
  settings: Readonly<Record<string, string>> = {},
  passThrough: (error: unknown) => boolean = () => false,
  lead = '',
): Promise<BatchAttempt<T>> {
  let value: T;
  try {
    value = await inShortTransaction(
      runner.db,
      runner.limits,
      work,
      { ...noParallelWorkers, ...settings },
      lead,
    );
  } catch (error) {
    if (sqlStateOf(error) === SqlState.LockNotAvailable) return { lockTimedOut: true };
    if (passThrough(error)) throw error;
    const known = progressOf(runner.tally);
    if (error instanceof CommitOutcomeUnknownError) {
      const uncertain = (error.result as T).deleted;
      throw new BatchFailedError(runner.table, known, error.cause, uncertain);
    }
    throw new BatchFailedError(runner.table, known, error);
  }
  runner.tally.batches += 1;
  runner.tally.deleted += value.deleted;
  await runner.onBatch?.({
    batches: runner.tally.batches,
    deleted: runner.tally.deleted,
    batchDeleted: value.deleted,
  });
  return { value };
}

/**
 * Runs a batch; when it waits too long for a row lock, runs `aroundLocks` instead, which
 * leaves locked rows where they are.
 */
export async function runBatchAroundLocks<T extends { readonly deleted: number }>(
  runner: BatchRunner,
  work: (begun: readonly QueryResult[]) => Promise<T>,
  aroundLocks: () => Promise<T>,
  passThrough?: (error: unknown) => boolean,
  lead = '',
): Promise<{ readonly value: T; readonly lockTimedOut: boolean }> {
  const attempt = await runBatch(runner, work, {}, passThrough, lead);
  if ('value' in attempt) return { value: attempt.value, lockTimedOut: false };
  const retry = await runBatch(runner, aroundLocks, {}, passThrough);
  if ('value' in retry) return { value: retry.value, lockTimedOut: true };
  // Skipping locked rows never waits for a row lock; a table lock held too long fails the run.
  throw new BatchFailedError(
    runner.table,
    progressOf(runner.tally),
    new Error('a lock on the table was not granted within lock_timeout'),
  );
}

/** What the run had done before a batch failed. */
function progressOf(tally: Tally): BatchFailureProgress {
  const { batches, deleted, partitionRows } = tally;
  return { batches, deleted, ...(partitionRows > 0 ? { partitionRows } : {}) };
}

/** A count from a `count(*)` row. */
export function countOf(rows: readonly { count: string | number }[]): number {
  return Number(rows[0]?.count ?? 0);
}
