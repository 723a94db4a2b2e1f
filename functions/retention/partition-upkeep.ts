/**
 * Partition upkeep around a purge run of a table range-partitioned by its column: before the
 * run, the coming partitions are made (partition-premake.ts; a dry run lists them); after it,
 * the rows waiting in the DEFAULT partition are counted (default-partition-watch.ts).
 *
 * Nothing here fails the run but a lost connection: a partition the database refuses to make is
 * reported and left for the next run, and a DEFAULT that cannot be counted is said to be so.
 */
import type { ClientBase } from 'pg';
import { isStatementError } from '../db/sqlstate.js';
import { inShortTransaction } from '../db/transaction.js';
import { JobLog } from '../log-messages.js';
import type { Notice } from './batch-runner.js';
import { type DefaultPartitionRows, watchDefaultPartition } from './default-partition-watch.js';
import type { ExpiringTable } from './expiring-table.js';
import { surelyCovered } from './partition-coverage.js';
import {
  type LayoutRow,
  layoutStatement,
  type PartitionLayout,
  readLayout,
} from './partition-layout.js';
import { describeStep, type PartitionPeriod, readPeriod } from './partition-period.js';
import {
  type ComingPartition,
  comingPartitions,
  makePartition,
  NotMadeReason,
  notMadeText,
  rowsInDefault,
} from './partition-premake.js';
import type { RetentionResult } from './result.js';
import type { RetentionSettings } from './settings.js';

/** A coming partition that was not made, and why. */
export interface PartitionNotMade {
  /** `schema.name` it would have had. */
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly reason: NotMadeReason;
  /**
   * With `default_holds_rows`: the DEFAULT partition's rows in its range (at most 100,000 are
   * counted).
   * @default - absent for the other reasons
   */
  readonly rowsInDefault?: number;
  /**
   * With `refused`: what the database said.
   * @default - absent for the other reasons
   */
  readonly detail?: string;
}

/** What a run did (a dry run: would do) to make the coming partitions. */
export interface PremakeResult {
  /** How many periods after the current one get a partition (`<PREFIX>_PREMAKE`). */
  readonly ahead: number;
  /**
   * The period read from the table's partitions, in words (`1 day`, `1 month`, `6 hours`).
   * @default - absent when it was not read: the coming partitions all exist (the steady run's
   *   case, told from the partitions' bounds alone), or none can be made (see `skipped`)
   */
  readonly period?: string;
  /** The partitions this run made (`schema.name`), oldest first (none in a dry run). */
  readonly made: readonly string[];
  /**
   * Dry runs: the partitions a real run would make, with their ranges.
   * @default - absent in a real run
   */
  readonly wouldMake?: readonly {
    readonly name: string;
    readonly from: string;
    readonly to: string;
  }[];
  /** Coming partitions not made, and why. */
  readonly notMade: readonly PartitionNotMade[];
  /**
   * Why no partition was made ahead at all (the job's role may not, no period can be read).
   * @default - absent
   */
  readonly skipped?: string;
}

/** Options of {@link partitionUpkeep}. */
export interface UpkeepOptions {
  /** List what would be made, make nothing. */
  readonly dryRun: boolean;
  /**
   * Checked before each partition is made.
   * @default - never aborts
   */
  readonly signal?: AbortSignal;
  /** @default - nothing is told */
  readonly onNotice?: Notice;
  /**
   * The current time in the column's type, which decides the current period (tests).
   * @default - the database's clock
   */
  readonly now?: string;
}

/** Partition upkeep of one run: what was made before it, and the watch to run after it. */
export interface PartitionUpkeep {
  /**
   * @default - absent for a table not range-partitioned by the column, or with `premake` 0
   */
  readonly premake?: PremakeResult;
  /**
   * Counts the DEFAULT partition's rows (see default-partition-watch.ts) and warns when some
   * belong to a period; `undefined` when the table has no DEFAULT partition.
   */
  watch(cutoff: string): Promise<DefaultPartitionRows | undefined>;
}

/** Lock timeouts in one run after which no more partitions are tried until the next run. */
const maxLockTimeouts = 3;

/**
 * Makes the coming partitions of `target` (a dry run: finds them), and returns the watch of its
 * DEFAULT partition for after the run. One short transaction reads the layout and plans; each
 * partition is then made in its own.
 */
