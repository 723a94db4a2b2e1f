/**
 * What every "delete the expired rows of a table" job does with its context: count them
 * (dry run) or delete them in batches, log progress on long runs and the total at the end,
 * and report the `RowsDeleted` and `RowsRefused` metrics.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ClientBase } from 'pg';
import type { TransactionLimits } from '../db/transaction.js';
import { JobLog, type LogMessage } from '../log-messages.js';
import { runMetrics } from '../runner/metric-names.js';
import type { JobContext } from '../runner/types.js';
import {
  type BatchedDeleteResult,
  BatchFailedError,
  type BatchProgress,
  countOlderThan,
  type DeletePath,
  defaultBatchLimits,
  deleteInBatches,
  type ExpiringTable,
  type Notice,
  type RefusedRows,
} from './batched-delete.js';
import { type PurgeConfig, purgeVariables } from './purge-config.js';

/** Tuning of a purge; the defaults suit production. */
export interface PurgeOptions {
  /**
   * `statement_timeout` and `lock_timeout` of each batch. (A dry run's count has its own,
   * `defaultCountLimits`.)
   * @default defaultBatchLimits (5 s and 1 s)
   */
  readonly limits?: TransactionLimits;
  /**
   * Limits of a count that reads the whole table (a dry run, a heap sweep's final check).
   * @default defaultCountLimits (60 s and 1 s)
   */
  readonly countLimits?: TransactionLimits;
  /**
   * `statement_timeout` of the run's first walk of the index (see `deleteInBatches`).
   * @default - the batch's statement timeout
   */
  readonly indexWalkLimitMs?: number;
  /**
   * The most heap pages one batch visits (see `deleteInBatches`).
   * @default defaultMaxPagesPerBatch (4,096: 32 MiB)
   */
  readonly maxPagesPerBatch?: number;
  /**
   * The fewest rows statement timeouts cut a batch down to (see `deleteInBatches`).
   * @default defaultMinBatchSize (10)
   */
  readonly minBatchSize?: number;
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
  /**
   * `false` when the deadline or a shutdown stopped it, or expired rows were left (locked by
   * other sessions, or refused by the database); the next run goes on.
   */
  readonly complete: boolean;
  /** Whether this was a dry run, which deletes nothing. */
  readonly dryRun: boolean;
  /** Dry runs only: rows older than the cutoff, which a real run would delete. */
  readonly wouldDelete?: number;
  /**
   * The path taken (real runs): keyset batches on the `index`, a sweep of the `heap`, or
   * `partitions` for a partitioned table.
   */
  readonly strategy?: DeletePath | 'partitions';
  /** Why that path (real runs). */
  readonly strategyReason?: string;
  /** Expired rows left because other sessions had them locked (real runs); the next run retries. */
  readonly lockedRows?: number;
  /**
   * Expired rows left because the database refuses to delete them (real runs): a foreign key
   * that restricts, a trigger that raises. Every run tries them again.
   */
  readonly refusedRows?: number;
  /** Those rows by table and reason (real runs, when there are any). */
  readonly refused?: readonly RefusedRows[];
  /** The batch size statement timeouts cut batches down to (real runs, when they did). */
  readonly settledBatchSize?: number;
  /** For a `timestamp` column: the wall-clock cutoff in the column's declared zone. */
  readonly columnCutoff?: string;
  /** Partitioned tables: the partitions dropped whole (real runs with `drop`). */
  readonly partitionsDropped?: readonly string[];
  /** Partitioned tables: the partitions detached and kept (real runs with `detach`). */
  readonly partitionsDetached?: readonly string[];
  /** Partitioned tables, dry runs: the partitions a real run would remove whole. */
  readonly partitionsToRemove?: readonly string[];
  /** Partitioned tables: rows in the partitions removed (or to remove), part of `deleted`. */
  readonly partitionRows?: number;
  /** Where `partitionRows` come from: the statistics (`reltuples`) or a count. */
  readonly partitionRowsCountedBy?: string;
  /** Partitioned tables: expired partitions left for the next run (their lock was busy). */
  readonly partitionsLeft?: readonly { readonly name: string; readonly reason: string }[];
}

/** What to purge: the per-run values of a job. */
export interface PurgeSettings {
  /** Rows with a timestamp strictly before this go (ISO 8601, microseconds kept). */
  readonly cutoff: string;
  /** The job's purge settings (batch size, strategy, the column's zone). */
  readonly config: PurgeConfig;
  /** The prefix of the job's variables (e.g. `LOCATION_CLEANUP`), named in errors. */
  readonly prefix: string;
}

/**
 * Deletes the rows of `target` older than `settings.cutoff` in batches (or, in a dry run,
 * counts them), stopping between batches when `ctx.signal` aborts.
 *
 * @throws {BatchFailedError} when a batch fails; the rows deleted by the batches before it
 *   (and those of the partitions removed whole before it) are still reported in the
 *   `RowsDeleted` metric.
 */
