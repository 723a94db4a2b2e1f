/**
 * What every "delete the expired rows of a table" job does with its context: count them
 * (dry run) or delete them in batches, log progress on long runs and the total at the end,
 * and report the `RowsDeleted` and `RowsRefused` metrics. On a table range-partitioned by its
 * column, the coming partitions are made first and the DEFAULT partition's rows counted after
 * (partition-upkeep.ts, the `DefaultPartitionRows` metric).
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ClientBase } from 'pg';
import { JobLog, type LogMessage } from '../log-messages.js';
import { runMetrics } from '../runner/metric-names.js';
import type { JobContext } from '../runner/types.js';
import {
  BatchFailedError,
  type BatchProgress,
  countOlderThan,
  deleteInBatches,
  type ExpiringTable,
  type Notice,
  type RetentionHooks,
  type RetentionResult,
} from './batched-delete.js';
import type { DefaultPartitionRows } from './default-partition-watch.js';
import { partitionUpkeep, withUpkeep } from './partition-upkeep.js';
import type { RetentionSettings } from './settings.js';

/**
 * Deletes the rows of `target` older than `cutoff` in batches (or, in a dry run, counts them),
 * as `settings` say, stopping between batches when `ctx.signal` aborts.
 *
 * @param cutoff - rows with a timestamp strictly before this go (ISO 8601, microseconds kept)
 * @param hooks - `onBatch` is called after each committed batch, and awaited before the next
 * @throws {BatchFailedError} when a batch fails; the rows deleted by the batches before it
 *   (and those of the partitions removed whole before it) are still reported in the
 *   `RowsDeleted` metric.
 */
export async function purgeExpired(
  ctx: JobContext,
  db: ClientBase,
  target: ExpiringTable,
  cutoff: string,
  settings: RetentionSettings,
  hooks: Pick<RetentionHooks, 'onBatch'> = {},
): Promise<RetentionResult> {
  const fields = { table: target.table, cutoff };
  const upkeep = await partitionUpkeep(db, target, settings, {
    dryRun: ctx.dryRun,
    signal: ctx.signal,
    onNotice: logNotice(ctx),
  });
  const watched = async (result: RetentionResult) =>
    withUpkeep(result, upkeep.premake, reportDefault(ctx, await upkeep.watch(cutoff)));
  if (ctx.dryRun) {
    const counted = await watched(await countOlderThan(db, target, cutoff, settings));
    const { deleted, batches, complete, dryRun, ...found } = counted;
    ctx.logger.info(JobLog.DryRunCount, { table: target.table, ...found });
    return counted;
  }

  let deletedResult: RetentionResult;
  try {
    deletedResult = await deleteInBatches(db, target, cutoff, settings, {
      signal: ctx.signal,
      onBatch: progressReporter(ctx, fields, settings, hooks),
      onNotice: logNotice(ctx),
    });
  } catch (error) {
    if (error instanceof BatchFailedError) {
      reportDeleted(ctx, error.progress.deleted + (error.progress.partitionRows ?? 0));
      reportDefault(ctx, await upkeep.watch(cutoff));
    }
    throw error;
  }
  const result = await watched(deletedResult);
  reportDeleted(ctx, result.deleted);
  ctx.metrics.add(runMetrics.rowsRefused, MetricUnit.Count, result.refusedRows ?? 0);
  const { complete, dryRun, columnCutoff, ...done } = result;
  ctx.logger.info(finishedMessage(result), { table: target.table, ...done });
  return result;
}

/** The `DefaultPartitionRows` metric, when the DEFAULT partition was counted. */
function reportDefault(ctx: JobContext, rows: DefaultPartitionRows | undefined) {
  if (typeof rows?.rows === 'number') {
    ctx.metrics.add(runMetrics.defaultPartitionRows, MetricUnit.Count, rows.rows);
  }
  return rows;
}

/** Notices go to the run's log: warnings at WARN, the rest at INFO. */
function logNotice(ctx: JobContext): Notice {
  return (message, details, level = 'warn') => {
    if (level === 'info') ctx.logger.info(message, { ...details });
    else ctx.logger.warn(message, { ...details });
  };
}

/** Calls `hooks.onBatch`, then logs a progress line if the last one is old enough. */
function progressReporter(
  ctx: JobContext,
  fields: Readonly<Record<string, unknown>>,
  settings: Pick<RetentionSettings, 'progressIntervalMs'>,
  hooks: Pick<RetentionHooks, 'onBatch'>,
): (progress: BatchProgress) => Promise<void> {
  let lastReport = ctx.clock.now();
  return async (progress) => {
    await hooks.onBatch?.(progress);
    if (ctx.clock.now() - lastReport < settings.progressIntervalMs) return;
    lastReport = ctx.clock.now();
    ctx.logger.info(JobLog.DeletingExpiredRows, {
      ...fields,
      deleted: progress.deleted,
      batches: progress.batches,
    });
  };
}

function finishedMessage(result: RetentionResult): LogMessage {
  if (result.complete) return JobLog.ExpiredRowsDeleted;
  if ((result.refusedRows ?? 0) > 0) return JobLog.RefusedRowsLeft;
  return (result.lockedRows ?? 0) > 0 ? JobLog.LockedRowsLeft : JobLog.StoppedEarly;
}

function reportDeleted(ctx: JobContext, deleted: number): void {
  ctx.metrics.add(runMetrics.rowsDeleted, MetricUnit.Count, deleted);
}