export async function partitionUpkeep(
  db: ClientBase,
  target: ExpiringTable,
  settings: Pick<
    RetentionSettings,
    'premake' | 'limits' | 'partitionLimits' | 'columnTimeZone' | 'columnTimeZoneVariable'
  >,
  options: UpkeepOptions,
): Promise<PartitionUpkeep> {
  const notice: Notice = options.onNotice ?? (() => undefined);
  const table = target.table;
  // The layout's catalog query goes with the BEGIN, in one round trip.
  const plan = await inShortTransaction(
    db,
    settings.limits,
    (begun) => planUpkeep(db, begun.at(-1)?.rows[0], target, settings, options),
    { datestyle: 'ISO' },
    layoutStatement(target),
  ).catch((error: unknown): UpkeepPlan => {
    // A database's refusal (a timeout, a time zone it does not know) leaves upkeep out of this
    // run, said once; the table's own checks then speak for the run. A lost connection fails it.
    if (!isStatementError(error)) throw error;
    return { reason: `planning failed: ${(error as Error).message}` };
  });
  const ahead = settings.premake;
  if (!plan.layout) {
    if (!plan.reason || ahead === 0) return { watch: async () => undefined };
    notice(JobLog.PremakeSkipped, { table, reason: plan.reason });
    return {
      premake: { ahead, made: [], notMade: [], skipped: plan.reason },
      watch: async () => undefined,
    };
  }
  const { layout } = plan;
  const watch = async (cutoff: string) => {
    const rows = await watchDefaultPartition(db, layout, cutoff, settings.limits);
    if (rows?.notCounted) {
      notice(JobLog.DefaultPartitionNotCounted, {
        table,
        partition: rows.partition,
        reason: rows.notCounted,
      });
    } else if (rows && (rows.rows ?? 0) > 0) {
      notice(JobLog.DefaultPartitionRows, { table, ...rows });
    }
    return rows;
  };
  if (ahead === 0) return { watch };
  if (plan.skipped) {
    notice(JobLog.PremakeSkipped, { table, ...plan.skipped });
    return { premake: { ahead, made: [], notMade: [], skipped: plan.skipped.reason }, watch };
  }
  if (!plan.period) {
    // The coming partitions all exist: nothing was planned, nothing is made.
    const none = { ahead, made: [], notMade: [], ...(options.dryRun ? { wouldMake: [] } : {}) };
    return { premake: none, watch };
  }
  const done = await makeComing(db, layout, plan.period, plan.coming, settings, {
    ...options,
    notice,
    table,
  });
  return { premake: { ahead, period: describeStep(plan.period.step), ...done }, watch };
}

/** What the planning transaction found. */
type UpkeepPlan =
  | { readonly layout?: undefined; readonly reason?: string }
  | {
      readonly layout: PartitionLayout;
      /** Why no partition is made ahead, and what would let it be. */
      readonly skipped?: { readonly reason: string; readonly advice?: string };
      readonly period?: PartitionPeriod;
      readonly coming: readonly ComingPartition[];
    };

/** Reads the layout and, unless premaking is off or cannot be done, the coming partitions. */
async function planUpkeep(
  db: ClientBase,
  layoutRow: LayoutRow | undefined,
  target: ExpiringTable,
  settings: Pick<RetentionSettings, 'premake' | 'columnTimeZone'>,
  options: UpkeepOptions,
): Promise<UpkeepPlan> {
  const found = readLayout(layoutRow, target.column, settings.columnTimeZone);
  if (!found.layout) return found;
  const { layout } = found;
  if (settings.premake === 0) return { layout, coming: [] };
  const blocked = premakeBlocker(layout);
  if (blocked) return { layout, skipped: blocked, coming: [] };
  if (surelyCovered(layout, options.now ?? layout.now, settings.premake)) {
    return { layout, coming: [] };
  }
  const period = await readPeriod(db, layout);
  if ('reason' in period) return { layout, skipped: { reason: period.reason }, coming: [] };
  const latest = `${layout.parent.schema}.${period.latest.relname}`;
  if (layout.subPartitioned.includes(latest)) {
    const reason = `its latest partition ${latest} is partitioned itself: partitions made ahead would lack its sub-partitions`;
    return { layout, skipped: { reason }, coming: [] };
  }
  return {
    layout,
    period,
    coming: await comingPartitions(db, layout, period, settings.premake, options.now),
  };
}

/** Why the job's role may not make partitions, and what to grant; `undefined` when it may. */
function premakeBlocker(
  layout: PartitionLayout,
): { readonly reason: string; readonly advice: string } | undefined {
  const { owner, parent } = layout;
  if (!owner.canActAs) {
    return {
      reason: `the job's role ${owner.currentRole} neither owns ${parent.name} nor can SET ROLE to its owner ${owner.role}, as making a partition needs`,
      advice:
        `ALTER TABLE ${parent.quotedName} OWNER TO ${owner.currentRole}; GRANT CREATE ON SCHEMA ${parent.quotedSchema} TO ${owner.currentRole} ` +
        `(the partitions it makes are then its own), or GRANT ${owner.role} TO ${owner.currentRole}; ` +
        'or set <PREFIX>_PREMAKE to 0 and make the partitions otherwise',
    };
  }
  if (!owner.createsInSchema) {
    return {
      reason: `${parent.name}'s owner ${owner.role} may not create tables in schema ${parent.schema}`,
      advice: `GRANT CREATE ON SCHEMA ${parent.schema} TO ${owner.role}`,
    };
  }
  return undefined;
}

