import { databaseTime } from '../../db/database-time.js';
import type { ExpiringTable } from '../../retention/batched-delete.js';
import {
  type PurgeOptions,
  type PurgeSummary,
  purgeExpired,
} from '../../retention/purge-expired.js';
import type { JobDefinition } from '../../runner/types.js';
import {
  type IdempotencyKeyPurgeConfig,
  idempotencyKeyPurgePrefix,
  readIdempotencyKeyPurgeConfig,
} from './config.js';

/** The rows the purge deletes: idempotency keys, by expiry. */
export const idempotencyKeysByExpiry: ExpiringTable = {
  table: 'idempotency_keys',
  column: 'expires_at',
};

/** What a purge run did: the `result` of its `job finished` line. */
export interface IdempotencyKeyPurgeResult extends PurgeSummary {
  /** Keys that expired before this instant (the database's clock at the start) went. */
  readonly cutoff: string;
  readonly [key: string]: unknown;
}

/**
 * The idempotency-key purge: deletes `idempotency_keys` rows with `expires_at < now()`,
 * `now()` read once per run from the database, in batches (see `deleteInBatches`).
 */
export function createIdempotencyKeyPurge(
  options: PurgeOptions = {},
): JobDefinition<IdempotencyKeyPurgeConfig, IdempotencyKeyPurgeResult> {
  return {
    readConfig: readIdempotencyKeyPurgeConfig,
    async run(ctx, { config, db }) {
      const cutoff = await databaseTime(db);
      const summary = await purgeExpired(
        ctx,
        db,
        idempotencyKeysByExpiry,
        { cutoff, config, prefix: idempotencyKeyPurgePrefix },
        options,
      );
      return { ...summary, cutoff };
    },
  };
}

/** The purge with production settings. */
export const idempotencyKeyPurge = createIdempotencyKeyPurge();
