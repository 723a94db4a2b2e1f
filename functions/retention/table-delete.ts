/**
 * One table's (or one partition's) expired rows, by the path its statistics call for, with
 * the fall-back to the heap when a long-held snapshot makes the index walk too slow; the rows
 * that a foreign key or a trigger refused to let go are counted and said at the end.
 */
import { inOneRoundTrip } from '../db/transaction.js';
import { JobLog } from '../log-messages.js';
import { type BatchRunner, batchFailed, countOf, type Notice } from './batch-runner.js';
import { runBrinSweep } from './brin-sweep.js';
import { runHeapSweep, type SweepTable } from './heap-sweep.js';
import { IndexWalkTooSlowError, keysetBatchRows, runKeysetBatches } from './keyset-batches.js';
import { createIndexFor, onDeleteAction, refusalCode, refusingKeys } from './referencing-keys.js';
import { recordRefused } from './refused-rows.js';
import type { PathOutcome } from './result.js';
import { describeSnapshotHolders } from './snapshot-holders.js';
import { type ExpiryStatements, expiryStatements, keysetBatchLead } from './statements.js';
import { chooseStrategy, type StrategyChoice } from './strategy.js';
import type { TableProfile } from './table-profile.js';

export type { Notice } from './batch-runner.js';

/** One table's expired rows, by the path its statistics call for. */
export async function deleteFromTable(
  runner: BatchRunner,
  table: TableProfile,
): Promise<{ choice: StrategyChoice; outcome: PathOutcome }> {
  const statements = expiryStatements(table, runner.cutoff);
  if (!table.index && !table.compositeIndex && !table.brinIndex)
    warnNoIndex(table, runner.onNotice);
  warnUnindexedKeys(runner, table, runner.onNotice);
  const refusedBefore = runner.tally.refused.length;
  const done = await deleteByPath(runner, table, statements);
  if (done.outcome.finished) await countReferenced(runner, table, statements);
  for (const group of runner.tally.refused.slice(refusedBefore)) {
    runner.onNotice?.(JobLog.RowsRefused, {
      ...group,
      advice: group.code.startsWith('23')
        ? 'rows that other rows still reference stay until those go (or the key says ON DELETE CASCADE or SET NULL)'
        : 'the database (a trigger or constraint of the backend) refuses to delete them; they stay until it lets them go',
    });
  }
  return done;
}

async function deleteByPath(
  runner: BatchRunner,
  table: TableProfile,
  statements: ExpiryStatements,
): Promise<{ choice: StrategyChoice; outcome: PathOutcome }> {
  const { db } = runner;
  const sweepTable: SweepTable = {
    quotedTable: table.quotedTable,
    table: table.name,
    keys: table.references,
    lockRows: table.rights.lockRows,
  };
  const choice =
    table.kind === 'partitioned'
      ? throughParent(table)
      : await chooseStrategy(db, table, statements, runner.cutoff.value, runner.strategy);
  if (choice.betterIndex) warnBetterIndex(runner, table, choice);
  if (choice.path === 'brin') {
    return { choice, outcome: await runBrinSweep(runner, statements, table, sweepTable, choice) };
  }
  if (choice.path === 'heap') {
    return {
      choice,
      outcome: await runHeapSweep(runner, statements, choice, table.pages, sweepTable),
    };
  }
  try {
    const batches = { ...runner, batchSize: keysetBatchRows(runner, choice) };
    const outcome = await runKeysetBatches(batches, statements, {
      batchLead: (range) => keysetBatchLead(table, runner.cutoff, range),
      table: {
        quotedTable: table.quotedTable,
        name: table.name,
        references: table.references,
        lockRows: table.rights.lockRows,
        partitioned: table.kind === 'partitioned',
      },
    });
    return { choice, outcome };
  } catch (error) {
    if (!(error instanceof IndexWalkTooSlowError)) throw error;
    // No heap to sweep through the parent: the partitions' heaps are their own.
    if (table.kind === 'partitioned') throw batchFailed(runner, error);
    const holders = await describeSnapshotHolders(db, table.oid);
    const reason =
      `walking the ${table.index ?? table.compositeIndex?.name} index to the first expired row took longer than ${error.limitMs} ms ` +
      '(entries of deleted rows that a long-held snapshot keeps from being cleaned up): sweeping the heap instead, which does not read the index';
    runner.onNotice?.(JobLog.IndexWalkTooSlow, {
      table: table.name,
      index: table.index ?? table.compositeIndex?.name,
      limitMs: error.limitMs,
      deadRows: holders.deadRows,
      oldestSnapshot: holders.oldest,
      reason,
    });
    const heap = { ...choice, path: 'heap' as const, reason };
    return {
      choice: heap,
      outcome: await runHeapSweep(runner, statements, heap, table.pages, sweepTable),
    };
  }
}

