/**
 * A retention run's settings: one object, resolved once at the edge (a job's `readConfig`, or a
 * test) with every default applied by {@link resolveRetentionSettings}, and passed down whole to
 * every layer of the engine. No layer re-declares or re-defaults a setting (compare pg-boss's
 * `attorney.getConfig()`).
 */
import { type Env, readChoice, readInteger, readTimeZone } from '../config/env.js';
import type { TransactionLimits } from '../db/transaction.js';
import type { PartitionRemoval } from './partition-removal.js';
import { type StrategySetting, strategySettings } from './strategy.js';

/** Every setting of a retention run, each one resolved. */
export interface RetentionSettings {
  /**
   * The most rows one batch deletes (a heap sweep's batch aims at it): `<PREFIX>_BATCH_SIZE`,
   * 100 to 100,000.
   * @default 10_000
   */
  readonly batchSize: number;
  /**
   * The fewest rows a batch is cut down to: a batch that passes its statement timeout is run
   * again with half as many rows (the later batches keep the smaller size), down to this; a
   * batch of this many that still passes it fails the run.
   * @default 10, or `batchSize` when smaller
   */
  readonly minBatchSize: number;
  /**
   * `<PREFIX>_STRATEGY`: `auto` chooses, each run, from the table's indexes and statistics and
   * the plan of one `DELETE`: keyset batches on a b-tree `index`, a sweep of the pages a `brin`
   * index points to, or a sweep of the whole `heap`. `index` (which needs a b-tree with the column)
   * or `brin` (a BRIN index on it) forces that path when the table has its index; `heap` always.
   * @default 'auto'
   */
  readonly strategy: StrategySetting;
  /**
   * `<PREFIX>_PARTITIONS`: on a table range-partitioned by the column, whether partitions wholly
   * before the cutoff are dropped (`drop`), or detached and kept (`detach`, for an archive step
   * the backend owns).
   * @default 'drop'
   */
  readonly partitionRemoval: PartitionRemoval;
  /**
   * `<PREFIX>_PREMAKE`: on a table range-partitioned by the column, how many periods after the
   * current one each run makes sure have a partition (as pg_partman's `premake`); 0 makes none.
   * A whole number from 0 to 1,000.
   * @default 4
   */
  readonly premake: number;
  /**
   * `<PREFIX>_COLUMN_TIME_ZONE`: for a `timestamp without time zone` column, the IANA zone its
   * values are written in (e.g. `UTC`, `Europe/Bratislava`). Ignored for a `timestamptz` column.
   * @default - none: a `timestamp` column is refused
   */
  readonly columnTimeZone?: string;
  /**
   * The variable that sets `columnTimeZone`, named in errors.
   * @default - errors name no variable
   */
  readonly columnTimeZoneVariable?: string;
  /**
   * `statement_timeout` and `lock_timeout` of each batch's transaction. A batch has at most a few
   * short statements, so it ends within seconds: far inside the 30 s between the deadline and
   * Lambda's timeout of a 300 s job.
   * @default { statementTimeoutMs: 5_000, lockTimeoutMs: 1_000 }
   */
  readonly limits: TransactionLimits;
  /**
   * Limits of a count that may read the whole table (a dry run, a heap sweep's final check): one
   * read-only statement, so it gets longer than a batch (it blocks no writer).
   * @default { statementTimeoutMs: 60_000, lockTimeoutMs: 1_000 }
   */
  readonly countLimits: TransactionLimits;
  /**
   * Limits of each partition's `DROP` or `DETACH`: its `lock_timeout` bounds how long it waits
   * for the parent's lock, and so how long the backend's queries can queue behind it; the
   * statement itself takes milliseconds.
   * @default { statementTimeoutMs: 5_000, lockTimeoutMs: 50 }
   */
  readonly partitionLimits: TransactionLimits;
  /**
   * `statement_timeout` of the run's first walk of the index, from its start: when a long-held
   * snapshot keeps many deleted rows' entries in it, that walk is slow, and the run sweeps the
   * heap instead.
   * @default - the batch's statement timeout (`limits.statementTimeoutMs`)
   */
  readonly indexWalkLimitMs: number;
  /**
   * The most heap pages one batch visits (32 MiB of 8 KiB pages): a keyset batch of rows in no
   * order (a page each) is cut to fewer rows than `batchSize`, and a heap sweep's range covers
   * no more.
   * @default 4_096
   */
  readonly maxPagesPerBatch: number;
  /**
   * A progress line is logged after a batch when at least this long has passed since the start
   * or the previous progress line (on the run's clock).
   * @default 10_000
   */
  readonly progressIntervalMs: number;
  /**
   * `<PREFIX>_MAX_REPLICA_LAG_SECONDS`: no new batch starts while a physical standby's
   * `replay_lag` is more than this many seconds (see `ReplicaLagGate`); `0` never pauses. 0 to
   * 86,400. The default is above the 30 s a healthy standby's replay may be held back for its
   * own queries (`max_standby_streaming_delay`), plus the 10 s between its reports, so that only
   * a standby the deletes outrun pauses them (see docs/retention.md).
   * @default 60
   */
  readonly maxReplicaLagSeconds: number;
  /**
   * The variable that sets `maxReplicaLagSeconds`, named in messages.
   * @default - messages name the setting `maxReplicaLagSeconds`
   */
  readonly maxReplicaLagSecondsVariable?: string;
  /**
   * The least time between two looks at the standbys' lag while batches run, on the run's
   * clock: none in a run shorter than this; 0 looks after every batch.
   * @default 1_000
   */
  readonly replicaLagCheckIntervalMs: number;
}

/** The most periods ahead `premake` may ask for. */
const maxPremake = 1_000;

