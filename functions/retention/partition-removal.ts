/**
 * Removes a partition whose whole range lies before the cutoff: `DROP TABLE`, or `ALTER TABLE
 * ... DETACH PARTITION` to keep it for an archive step the backend owns. Each is one short
 * statement in its own transaction, under a tight `lock_timeout`: both take an ACCESS EXCLUSIVE
 * lock on the parent, and while one waits for it, the backend's queries on the table queue
 * behind it. A lock not granted in time leaves the partition for the next run. (A dropped
 * partition's files are removed at `COMMIT`, after the locks are released.)
 */
import { type ClientBase, escapeLiteral } from 'pg';
import { SqlState, sqlStateOf } from '../db/sqlstate.js';
import { inShortTransaction } from '../db/transaction.js';
import type { Partition } from './partitions.js';
import type { RetentionSettings } from './settings.js';

/** What happens to an expired partition. */
export type PartitionRemoval = 'drop' | 'detach';

/** Why an expired partition was not removed whole: a code, its text in {@link keptReasonText}. */
export const KeptReason = {
  /** Its lock (or its parent's) was not granted within the DDL's `lock_timeout`. */
  LockTimeout: 'lock_timeout',
  /** Another run removed it first. */
  Gone: 'gone',
  /** A view, a foreign key or another object depends on it. */
  Dependents: 'dependents',
  /** The job's role may not remove it (42501: the catalog said it may, then it changed). */
  Denied: 'denied',
} as const;

/** One of {@link KeptReason}'s codes. */
export type KeptReason = (typeof KeptReason)[keyof typeof KeptReason];

/** Each {@link KeptReason} in words. */
export const keptReasonText: Readonly<Record<KeptReason, string>> = {
  lock_timeout: 'lock not granted in time',
  gone: 'gone already',
  dependents: 'other objects depend on it',
  denied: "the job's role may not remove it",
};

/** How removing one partition went. */
export type RemovalOutcome =
  | { readonly removed: true }
  | {
      readonly removed: false;
      readonly reason:
        | typeof KeptReason.LockTimeout
        | typeof KeptReason.Gone
        | typeof KeptReason.Denied;
    }
  | {
      readonly removed: false;
      readonly reason: typeof KeptReason.Dependents;
      /** What depends on it, as PostgreSQL says (e.g. `view day_report depends on table ...`). */
      readonly detail: string;
    };

/** What the check before removal found in a partition. */
export interface PartitionCheck {
  /** A row at or after the cutoff is there (never, by the partition's bound). */
  readonly newer: boolean;
  /** Its rows: from the statistics, or counted when it was never analyzed. */
  readonly rows: number;
  /** Where `rows` comes from. */
  readonly countedBy: 'statistics' | 'count';
}

/** Partitions checked in one statement, at most. */
const checksPerStatement = 100;

/**
 * Checks, for each partition about to be removed, that it holds no row at or after the cutoff
 * (its bound says it cannot: a second guard, an index probe each), and counts its rows where
 * the statistics do not know them: one statement per hundred partitions, no lock but their
 * ACCESS SHARE. A partition gone meanwhile is left out of the result.
 */
