import { type Env, readChoice, readInteger, readTimeZone } from '../config/env.js';
import type { PartitionRemoval, StrategySetting } from './batched-delete.js';

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
}

/** The variable names of a purge's settings, for messages. */
export function purgeVariables(prefix: string) {
  return {
    batchSize: `${prefix}_BATCH_SIZE`,
    strategy: `${prefix}_STRATEGY`,
    columnTimeZone: `${prefix}_COLUMN_TIME_ZONE`,
    partitionRemoval: `${prefix}_PARTITIONS`,
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
    ...(columnTimeZone ? { columnTimeZone } : {}),
  };
}
