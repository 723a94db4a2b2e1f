/**
 * Which way a batched delete goes, decided per run from what PostgreSQL knows: how many rows
 * one plain `DELETE` would remove (its plan's estimate), how the column's order matches the
 * heap's (`pg_stats.correlation`), and the table's size.
 *
 * - **index**: keyset batches on the column's index. Each batch visits the pages of its own
 *   rows; on a table stored in time order those are a few consecutive pages, on a mixed table
 *   about one page per row. Best for a small slice (the hourly run) or an ordered heap.
 * - **heap**: a sweep of the heap in tuple-id ranges. Each page is read once, whatever the
 *   order. Best when the index path would visit more pages than the table has (a large backlog
 *   on a mixed table), or when there is no index.
 */
import type { ClientBase } from 'pg';
import type { ExpiryStatements } from './statements.js';
import type { TableProfile } from './table-profile.js';

/** A way of deleting: keyset batches on the index, or tuple-id ranges of the heap. */
export type DeletePath = 'index' | 'heap';

/** How to choose: from the statistics, or always one path. */
export type StrategySetting = 'auto' | DeletePath;

/** The path chosen for a table, and why (the `strategy` of a run's result). */
export interface StrategyChoice {
  /** The path taken. */
  readonly path: DeletePath;
  /** Why, in one sentence for people. */
  readonly reason: string;
  /** The planner's estimate of the expired rows. */
  readonly estimatedRows: number;
  /** The table's size in pages. */
  readonly tablePages: number;
  /** `pg_stats.correlation` of the column, when analyzed. */
  readonly correlation: number | null;
  /**
   * Heap pages a keyset batch visits per row, estimated from the correlation: about
   * 1 ÷ rows-per-page in time order, 1 in no order (or with no statistics).
   */
  readonly indexPagesPerRow: number;
}

interface Stats {
  readonly reltuples: number;
  readonly correlation: number | null;
  readonly pages: number;
}

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Plan Rows': number;
  readonly Plans?: readonly PlanNode[];
}

/** Chooses the path for `table`; `setting` forces one (`index` needs an index). */
export async function chooseStrategy(
  db: ClientBase,
  table: TableProfile,
  statements: ExpiryStatements,
  cutoff: string,
  setting: StrategySetting,
): Promise<StrategyChoice> {
  const scan = await plannedScan(db, statements, cutoff);
  const estimatedRows = Math.round(scan['Plan Rows']);
  const base = { estimatedRows, tablePages: table.pages, correlation: null, indexPagesPerRow: 1 };
  if (!table.index) {
    return {
      ...base,
      path: 'heap',
      reason: `no b-tree index leads with ${table.column}: sweeping the heap, each page once`,
    };
  }
  const analyzed = table.estimatedRows >= 0 && table.pages > 0;
  const stats: Stats = {
    reltuples: table.estimatedRows,
    pages: table.pages,
    correlation: analyzed ? table.correlation : null,
  };
  const choice = {
    ...base,
    correlation: stats.correlation,
    indexPagesPerRow: indexPathPages(1, stats),
  };
  if (setting !== 'auto') {
    return { ...choice, path: setting, reason: `the strategy setting says ${setting}` };
  }
  const plan = `one DELETE would use a ${scan['Node Type']}`;
  if (!analyzed) {
    const path = scan['Node Type'].includes('Seq Scan') ? 'heap' : 'index';
    return { ...choice, path, reason: `the table has no statistics yet; ${plan}` };
  }
  const fromIndex = indexPathPages(estimatedRows, stats);
  const estimate =
    stats.correlation === null
      ? `about ${round(estimatedRows)} expired rows`
      : `about ${round(estimatedRows)} expired rows, correlation ${stats.correlation.toFixed(2)}`;
  return fromIndex > stats.pages
    ? {
        ...choice,
        path: 'heap',
        reason: `${estimate}: index batches would visit about ${round(fromIndex)} pages, more than the table's ${round(stats.pages)}; ${plan}`,
      }
    : {
        ...choice,
        path: 'index',
        reason: `${estimate}: index batches visit about ${round(fromIndex)} of the table's ${round(stats.pages)} pages; ${plan}`,
      };
}

/**
 * Pages that keyset batches visit for `rows` rows: rows in heap order share pages (rows ÷
 * rows-per-page), rows in no order cost a page each; `correlation²` weighs the two.
 */
function indexPathPages(rows: number, stats: Stats): number {
  const ordered = (stats.correlation ?? 0) ** 2;
  const rowsPerPage = Math.max(1, stats.reltuples / Math.max(1, stats.pages));
  return rows * (1 - ordered) + (rows / rowsPerPage) * ordered;
}

/** The scan under the plan's top node (the `Delete`), e.g. `Seq Scan`, `Index Scan`. */
async function plannedScan(
  db: ClientBase,
  statements: ExpiryStatements,
  cutoff: string,
): Promise<PlanNode> {
  const { rows } = await db.query<{ 'QUERY PLAN': readonly { Plan: PlanNode }[] }>(
    statements.explainDelete,
    [cutoff],
  );
  const top = rows[0]?.['QUERY PLAN'][0]?.Plan;
  const scan = top?.Plans?.[0] ?? top;
  if (!scan) throw new Error('EXPLAIN returned no plan');
  return scan;
}

function round(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
