/**
 * Deletes the rows of a table that are older than a cutoff, in short batches, each its own
 * transaction, by the way that suits the table (see expiry/strategy.ts): keyset batches on the
 * column's index, or a sweep of the heap in tuple-id ranges.
 *
 * Before the first batch, the table is checked (expiry/table-profile.ts): it exists, the column
 * is `timestamptz` (or `timestamp` with a declared zone), and an index leads with the column
 * (or a warning names the index to create). The cutoff is then expressed in the column's own
 * type, and every statement runs with the session's `TimeZone` pinned to UTC.
 */
import type { ClientBase } from 'pg';
import { type BatchProgress, type BatchRunner, countOf } from './expiry/batch-runner.js';
import { type ColumnCutoff, columnCutoff } from './expiry/column-cutoff.js';
import type { ExpiringTable } from './expiry/expiring-table.js';
import { runHeapSweep } from './expiry/heap-sweep.js';
import {
  IndexWalkTooSlowError,
  type PathOutcome,
  runKeysetBatches,
} from './expiry/keyset-batches.js';
import { describeSnapshotHolders } from './expiry/snapshot-holders.js';
import { expiryStatements } from './expiry/statements.js';
import {
  chooseStrategy,
  type DeletePath,
  type StrategyChoice,
  type StrategySetting,
} from './expiry/strategy.js';
import { inspectTable, type TableProfile } from './expiry/table-profile.js';
import { inShortTransaction, type TransactionLimits } from './transaction.js';

export type { BatchProgress } from './expiry/batch-runner.js';
export { BatchFailedError, TableCheckError } from './expiry/errors.js';
export type { ExpiringTable } from './expiry/expiring-table.js';
export type { DeletePath, StrategySetting } from './expiry/strategy.js';

/**
 * Default time limits of each batch. A batch has at most a few short statements, so it ends
 * within seconds: far inside the 30 s between the deadline and Lambda's timeout of a 300 s job.
 */
export const defaultBatchLimits: TransactionLimits = {
  statementTimeoutMs: 5_000,
  lockTimeoutMs: 1_000,
};

/**
 * Default time limits of a count (a dry run, or the heap sweep's final check): one read-only
 * statement that may read the whole table, so it gets longer than a batch (it blocks no writer).
 */
export const defaultCountLimits: TransactionLimits = {
  statementTimeoutMs: 60_000,
  lockTimeoutMs: 1_000,
};

/** Something a run should tell people, but that does not stop it. */
export type Notice = (message: string, fields: Readonly<Record<string, unknown>>) => void;

/** Options of {@link deleteInBatches}. */
export interface BatchedDeleteOptions {
  /**
   * Rows with a timestamp strictly before this instant go: ISO 8601 with a zone (as
   * `databaseTime` gives it), so that microseconds are kept.
   */
  readonly cutoff: string;
  /** The most rows one batch deletes (a heap sweep's batch aims at it). */
  readonly batchSize: number;
  /**
   * Checked before each batch: once aborted, no new batch starts (the one in progress
   * commits) and the result says `complete: false`.
   * @default - never aborts
   */
  readonly signal?: AbortSignal;
  /**
   * `statement_timeout` and `lock_timeout` of each batch's transaction.
   * @default defaultBatchLimits (5 s and 1 s)
   */
  readonly limits?: TransactionLimits;
  /**
   * Limits of the heap sweep's final count, which reads the whole table.
   * @default defaultCountLimits (60 s and 1 s)
   */
  readonly countLimits?: TransactionLimits;
  /**
   * Which path to take: `auto` decides from the table's statistics; `index` or `heap` forces
   * one (`index` needs an index on the column).
   * @default 'auto'
   */
  readonly strategy?: StrategySetting;
  /**
   * `statement_timeout` of the first walk of the index, from its start: when a long-held
   * snapshot keeps many deleted rows' entries in it, that walk is slow, and the run sweeps the
   * heap instead.
   * @default - the batch's statement timeout
   */
  readonly indexWalkLimitMs?: number;
  /**
   * Called after each committed batch, and awaited before the next one starts.
   * @default - nothing is called
   */
  readonly onBatch?: (progress: BatchProgress) => void | Promise<void>;
  /**
   * Told about what slows a run down or leaves rows behind (no index, a long-held snapshot).
   * @default - nothing is told
   */
  readonly onNotice?: Notice;
}

/** What a batched delete did. */
export interface BatchedDeleteResult {
  /** Rows deleted. */
  readonly deleted: number;
  /** Batches committed. */
  readonly batches: number;
  /**
   * `true` only when no expired row is left: `false` when the signal stopped it early, or
   * when rows locked by other sessions were left for the next run.
   */
  readonly complete: boolean;
  /** The path taken: keyset batches on the `index`, or a sweep of the `heap`. */
  readonly strategy: DeletePath;
  /** Why that path, in one sentence. */
  readonly strategyReason: string;
  /** Expired rows left because other sessions held locks on them. */
  readonly lockedRows: number;
  /**
   * For a `timestamp` column: the wall-clock cutoff in the column's zone.
   * @default - absent for a `timestamptz` column
   */
  readonly columnCutoff?: string;
}

