/**
 * One table's (or one partition's) expired rows, by the path its statistics call for, with
 * the fall-back to the heap when a long-held snapshot makes the index walk too slow.
 */
import { JobLog, type LogMessage } from '../log-messages.js';
import type { BatchRunner } from './batch-runner.js';
import { runHeapSweep } from './heap-sweep.js';
import {
  IndexWalkTooSlowError,
  keysetBatchRows,
  type PathOutcome,
  runKeysetBatches,
} from './keyset-batches.js';
import { describeSnapshotHolders } from './snapshot-holders.js';
import { expiryStatements, keysetBatchLead } from './statements.js';
import { chooseStrategy, type StrategyChoice, type StrategySetting } from './strategy.js';
import type { TableProfile } from './table-profile.js';

/** Something a run should tell people; `warn` when it slows a run or leaves rows behind. */
export type Notice = (
  message: LogMessage,
  fields: Readonly<Record<string, unknown>>,
  level?: 'info' | 'warn',
) => void;

/** What {@link deleteFromTable} takes from the run's options. */
export interface TableDeleteOptions {
  readonly strategy?: StrategySetting;
  readonly indexWalkLimitMs?: number;
  readonly onNotice?: Notice;
}

/** One table's expired rows, by the path its statistics call for. */
export async function deleteFromTable(
  runner: BatchRunner,
  table: TableProfile,
  options: TableDeleteOptions,
): Promise<{ choice: StrategyChoice; outcome: PathOutcome }> {
  const { db } = runner;
  const statements = expiryStatements(table, runner.cutoff);
  if (!table.index) warnNoIndex(table, options.onNotice);
  const choice = await chooseStrategy(
    db,
    table,
    statements,
    runner.cutoff.value,
    options.strategy ?? 'auto',
  );
  if (choice.path === 'heap') {
    return { choice, outcome: await runHeapSweep(runner, statements, choice, table.pages) };
  }
  try {
    const walk = options.indexWalkLimitMs;
    const batches = { ...runner, batchSize: keysetBatchRows(runner, choice) };
    const outcome = await runKeysetBatches(batches, statements, {
      ...(walk === undefined ? {} : { indexWalkLimitMs: walk }),
      batchLead: (range) => keysetBatchLead(table, runner.cutoff, range),
    });
    return { choice, outcome };
  } catch (error) {
    if (!(error instanceof IndexWalkTooSlowError)) throw error;
    const holders = await describeSnapshotHolders(db, table.oid);
    const reason =
      `walking the ${table.index} index to the first expired row took longer than ${error.limitMs} ms ` +
      '(entries of deleted rows that a long-held snapshot keeps from being cleaned up): sweeping the heap instead, which does not read the index';
    options.onNotice?.(JobLog.IndexWalkTooSlow, {
      table: table.name,
      index: table.index,
      limitMs: error.limitMs,
      deadRows: holders.deadRows,
      oldestSnapshot: holders.oldest,
      reason,
    });
    const heap = { ...choice, path: 'heap' as const, reason };
    return { choice: heap, outcome: await runHeapSweep(runner, statements, heap, table.pages) };
  }
}

function warnNoIndex(table: TableProfile, notice: Notice | undefined): void {
  notice?.(JobLog.NoIndex, {
    table: table.name,
    column: table.column,
    consequence: 'no keyset batches: each run sweeps the whole table',
    createIndex: `CREATE INDEX CONCURRENTLY ON ${table.quotedTable} (${table.quotedColumn})`,
  });
}
