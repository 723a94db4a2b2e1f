/**
 * Removes a partition whose whole range lies before the cutoff: `DROP TABLE`, or `ALTER TABLE
 * ... DETACH PARTITION` to keep it for an archive step the backend owns. Each is one short
 * statement in its own transaction, under a tight `lock_timeout`: both take an ACCESS EXCLUSIVE
 * lock on the parent, and while one waits for it, the backend's queries on the table queue
 * behind it. A lock not granted in time leaves the partition for the next run.
 */
import type { ClientBase } from 'pg';
import { inShortTransaction, type TransactionLimits } from '../transaction.js';
import type { Partition } from './partitions.js';

/** What happens to an expired partition. */
export type PartitionRemoval = 'drop' | 'detach';

/** SQLSTATE 55P03: lock not available; 42P01: undefined table. */
const lockNotAvailable = '55P03';
const undefinedTable = '42P01';

/**
 * Default limits of one partition's DDL: it waits at most 50 ms for its lock (the backend's
 * queries wait behind it that long at worst), and the statement itself takes milliseconds.
 */
export const defaultPartitionLimits: TransactionLimits = {
  statementTimeoutMs: 5_000,
  lockTimeoutMs: 50,
};

/** How removing one partition went. */
export type RemovalOutcome =
  | { readonly removed: true; readonly rows: number; readonly countedBy: 'statistics' | 'count' }
  | { readonly removed: false; readonly reason: 'lock not granted in time' | 'gone already' };

/**
 * Checks that the partition holds no row at or after the cutoff, then drops or detaches it.
 * Its rows are counted first: from the statistics, or by a count when it was never analyzed.
 */
export async function removePartition(
  db: ClientBase,
  partition: Partition,
  options: RemovalOptions,
): Promise<RemovalOutcome> {
  let checked: { readonly newer: boolean; readonly rows: number };
  try {
    checked = await inShortTransaction(db, options.limits, () =>
      checkPartition(db, partition, options),
    );
  } catch (error) {
    if (codeOf(error) === undefinedTable) return { removed: false, reason: 'gone already' };
    throw error;
  }
  if (checked.newer) {
    throw new Error(
      `${partition.name} holds a row at or after the cutoff, though its bound says it cannot: left alone`,
    );
  }
  const ddl =
    options.removal === 'drop'
      ? `DROP TABLE ${partition.quotedName}`
      : `ALTER TABLE ${partition.parentQuotedName} DETACH PARTITION ${partition.quotedName}`;
  try {
    await inShortTransaction(db, options.limits, async () => {
      await db.query(ddl);
    });
  } catch (error) {
    if (codeOf(error) === lockNotAvailable)
      return { removed: false, reason: 'lock not granted in time' };
    if (codeOf(error) === undefinedTable) return { removed: false, reason: 'gone already' };
    throw error;
  }
  const countedBy = partition.estimatedRows === null ? 'count' : 'statistics';
  return { removed: true, rows: checked.rows, countedBy };
}

/** Options of {@link removePartition}. */
export interface RemovalOptions {
  readonly removal: PartitionRemoval;
  /** Limits of the check and of the DDL (its `lock_timeout` is the wait for the parent's lock). */
  readonly limits: TransactionLimits;
  readonly quotedColumn: string;
  readonly cutoff: { readonly value: string; readonly cast: string };
}

/** Whether a row at or after the cutoff is there (never, by the bound), and the rows to report. */
async function checkPartition(
  db: ClientBase,
  partition: Partition,
  options: RemovalOptions,
): Promise<{ readonly newer: boolean; readonly rows: number }> {
  const count =
    partition.estimatedRows === null ? `(SELECT count(*) FROM ${partition.quotedName})` : 'NULL';
  const { rows } = await db.query<{ newer: boolean; count: string | null }>(
    `SELECT EXISTS (SELECT 1 FROM ${partition.quotedName}
                     WHERE ${options.quotedColumn} >= $1::${options.cutoff.cast}) AS newer,
            ${count}::text AS count`,
    [options.cutoff.value],
  );
  const row = rows[0];
  return {
    newer: row?.newer ?? true,
    rows: row?.count == null ? Math.round(partition.estimatedRows ?? 0) : Number(row.count),
  };
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}