/**
 * Deletes every row of `target` older than `options.cutoff`, in batches, each in its own short
 * transaction, until none is left (or only rows locked by others) or the signal aborts. Safe to
 * run twice, also at the same time: a row is deleted once, by whichever run gets to it first,
 * and counted by that run only.
 *
 * @throws {TableCheckError} before anything is deleted, when the table or column is unfit.
 * @throws {BatchFailedError} when a batch fails (earlier batches stay committed).
 */
export async function deleteInBatches(
  db: ClientBase,
  target: ExpiringTable,
  options: BatchedDeleteOptions,
): Promise<BatchedDeleteResult> {
  checkBatchSize(options.batchSize);
  const table = await inspectTable(db, target);
  const cutoff = await columnCutoff(db, table.columnTime, options.cutoff);
  const tally = { batches: 0, deleted: 0 };
  const runner: BatchRunner = {
    db,
    table: target.table,
    cutoff,
    batchSize: options.batchSize,
    limits: options.limits ?? defaultBatchLimits,
    countLimits: options.countLimits ?? defaultCountLimits,
    tally,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
  };
  const { choice, outcome } = await deleteFromTable(runner, table, options);
  return {
    ...tally,
    complete: outcome.finished && outcome.lockedRows === 0,
    strategy: choice.path,
    strategyReason: choice.reason,
    lockedRows: outcome.lockedRows,
    ...(cutoff.cast === 'timestamp' ? { columnCutoff: cutoff.value } : {}),
  };
}

/** One table's expired rows, by the path its statistics call for. */
async function deleteFromTable(
  runner: BatchRunner,
  table: TableProfile,
  options: BatchedDeleteOptions,
): Promise<{ choice: StrategyChoice; outcome: PathOutcome }> {
  const { db } = runner;
  const statements = expiryStatements(table, runner.cutoff);
  if (!table.index) warnNoIndex(table, options.onNotice);
  const choice = await chooseStrategy(
    db,
    table,
    statements,
    runner.cutoff.value,
    options.strategy ?? 'auto',
  );
  if (choice.path === 'heap') {
    return { choice, outcome: await runHeapSweep(runner, statements, choice, table.oid) };
  }
  try {
    const walk = options.indexWalkLimitMs;
    const outcome = await runKeysetBatches(
      runner,
      statements,
      walk === undefined ? {} : { indexWalkLimitMs: walk },
    );
    return { choice, outcome };
  } catch (error) {
    if (!(error instanceof IndexWalkTooSlowError)) throw error;
    const holders = await describeSnapshotHolders(db, table.oid);
    const reason =
      `walking the ${table.index} index to the first expired row took longer than ${error.limitMs} ms ` +
      '(entries of deleted rows that a long-held snapshot keeps from being cleaned up): sweeping the heap instead, which does not read the index';
    options.onNotice?.('index walk too slow, sweeping the heap', {
      table: table.name,
      index: table.index,
      limitMs: error.limitMs,
      deadRows: holders.deadRows,
      oldestSnapshot: holders.oldest,
      reason,
    });
    const heap = { ...choice, path: 'heap' as const, reason };
    return { choice: heap, outcome: await runHeapSweep(runner, statements, heap, table.oid) };
  }
}

function warnNoIndex(table: TableProfile, notice: Notice | undefined): void {
  notice?.('no index on the cleanup column', {
    table: table.name,
    column: table.column,
    consequence: 'no keyset batches: each run sweeps the whole table',
    createIndex: `CREATE INDEX CONCURRENTLY ON ${table.quotedTable} (${table.quotedColumn})`,
  });
}

/**
 * Counts the rows of `target` older than `cutoff` (what {@link deleteInBatches} would delete),
 * in one statement in its own transaction, after the same checks.
 *
 * @throws {TableCheckError} when the table or column is unfit.
 */
export async function countOlderThan(
  db: ClientBase,
  target: ExpiringTable,
  cutoff: string,
  limits: TransactionLimits = defaultCountLimits,
): Promise<{ readonly count: number; readonly columnCutoff?: string }> {
  const table = await inspectTable(db, target);
  const inColumn: ColumnCutoff = await columnCutoff(db, table.columnTime, cutoff);
  const statements = expiryStatements(table, inColumn);
  const count = await inShortTransaction(db, limits, async () =>
    countOf((await db.query(statements.count, [inColumn.value])).rows),
  );
  return { count, ...(inColumn.cast === 'timestamp' ? { columnCutoff: inColumn.value } : {}) };
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a whole number ≥ 1, got ${batchSize}`);
  }
}