/**
 * Counts the expired rows left because a foreign key references them (left out of every
 * batch up front), under the first key that does: one statement at the end of the table, only
 * when such a key exists.
 */
async function countReferenced(
  runner: BatchRunner,
  table: TableProfile,
  statements: ExpiryStatements,
): Promise<void> {
  const query = statements.countReferenced;
  if (!query) return;
  const keys = refusingKeys(table.references);
  // The count alone: one round trip, its own implicit transaction.
  const [answer] = await inOneRoundTrip(runner.db, runner.countLimits, query);
  const rows = (answer?.rows ?? []) as { key: number; count: string }[];
  for (const row of rows) {
    const key = keys[row.key];
    if (!key) continue;
    recordRefused(runner.tally, {
      table: table.name,
      reason: key.name,
      code: refusalCode(key),
      rows: countOf([row]),
      notIsolated: 0,
    });
  }
}

/**
 * A partitioned table whose partitions the role may not all reach directly: keyset batches on
 * the parent's (partitioned) index, which PostgreSQL prunes to the partitions holding each
 * batch's range. Never a heap sweep: a tuple-id range means nothing across partitions.
 */
function throughParent(table: TableProfile): StrategyChoice {
  const index = table.index ?? table.compositeIndex?.name;
  return {
    path: 'index',
    reason: `through the parent ${table.name}: keyset batches on its index${index ? ` ${index}` : ' (none: each batch sorts the expired rows)'}`,
    estimatedRows: 0,
    tablePages: 0,
    correlation: null,
    indexPagesPerRow: 1,
  };
}

function warnNoIndex(table: TableProfile, notice: Notice | undefined): void {
  notice?.(JobLog.NoIndex, {
    table: table.name,
    column: table.column,
    consequence: 'no keyset batches: each run sweeps the whole table',
    createIndex: `CREATE INDEX CONCURRENTLY ON ${table.quotedTable} (${table.quotedColumn})`,
  });
}

/**
 * Warns, once a run for each table, that another index would make the run cheaper than those the
 * table has (a BRIN index on a heap not in time order; a composite b-tree without skip scan).
 */
function warnBetterIndex(runner: BatchRunner, table: TableProfile, choice: StrategyChoice): void {
  const advice = choice.betterIndex;
  const once = `better index ${table.quotedTable}`;
  if (!advice || runner.tally.warned.has(once)) return;
  runner.tally.warned.add(once);
  runner.onNotice?.(JobLog.BetterIndex, {
    table: table.name,
    column: table.column,
    path: choice.path,
    reason: advice.reason,
    createIndex: advice.index,
  });
}

/**
 * Warns, once a run for each, about a foreign key that references the table and that no index
 * on the referencing table leads with: every deleted row scans the referencing table for its
 * referencing rows (to cascade, set null or check), which makes batches slow.
 */
function warnUnindexedKeys(
  runner: BatchRunner,
  table: TableProfile,
  notice: Notice | undefined,
): void {
  for (const key of table.references) {
    if (key.indexed) continue;
    const once = `unindexed ${key.quotedTable} (${key.referencing.join(', ')})`;
    if (runner.tally.warned.has(once)) continue;
    runner.tally.warned.add(once);
    notice?.(JobLog.ForeignKeyUnindexed, {
      table: table.name,
      constraint: key.name,
      referencingTable: key.table,
      columns: key.referencing.join(', '),
      onDelete: onDeleteAction(key),
      consequence: `each deleted row of ${table.name} scans ${key.table} for the rows that reference it`,
      createIndex: createIndexFor(key),
    });
  }
}
