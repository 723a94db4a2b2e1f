/**
 * What every "delete the expired rows of a table" job does with its context: count them
 * (dry run) or delete them in batches, log progress on long runs and the total at the end,
 * measure the oldest row left (oldest-row.ts), and report the `RowsDeleted`, `RowsRefused`,
 * `OldestRowOverdue` and `OldestRowAge` metrics. On a table range-partitioned by its column, the
 * coming partitions are made first and the DEFAULT partition's rows counted after
 * (partition-upkeep.ts, the `DefaultPartitionRows` metric).
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ClientBase } from 'pg';
import { outsideTransactionLimits } from '../db/bounded-client.js';
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
import { oldestRowLeft } from './oldest-row.js';
import { type PartitionUpkeep, partitionUpkeep, withUpkeep } from './partition-upkeep.js';
import { ReplicaLagGate } from './replica-lag-gate.js';
import type { RetentionSettings } from './settings.js';
import { inspectTable, inspectTableAtCutoff } from './table-profile.js';

/** Rows older than this many days (× 24 hours) on the database's clock, read at the start. */
export interface RetentionAge {
  readonly days: number;
}

/**
 * Deletes the rows of `target` older than `cutoff` in batches (or, in a dry run, counts them),
 * as `settings` say, stopping between batches when `ctx.signal` aborts.
 *
 * The table is checked once, first (table-profile.ts), and its profile serves the whole run: a
 * plain table sends no partition-layout query, and the oldest row left is measured without a
 * second check. With a {@link RetentionAge}, the cutoff is read from the database's clock in
 * the same round trip as that check.
 *
 * @param cutoff - rows with a timestamp strictly before this go (ISO 8601, microseconds kept),
 *   or an age, the cutoff then read from the database's clock (the result says which it was)
 * @param hooks - `onBatch` is called after each committed batch, and awaited before the next
 * @throws {BatchFailedError} when a batch fails; the rows deleted by the batches before it
 *   (and those of the partitions removed whole before it) are still reported in the
 *   `RowsDeleted` metric.
 */
export async function purgeExpired(
  ctx: JobContext,
  db: ClientBase,
  target: ExpiringTable,
  age: string | RetentionAge,
  settings: RetentionSettings,
  hooks: Pick<RetentionHooks, 'onBatch'> = {},
): Promise<RetentionResult> {
  const { table, cutoff } =
    typeof age === 'string'
      ? { table: await inspectTable(db, target, settings), cutoff: age }
      : await inspectTableAtCutoff(db, target, settings, age.days, outsideTransactionLimits);
  const fields = { table: target.table, cutoff };
  // Only a partitioned table has a layout to read (and partitions to make ahead).
  const upkeep: PartitionUpkeep =
    table.kind === 'partitioned'
      ? await partitionUpkeep(db, target, settings, {
          dryRun: ctx.dryRun,
          signal: ctx.signal,
          onNotice: logNotice(ctx),
        })
      : { watch: async () => undefined };
  const watched = async (result: RetentionResult) =>
    withUpkeep(result, upkeep.premake, reportDefault(ctx, await upkeep.watch(cutoff)));
  const measureOldest = (noneExpiredLeft = false) =>
    oldestRowLeft(ctx, db, target, cutoff, settings, noneExpiredLeft, table);
  if (ctx.dryRun) {
    const counted = await watched(await countOlderThan(db, target, cutoff, settings, table));
    const measured = { ...counted, oldestRow: await measureOldest(counted.wouldDelete === 0) };
    const { deleted, batches, complete, dryRun, ...found } = measured;
    ctx.logger.info(JobLog.DryRunCount, { table: target.table, ...found });
    return measured;
  }

  const gate = replicaLagGate(ctx, db, settings);
  const reportProgress = progressReporter(ctx, fields, settings, hooks);
  let result: RetentionResult;
  try {
    result = await deleteInBatches(
      db,
      target,
      cutoff,
      settings,
      {
        signal: ctx.signal,
        onBatch: async (progress) => {
          await reportProgress(progress);
          await gate?.betweenBatches();
        },
        onNotice: logNotice(ctx),
      },
      table,
    );
  } catch (error) {
    if (error instanceof BatchFailedError) {
      reportDeleted(ctx, error.progress.deleted + (error.progress.partitionRows ?? 0));
      // The rows the failed batch (and every later one) left count against the promise too,
      // and so do those waiting in the DEFAULT partition.
      await measureOldest();
      reportDefault(ctx, await upkeep.watch(cutoff));
    }
    throw error;
  }
  result = await watched(result);
  if (gate) {
    result = {
      ...result,
      replicaWaitMs: gate.waitedMs,
      ...(gate.stoppedReason ? { stoppedReason: gate.stoppedReason } : {}),
    };
  }
  reportDeleted(ctx, result.deleted);
  ctx.metrics.add(runMetrics.rowsRefused, MetricUnit.Count, result.refusedRows ?? 0);
  const measured = { ...result, oldestRow: await measureOldest(result.complete) };
  const { complete, dryRun, columnCutoff, ...done } = measured;
  ctx.logger.info(finishedMessage(measured), { table: target.table, ...done });
  return measured;
}

/** The run's pause for lagging standbys, unless `maxReplicaLagSeconds` is 0. */
function replicaLagGate(
  ctx: JobContext,
  db: ClientBase,
  settings: RetentionSettings,
): ReplicaLagGate | undefined {
  if (settings.maxReplicaLagSeconds === 0) return undefined;
  return new ReplicaLagGate({
    db,
    clock: ctx.clock,
    signal: ctx.signal,
    maxLagSeconds: settings.maxReplicaLagSeconds,
    variable: settings.maxReplicaLagSecondsVariable ?? 'maxReplicaLagSeconds',
    limits: settings.limits,
    checkIntervalMs: settings.replicaLagCheckIntervalMs,
    onNotice: logNotice(ctx),
  });
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