export async function checkPartitions(
  db: ClientBase,
  partitions: readonly Partition[],
  column: { readonly quotedColumn: string; readonly cutoff: ColumnCutoffValue },
): Promise<Map<number, PartitionCheck>> {
  const checks = new Map<number, PartitionCheck>();
  for (let start = 0; start < partitions.length; start += checksPerStatement) {
    const chunk = partitions.slice(start, start + checksPerStatement);
    const cast = `$1::${column.cutoff.cast}`;
    const selects = chunk.map(
      (partition, index) =>
        `SELECT ${index} AS n, EXISTS (SELECT 1 FROM ${partition.quotedName} WHERE ${column.quotedColumn} >= ${cast}) AS newer, ` +
        `${partition.estimatedRows === null ? `(SELECT count(*) FROM ${partition.quotedName})` : 'NULL::bigint'}::text AS count`,
    );
    let rows: { n: number; newer: boolean; count: string | null }[];
    try {
      ({ rows } = await db.query(selects.join(' UNION ALL '), [column.cutoff.value]));
    } catch (error) {
      // One of them is gone (another run removed it): check them one by one.
      if (sqlStateOf(error) !== SqlState.UndefinedTable || chunk.length === 1) {
        if (sqlStateOf(error) === SqlState.UndefinedTable) continue;
        throw error;
      }
      for (const partition of chunk) {
        for (const [oid, check] of await checkPartitions(db, [partition], column)) {
          checks.set(oid, check);
        }
      }
      continue;
    }
    for (const row of rows) {
      const partition = chunk[row.n];
      if (!partition) continue;
      checks.set(partition.oid, {
        newer: row.newer,
        rows: row.count === null ? Math.round(partition.estimatedRows ?? 0) : Number(row.count),
        countedBy: row.count === null ? 'statistics' : 'count',
      });
    }
  }
  return checks;
}

/**
 * Drops or detaches the partition: one DDL statement in its own transaction. The parent is
 * locked first (the lock the DDL takes anyway), then the partition is checked to be still
 * attached to it, so that two runs removing the same partition at once take turns: the second
 * finds it gone. Names are quoted identifiers and oids numbers, so inlining them is safe.
 */
export async function removePartition(
  db: ClientBase,
  partition: Partition,
  settings: Pick<RetentionSettings, 'partitionRemoval' | 'partitionLimits'>,
): Promise<RemovalOutcome> {
  const ddl =
    settings.partitionRemoval === 'drop'
      ? `DROP TABLE ${partition.quotedName}`
      : `ALTER TABLE ${partition.parentQuotedName} DETACH PARTITION ${partition.quotedName}`;
  // One round trip, then COMMIT: the parent locked, whether the partition is still attached,
  // and the DDL run only if it is (a DO block, so that no round trip waits in between while
  // the lock is held).
  const attached = `EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = ${partition.oid} AND inhparent = ${partition.parentOid})`;
  const lead =
    `LOCK TABLE ONLY ${partition.parentQuotedName} IN ACCESS EXCLUSIVE MODE; ` +
    `SELECT ${attached} AS attached; ` +
    `DO ${dollarQuote(`BEGIN IF ${attached} THEN EXECUTE ${escapeLiteral(ddl)}; END IF; END`)}`;
  try {
    return await inShortTransaction(
      db,
      settings.partitionLimits,
      async (begun): Promise<RemovalOutcome> => {
        const check = begun.find((result) => result.command === 'SELECT');
        const wasAttached = (check?.rows[0] as { attached?: boolean } | undefined)?.attached;
        return wasAttached ? { removed: true } : { removed: false, reason: KeptReason.Gone };
      },
      {},
      lead,
    );
  } catch (error) {
    if (sqlStateOf(error) === SqlState.LockNotAvailable)
      return { removed: false, reason: KeptReason.LockTimeout };
    if (sqlStateOf(error) === SqlState.UndefinedTable)
      return { removed: false, reason: KeptReason.Gone };
    if (sqlStateOf(error) === SqlState.InsufficientPrivilege)
      return { removed: false, reason: KeptReason.Denied };
    if (sqlStateOf(error) === SqlState.DependentObjectsStillExist) {
      const { message, detail } = error as { message: string; detail?: string };
      return { removed: false, reason: KeptReason.Dependents, detail: detail ?? message };
    }
    throw error;
  }
}

/** `$ddl$...$ddl$`, for a DO block's body (which never contains that tag). */
function dollarQuote(body: string): string {
  if (body.includes('$ddl$')) throw new Error('a DO body must not contain $ddl$');
  return `$ddl$${body}$ddl$`;
}

/** The cutoff as the check compares it: a value and the column's type. */
interface ColumnCutoffValue {
  readonly value: string;
  readonly cast: string;
}
