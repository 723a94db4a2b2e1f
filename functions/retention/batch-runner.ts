/**
 * One place where a batch runs: its own short transaction, its failure turned into a
 * {@link BatchFailedError} that says what is known, and the run's totals kept. A batch that
 * waited too long for a row lock, passed its statement timeout, or was refused by the database
 * (a foreign key, a trigger) is returned as such, for its path to go around.
 */
import type { ClientBase, QueryResult } from 'pg';
import { SqlState, sqlStateOf } from '../db/sqlstate.js';
import { CommitOutcomeUnknownError, inShortTransaction } from '../db/transaction.js';
import type { LogMessage } from '../log-messages.js';
import type { ColumnCutoff } from './column-cutoff.js';
import { BatchFailedError, type BatchFailureProgress, isRefusal } from './errors.js';
import type { RefusedRows } from './refused-rows.js';
import type { RetentionSettings } from './settings.js';

/** Something a run should tell people; `warn` when it slows a run or leaves rows behind. */
export type Notice = (
  message: LogMessage,
  fields: Readonly<Record<string, unknown>>,
  level?: 'info' | 'warn',
) => void;

/** Where a batched delete has got to, after a batch committed. */
export interface BatchProgress {
  /** Batches committed so far. */
  readonly batches: number;
  /** Rows deleted so far, all batches together. */
  readonly deleted: number;
  /** Rows deleted by the batch that just committed. */
  readonly batchDeleted: number;
}

/** What a run is told with and tells: its signal, and the callers' callbacks. */
export interface RetentionHooks {
  /**
   * Checked before each batch (and each partition): once aborted, no new batch starts (the one
   * in progress commits) and the result says `complete: false`.
   * @default - never aborts
   */
  readonly signal?: AbortSignal;
  /**
   * Called after each committed batch, and awaited before the next one starts.
   * @default - nothing is called
   */
  readonly onBatch?: (progress: BatchProgress) => void | Promise<void>;
  /**
   * Told about what slows a run down or leaves rows behind (no index, a foreign key without an
   * index, a long-held snapshot, a batch cut down after a timeout, rows the database refused),
   * and about each partition removed.
   * @default - nothing is told
   */
  readonly onNotice?: Notice;
}

/** The totals of one run, over every path and partition it goes through. */
export interface Tally {
  batches: number;
  deleted: number;
  /** Rows of the partitions removed whole so far (dropped or detached), not in `deleted`. */
  partitionRows: number;
  /** Expired rows the database refused to delete (or that were left out up front), by reason. */
  readonly refused: RefusedRows[];
  /** Refused rows found one by one so far (narrowing's budget is per batch and per run). */
  isolated: number;
  /**
   * The smallest batch size statement timeouts cut a batch down to, in any table of the run.
   * @default - undefined: no batch passed its statement timeout
   */
  settledBatchSize?: number;
  /** Warnings given once per run (e.g. a foreign key without an index), by key. */
  readonly warned: Set<string>;
}

/** A run's totals before its first batch. */
export function newTally(): Tally {
  return {
    batches: 0,
    deleted: 0,
    partitionRows: 0,
    refused: [],
    isolated: 0,
    warned: new Set(),
  };
}

/**
 * What every batch of a run shares: the run's settings (a path may lower `batchSize` for its
 * batches), its hooks, and its totals.
 */
export interface BatchRunner extends RetentionSettings, RetentionHooks {
  readonly db: ClientBase;
  /** The table, for messages. */
  readonly table: string;
  /** Rows with a key before this expire. */
  readonly cutoff: ColumnCutoff;
  /** The run's totals, updated after each committed batch. */
  readonly tally: Tally;
}

/**
 * A batch reads a few thousand index entries or pages: starting parallel workers for it (as the
 * planner may, for an `OFFSET` into a large range) costs more than the scan.
 */
const noParallelWorkers = { max_parallel_workers_per_gather: '0' };

/**
 * A batch's outcome: what it deleted; or that it waited too long for a row lock, passed its
 * statement timeout, or was refused by the database (rolled back in each case).
 */
