/**
 * The ways of deleting the expired half of `locations` that the benchmark compares. Each
 * deletes every row with `created_at < now() - 30 days`, on its own copy of the table.
 */
import pg from 'pg';
import { readLocationCleanupConfig } from '../../functions/jobs/location-cleanup/config.js';
import { createLocationCleanup } from '../../functions/jobs/location-cleanup/location-cleanup.js';
import type { RetentionOverrides } from '../../functions/retention/settings.js';
import { benchContext } from '../common/bench-context.js';
import { type TimedStatement, timedClient, transactionsOf } from '../partitions/statement-timer.js';
import { plannedScan } from './plan.js';

/** What one contender did. */
export interface Measurement {
  /** Rows deleted. */
  readonly deleted: number;
  /**
   * Milliseconds of its run spent on what is not the method (reading the plan on another
   * session), left out of its wall time.
   * @default 0
   */
  readonly untimedMs?: number;
  /** How long each batch (transaction) took, milliseconds; one entry for a single DELETE. */
  readonly batchMs: readonly number[];
  /** Growth of the process's resident memory during the run (peak − start), bytes. */
  readonly memoryGrowth?: number;
  /** Time after the last batch to the end of the run (the heap sweep's final check), ms. */
  readonly tailMs?: number;
  /** The job's path (`index` or `heap`) and why, as its result says. */
  readonly strategy?: { readonly path: string; readonly reason: string };
  /**
   * The job's looks at the standbys' lag (the query on `pg_stat_get_wal_senders()`, sent with
   * its `BEGIN`): how long each took, from send to answer, ms.
   */
  readonly standbyLookMs?: readonly number[];
  /**
   * How PostgreSQL found the rows of a single statement: the scan under the `Delete` node of
   * its plan (bench/cleanup/plan.ts), read just before the timed run.
   * @default - not read (a batched contender)
   */
  readonly plannedScan?: string;
  /**
   * Every statement the job sent, with when it was sent and answered (`--profile` prints them).
   * @default - not recorded (not the job)
   */
  readonly statements?: readonly TimedStatement[];
}

/** A way of deleting the expired rows. */
export interface Contender {
  /** Its row in the table. */
  readonly name: string;
  /** How many runs the table takes the median of (a slow method averages noise by itself). */
  readonly runs: number;
  /**
   * How it reaches the table: connected to the server, or through a PgBouncer in transaction
   * mode in front of it (skipped where PgBouncer is not installed).
   * @default 'direct'
   */
  readonly through?: 'direct' | 'pgbouncer';
  /**
   * Runs before the timed run, on the same session (not timed).
   * @default - nothing: the timed run starts on a new session
   */
  warmUp?(db: pg.Client): Promise<void>;
  /** Deletes the expired rows through `db`. */
  run(db: pg.Client): Promise<Measurement>;
}

const batchSize = 10_000;
const cutoff = `now() - interval '30 days'`;

/**
 * One statement, one transaction: the fastest, and the API waits behind it. Its plan (read
 * first, and left out of its time) says which index it used: on each table, whatever index
 * that table has. The plan is read on a session of its own, so that the timed `DELETE` starts
 * on a session as new as the job's (whose first statement pays for loading the table's catalog
 * entries, as a Lambda's fresh connection does), not on one the `EXPLAIN` has warmed.
 */
export const plainDelete: Contender = {
  name: 'plain DELETE (one statement)',
  runs: 3,
  async run(db) {
    const statement = `DELETE FROM locations WHERE created_at < ${cutoff}`;
    const planning = performance.now();
    const scan = await onOwnSession(db, (other) => plannedScan(other, statement));
    const started = performance.now();
    const { rowCount } = await db.query(statement);
    return {
      deleted: rowCount ?? 0,
      batchMs: [performance.now() - started],
      plannedScan: scan,
      untimedMs: started - planning,
    };
  },
};

/**
 * The original backend's batching: each batch picks ids with a fresh scan from the start of
 * the table (wading through the index entries of every row deleted so far), then deletes them
 * by primary key.
 */
export const originalBatches: Contender = {
  name: 'original (id IN (SELECT id ... LIMIT))',
  runs: 1,
  async run(db) {
    return timedBatches(async () => {
      const { rowCount } = await db.query(
        `WITH to_delete AS (SELECT id FROM locations WHERE created_at < ${cutoff} LIMIT ${batchSize})
         DELETE FROM locations WHERE id IN (SELECT id FROM to_delete)`,
      );
      return { deleted: rowCount ?? 0, last: (rowCount ?? 0) < batchSize };
    });
  },
};

/** The location-cleanup job itself, with its production settings (30 days, 10,000 rows). */
export const ourJob: Contender = {
  name: 'ours (location-cleanup job)',
  runs: 3,
  run: (db) => runOurJob(db),
};

/**
 * The job looking at the standbys' lag after every batch, instead of at most once a second: the
 * most the replica-lag check can cost, on a server with no standby.
 */
