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
import { inShortTransaction, type TransactionLimits } from '../db/transaction.js';
import {
  type BatchProgress,
  type BatchRunner,
  countOf,
  defaultMaxPagesPerBatch,
  defaultMinBatchSize,
  newTally,
} from './batch-runner.js';
import { type ColumnCutoff, columnCutoff } from './column-cutoff.js';
import type { ExpiringTable } from './expiring-table.js';
import type { PathOutcome } from './keyset-batches.js';
import { readPartitionAccess } from './partition-access.js';
import {
  defaultPartitionLimits,
  keptReasonText,
  type PartitionRemoval,
} from './partition-removal.js';
import { deletePartitioned, type PartitionsOutcome } from './partitioned-delete.js';
import { planPartitions } from './partitions.js';
import { requireRights } from './privileges.js';
import type { RefusedRows } from './refused-rows.js';
import { expiryStatements } from './statements.js';
import type { DeletePath, StrategySetting } from './strategy.js';
import { deleteFromTable, type Notice } from './table-delete.js';
import { inspectTable, partitionProfile } from './table-profile.js';

export {
  type BatchProgress,
  defaultMaxPagesPerBatch,
  defaultMinBatchSize,
} from './batch-runner.js';
export { BatchFailedError, TableCheckError } from './errors.js';
export type { ExpiringTable } from './expiring-table.js';
export type { PartitionRemoval } from './partition-removal.js';
export type { PartitionsOutcome } from './partitioned-delete.js';
export type { RefusedRows } from './refused-rows.js';
export type { DeletePath, StrategySetting } from './strategy.js';
export type { Notice } from './table-delete.js';

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
   * The fewest rows a batch is cut down to: a batch that passes its statement timeout is run
   * again with half as many rows (the later batches keep the smaller size), down to this; a
   * batch of this many that still passes it fails the run.
   * @default defaultMinBatchSize (10), or `batchSize` when smaller
   */
  readonly minBatchSize?: number;
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
   * The most heap pages one batch visits: a keyset batch of rows in no order (a page each) is
   * cut to fewer rows than `batchSize`, and a heap sweep's range covers no more.
   * @default defaultMaxPagesPerBatch (4,096: 32 MiB)
   */
  readonly maxPagesPerBatch?: number;
  /**
   * For a partitioned table: whether partitions wholly before the cutoff are dropped, or
   * detached and kept (for an archive step the backend owns).
   * @default 'drop'
   */
  readonly partitionRemoval?: PartitionRemoval;
  /**
   * Limits of each partition's `DROP` or `DETACH`: its `lock_timeout` bounds how long it waits
   * for the parent's lock, and so how long the backend's queries can queue behind it.
   * @default defaultPartitionLimits (5 s and 50 ms)
   */
  readonly partitionLimits?: TransactionLimits;
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

/** What a batched delete did. */
export interface BatchedDeleteResult {
  /** Rows deleted: by batches, plus those in partitions removed whole. */
  readonly deleted: number;
  /** Batches committed. */
  readonly batches: number;
  /**
   * `true` only when no expired row is left: `false` when the signal stopped it early, or
   * when rows locked by other sessions were left for the next run, or rows the database
   * refused to delete were left.
   */
  readonly complete: boolean;
  /**
   * The path taken: keyset batches on the `index`, a sweep of the `heap`, or, for a
   * partitioned table, `partitions` (removed whole, the rest batch-deleted).
   */
  readonly strategy: DeletePath | 'partitions';
  /** Why that path, in one sentence. */
  readonly strategyReason: string;
  /** Expired rows left because other sessions held locks on them. */
  readonly lockedRows: number;
  /**
   * Expired rows left because the database refuses to delete them (a foreign key that
   * restricts, a trigger that raises): the sum of `refused`.
   */
  readonly refusedRows: number;
  /** Those rows by table and reason (the constraint, or the error's message). */
  readonly refused: readonly RefusedRows[];
  /**
   * The batch size statement timeouts cut batches down to (the smallest, over every table).
   * @default - absent when no batch passed its statement timeout
   */
  readonly settledBatchSize?: number;
  /**
   * For a `timestamp` column: the wall-clock cutoff in the column's zone.
   * @default - absent for a `timestamptz` column
   */
  readonly columnCutoff?: string;
  /**
   * For a partitioned table: what happened to its partitions.
   * @default - absent for a plain table
   */
  readonly partitions?: PartitionsOutcome;
}

