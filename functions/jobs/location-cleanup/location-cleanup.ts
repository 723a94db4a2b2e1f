import { databaseTime } from '../../db/database-time.js';
import type { ExpiringTable } from '../../retention/batched-delete.js';
import {
  type PurgeOptions,
  type PurgeSummary,
  purgeExpired,
} from '../../retention/purge-expired.js';
import type { JobDefinition } from '../../runner/types.js';
import {
  type LocationCleanupConfig,
  locationCleanupPrefix,
  readLocationCleanupConfig,
} from './config.js';

/** The rows the cleanup deletes: location fixes, by the time they were stored. */
export const locationsByAge: ExpiringTable = { table: 'locations', column: 'created_at' };

/** What a cleanup run did: the `result` of its `job finished` line. */
export interface LocationCleanupResult extends PurgeSummary {
  /** Fixes stored before this instant (the database's clock at the start, minus the retention) went. */
  readonly cutoff: string;
  /** The retention the run used, in days. */
  readonly retentionDays: number;
  readonly [key: string]: unknown;
}

/**
 * The location retention cleanup: deletes `locations` rows with
 * `created_at < now() - retentionDays × 24 h`, `now()` read once per run from the database,
 * in batches (see `deleteInBatches`).
 */
export function createLocationCleanup(
  options: PurgeOptions = {},
): JobDefinition<LocationCleanupConfig, LocationCleanupResult> {
  return {
    readConfig: readLocationCleanupConfig,
    async run(ctx, { config, db }) {
      const cutoff = await databaseTime(db, config.retentionDays);
      const summary = await purgeExpired(
        ctx,
        db,
        locationsByAge,
        { cutoff, config, prefix: locationCleanupPrefix },
        options,
      );
      return { ...summary, cutoff, retentionDays: config.retentionDays };
    },
  };
}

/** The cleanup with production settings. */
export const locationCleanup = createLocationCleanup();
