/**
 * What a retention run did: one type, built up from the paths' outcomes to the job's result
 * (the `result` of its `job finished` line) without renaming a field on the way. A job adds its
 * own fields (e.g. `retentionDays`) to it.
 */
import type { DefaultPartitionRows } from './default-partition-watch.js';
import type { OldestRow } from './oldest-row.js';
import type { KeptReason, PartitionRemoval } from './partition-removal.js';
import type { PremakeResult } from './partition-upkeep.js';
import type { RefusedRows } from './refused-rows.js';
import type { DeletePath } from './strategy.js';

/** What a retention run did (or, in a dry run, would do). */
export interface RetentionResult {
  /** Rows with a timestamp strictly before this instant expired (ISO 8601, microseconds kept). */
  readonly cutoff: string;
  /** Rows deleted, by batches and in partitions removed whole (0 in a dry run). */
  readonly deleted: number;
  /** Batches committed (0 in a dry run). */
  readonly batches: number;
  /**
   * `true` only when no expired row is left: `false` when the deadline or a shutdown stopped
   * it, or when rows locked by other sessions, rows the database refused to delete, or an
   * expired partition were left; the next run goes on.
   */
  readonly complete: boolean;
  /** Whether this was a dry run, which deletes nothing. */
  readonly dryRun: boolean;
  /**
   * Dry runs: rows older than the cutoff, which a real run would delete.
   * @default - absent in a real run
   */
  readonly wouldDelete?: number;
  /**
   * Real runs: the path taken: keyset batches on a b-tree `index`, a sweep of the pages a `brin`
   * index points to, a sweep of the whole `heap`, or, for a partitioned table, `partitions` (removed whole, the rest batch-deleted).
   * @default - absent in a dry run
   */
  readonly strategy?: DeletePath | 'partitions';
  /**
   * Real runs: why that path, in one sentence.
   * @default - absent in a dry run
   */
  readonly strategyReason?: string;
  /**
   * Real runs: expired rows left because other sessions held locks on them; the next run
   * retries them.
   * @default - absent in a dry run
   */
  readonly lockedRows?: number;
  /**
   * Real runs: expired rows left because the database refuses to delete them (a foreign key
   * that restricts, a trigger that raises): the sum of `refused`. Every run tries them again.
   * @default - absent in a dry run
   */
  readonly refusedRows?: number;
  /**
   * Real runs: those rows by table and reason (the constraint, or the error's message).
   * @default - absent when there are none
   */
  readonly refused?: readonly RefusedRows[];
  /**
   * Real runs: the batch size statement timeouts cut batches down to (the smallest, over every
   * table).
   * @default - absent when no batch passed its statement timeout
   */
  readonly settledBatchSize?: number;
  /**
   * For a `timestamp` column: the wall-clock cutoff in the column's declared zone.
   * @default - absent for a `timestamptz` column
   */
  readonly columnCutoff?: string;
  /**
   * Real runs, unless `<PREFIX>_MAX_REPLICA_LAG_SECONDS` is 0: how long batches were paused
   * while a standby lagged, in milliseconds of the run's clock.
   * @default - absent in a dry run, and when the maximum is 0
   */
  readonly replicaWaitMs?: number;
  /**
   * Why the run stopped while it waited for a lagging standby (the deadline, a shutdown),
   * naming the standby and its lag.
   * @default - absent unless a wait was cut off
   */
  readonly stoppedReason?: string;
  /**
   * For a partitioned table: what happened (or, in a dry run, would happen) to its partitions.
   * @default - absent for a plain table
   */
  readonly partitions?: PartitionsResult;
  /**
   * The oldest row left after the run (dry runs too), its age and how far before the cutoff
   * it lies: the retention promise, measured (see oldest-row.ts).
   * @default - absent until the job measures it (the batched delete alone does not)
   */
  readonly oldestRow?: OldestRow;
}

/** What a retention run did to a partitioned table's partitions. */
export interface PartitionsResult {
  /** `drop` or `detach` (`<PREFIX>_PARTITIONS`). */
  readonly removal: PartitionRemoval;
  /** The partitions removed whole, oldest first (`schema.name`; none in a dry run). */
  readonly removed: readonly string[];
  /**
   * Dry runs: the partitions a real run would remove whole.
   * @default - absent in a real run
   */
  readonly wouldRemove?: readonly string[];
  /** Rows in the partitions removed (in a dry run: to remove), part of `deleted` (`wouldDelete`). */
  readonly rows: number;
  /** Where `rows` come from: the statistics (`reltuples`), a count (never analyzed), or both. */
  readonly rowsCountedBy: 'statistics' | 'count' | 'statistics and count' | 'none';
  /** Expired partitions left for the next run, and why. */
  readonly left: readonly { readonly name: string; readonly reason: KeptReason }[];
  /**
   * The partitions batch-deleted, with the path each took and the rows it lost; or the table
   * itself (`throughParent`), when the job's role may not reach some partitions directly.
   */
  readonly batchDeleted: readonly BatchDeleted[];
  /**
   * Why no partition can be removed whole (the table is partitioned by another column).
   * @default - absent
   */
  readonly notByPartition?: string;
  /**
   * The coming partitions made before the run (a dry run: those it would make), and those not
   * made (see partition-upkeep.ts).
   * @default - absent when the table is not range-partitioned by the column, or `premake` is 0
   */
  readonly premake?: PremakeResult;
  /**
   * The rows that wait in the DEFAULT partition after the run (see default-partition-watch.ts).
   * @default - absent when the table has no DEFAULT partition
   */
  readonly defaultPartition?: DefaultPartitionRows;
}

/** A partition (or the partitioned table itself) batch-deleted. */
export interface BatchDeleted {
  /** The partition (`schema.name`), or the table as configured. */
  readonly name: string;
  readonly strategy: DeletePath;
  readonly deleted: number;
  /**
   * The rows went through the parent table (the role may not reach some partitions directly).
   * @default - absent: the partition as a table of its own
   */
  readonly throughParent?: true;
}

/** What one path (keyset batches, a heap sweep, the partitions) did on one table. */
export interface PathOutcome extends Required<Pick<RetentionResult, 'lockedRows'>> {
  /** `false` when the signal stopped it before every expired row was looked at. */
  readonly finished: boolean;
}
