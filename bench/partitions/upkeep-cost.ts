/**
 * What partition upkeep adds to the steady hourly run of the location cleanup on `locations`
 * partitioned by day, when there is nothing to make: the coming partitions exist (the loaded
 * table has them 4 days ahead, as the job keeps them), and an empty DEFAULT partition is there
 * to be counted. Upkeep is then one planning transaction (the layout's catalog query, from which
 * the bounds show the coming partitions all there) and one count of the DEFAULT on its index,
 * timed from the job's session over many rounds. The full plan (the period read and the coming
 * periods computed: none), which a run pays when the bounds alone do not settle it (a day not
 * cut at midnight UTC, late in the day), is timed too, and a whole steady run of the job, for
 * scale.
 */
import type pg from 'pg';
import { databaseTime } from '../../functions/db/database-time.js';
import { inShortTransaction } from '../../functions/db/transaction.js';
import { readLocationCleanupConfig } from '../../functions/jobs/location-cleanup/config.js';
import {
  createLocationCleanup,
  locationsByAge,
} from '../../functions/jobs/location-cleanup/location-cleanup.js';
import { watchDefaultPartition } from '../../functions/retention/default-partition-watch.js';
import { layoutStatement, readLayout } from '../../functions/retention/partition-layout.js';
import { readPeriod } from '../../functions/retention/partition-period.js';
import { comingPartitions } from '../../functions/retention/partition-premake.js';
import { partitionUpkeep } from '../../functions/retention/partition-upkeep.js';
import type { RetentionSettings } from '../../functions/retention/settings.js';
import { percentile } from '../cleanup/stats.js';
import { benchContext } from '../common/bench-context.js';
import { type TimedStatement, timedClient } from './statement-timer.js';

/** Rounds of upkeep timed; steady runs of the whole job timed. */
const rounds = 31;
const steadyRuns = 7;

/** What upkeep cost on the steady run. */
export interface UpkeepCost {
  readonly rounds: number;
  /** Upkeep (planning and the DEFAULT's count), per round: median, 95th percentile, longest. */
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  /** Statements one round sends (each a round trip). */
  readonly statements: number;
  /** The full plan and the DEFAULT's count, per round: median and 95th percentile. */
  readonly fullPlanMedianMs: number;
  readonly fullPlanP95Ms: number;
  /** Statements a round of the full plan sends. */
  readonly fullPlanStatements: number;
  /**
   * The baseline, timed in the same rounds: one short transaction the way the job opens them
   * (`BEGIN` with its `SET LOCAL`s and a `SELECT 1`, then `COMMIT`), median.
   */
  readonly emptyTransactionMs: number;
  /** A whole steady run of the job (upkeep included), median of `steadyRuns`. */
  readonly steadyRunMs: number;
  readonly steadyRuns: number;
  /** Partitions upkeep made in the rounds (0: there was nothing to make). */
  readonly made: number;
}

/**
 * Measures upkeep on `db`, a session on a copy of the loaded partitioned table: adds an empty
 * DEFAULT partition, runs the job once (the backlog goes), then times upkeep alone and whole
 * steady runs.
 */
export async function measureUpkeepCost(db: pg.Client): Promise<UpkeepCost> {
  await db.query('CREATE TABLE locations_default PARTITION OF locations DEFAULT');
  const config = readLocationCleanupConfig({});
  const job = createLocationCleanup();
  const runJob = () => job.run(benchContext(), { config, db });
  await runJob();
  const cutoff = await databaseTime(db, config.retentionDays);
  const times: number[] = [];
  const empty: number[] = [];
  let statements = 0;
  let made = 0;
  for (let round = 0; round < rounds; round++) {
    const sent: TimedStatement[] = [];
    const timed = timedClient(db, sent);
    const started = performance.now();
    const upkeep = await partitionUpkeep(timed, locationsByAge, config.retention, {
      dryRun: false,
    });
    const watched = await upkeep.watch(cutoff);
    times.push(performance.now() - started);
    statements = sent.length;
    made += upkeep.premake?.made.length ?? 0;
    const emptyStarted = performance.now();
    await inShortTransaction(db, config.retention.limits, async () => undefined, {}, 'SELECT 1');
    empty.push(performance.now() - emptyStarted);
    if (watched?.rows !== 0)
      throw new Error(`the DEFAULT partition was not counted empty: ${JSON.stringify(watched)}`);
  }
  const full: number[] = [];
  let fullPlanStatements = 0;
  for (let round = 0; round < rounds; round++) {
    const sent: TimedStatement[] = [];
    const timed = timedClient(db, sent);
    const started = performance.now();
    const coming = await fullPlan(timed, config.retention);
    const layout = coming.layout;
    await watchDefaultPartition(timed, layout, cutoff, config.retention.limits);
    full.push(performance.now() - started);
    fullPlanStatements = sent.length;
    if (coming.count > 0) throw new Error(`the full plan found ${coming.count} partitions to make`);
  }
  const steady: number[] = [];
  for (let run = 0; run < steadyRuns; run++) {
    const started = performance.now();
    await runJob();
    steady.push(performance.now() - started);
  }
  return {
    rounds,
    medianMs: percentile(times, 0.5),
    p95Ms: percentile(times, 0.95),
    maxMs: Math.max(...times),
    statements,
    fullPlanMedianMs: percentile(full, 0.5),
    fullPlanP95Ms: percentile(full, 0.95),
    fullPlanStatements,
    emptyTransactionMs: percentile(empty, 0.5),
    steadyRunMs: percentile(steady, 0.5),
    steadyRuns,
    made,
  };
}

/** What upkeep's planning does when the bounds alone do not settle it: every step, in one transaction. */
async function fullPlan(db: pg.Client, settings: RetentionSettings) {
  return inShortTransaction(
    db,
    settings.limits,
    async (begun) => {
      const { layout } = readLayout(begun.at(-1)?.rows[0], locationsByAge.column, undefined);
      if (!layout) throw new Error('locations is not partitioned by created_at');
      const period = await readPeriod(db, layout);
      if ('reason' in period) throw new Error(period.reason);
      const coming = await comingPartitions(db, layout, period, settings.premake);
      return { layout, count: coming.length };
    },
    { datestyle: 'ISO' },
    layoutStatement(locationsByAge),
  );
}
