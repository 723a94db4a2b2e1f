/**
 * What every "delete the expired rows of a table" job does with its context: count them
 * (dry run) or delete them in batches, log progress on long runs and the total at the end,
 * and report the `RowsDeleted` metric.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ClientBase } from 'pg';
import { runMetrics } from '../runner/metric-names.js';
import type { JobContext } from '../runner/types.js';
import {
  type BatchedDeleteResult,
  BatchFailedError,
  type BatchProgress,
  countOlderThan,
  defaultBatchLimits,
  deleteInBatches,
  type ExpiringTable,
} from './batched-delete.js';
import type { TransactionLimits } from './transaction.js';

/** Tuning of a purge; the defaults suit production. */
export interface PurgeOptions {
  /**
   * `statement_timeout` and `lock_timeout` of each batch. (A dry run's count has its own,
   * `defaultCountLimits`.)
   * @default defaultBatchLimits (5 s and 1 s)
   */
  readonly limits?: TransactionLimits;
  /**
   * A progress line is logged after a batch when at least this long has passed since the
   * start or the previous progress line (on the run's clock).
   * @default 10_000
   */
  readonly progressIntervalMs?: number;
  /**
   * Called after each committed batch and awaited before the next one starts.
   * @default - nothing is called
   */
  readonly onBatch?: (progress: BatchProgress) => void | Promise<void>;
}

/** What one purge run did: part of its job's result. */
export interface PurgeSummary {
  /** Rows deleted (0 in a dry run). */
  readonly deleted: number;
  /** Batches committed (0 in a dry run). */
  readonly batches: number;
  /** `false` when the deadline or a shutdown stopped it; the next run goes on. */
  readonly complete: boolean;
  /** Whether this was a dry run, which deletes nothing. */
  readonly dryRun: boolean;
  /** Dry runs only: rows older than the cutoff, which a real run would delete. */
  readonly wouldDelete?: number;
}

/** What to purge: the per-run values of a job. */
export interface PurgeSettings {
  /** Rows with a timestamp strictly before this go (ISO 8601, microseconds kept). */
  readonly cutoff: string;
  /** The most rows one batch deletes. */
  readonly batchSize: number;
}

/**
 * Deletes the rows of `target` older than `settings.cutoff` in batches (or, in a dry run,
 * counts them), stopping between batches when `ctx.signal` aborts.
 *
 * @throws {BatchFailedError} when a batch fails; the rows deleted by the batches before it
 *   are still reported in the `RowsDeleted` metric.
 */
export async function purgeExpired(
  ctx: JobContext,
  db: ClientBase,
  target: ExpiringTable,
  settings: PurgeSettings,
  options: PurgeOptions = {},
): Promise<PurgeSummary> {
  const fields = { table: target.table, cutoff: settings.cutoff };
  if (ctx.dryRun) {
    const wouldDelete = await countOlderThan(db, target, settings.cutoff);
    ctx.logger.info('dry run: rows that would be deleted', { ...fields, wouldDelete });
    return { deleted: 0, batches: 0, complete: true, dryRun: true, wouldDelete };
  }

  let result: BatchedDeleteResult;
  try {
    result = await deleteInBatches(db, target, {
      ...settings,
      signal: ctx.signal,
      limits: options.limits ?? defaultBatchLimits,
      onBatch: progressReporter(ctx, fields, options),
    });
  } catch (error) {
    if (error instanceof BatchFailedError) reportDeleted(ctx, error.progress.deleted);
    throw error;
  }
  const { deleted, batches, complete } = result;
  reportDeleted(ctx, deleted);
  ctx.logger.info(complete ? 'expired rows deleted' : 'expired rows deleted, stopped early', {
    ...fields,
    deleted,
    batches,
  });
  return { deleted, batches, complete, dryRun: false };
}

/** Calls `options.onBatch`, then logs a progress line if the last one is old enough. */
function progressReporter(
  ctx: JobContext,
  fields: Readonly<Record<string, unknown>>,
  options: PurgeOptions,
): (progress: BatchProgress) => Promise<void> {
  const intervalMs = options.progressIntervalMs ?? 10_000;
  let lastReport = ctx.clock.now();
  return async (progress) => {
    await options.onBatch?.(progress);
    if (ctx.clock.now() - lastReport < intervalMs) return;
    lastReport = ctx.clock.now();
    ctx.logger.info('deleting expired rows', {
      ...fields,
      deleted: progress.deleted,
      batches: progress.batches,
    });
  };
}

function reportDeleted(ctx: JobContext, deleted: number): void {
  ctx.metrics.add(runMetrics.rowsDeleted, MetricUnit.Count, deleted);
}
