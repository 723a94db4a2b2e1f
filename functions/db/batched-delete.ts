/**
 * Deletes the rows of a table that are older than a cutoff, in short batches that walk the
 * table's timestamp index forward.
 *
 * Each batch is one transaction of at most two statements:
 * 1. the timestamp of the row after the next `batchSize` rows (an index-only scan that
 *    starts where the previous batch ended, so it never wades through the entries of rows
 *    already deleted);
 * 2. `DELETE ... WHERE ts >= from AND ts < bound`: the plain DELETE's own plan, on a range.
 *
 * Rows sharing the bound's timestamp stay for the next batch, so a batch never splits a
 * group of equal timestamps and never holds more than `batchSize` rows. When more than
 * `batchSize` rows share one timestamp, they go `batchSize` at a time by tuple id. No row
 * data travels to Node: each statement returns one value or a row count.
 */
import type { ClientBase } from 'pg';
import {
  type BatchedDeleteStatements,
  batchedDeleteStatements,
  type ExpiringTable,
} from './batched-delete-sql.js';
import { inShortTransaction, type TransactionLimits } from './transaction.js';

export type { ExpiringTable } from './batched-delete-sql.js';

/**
 * Default time limits of each batch. A batch has at most two statements, so it ends within
 * about 10 s: far inside the 30 s between the deadline and Lambda's timeout of a 300 s job.
 */
export const defaultBatchLimits: TransactionLimits = {
  statementTimeoutMs: 5_000,
  lockTimeoutMs: 1_000,
};

/**
 * Default time limits of a dry run's count: one read-only statement that may walk the whole
 * backlog, so it gets longer than a batch (it blocks no writer).
 */
export const defaultCountLimits: TransactionLimits = {
  statementTimeoutMs: 60_000,
  lockTimeoutMs: 1_000,
};

/** Where a batched delete has got to, after a batch committed. */
export interface BatchProgress {
  /** Batches committed so far. */
  readonly batches: number;
  /** Rows deleted so far, all batches together. */
  readonly deleted: number;
  /** Rows deleted by the batch that just committed. */
  readonly batchDeleted: number;
}

/** Options of {@link deleteInBatches}. */
export interface BatchedDeleteOptions {
  /**
   * Rows with a timestamp strictly before this go. A `timestamptz` literal (as PostgreSQL
   * prints it, or ISO 8601), so that microseconds are kept.
   */
  readonly cutoff: string;
  /** The most rows one batch deletes. */
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
   * Called after each committed batch, and awaited before the next one starts.
   * @default - nothing is called
   */
  readonly onBatch?: (progress: BatchProgress) => void | Promise<void>;
}

/** What a batched delete did. */
export interface BatchedDeleteResult {
  /** Rows deleted. */
  readonly deleted: number;
  /** Batches committed. */
  readonly batches: number;
  /**
   * `false` when the signal stopped it before every older row was gone, or when a group of
   * equal timestamps could not be deleted (others kept updating its rows).
   */
  readonly complete: boolean;
}

/**
 * A batch failed. It was rolled back as a whole; the batches before it stay committed.
 * `cause` holds the database's error (e.g. SQLSTATE 57014 statement timeout, 55P03 lock
 * timeout, or a lost connection).
 */
export class BatchFailedError extends Error {
  override readonly name = 'BatchFailedError';

  constructor(
    readonly table: string,
    /** What the committed batches before the failed one did. */
    readonly progress: Omit<BatchProgress, 'batchDeleted'>,
    cause: unknown,
  ) {
    super(
      `deleting from ${table}: batch ${progress.batches + 1} failed and was rolled back ` +
        `(the ${progress.deleted} rows deleted by the batches before it stay deleted)`,
      { cause },
    );
  }
}

/**
 * Deletes every row of `target` older than `options.cutoff`, in batches of at most
 * `options.batchSize` rows, each in its own short transaction, until none is left or the
 * signal aborts. Safe to run twice, also at the same time: a row is deleted once, by
 * whichever run gets to it first, and counted by that run only.
 *
 * @throws {BatchFailedError} when a batch fails (it is rolled back; earlier batches stay).
 */
export async function deleteInBatches(
  db: ClientBase,
  target: ExpiringTable,
  options: BatchedDeleteOptions,
): Promise<BatchedDeleteResult> {
  checkBatchSize(options.batchSize);
  const statements = batchedDeleteStatements(target);
  const limits = options.limits ?? defaultBatchLimits;
  let from = '-infinity';
  let deleted = 0;
  let batches = 0;
  while (!options.signal?.aborted) {
    let batch: Batch;
    try {
      batch = await inShortTransaction(db, limits, () =>
        deleteBatch(db, statements, from, options),
      );
    } catch (error) {
      throw new BatchFailedError(target.table, { batches, deleted }, error);
    }
    batches += 1;
    deleted += batch.deleted;
    await options.onBatch?.({ batches, deleted, batchDeleted: batch.deleted });
    if (batch.next === undefined) return { deleted, batches, complete: true };
    // Only a group of equal timestamps that could not be deleted (its rows are being
    // updated by others) keeps the keyset in place: leave it to the next run.
    if (batch.next === from && batch.deleted === 0) return { deleted, batches, complete: false };
    from = batch.next;
  }
  return { deleted, batches, complete: false };
}

/**
 * Counts the rows of `target` older than `cutoff` (what {@link deleteInBatches} would
 * delete), in one statement (an index-only scan) in its own transaction.
 */
export async function countOlderThan(
  db: ClientBase,
  target: ExpiringTable,
  cutoff: string,
  limits: TransactionLimits = defaultCountLimits,
): Promise<number> {
  const statements = batchedDeleteStatements(target);
  return inShortTransaction(db, limits, async () => {
    const { rows } = await db.query<{ count: string }>(statements.count, [cutoff]);
    return Number(rows[0]?.count ?? 0);
  });
}

/** One batch: rows deleted, and where the next batch starts (none: this was the last). */
interface Batch {
  readonly deleted: number;
  readonly next: string | undefined;
}

async function deleteBatch(
  db: ClientBase,
  statements: BatchedDeleteStatements,
  from: string,
  { cutoff, batchSize }: BatchedDeleteOptions,
): Promise<Batch> {
  const { rows } = await db.query<{ bound: string }>(statements.bound, [from, cutoff, batchSize]);
  const bound = rows[0]?.bound;
  if (bound === undefined) {
    // At most `batchSize` rows are left: this is the last batch.
    const { rowCount } = await db.query(statements.deleteRange, [from, cutoff]);
    return { deleted: rowCount ?? 0, next: undefined };
  }
  if (bound !== from) {
    const { rowCount } = await db.query(statements.deleteRange, [from, bound]);
    return { deleted: rowCount ?? 0, next: bound };
  }
  // More than `batchSize` rows share the timestamp `from`: take `batchSize` of them.
  const { rowCount } = await db.query(statements.deleteTies, [from, batchSize]);
  return { deleted: rowCount ?? 0, next: from };
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a whole number ≥ 1, got ${batchSize}`);
  }
}
