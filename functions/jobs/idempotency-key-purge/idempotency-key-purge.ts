import type { ExpiringTable, RetentionHooks } from '../../retention/batched-delete.js';
import { purgeExpired } from '../../retention/purge-expired.js';
import type { RetentionResult } from '../../retention/result.js';
import type { RetentionOverrides } from '../../retention/settings.js';
import type { JobDefinition } from '../../runner/types.js';
import { type IdempotencyKeyPurgeConfig, readIdempotencyKeyPurgeConfig } from './config.js';

/** The rows the purge deletes: idempotency keys, by expiry. */
export const idempotencyKeysByExpiry: ExpiringTable = {
  table: 'idempotency_keys',
  column: 'expires_at',
};

/**
 * What a purge run did: the `result` of its `job finished` line. Its `cutoff` is the
 * database's clock at the start.
 */
export interface IdempotencyKeyPurgeResult extends RetentionResult {
  readonly [key: string]: unknown;
}

/**
 * The idempotency-key purge: deletes `idempotency_keys` rows with `expires_at < now()`,
 * `now()` read once per run from the database, in batches (see `deleteInBatches`).
 *
 * @param overrides - retention settings the environment does not set (tests, benches)
 * @param hooks - called after each committed batch (tests, benches)
 */
export function createIdempotencyKeyPurge(
  overrides: RetentionOverrides = {},
  hooks: Pick<RetentionHooks, 'onBatch'> = {},
): JobDefinition<IdempotencyKeyPurgeConfig, IdempotencyKeyPurgeResult> {
  return {
    readConfig: (env) => readIdempotencyKeyPurgeConfig(env, overrides),
    async run(ctx, { config, db }) {
      const cutoff = { days: 0 };
      return {
        ...(await purgeExpired(ctx, db, idempotencyKeysByExpiry, cutoff, config.retention, hooks)),
      };
    },
  };
}

/** The purge with production settings. */
export const idempotencyKeyPurge = createIdempotencyKeyPurge();