async function makeComing(
  db: ClientBase,
  layout: PartitionLayout,
  period: PartitionPeriod,
  coming: readonly ComingPartition[],
  settings: Pick<RetentionSettings, 'partitionLimits'>,
  options: UpkeepOptions & { readonly notice: Notice; readonly table: string },
): Promise<Pick<PremakeResult, 'made' | 'notMade' | 'wouldMake'>> {
  const { notice, table } = options;
  const made: string[] = [];
  const notMade: PartitionNotMade[] = [];
  const inDefault = await rowsInDefault(db, layout, coming, settings.partitionLimits);
  const leave = (partition: ComingPartition, reason: NotMadeReason, more: object = {}) => {
    const entry = { name: partition.name, from: partition.from, to: partition.to, reason, ...more };
    notMade.push(entry);
    const { name, ...fields } = entry;
    notice(JobLog.PartitionNotMade, {
      table,
      partition: name,
      ...fields,
      advice: adviceFor(layout, entry),
    });
  };
  const free: ComingPartition[] = [];
  coming.forEach((partition, index) => {
    const rows = inDefault[index] ?? 0;
    if (rows > 0) leave(partition, NotMadeReason.DefaultHoldsRows, { rowsInDefault: rows });
    else free.push(partition);
  });
  if (options.dryRun) {
    return { made, notMade, wouldMake: free.map(({ name, from, to }) => ({ name, from, to })) };
  }
  const storage = layout.storage.get(period.latest.relname);
  let lockTimeouts = 0;
  let stopped: NotMadeReason | undefined;
  for (const partition of free) {
    if (options.signal?.aborted) stopped ??= NotMadeReason.Stopped;
    if (stopped) {
      notMade.push({ ...rangeOf(partition), reason: stopped });
      continue;
    }
    const outcome = await makePartition(db, layout, partition, storage, settings.partitionLimits);
    if (outcome.made) {
      made.push(partition.name);
      notice(
        JobLog.PartitionMade,
        { table, partition: partition.name, from: partition.from, to: partition.to },
        'info',
      );
      continue;
    }
    if (outcome.exists) continue; // another run made it
    if (outcome.reason === NotMadeReason.DefaultHoldsRows) {
      // Rows came in since they were counted: count them again, for the warning.
      const [rows] = await rowsInDefault(db, layout, [partition], settings.partitionLimits);
      leave(partition, outcome.reason, { rowsInDefault: rows ?? 0 });
      continue;
    }
    leave(partition, outcome.reason, outcome.detail ? { detail: outcome.detail } : {});
    if (outcome.reason === NotMadeReason.LockTimeout) {
      lockTimeouts += 1;
      if (lockTimeouts >= maxLockTimeouts) stopped = outcome.reason;
    } else if (
      outcome.reason === NotMadeReason.StatementTimeout ||
      outcome.reason === NotMadeReason.Refused
    ) {
      // The next would wait as long, or be refused alike: they wait for the next run.
      stopped = outcome.reason;
    }
  }
  return { made, notMade };
}

function rangeOf(partition: ComingPartition) {
  return { name: partition.name, from: partition.from, to: partition.to };
}

/** What to do about a partition not made, for the warning. */
function adviceFor(layout: PartitionLayout, entry: PartitionNotMade): string {
  const defaultName = layout.defaultPartition?.name ?? 'the DEFAULT partition';
  switch (entry.reason) {
    case NotMadeReason.DefaultHoldsRows:
      return (
        `its rows must leave ${defaultName} first: in one transaction, create ${entry.name} as a table, ` +
        `move the rows of its range into it (INSERT ... SELECT, then DELETE from ${defaultName}), and attach it ` +
        '(ALTER TABLE ... ATTACH PARTITION); until then they stay in the DEFAULT partition'
      );
    case NotMadeReason.StatementTimeout:
      return `${defaultName} is scanned under an exclusive lock for every partition attached: move its rows into partitions`;
    case NotMadeReason.NameTaken:
      return `rename or drop the relation named ${entry.name}, or make the partition under another name`;
    default:
      return `the next run tries again (${notMadeText[entry.reason]})`;
  }
}

/**
 * `result` with what upkeep did in its `partitions` (a table range-partitioned by the column
 * always has them).
 */
export function withUpkeep(
  result: RetentionResult,
  premake: PremakeResult | undefined,
  defaultPartition: DefaultPartitionRows | undefined,
): RetentionResult {
  if (!result.partitions || (!premake && !defaultPartition)) return result;
  return {
    ...result,
    partitions: {
      ...result.partitions,
      ...(premake ? { premake } : {}),
      ...(defaultPartition ? { defaultPartition } : {}),
    },
  };
}
