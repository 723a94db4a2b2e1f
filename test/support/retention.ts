/**
 * A retention run in a test: the settings it overrides and the hooks it passes, in one object,
 * resolved as a job's `readConfig` resolves them.
 */
import type { ClientBase } from 'pg';
import {
  deleteInBatches,
  type ExpiringTable,
  type RetentionHooks,
  type RetentionResult,
} from '../../functions/retention/batched-delete.js';
import {
  type RetentionOverrides,
  resolveRetentionSettings,
} from '../../functions/retention/settings.js';

/** Settings a test overrides, and the hooks it passes. */
export type RetentionTestOptions = RetentionOverrides & RetentionHooks;

/**
 * `deleteInBatches` with `options` resolved (an invalid setting rejects, as a run would).
 */
export async function deleteExpired(
  db: ClientBase,
  target: ExpiringTable,
  cutoff: string,
  options: RetentionTestOptions = {},
): Promise<RetentionResult> {
  return deleteInBatches(db, target, cutoff, resolveRetentionSettings(options), options);
}
