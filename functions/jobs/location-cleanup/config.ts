import { type Env, readInteger } from '../../config/env.js';
import {
  type RetentionOverrides,
  type RetentionSettings,
  readRetentionSettings,
} from '../../retention/settings.js';

/** The settings of the location cleanup, from the environment. */
export interface LocationCleanupConfig {
  /**
   * Fixes older than this many days (× 24 hours) go: `LOCATION_RETENTION_DAYS`, or the
   * backend's own `PM__LIMITS__LOCATION_RETENTION_DAYS`; a whole number from 1 to 3650.
   * @default 30
   */
  readonly retentionDays: number;
  /** How the cleanup deletes: `LOCATION_CLEANUP_BATCH_SIZE`, `..._STRATEGY`, ... */
  readonly retention: RetentionSettings;
}

/** The prefix of the cleanup's retention settings: `LOCATION_CLEANUP_BATCH_SIZE`, ... */
export const locationCleanupPrefix = 'LOCATION_CLEANUP';

/** The variables holding the retention, the backend's own name last. */
export const retentionDaysVariables = [
  'LOCATION_RETENTION_DAYS',
  'PM__LIMITS__LOCATION_RETENTION_DAYS',
] as const;

/**
 * Reads and validates the cleanup's settings, and resolves its retention settings with
 * `overrides` (tuning the environment does not set).
 *
 * @throws {ConfigError} naming the variable: a value that is empty, not a whole number or
 *   out of range, or both retention variables set to different values.
 */
export function readLocationCleanupConfig(
  env: Env,
  overrides: RetentionOverrides = {},
): LocationCleanupConfig {
  return {
    retentionDays: readInteger(env, retentionDaysVariables, { min: 1, max: 3650, default: 30 }),
    retention: readRetentionSettings(env, locationCleanupPrefix, overrides),
  };
}