/**
 * Deletes every row of `target` older than `options.cutoff`, in batches, each in its own short
 * transaction, until none is left (or only rows locked by others, or rows the database refuses
 * to delete) or the signal aborts. Safe to run twice, also at the same time: a row is deleted
 * once, by whichever run gets to it first, and counted by that run only.
 *
 * @throws {TableCheckError} before anything is deleted, when the table or column is unfit, or
 *   the role may not read and delete its rows.
 * @throws {BatchFailedError} when a batch fails (earlier batches stay committed).
 */
export async function deleteInBatches(
  db: ClientBase,
  target: ExpiringTable,
  options: BatchedDeleteOptions,
): Promise<BatchedDeleteResult> {
  checkBatchSize(options.batchSize, options.minBatchSize);
  const table = await inspectTable(db, target);
  await requireRights(db, table, 'delete');
  const cutoff = await columnCutoff(db, table.columnTime, options.cutoff);
  const tally = newTally();
  const runner: BatchRunner = {
    db,
    table: target.table,
    cutoff,
    batchSize: options.batchSize,
    minBatchSize: Math.min(options.minBatchSize ?? defaultMinBatchSize, options.batchSize),
    maxPagesPerBatch: options.maxPagesPerBatch ?? defaultMaxPagesPerBatch,
    limits: options.limits ?? defaultBatchLimits,
    countLimits: options.countLimits ?? defaultCountLimits,
    tally,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
    ...(options.onNotice ? { onNotice: options.onNotice } : {}),
  };
  const columnFields = cutoff.cast === 'timestamp' ? { columnCutoff: cutoff.value } : {};
  const done = (outcome: PathOutcome) => {
    const refusedRows = tally.refused.reduce((sum, group) => sum + group.rows, 0);
    return {
      batches: tally.batches,
      complete: outcome.finished && outcome.lockedRows === 0 && refusedRows === 0,
      lockedRows: outcome.lockedRows,
      refusedRows,
      refused: [...tally.refused],
      ...(tally.settledBatchSize === undefined ? {} : { settledBatchSize: tally.settledBatchSize }),
    };
  };
  if (table.kind === 'partitioned') {
    const { outcome, partitions } = await deletePartitioned(runner, table, {
      ...options,
      removal: options.partitionRemoval ?? 'drop',
      partitionLimits: options.partitionLimits ?? defaultPartitionLimits,
    });
    return {
      ...done(outcome),
      deleted: tally.deleted + partitions.removedRows,
      strategy: 'partitions',
      strategyReason: partitionsReason(partitions),
      ...columnFields,
      partitions,
    };
  }
  const { choice, outcome } = await deleteFromTable(runner, table, options);
  return {
    ...done(outcome),
    deleted: tally.deleted,
    strategy: choice.path,
    strategyReason: choice.reason,
    ...columnFields,
  };
}

function partitionsReason(partitions: PartitionsOutcome): string {
  if (partitions.notByPartition) return partitions.notByPartition;
  const verb = partitions.removal === 'drop' ? 'dropped' : 'detached';
  const batched = partitions.batchDeleted.map((leaf) =>
    leaf.throughParent
      ? `the rest through ${leaf.name} (${leaf.strategy}; the role may not reach every partition directly)`
      : `${leaf.name} (${leaf.strategy})`,
  );
  return (
    `${partitions.removed.length} partitions wholly before the cutoff ${verb}` +
    (partitions.left.length > 0
      ? `, ${partitions.left.length} left for the next run (${[...new Set(partitions.left.map((leaf) => keptReasonText[leaf.reason]))].join('; ')})`
      : '') +
    `; batch-deleted: ${batched.length > 0 ? batched.join(', ') : 'none'}`
  );
}

