import type { Env } from '../../config/env.js';
import { type PurgeConfig, readPurgeConfig } from '../../retention/settings.js';

/** The settings of the idempotency-key purge, from the environment. */
export type IdempotencyKeyPurgeConfig = PurgeConfig;

/** The prefix of the purge's settings: `IDEMPOTENCY_KEY_PURGE_BATCH_SIZE`, ... */
export const idempotencyKeyPurgePrefix = 'IDEMPOTENCY_KEY_PURGE';

/**
 * Reads and validates the purge's settings.
 *
 * @throws {ConfigError} naming the variable when its value is empty, out of range or unknown.
 */
export function readIdempotencyKeyPurgeConfig(env: Env): IdempotencyKeyPurgeConfig {
  return readPurgeConfig(env, idempotencyKeyPurgePrefix);
}
