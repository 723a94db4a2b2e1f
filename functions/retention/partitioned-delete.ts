/**
 * The cleanup of a partitioned table: partitions whose whole range lies before the cutoff are
 * removed by DDL (no row-by-row delete, no WAL per row, no vacuum), and only the partitions
 * that may still hold expired rows (the one straddling the cutoff, a DEFAULT partition, those
 * of a level partitioned by another column) are batch-deleted, each as a table of its own.
 */

import { JobLog } from '../log-messages.js';
import type { BatchRunner } from './batch-runner.js';
import {
  checkPartitions,
  KeptReason,
  type PartitionCheck,
  removePartition,
} from './partition-removal.js';
import { type Partition, type PartitionPlan, planPartitions } from './partitions.js';
import { partmanSettings } from './pg-partman.js';
import type { PartitionsResult, PathOutcome } from './result.js';
import type { DeletePath } from './strategy.js';
import { deleteFromTable } from './table-delete.js';
import { partitionProfile, type TableProfile } from './table-profile.js';

/** Lock timeouts in one run after which no more partitions are tried until the next run. */
const maxLockTimeouts = 3;

/**
 * Removes the expired partitions of `table`, then batch-deletes the rest of its expired rows.
 * The signal is checked before each partition and each batch.
 */
export async function deletePartitioned(
  runner: BatchRunner,
  table: TableProfile,
): Promise<{ outcome: PathOutcome; partitions: PartitionsResult }> {
  const { db } = runner;
  await notePartman(runner, table);
  const plan = await planPartitions(db, table, runner.cutoff, runner.limits);
  if (plan.notByPartition) {
    runner.onNotice?.(
      JobLog.PartitionsNotRemoved,
      { table: table.name, reason: plan.notByPartition },
      'info',
    );
  }
  const removal = await removeExpired(runner, table, plan);
  const batchDeleted: { name: string; strategy: DeletePath; deleted: number }[] = [];
  let lockedRows = 0;
  let finished = removal.finished;
  for (const partition of [...removal.toBatchDelete, ...plan.straddling]) {
    if (runner.signal?.aborted) {
      finished = false;
      break;
    }
    const leaf = await partitionProfile(db, table, partition);
    const before = runner.tally.deleted;
    const { choice, outcome } = await deleteFromTable({ ...runner, table: partition.name }, leaf);
    batchDeleted.push({
      name: partition.name,
      strategy: choice.path,
      deleted: runner.tally.deleted - before,
    });
    lockedRows += outcome.lockedRows;
    finished &&= outcome.finished;
  }
  return {
    outcome: { finished, lockedRows },
    partitions: {
      ...removal.summary,
      batchDeleted,
      ...(plan.notByPartition ? { notByPartition: plan.notByPartition } : {}),
    },
  };
}

async function removeExpired(runner: BatchRunner, table: TableProfile, plan: PartitionPlan) {
  const removed: string[] = [];
  const left: { name: string; reason: KeptReason }[] = [];
  /** Expired partitions that cannot be removed whole: their rows go in batches instead. */
  const toBatchDelete: Partition[] = [];
  const countedBy = new Set<string>();
  const rowsBefore = runner.tally.partitionRows;
  let finished = true;
  let lockTimeouts = 0;
  const checks = await checkPartitions(runner.db, plan.expired, {
    quotedColumn: table.quotedColumn,
    cutoff: runner.cutoff,
  });
  // The guard looks at every partition before any is removed: "nothing removed" stays true.
  const holdingNewer = plan.expired.find((partition) => checks.get(partition.oid)?.newer);
  if (holdingNewer) {
    throw new Error(
      `${holdingNewer.name} holds a row at or after the cutoff, though its bound says it cannot: nothing removed`,
    );
  }
  for (const partition of plan.expired) {
    const check = checks.get(partition.oid);
    if (!check) continue; // gone already: another run removed it
    if (runner.signal?.aborted) {
      finished = false;
      break;
    }
    // Each wait for a lock holds up the backend's queries on the table: after a few, the
    // rest waits for the next run.
    if (lockTimeouts >= maxLockTimeouts) {
      left.push({ name: partition.name, reason: KeptReason.LockTimeout });
      continue;
    }
    const outcome = await removePartition(runner.db, partition, runner);
    if (outcome.removed) {
      removed.push(partition.name);
      runner.tally.partitionRows += check.rows;
      countedBy.add(check.countedBy);
      notifyRemoved(runner, partition, check);
    } else if (outcome.reason === KeptReason.Dependents) {
      // Removing it would fail every run while the backend's object stays; its rows expire all
      // the same. (A sub-partitioned one waits: its leaves are not batch-deleted one by one.)
      const inBatches = partition.kind === 'table';
      if (inBatches) toBatchDelete.push(partition);
      else left.push({ name: partition.name, reason: outcome.reason });
      const verb = runner.partitionRemoval === 'drop' ? 'dropped' : 'detached';
      runner.onNotice?.(inBatches ? JobLog.PartitionBatchDeleted : JobLog.PartitionLeft, {
        table: table.name,
        partition: partition.name,
        reason: outcome.detail,
        advice: `drop or move what depends on ${partition.name} for it to be ${verb} whole`,
      });
    } else if (outcome.reason === KeptReason.LockTimeout) {
      lockTimeouts += 1;
      left.push({ name: partition.name, reason: outcome.reason });
      runner.onNotice?.(JobLog.PartitionLeft, {
        table: table.name,
        partition: partition.name,
        reason: `its lock (or its parent's) was not granted within ${runner.partitionLimits.lockTimeoutMs} ms`,
      });
    }
  }
  if (left.length > 0) finished = false;
  return {
    finished,
    toBatchDelete,
    summary: {
      removal: runner.partitionRemoval,
      removed,
      rows: runner.tally.partitionRows - rowsBefore,
      rowsCountedBy: countedByLabel(countedBy),
      left,
    },
  };
}

function notifyRemoved(runner: BatchRunner, partition: Partition, check: PartitionCheck): void {
  runner.onNotice?.(
    runner.partitionRemoval === 'drop' ? JobLog.PartitionDropped : JobLog.PartitionDetached,
    { partition: partition.name, rows: check.rows, rowsCountedBy: check.countedBy },
    'info',
  );
}

/** How a set of partitions' rows were counted, in one word or three. */
export function countedByLabel(countedBy: ReadonlySet<string>): PartitionsResult['rowsCountedBy'] {
  if (countedBy.size === 0) return 'none';
  if (countedBy.size === 2) return 'statistics and count';
  return countedBy.has('count') ? 'count' : 'statistics';
}

async function notePartman(runner: BatchRunner, table: TableProfile): Promise<void> {
  const partman = await partmanSettings(runner.db, table.oid);
  if (!partman?.retention) return;
  runner.onNotice?.(JobLog.PgPartmanAlso, {
    table: table.name,
    partmanRetention: partman.retention,
    partmanKeepsTables: partman.keepTable,
    advice:
      "both remove expired partitions; this job leaves pg_partman's configuration alone: set its retention to NULL, or leave retention to it",
  });
}