/**
 * Counts the rows of `target` older than `cutoff` (what {@link deleteInBatches} would delete),
 * in one statement in its own transaction, after the same checks.
 *
 * @throws {TableCheckError} when the table or column is unfit, or the role may not read it.
 */
export async function countOlderThan(
  db: ClientBase,
  target: ExpiringTable,
  cutoff: string,
  limits: TransactionLimits = defaultCountLimits,
  /** For a partitioned table: how a real run would remove expired partitions. */
  removal: PartitionRemoval = 'drop',
): Promise<ExpiredCount> {
  const table = await inspectTable(db, target);
  await requireRights(db, table, 'count');
  const inColumn: ColumnCutoff = await columnCutoff(db, table.columnTime, cutoff);
  const columnFields = inColumn.cast === 'timestamp' ? { columnCutoff: inColumn.value } : {};
  const countIn = async (profile: typeof table) => {
    const statements = expiryStatements(profile, inColumn);
    return inShortTransaction(db, limits, async () =>
      countOf((await db.query(statements.count, [inColumn.value])).rows),
    );
  };
  if (table.kind !== 'partitioned') return { count: await countIn(table), ...columnFields };
  const plan = await planPartitions(db, table, inColumn, limits);
  // What a real run would remove whole: the expired partitions the role may remove.
  const access = await readPartitionAccess(db, plan, removal);
  let inPartitions = 0;
  for (const partition of access.removable) {
    inPartitions +=
      partition.estimatedRows === null
        ? await countIn(await partitionProfile(db, table, partition))
        : Math.round(partition.estimatedRows);
  }
  const toBatchDelete = [...access.notRemovable, ...plan.straddling];
  let batched = 0;
  if (toBatchDelete.every(access.direct)) {
    for (const partition of toBatchDelete) {
      batched += await countIn(await partitionProfile(db, table, partition));
    }
  } else {
    // Through the parent, as a real run deletes them: every expired row but those in the
    // partitions to remove (one count, which PostgreSQL prunes to the partitions that hold some).
    const removable = access.removable.map((partition) => String(partition.oid));
    batched = await inShortTransaction(db, limits, async () =>
      countOf(
        (
          await db.query(
            `SELECT count(*) AS count FROM ${table.quotedTable}
              WHERE ${table.quotedColumn} < $1::${inColumn.cast} AND NOT (tableoid = ANY ($2::oid[]))`,
            [inColumn.value, removable],
          )
        ).rows,
      ),
    );
  }
  return {
    count: batched + inPartitions,
    ...columnFields,
    partitionsToRemove: access.removable.map((partition) => partition.name),
    rowsInPartitionsToRemove: inPartitions,
  };
}

/** What {@link countOlderThan} found. */
export interface ExpiredCount {
  /** Expired rows: counted, plus (for a partitioned table) those in partitions to remove. */
  readonly count: number;
  /** For a `timestamp` column: the wall-clock cutoff. */
  readonly columnCutoff?: string;
  /** For a partitioned table: the partitions a real run would remove whole. */
  readonly partitionsToRemove?: readonly string[];
  /** The rows in them (by the statistics, or counted when never analyzed). */
  readonly rowsInPartitionsToRemove?: number;
}

function checkBatchSize(batchSize: number, minBatchSize: number | undefined): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a whole number ≥ 1, got ${batchSize}`);
  }
  if (minBatchSize !== undefined && (!Number.isInteger(minBatchSize) || minBatchSize < 1)) {
    throw new RangeError(`minBatchSize must be a whole number ≥ 1, got ${minBatchSize}`);
  }
}
