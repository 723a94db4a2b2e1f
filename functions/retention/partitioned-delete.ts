/**
 * The cleanup of a partitioned table: partitions whose whole range lies before the cutoff are
 * removed by DDL (no row-by-row delete, no WAL per row, no vacuum), and only the partitions
 * that may still hold expired rows (the one straddling the cutoff, a DEFAULT partition, those
 * of a level partitioned by another column) are batch-deleted, each as a table of its own.
 *
 * A role that may not remove an expired partition (see partition-access.ts) batch-deletes its
 * rows instead; one that may not read a partition directly deletes through the parent, and the
 * run warns once with the statements that would let it remove partitions whole.
 */

import { SqlState, sqlStateOf } from '../db/sqlstate.js';
import { JobLog } from '../log-messages.js';
import type { BatchRunner } from './batch-runner.js';
import { BatchFailedError } from './errors.js';
import { type PartitionAccess, readPartitionAccess } from './partition-access.js';
import {
  checkPartitions,
  KeptReason,
  type PartitionCheck,
  removePartition,
} from './partition-removal.js';
import { type Partition, planPartitions } from './partitions.js';
import { partmanSettings } from './pg-partman.js';
import { grantRows } from './privileges.js';
import type { BatchDeleted, PartitionsResult, PathOutcome } from './result.js';
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
  const access = await readPartitionAccess(db, plan, runner.partitionRemoval);
  const removal = await removeExpired(runner, table, access.removable);
  // What is left of the expired rows goes in batches: each partition as a table of its own,
  // or, when the role may not reach one of them directly, everything through the parent.
  const toBatchDelete = [...access.notRemovable, ...removal.toBatchDelete, ...plan.straddling];
  const warn = missingRightsWarning(runner, table, access);
  const denied = [...access.notRemovable, ...removal.denied];
  let throughParent = toBatchDelete.some((partition) => !access.direct(partition));
  if (denied.length > 0 || throughParent) warn(denied, toBatchDelete, throughParent);
  const batchDeleted: BatchDeleted[] = [];
  let lockedRows = 0;
  let finished = removal.finished;
  const deleteFrom = async (leaf: TableProfile, name: string) => {
    const before = runner.tally.deleted;
    const { choice, outcome } = await deleteFromTable({ ...runner, table: name }, leaf);
    lockedRows += outcome.lockedRows;
    finished &&= outcome.finished;
    return { name, strategy: choice.path, deleted: runner.tally.deleted - before };
  };
  for (const partition of throughParent ? [] : toBatchDelete) {
    if (runner.signal?.aborted) {
      finished = false;
      break;
    }
    try {
      batchDeleted.push(
        await deleteFrom(await partitionProfile(db, table, partition), partition.name),
      );
    } catch (error) {
      // A grant revoked since the catalog was read (the batch was rolled back): the rest goes
      // through the parent.
      if (!permissionDenied(error)) throw error;
      throughParent = true;
      warn([], [], true, [grantRows(partition.quotedName, access.quotedRole)]);
      break;
    }
  }
  if (throughParent && !runner.signal?.aborted) {
    batchDeleted.push({ ...(await deleteFrom(table, table.name)), throughParent: true });
  } else if (throughParent) finished = false;
  return {
    outcome: { finished, lockedRows },
    partitions: {
      ...removal.summary,
      batchDeleted,
      ...(plan.notByPartition ? { notByPartition: plan.notByPartition } : {}),
    },
  };
}

/**
 * Warns, once a run, that partitions are batch-deleted (directly, or through the parent) for
 * want of privileges, with the statements that would let the role remove them whole.
 */
function missingRightsWarning(runner: BatchRunner, table: TableProfile, access: PartitionAccess) {
  return (
    denied: readonly Partition[],
    batched: readonly Partition[],
    throughParent: boolean,
    /** Statements found needed mid-run (the catalog said otherwise when the run began). */
    found: readonly string[] = [],
  ): void => {
    if (runner.tally.warned.has(missingRightsKey)) return;
    runner.tally.warned.add(missingRightsKey);
    const fix = [
      ...new Set([
        ...access.fixes(denied, 'expired'),
        ...(throughParent
          ? access.fixes(
              batched.filter((partition) => !denied.includes(partition)),
              'direct',
            )
          : []),
        ...found,
      ]),
    ];
    const verb = runner.partitionRemoval === 'drop' ? 'dropped' : 'detached';
    runner.onNotice?.(JobLog.PartitionRightsMissing, {
      table: table.name,
      role: access.quotedRole,
      partitions: denied.map((partition) => partition.name),
      deletedThrough: throughParent ? 'the parent' : 'each partition',
      consequence:
        denied.length > 0
          ? `${denied.length} expired ${denied.length === 1 ? 'partition is' : 'partitions are'} batch-deleted row by row instead of ${verb} whole`
          : `partitions the role may not read directly are batch-deleted through ${table.name}`,
      fix: fix.slice(0, maxFixes),
      ...(fix.length > maxFixes ? { moreFixes: fix.length - maxFixes } : {}),
    });
  };
}

/** The key of the warning above in the run's set of warnings given. */
const missingRightsKey = 'partition rights';

/** Statements a warning lists, at most (`moreFixes` counts the others, all alike). */
const maxFixes = 5;

/** The role lacks a privilege: the error, or the cause of a batch that failed for it. */
function permissionDenied(error: unknown): boolean {
  const cause = error instanceof BatchFailedError ? error.cause : error;
  return sqlStateOf(cause) === SqlState.InsufficientPrivilege;
}

async function removeExpired(
  runner: BatchRunner,
  table: TableProfile,
  expired: readonly Partition[],
) {
  const removed: string[] = [];
  const left: { name: string; reason: KeptReason }[] = [];
  /** Expired partitions that cannot be removed whole: their rows go in batches instead. */
  const toBatchDelete: Partition[] = [];
  /** Those the role turned out not to be allowed to remove (42501). */
  const denied: Partition[] = [];
  const countedBy = new Set<string>();
  const rowsBefore = runner.tally.partitionRows;
  let finished = true;
  let lockTimeouts = 0;
  const checks = await checkPartitions(runner.db, expired, {
    quotedColumn: table.quotedColumn,
    cutoff: runner.cutoff,
  });
  // The guard looks at every partition before any is removed: "nothing removed" stays true.
  const holdingNewer = expired.find((partition) => checks.get(partition.oid)?.newer);
  if (holdingNewer) {
    throw new Error(
      `${holdingNewer.name} holds a row at or after the cutoff, though its bound says it cannot: nothing removed`,
    );
  }
  for (const partition of expired) {
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
    } else if (outcome.reason === KeptReason.Denied) {
      // Its rows expire all the same: batch-deleted (the run's warning names the fix).
      denied.push(partition);
      if (partition.kind === 'table') toBatchDelete.push(partition);
      else left.push({ name: partition.name, reason: outcome.reason });
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
    denied,
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
