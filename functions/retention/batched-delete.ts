/**
 * Deletes the rows of a table that are older than a cutoff, in short batches, each its own
 * transaction, by the way that suits the table (see strategy.ts): keyset batches on a b-tree
 * with the column, a sweep of the pages a BRIN index on it points to, or a sweep of the heap in
 * tuple-id ranges.
 *
 * Before the first batch, the table is checked (expiry/table-profile.ts): it exists, the column
 * is `timestamptz` (or `timestamp` with a declared zone), and which index can find the expired
 * rows (without one, a warning names the index to create). The cutoff is then expressed in the column's own
 * type, and every statement runs with the session's `TimeZone` pinned to UTC.
 */
import type { ClientBase } from 'pg';
import { inShortTransaction } from '../db/transaction.js';
import { type BatchRunner, countOf, newTally, type RetentionHooks } from './batch-runner.js';
import { type ColumnCutoff, columnCutoff } from './column-cutoff.js';
import type { ExpiringTable } from './expiring-table.js';
import { readPartitionAccess } from './partition-access.js';
import { keptReasonText } from './partition-removal.js';
import { countedByLabel, deletePartitioned } from './partitioned-delete.js';
import { planPartitions } from './partitions.js';
import { requireRights } from './privileges.js';
import type { PartitionsResult, PathOutcome, RetentionResult } from './result.js';
import type { RetentionSettings } from './settings.js';
import { expiryStatements } from './statements.js';
import { deleteFromTable } from './table-delete.js';
import { inspectTable, partitionProfile, type TableProfile } from './table-profile.js';

export type { BatchProgress, Notice, RetentionHooks } from './batch-runner.js';
export { BatchFailedError, TableCheckError } from './errors.js';
export type { ExpiringTable } from './expiring-table.js';
export type { PartitionRemoval } from './partition-removal.js';
export type { PartitionsResult, RetentionResult } from './result.js';
export type { DeletePath, StrategySetting } from './strategy.js';

/**
 * Deletes every row of `target` older than `cutoff` (ISO 8601 with a zone, as `databaseTime`
 * gives it, so that microseconds are kept), in batches, each in its own short transaction, until
 * none is left (or only rows locked by others, or rows the database refuses to delete) or the
 * signal aborts. Safe to run twice, also at the same time: a row is deleted once, by whichever
 * run gets to it first, and counted by that run only.
 *
 * @param checked - `target` as the run checked it already (`inspectTable`)
 * @throws {TableCheckError} before anything is deleted, when the table or column is unfit.
 * @throws {BatchFailedError} when a batch fails (earlier batches stay committed).
 */
export async function deleteInBatches(
  db: ClientBase,
  target: ExpiringTable,
  cutoff: string,
  settings: RetentionSettings,
  hooks: RetentionHooks = {},
  checked?: TableProfile,
): Promise<RetentionResult> {
  const table = checked ?? (await inspectTable(db, target, settings));
  await requireRights(db, table, 'delete');
  const inColumn = await columnCutoff(db, table.columnTime, cutoff);
  const tally = newTally();
  const runner: BatchRunner = {
    ...settings,
    ...hooks,
    db,
    table: target.table,
    cutoff: inColumn,
    tally,
  };
  const done = (outcome: PathOutcome) => {
    const refusedRows = tally.refused.reduce((sum, group) => sum + group.rows, 0);
    return {
      cutoff,
      batches: tally.batches,
      complete: outcome.finished && outcome.lockedRows === 0 && refusedRows === 0,
      dryRun: false,
      lockedRows: outcome.lockedRows,
      refusedRows,
      ...(tally.refused.length > 0 ? { refused: [...tally.refused] } : {}),
      ...(tally.settledBatchSize === undefined ? {} : { settledBatchSize: tally.settledBatchSize }),
      ...(inColumn.cast === 'timestamp' ? { columnCutoff: inColumn.value } : {}),
    };
  };
  if (table.kind === 'partitioned') {
    const { outcome, partitions } = await deletePartitioned(runner, table);
    return {
      ...done(outcome),
      deleted: tally.deleted + partitions.rows,
      strategy: 'partitions',
      strategyReason: partitionsReason(partitions),
      partitions,
    };
  }
  const { choice, outcome } = await deleteFromTable(runner, table);
  return {
    ...done(outcome),
    deleted: tally.deleted,
    strategy: choice.path,
    strategyReason: choice.reason,
  };
}

function partitionsReason(partitions: PartitionsResult): string {
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
 * in one statement in its own transaction (`settings.countLimits`), after the same checks: a
 * dry run's result.
 *
 * @param checked - `target` as the run checked it already (`inspectTable`)
 * @throws {TableCheckError} when the table or column is unfit, or the role may not read it.
 */
export async function countOlderThan(
  db: ClientBase,
  target: ExpiringTable,
  cutoff: string,
  settings: Pick<
    RetentionSettings,
    'countLimits' | 'partitionRemoval' | 'columnTimeZone' | 'columnTimeZoneVariable'
  >,
  checked?: TableProfile,
): Promise<RetentionResult> {
  const table = checked ?? (await inspectTable(db, target, settings));
  await requireRights(db, table, 'count');
  const inColumn: ColumnCutoff = await columnCutoff(db, table.columnTime, cutoff);
  const limits = settings.countLimits;
  const counted = (wouldDelete: number, partitions?: PartitionsResult): RetentionResult => ({
    cutoff,
    deleted: 0,
    batches: 0,
    complete: true,
    dryRun: true,
    wouldDelete,
    ...(inColumn.cast === 'timestamp' ? { columnCutoff: inColumn.value } : {}),
    ...(partitions ? { partitions } : {}),
  });
  const countIn = async (profile: typeof table) => {
    const statements = expiryStatements(profile, inColumn);
    return inShortTransaction(db, limits, async () =>
      countOf((await db.query(statements.count, [inColumn.value])).rows),
    );
  };
  if (table.kind !== 'partitioned') return counted(await countIn(table));
  const plan = await planPartitions(db, table, inColumn, limits);
  // What a real run would remove whole: the expired partitions the role may remove.
  const access = await readPartitionAccess(db, plan, settings.partitionRemoval);
  let inPartitions = 0;
  const countedBy = new Set<string>();
  for (const partition of access.removable) {
    countedBy.add(partition.estimatedRows === null ? 'count' : 'statistics');
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
  return counted(batched + inPartitions, {
    removal: settings.partitionRemoval,
    removed: [],
    wouldRemove: access.removable.map((partition) => partition.name),
    rows: inPartitions,
    rowsCountedBy: countedByLabel(countedBy),
    left: [],
    batchDeleted: [],
    ...(plan.notByPartition ? { notByPartition: plan.notByPartition } : {}),
  });
}