export async function purgeExpired(
  ctx: JobContext,
  db: ClientBase,
  target: ExpiringTable,
  settings: PurgeSettings,
  options: PurgeOptions = {},
): Promise<PurgeSummary> {
  const fields = { table: target.table, cutoff: settings.cutoff };
  const { config } = settings;
  const table: ExpiringTable = {
    ...target,
    columnTimeZoneVariable: purgeVariables(settings.prefix).columnTimeZone,
    ...(config.columnTimeZone ? { columnTimeZone: config.columnTimeZone } : {}),
  };
  if (ctx.dryRun) {
    const counted = await countOlderThan(
      db,
      table,
      settings.cutoff,
      options.countLimits,
      config.partitionRemoval,
    );
    const wouldDelete = counted.count;
    ctx.logger.info(JobLog.DryRunCount, { ...fields, ...counted, wouldDelete });
    return {
      deleted: 0,
      batches: 0,
      complete: true,
      dryRun: true,
      wouldDelete,
      ...(counted.columnCutoff ? { columnCutoff: counted.columnCutoff } : {}),
      ...(counted.partitionsToRemove
        ? {
            partitionsToRemove: counted.partitionsToRemove,
            partitionRows: counted.rowsInPartitionsToRemove ?? 0,
            partitionRowsCountedBy: 'statistics, or a count where never analyzed',
          }
        : {}),
    };
  }

  let result: BatchedDeleteResult;
  try {
    result = await deleteInBatches(db, table, {
      cutoff: settings.cutoff,
      batchSize: config.batchSize,
      strategy: config.strategy,
      partitionRemoval: config.partitionRemoval,
      signal: ctx.signal,
      limits: options.limits ?? defaultBatchLimits,
      ...(options.countLimits ? { countLimits: options.countLimits } : {}),
      ...(options.indexWalkLimitMs ? { indexWalkLimitMs: options.indexWalkLimitMs } : {}),
      ...(options.maxPagesPerBatch ? { maxPagesPerBatch: options.maxPagesPerBatch } : {}),
      ...(options.minBatchSize ? { minBatchSize: options.minBatchSize } : {}),
      onBatch: progressReporter(ctx, fields, options),
      onNotice: logNotice(ctx),
    });
  } catch (error) {
    if (error instanceof BatchFailedError) {
      reportDeleted(ctx, error.progress.deleted + (error.progress.partitionRows ?? 0));
    }
    throw error;
  }
  const { deleted, batches, complete, strategy, strategyReason, lockedRows, refusedRows } = result;
  reportDeleted(ctx, deleted);
  ctx.metrics.add(runMetrics.rowsRefused, MetricUnit.Count, refusedRows);
  const left = {
    lockedRows,
    refusedRows,
    ...(result.refused.length > 0 ? { refused: result.refused } : {}),
    ...(result.settledBatchSize === undefined ? {} : { settledBatchSize: result.settledBatchSize }),
  };
  ctx.logger.info(finishedMessage(result), {
    ...fields,
    deleted,
    batches,
    strategy,
    strategyReason,
    ...left,
    ...partitionFields(result.partitions),
  });
  return {
    deleted,
    batches,
    complete,
    dryRun: false,
    strategy,
    strategyReason,
    ...left,
    ...(result.columnCutoff ? { columnCutoff: result.columnCutoff } : {}),
    ...partitionFields(result.partitions),
  };
}

function partitionFields(partitions: BatchedDeleteResult['partitions']): Partial<PurgeSummary> {
  if (!partitions || partitions.notByPartition) return {};
  return {
    [partitions.removal === 'drop' ? 'partitionsDropped' : 'partitionsDetached']:
      partitions.removed,
    partitionRows: partitions.removedRows,
    partitionRowsCountedBy: partitions.removedRowsCountedBy,
    ...(partitions.left.length > 0 ? { partitionsLeft: partitions.left } : {}),
  };
}

/** Notices go to the run's log: warnings at WARN, the rest at INFO. */
function logNotice(ctx: JobContext): Notice {
  return (message, details, level = 'warn') => {
    if (level === 'info') ctx.logger.info(message, { ...details });
    else ctx.logger.warn(message, { ...details });
  };
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
    ctx.logger.info(JobLog.DeletingExpiredRows, {
      ...fields,
      deleted: progress.deleted,
      batches: progress.batches,
    });
  };
}

function finishedMessage(result: BatchedDeleteResult): LogMessage {
  if (result.complete) return JobLog.ExpiredRowsDeleted;
  if (result.refusedRows > 0) return JobLog.RefusedRowsLeft;
  return result.lockedRows > 0 ? JobLog.LockedRowsLeft : JobLog.StoppedEarly;
}

function reportDeleted(ctx: JobContext, deleted: number): void {
  ctx.metrics.add(runMetrics.rowsDeleted, MetricUnit.Count, deleted);
}
