import type { ExpiringTable, RetentionHooks } from '../../retention/batched-delete.js';
import { purgeExpired } from '../../retention/purge-expired.js';
import type { RetentionResult } from '../../retention/result.js';
import type { RetentionOverrides } from '../../retention/settings.js';
import type { JobDefinition } from '../../runner/types.js';
import { type LocationCleanupConfig, readLocationCleanupConfig } from './config.js';

/** The rows the cleanup deletes: location fixes, by the time they were stored. */
export const locationsByAge: ExpiringTable = { table: 'locations', column: 'created_at' };

/**
 * What a cleanup run did: the `result` of its `job finished` line. Its `cutoff` is the
 * database's clock at the start, minus the retention.
 */
export interface LocationCleanupResult extends RetentionResult {
  /** The retention the run used, in days. */
  readonly retentionDays: number;
  readonly [key: string]: unknown;
}

/**
 * The location retention cleanup: deletes `locations` rows with
 * `created_at < now() - retentionDays × 24 h`, `now()` read once per run from the database,
 * in batches (see `deleteInBatches`).
 *
 * @param overrides - retention settings the environment does not set (tests, benches)
 * @param hooks - called after each committed batch (tests, benches)
 */
export function createLocationCleanup(
  overrides: RetentionOverrides = {},
  hooks: Pick<RetentionHooks, 'onBatch'> = {},
): JobDefinition<LocationCleanupConfig, LocationCleanupResult> {
  return {
    readConfig: (env) => readLocationCleanupConfig(env, overrides),
    async run(ctx, { config, db }) {
      // The cutoff is read from the database's clock with the table's check, in one round trip.
      const age = { days: config.retentionDays };
      const result = await purgeExpired(ctx, db, locationsByAge, age, config.retention, hooks);
      return { ...result, retentionDays: config.retentionDays };
    },
  };
}

/** The cleanup with production settings. */
export const locationCleanup = createLocationCleanup();
