import { type Env, readChoice, readInteger, readTimeZone } from '../config/env.js';
import type { PartitionRemoval, StrategySetting } from './batched-delete.js';

/**
 * The default most seconds a standby may lag before batches pause: above the 30 s that a
 * healthy standby's replay may hold back for its own queries (`max_standby_streaming_delay`),
 * plus the 10 s between its reports, so that only a standby falling behind the deletes pauses
 * them. See docs/retention.md.
 */
export const defaultMaxReplicaLagSeconds = 60;

/** The settings every batched purge job has, read from variables named `<PREFIX>_...`. */
export interface PurgeConfig {
  /**
   * The most rows one batch deletes: `<PREFIX>_BATCH_SIZE`, 100 to 100,000.
   * @default 10_000
   */
  readonly batchSize: number;
  /**
   * `<PREFIX>_STRATEGY`: `auto` chooses keyset batches on the index or a sweep of the heap
   * from the table's statistics, each run; `index` or `heap` forces one.
   * @default 'auto'
   */
  readonly strategy: StrategySetting;
  /**
   * `<PREFIX>_COLUMN_TIME_ZONE`: for a `timestamp without time zone` column, the IANA zone its
   * values are written in. Without it, such a column is refused.
   * @default - none
   */
  readonly columnTimeZone?: string;
  /**
   * `<PREFIX>_PARTITIONS`: on a table range-partitioned by the column, whether partitions
   * wholly before the cutoff are dropped (`drop`) or detached and kept (`detach`).
   * @default 'drop'
   */
  readonly partitionRemoval: PartitionRemoval;
  /**
   * `<PREFIX>_MAX_REPLICA_LAG_SECONDS`: no new batch starts while a physical standby's
   * `replay_lag` is more than this many seconds (`0`: never pause), 0 to 86,400.
   * @default 60
   */
  readonly maxReplicaLagSeconds: number;
}

/** The variable names of a purge's settings, for messages. */
export function purgeVariables(prefix: string) {
  return {
    batchSize: `${prefix}_BATCH_SIZE`,
    strategy: `${prefix}_STRATEGY`,
    columnTimeZone: `${prefix}_COLUMN_TIME_ZONE`,
    partitionRemoval: `${prefix}_PARTITIONS`,
    maxReplicaLagSeconds: `${prefix}_MAX_REPLICA_LAG_SECONDS`,
  } as const;
}

/**
 * Reads and validates a purge's settings.
 *
 * @throws {ConfigError} naming the variable at fault.
 */
export function readPurgeConfig(env: Env, prefix: string): PurgeConfig {
  const names = purgeVariables(prefix);
  const columnTimeZone = readTimeZone(env, names.columnTimeZone);
  return {
    batchSize: readInteger(env, names.batchSize, { min: 100, max: 100_000, default: 10_000 }),
    strategy: readChoice(env, names.strategy, ['auto', 'index', 'heap'], 'auto'),
    partitionRemoval: readChoice(env, names.partitionRemoval, ['drop', 'detach'], 'drop'),
    maxReplicaLagSeconds: readInteger(env, names.maxReplicaLagSeconds, {
      min: 0,
      max: 86_400,
      default: defaultMaxReplicaLagSeconds,
    }),
    ...(columnTimeZone ? { columnTimeZone } : {}),
  };
}
