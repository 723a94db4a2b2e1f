import type { Env } from '../../config/env.js';
import {
  type RetentionOverrides,
  type RetentionSettings,
  readRetentionSettings,
} from '../../retention/settings.js';

/** The settings of the idempotency-key purge, from the environment. */
export interface IdempotencyKeyPurgeConfig {
  /** How the purge deletes: `IDEMPOTENCY_KEY_PURGE_BATCH_SIZE`, `..._STRATEGY`, ... */
  readonly retention: RetentionSettings;
}

/** The prefix of the purge's settings: `IDEMPOTENCY_KEY_PURGE_BATCH_SIZE`, ... */
export const idempotencyKeyPurgePrefix = 'IDEMPOTENCY_KEY_PURGE';

/**
 * Reads and validates the purge's settings, and resolves them with `overrides` (tuning the
 * environment does not set).
 *
 * @throws {ConfigError} naming the variable when its value is empty, out of range or unknown.
 */
export function readIdempotencyKeyPurgeConfig(
  env: Env,
  overrides: RetentionOverrides = {},
): IdempotencyKeyPurgeConfig {
  return { retention: readRetentionSettings(env, idempotencyKeyPurgePrefix, overrides) };
}