/** Settings given by the caller; {@link resolveRetentionSettings} fills in the rest. */
export type RetentionOverrides = Partial<RetentionSettings>;

/** The defaults of {@link RetentionSettings} (those that depend on no other setting). */
export const retentionDefaults = {
  batchSize: 10_000,
  minBatchSize: 10,
  strategy: 'auto',
  partitionRemoval: 'drop',
  premake: 4,
  limits: { statementTimeoutMs: 5_000, lockTimeoutMs: 1_000 },
  countLimits: { statementTimeoutMs: 60_000, lockTimeoutMs: 1_000 },
  partitionLimits: { statementTimeoutMs: 5_000, lockTimeoutMs: 50 },
  maxPagesPerBatch: 4_096,
  progressIntervalMs: 10_000,
  maxReplicaLagSeconds: 60,
  replicaLagCheckIntervalMs: 1_000,
} as const satisfies Omit<
  RetentionSettings,
  'indexWalkLimitMs' | 'columnTimeZone' | 'columnTimeZoneVariable' | 'maxReplicaLagSecondsVariable'
>;

/**
 * The one place where a retention run's defaults are applied. Keys `overrides` has beyond the
 * settings' own (e.g. a caller's hooks) are left out.
 *
 * @throws {RangeError} when `batchSize` or `minBatchSize` is not a whole number ≥ 1, or
 *   `premake` not one from 0 to 1,000.
 */
export function resolveRetentionSettings(overrides: RetentionOverrides = {}): RetentionSettings {
  const given = { ...retentionDefaults, ...definedOnly(overrides) };
  wholeNumber('batchSize', given.batchSize);
  wholeNumber('minBatchSize', given.minBatchSize);
  if (!Number.isInteger(given.premake) || given.premake < 0 || given.premake > maxPremake) {
    throw new RangeError(
      `premake must be a whole number from 0 to ${maxPremake}, got ${given.premake}`,
    );
  }
  wholeNumber('maxReplicaLagSeconds', given.maxReplicaLagSeconds, 0);
  wholeNumber('replicaLagCheckIntervalMs', given.replicaLagCheckIntervalMs, 0);
  return {
    batchSize: given.batchSize,
    minBatchSize: Math.min(given.minBatchSize, given.batchSize),
    strategy: given.strategy,
    partitionRemoval: given.partitionRemoval,
    premake: given.premake,
    ...(given.columnTimeZone === undefined ? {} : { columnTimeZone: given.columnTimeZone }),
    ...(given.columnTimeZoneVariable === undefined
      ? {}
      : { columnTimeZoneVariable: given.columnTimeZoneVariable }),
    limits: given.limits,
    countLimits: given.countLimits,
    partitionLimits: given.partitionLimits,
    indexWalkLimitMs: given.indexWalkLimitMs ?? given.limits.statementTimeoutMs,
    maxPagesPerBatch: given.maxPagesPerBatch,
    progressIntervalMs: given.progressIntervalMs,
    maxReplicaLagSeconds: given.maxReplicaLagSeconds,
    ...(given.maxReplicaLagSecondsVariable === undefined
      ? {}
      : { maxReplicaLagSecondsVariable: given.maxReplicaLagSecondsVariable }),
    replicaLagCheckIntervalMs: given.replicaLagCheckIntervalMs,
  };
}

/** The variable names of a job's retention settings, for messages. */
export function retentionVariables(prefix: string) {
  return {
    batchSize: `${prefix}_BATCH_SIZE`,
    strategy: `${prefix}_STRATEGY`,
    columnTimeZone: `${prefix}_COLUMN_TIME_ZONE`,
    partitionRemoval: `${prefix}_PARTITIONS`,
    premake: `${prefix}_PREMAKE`,
    maxReplicaLagSeconds: `${prefix}_MAX_REPLICA_LAG_SECONDS`,
  } as const;
}

/**
 * Reads and validates a job's retention settings from variables named `<PREFIX>_...`, and
 * resolves them with `overrides` (e.g. a test's limits). A variable that is set wins; one that
 * is not falls back to the override, then to the default.
 *
 * @throws {ConfigError} naming the variable at fault.
 */
export function readRetentionSettings(
  env: Env,
  prefix: string,
  overrides: RetentionOverrides = {},
): RetentionSettings {
  const names = retentionVariables(prefix);
  const columnTimeZone = readTimeZone(env, names.columnTimeZone);
  const { batchSize, strategy, partitionRemoval, premake, maxReplicaLagSeconds } = {
    ...retentionDefaults,
    ...definedOnly(overrides),
  };
  return resolveRetentionSettings({
    ...overrides,
    batchSize: readInteger(env, names.batchSize, { min: 100, max: 100_000, default: batchSize }),
    strategy: readChoice<StrategySetting>(env, names.strategy, strategySettings, strategy),
    partitionRemoval: readChoice<PartitionRemoval>(
      env,
      names.partitionRemoval,
      ['drop', 'detach'],
      partitionRemoval,
    ),
    premake: readInteger(env, names.premake, { min: 0, max: maxPremake, default: premake }),
    columnTimeZoneVariable: names.columnTimeZone,
    ...(columnTimeZone ? { columnTimeZone } : {}),
    maxReplicaLagSeconds: readInteger(env, names.maxReplicaLagSeconds, {
      min: 0,
      max: 86_400,
      default: maxReplicaLagSeconds,
    }),
    maxReplicaLagSecondsVariable: names.maxReplicaLagSeconds,
  });
}

function wholeNumber(name: string, value: number, min = 1): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be a whole number ≥ ${min}, got ${value}`);
  }
}

/** `overrides` without the keys set to `undefined`, which would hide a default. */
function definedOnly(overrides: RetentionOverrides): RetentionOverrides {
  return Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  ) as RetentionOverrides;
}