export type BatchAttempt<T> =
  | { readonly value: T }
  | { readonly lockTimedOut: true }
  | { readonly timedOut: unknown }
  | { readonly refused: unknown };

/** How a batch runs. */
export interface BatchOptions {
  /** More `SET LOCAL` settings of its transaction. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Errors that are rethrown as they are (after the rollback). */
  readonly passThrough?: (error: unknown) => boolean;
  /** Statements sent with `BEGIN` (see `inShortTransaction`). */
  readonly lead?: string;
}

/**
 * Runs one batch in its own transaction and counts it. A lock timeout (another session holds
 * a row lock), a statement timeout, and an error by which the database refuses some of the
 * batch's rows (see `isRefusal`) are returned for the caller to go around; any other failure is
 * thrown.
 *
 * @throws {BatchFailedError} rolled back, or with an unknown outcome when `COMMIT` was cut off.
 */
export async function runBatch<T extends { readonly deleted: number }>(
  runner: BatchRunner,
  work: (begun: readonly QueryResult[]) => Promise<T>,
  options: BatchOptions = {},
): Promise<BatchAttempt<T>> {
  let value: T;
  try {
    value = await retryingDeadlocks(() =>
      inShortTransaction(
        runner.db,
        runner.limits,
        work,
        { ...noParallelWorkers, ...options.settings },
        options.lead,
      ),
    );
  } catch (error) {
    // A deadlock that persists is the rows of others, locked: go around them.
    const code = sqlStateOf(error);
    if (code === SqlState.LockNotAvailable || code === SqlState.DeadlockDetected) {
      return { lockTimedOut: true };
    }
    if (options.passThrough?.(error)) throw error;
    if (error instanceof CommitOutcomeUnknownError) {
      const uncertain = (error.result as T).deleted;
      throw new BatchFailedError(runner.table, progressOf(runner.tally), error.cause, uncertain);
    }
    if (sqlStateOf(error) === SqlState.QueryCanceled) return { timedOut: error };
    if (isRefusal(error)) return { refused: error };
    throw batchFailed(runner, error);
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

/** Times a batch rolled back by a deadlock is run again before it goes around locks. */
const deadlockRetries = 3;

/**
 * Runs `transaction`, again when the server rolled it back to break a deadlock: the other
 * transaction (another run deleting the same rows in another order, as two plans may visit them)
 * has gone on, so the batch usually goes through the next time.
 */
async function retryingDeadlocks<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (sqlStateOf(error) !== SqlState.DeadlockDetected || attempt > deadlockRetries) throw error;
    }
  }
}

/** A batch's outcome once it went around locked rows (if it had to). */
export type AroundLocksAttempt<T> =
  | { readonly value: T; readonly lockTimedOut: boolean }
  | { readonly timedOut: unknown }
  | { readonly refused: unknown };

/**
 * Runs a batch; when it waits too long for a row lock, runs `aroundLocks` instead, which
 * leaves locked rows where they are.
 */
export async function runBatchAroundLocks<T extends { readonly deleted: number }>(
  runner: BatchRunner,
  work: (begun: readonly QueryResult[]) => Promise<T>,
  aroundLocks: () => Promise<T>,
  options: Omit<BatchOptions, 'settings'> = {},
): Promise<AroundLocksAttempt<T>> {
  const attempt = await runBatch(runner, work, options);
  if ('value' in attempt) return { value: attempt.value, lockTimedOut: false };
  if (!('lockTimedOut' in attempt)) return attempt;
  const { passThrough } = options;
  const retry = await runBatch(runner, aroundLocks, passThrough ? { passThrough } : {});
  if ('value' in retry) return { value: retry.value, lockTimedOut: true };
  if (!('lockTimedOut' in retry)) return retry;
  // Skipping locked rows never waits for a row lock; a table lock held too long fails the run.
  throw batchFailed(runner, new Error('a lock on the table was not granted within lock_timeout'));
}

/** The error that fails the run at the current batch (rolled back), caused by `cause`. */
export function batchFailed(runner: BatchRunner, cause: unknown): BatchFailedError {
  return new BatchFailedError(runner.table, progressOf(runner.tally), cause);
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
