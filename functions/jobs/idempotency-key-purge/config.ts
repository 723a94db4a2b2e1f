import { type Env, readInteger } from '../../config/env.js';

/** The settings of the idempotency-key purge, from the environment. */
export interface IdempotencyKeyPurgeConfig {
  /**
   * The most rows one batch deletes: `IDEMPOTENCY_KEY_PURGE_BATCH_SIZE`, 100 to 100,000.
   * @default 10_000
   */
  readonly batchSize: number;
}

/**
 * Reads and validates the purge's settings.
 *
 * @throws {ConfigError} naming the variable when its value is empty, not a whole number or
 *   out of range.
 */
export function readIdempotencyKeyPurgeConfig(env: Env): IdempotencyKeyPurgeConfig {
  return {
    batchSize: readInteger(env, 'IDEMPOTENCY_KEY_PURGE_BATCH_SIZE', {
      min: 100,
      max: 100_000,
      default: 10_000,
    }),
  };
}