export const ourJobLookingEveryBatch: Contender = {
  name: 'ours, looking for standbys after every batch',
  runs: 3,
  run: (db) => runOurJob(db, { replicaLagCheckIntervalMs: 0 }),
};

async function runOurJob(db: pg.Client, overrides: RetentionOverrides = {}): Promise<Measurement> {
  const rssAtStart = process.memoryUsage().rss;
  let rssPeak = rssAtStart;
  let lastBatch = performance.now();
  const statements: TimedStatement[] = [];
  const job = createLocationCleanup(overrides, {
    onBatch: () => {
      lastBatch = performance.now();
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    },
  });
  const result = await job.run(benchContext(), {
    config: readLocationCleanupConfig({}, overrides),
    db: timedClient(db, statements),
  });
  if (!result.complete) throw new Error('the cleanup stopped before it was complete');
  const ended = performance.now();
  const standbyLooks = statements.filter((statement) =>
    statement.text.includes('pg_stat_get_wal_senders'),
  );
  return {
    tailMs: ended - lastBatch,
    deleted: result.deleted,
    // Each batch's transaction, from BEGIN to the answer to COMMIT, as the job's session saw
    // it (the checks before, and a heap sweep's final count, are not batches).
    batchMs: transactionsOf(statements)
      .filter((work) => work.kind === 'batch')
      .map((work) => work.ms),
    memoryGrowth: rssPeak - rssAtStart,
    strategy: { path: String(result.strategy), reason: String(result.strategyReason) },
    standbyLookMs: standbyLooks.map((statement) => statement.endedMs - statement.startedMs),
    statements,
  };
}

/**
 * The same job, run the same way, through PgBouncer in transaction mode with its shipped
 * settings, as production's Lambda reaches the database: each transaction may land on another
 * server connection, and every statement takes one more hop.
 */
export const ourJobThroughPgBouncer: Contender = {
  ...ourJob,
  name: 'ours through PgBouncer (transaction mode)',
  through: 'pgbouncer',
};

/**
 * A retention that no row reaches: a warm-up that runs the same statements as the timed run,
 * on the same session, and so loads the same catalog entries, but deletes nothing and reads no
 * heap page (the index, or the BRIN summaries, say no row is that old).
 */
const warmUpDays = 3_650;

/**
 * Warm-ups before the timed run: a session's caches settle over two runs of the same work (the
 * job's first statement took 25, 11, then 4 ms in three runs on one session, at 2,000,000 rows).
 */
const warmUps = 2;

/**
 * The plain `DELETE` on a session that has already run it against no row: what it costs in an
 * open `psql`, its catalog entries cached.
 */
export const plainDeleteOnWarmSession: Contender = {
  ...plainDelete,
  name: 'plain DELETE, on a warm session',
  async warmUp(db) {
    for (let run = 0; run < warmUps; run++) {
      await db.query(
        `DELETE FROM locations WHERE created_at < now() - interval '${warmUpDays} days'`,
      );
    }
  },
};

/**
 * The job on a session that has already run it against no row (a Lambda invoked again while
 * its connection is still open), against the plain `DELETE` on a warm session.
 */
export const ourJobOnWarmSession: Contender = {
  ...ourJob,
  name: 'ours, on a warm session',
  async warmUp(db) {
    for (let run = 0; run < warmUps; run++) {
      const result = await createLocationCleanup().run(benchContext(), {
        config: readLocationCleanupConfig({ LOCATION_RETENTION_DAYS: String(warmUpDays) }),
        db,
      });
      if (result.deleted !== 0) throw new Error(`the warm-up deleted ${result.deleted} rows`);
    }
  },
};

/** The contenders of a backlog, in the order they run. */
export const backlogContenders: readonly Contender[] = [
  plainDelete,
  originalBatches,
  ourJob,
  ourJobThroughPgBouncer,
];

/**
 * The contenders of the steady hourly run: the plain DELETE of the same hour, and ours,
 * connected directly, looking for standbys after every batch, and through PgBouncer; then both
 * again on warm sessions.
 */
export const steadyContenders: readonly Contender[] = [
  plainDelete,
  ourJob,
  ourJobLookingEveryBatch,
  ourJobThroughPgBouncer,
  plainDeleteOnWarmSession,
  ourJobOnWarmSession,
];

async function timedBatches(
  batch: () => Promise<{ deleted: number; last: boolean }>,
): Promise<Measurement> {
  const batchMs: number[] = [];
  let deleted = 0;
  for (let last = false; !last; ) {
    const started = performance.now();
    const outcome = await batch();
    batchMs.push(performance.now() - started);
    deleted += outcome.deleted;
    last = outcome.last;
  }
  return { deleted, batchMs };
}

/** Runs `use` on a new session to the same database as `db`, closed after. */
async function onOwnSession<T>(db: pg.Client, use: (other: pg.Client) => Promise<T>): Promise<T> {
  const other = new pg.Client({
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password ?? undefined,
    database: db.database,
  });
  await other.connect();
  try {
    return await use(other);
  } finally {
    await other.end();
  }
}
