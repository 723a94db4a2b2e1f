/**
 * What the partitions benchmark compares, each on its own copy of a loaded `locations`: the
 * location-cleanup job on the partitioned table, one plain `DELETE` on the partitioned table,
 * the job on a plain table with the same rows; and, to see where the job's time goes, the job
 * detaching partitions instead of dropping them, and the batched delete of the straddling
 * partition alone (the part of the job's work that dropping partitions cannot remove).
 */
import type pg from 'pg';
import { databaseTime } from '../../functions/db/database-time.js';
import { readLocationCleanupConfig } from '../../functions/jobs/location-cleanup/config.js';
import {
  createLocationCleanup,
  type LocationCleanupResult,
} from '../../functions/jobs/location-cleanup/location-cleanup.js';
import { deleteInBatches } from '../../functions/retention/batched-delete.js';
import { benchContext } from '../common/bench-context.js';
import type { LoadedLocations, TableShape } from './load.js';
import {
  type TimedStatement,
  type TimedWork,
  timedClient,
  transactionsOf,
} from './statement-timer.js';

/** What one run of a method did. */
export interface MethodRun {
  /** Rows deleted, as the method reports them. */
  readonly deleted: number;
  /** Its transactions (and statements outside one), timed. */
  readonly work: readonly TimedWork[];
  /** What it says it did, for people. */
  readonly note?: string;
}

/** A way of deleting expired rows. */
export interface Method {
  /** Its row in the table. */
  readonly name: string;
  /** How many runs the table takes the median of. */
  readonly runs: number;
  /** The loaded table it runs on a copy of. */
  readonly table: TableShape;
  /** The rows it must delete. */
  expectedDeleted(loaded: LoadedLocations): number;
  /** The partitions it must remove. */
  expectedRemoved(loaded: LoadedLocations): number;
  /** Deletes through `db` (a session on the copy). */
  run(db: pg.Client, loaded: LoadedLocations): Promise<MethodRun>;
}

const allExpired = (loaded: LoadedLocations) => loaded.expired;
const noPartitions = () => 0;

/**
 * The location-cleanup job as a scheduled run calls it, with its production settings (or those
 * `env` changes).
 */
async function runJob(
  db: pg.Client,
  env: Readonly<Record<string, string>> = {},
): Promise<MethodRun> {
  const statements: TimedStatement[] = [];
  const job = createLocationCleanup();
  const result = await job.run(benchContext(), {
    config: readLocationCleanupConfig(env),
    db: timedClient(db, statements),
  });
  if (!result.complete) {
    throw new Error(`the cleanup stopped before it was complete: ${describe(result)}`);
  }
  return { deleted: result.deleted, work: transactionsOf(statements), note: describe(result) };
}

function describe(result: LocationCleanupResult): string {
  const removed = result.partitions;
  const verb = removed?.removal === 'detach' ? 'detached' : 'dropped';
  const partitions = removed
    ? `${removed.removed.length} partitions ${verb} (their rows counted by ${removed.rowsCountedBy}); `
    : '';
  const left = removed?.left.length ? `${removed.left.length} left; ` : '';
  return `${partitions}${left}strategy ${result.strategy}: ${result.strategyReason}`;
}

/** 1. The job on the partitioned table: drops the expired partitions, batch-deletes the rest. */
export const jobOnPartitions: Method = {
  name: 'job, partitioned table',
  runs: 3,
  table: 'partitioned',
  expectedDeleted: allExpired,
  expectedRemoved: (loaded) => loaded.partitions?.expired.length ?? 0,
  run: (db) => runJob(db),
};

/**
 * For comparison: the job set to detach the expired partitions and keep them
 * (`LOCATION_CLEANUP_PARTITIONS=detach`), which removes no files.
 */
export const jobDetaching: Method = {
  name: 'job, partitioned, detach',
  runs: 3,
  table: 'partitioned',
  expectedDeleted: allExpired,
  expectedRemoved: (loaded) => loaded.partitions?.expired.length ?? 0,
  run: (db) => runJob(db, { LOCATION_CLEANUP_PARTITIONS: 'detach' }),
};

/** 2. One statement, one transaction, on an identical partitioned copy. */
export const plainDelete: Method = {
  name: 'plain DELETE, partitioned table',
  runs: 3,
  table: 'partitioned',
  expectedDeleted: allExpired,
  expectedRemoved: noPartitions,
  async run(db) {
    const statements: TimedStatement[] = [];
    const timed = timedClient(db, statements);
    // UTC, so that `interval '30 days'` is 720 hours, as the job counts it.
    await db.query(`SET TimeZone = 'UTC'`);
    const { rowCount } = await timed.query(
      `DELETE FROM locations WHERE created_at < now() - interval '30 days'`,
    );
    return { deleted: rowCount ?? 0, work: transactionsOf(statements) };
  },
};

/** 3. The job on the same rows in a plain (not partitioned) table. */
export const jobOnPlainTable: Method = {
  name: 'job, plain table',
  runs: 3,
  table: 'plain',
  expectedDeleted: allExpired,
  expectedRemoved: noPartitions,
  run: (db) => runJob(db),
};

/**
 * The floor: `deleteInBatches` (the job's own batched delete, its production batch size and
 * strategy) on the straddling partition alone, as a table of its own.
 */
export const straddlingAlone: Method = {
  name: 'straddling partition alone',
  runs: 3,
  table: 'partitioned',
  expectedDeleted: (loaded) => loaded.partitions?.straddling.expiredRows ?? 0,
  expectedRemoved: noPartitions,
  async run(db, loaded) {
    const straddling = loaded.partitions?.straddling.name;
    if (!straddling) throw new Error('the table has no straddling partition');
    const statements: TimedStatement[] = [];
    const timed = timedClient(db, statements);
    const config = readLocationCleanupConfig({});
    const result = await deleteInBatches(
      timed,
      { table: straddling, column: 'created_at' },
      await databaseTime(timed, config.retentionDays),
      config.retention,
    );
    if (!result.complete) throw new Error(`the delete of ${straddling} stopped early`);
    return {
      deleted: result.deleted,
      work: transactionsOf(statements),
      note: `deleteInBatches on ${straddling}, strategy ${result.strategy}: ${result.strategyReason}`,
    };
  },
};

/**
 * The floor for dropping: the same DDL issued by hand, one `DROP TABLE` per wholly expired
 * partition in a transaction of its own (as the job drops them), nothing checked, counted or
 * planned. With `straddlingAlone`, what the job's work costs at the least.
 */
export const ddlByHand: Method = {
  name: 'DROP TABLE by hand',
  runs: 3,
  table: 'partitioned',
  expectedDeleted: (loaded) =>
    loaded.expired - (loaded.partitions?.straddling.expiredRows ?? loaded.expired),
  expectedRemoved: (loaded) => loaded.partitions?.expired.length ?? 0,
  async run(db, loaded) {
    const partitions = loaded.partitions?.expired ?? [];
    const statements: TimedStatement[] = [];
    const timed = timedClient(db, statements);
    for (const partition of partitions) await timed.query(`DROP TABLE ${partition}`);
    return {
      // Not counted here, which would add to its time: the check after each run counts the
      // rows and partitions left, which holds only if these were exactly the ones dropped.
      deleted: ddlByHand.expectedDeleted(loaded),
      work: transactionsOf(statements),
      note: `${partitions.length} DROP TABLE statements, each its own transaction`,
    };
  },
};

/** Every method, in the order each round runs them. */
export const methods: readonly Method[] = [
  jobOnPartitions,
  jobDetaching,
  straddlingAlone,
  ddlByHand,
  plainDelete,
  jobOnPlainTable,
];
