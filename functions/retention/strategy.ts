/**
 * Which way a batched delete goes, decided per run from what PostgreSQL knows: how many rows
 * one plain `DELETE` would remove (its plan's estimate), how the column's order matches the
 * heap's (`pg_stats.correlation`), and the table's size.
 *
 * - **index**: keyset batches on the column's index. Each batch visits the pages of its own
 *   rows; on a table stored in time order those are a few consecutive pages, on a mixed table
 *   about one page per row. Best for a small slice (the hourly run) or an ordered heap.
 *   The index is a b-tree that leads with the column or, without one, a b-tree that has it as a
 *   later key (`(device_id, created_at)`): batches then walk it in its first column's order.
 * - **brin**: a sweep of only the pages that a BRIN index on the column points to (see
 *   brin-sweep.ts), when one plain `DELETE` would read the table through it (a heap in time
 *   order). Without a b-tree, the BRIN index is used as the plain `DELETE` would use it.
 * - **heap**: a sweep of the heap in tuple-id ranges. Each page is read once, whatever the
 *   order. Best when the index path would visit more pages than the table has (a large backlog
 *   on a mixed table), or when no index can find the expired rows (a BRIN index on a heap not in
 *   time order, whose every block range may hold some).
 */
import type { ClientBase } from 'pg';
import { sweepsFromFirstPage } from './brin-sweep.js';
import type { ExpiryStatements } from './statements.js';
import type { TableProfile } from './table-profile.js';

/**
 * A way of deleting: keyset batches on a b-tree `index`, a sweep of the pages a `brin` index
 * points to, or tuple-id ranges of the whole `heap`.
 */
export type DeletePath = 'index' | 'brin' | 'heap';

/** How to choose: from the statistics, or always one path (when the table has its index). */
export type StrategySetting = 'auto' | DeletePath;

/** The paths a strategy setting may name (the `<PREFIX>_STRATEGY` variable's values). */
export const strategySettings: readonly StrategySetting[] = ['auto', 'index', 'brin', 'heap'];

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
  /**
   * An index that would make the run cheaper than the ones the table has, and why.
   * @default - none: the table's indexes serve
   */
  readonly betterIndex?: { readonly index: string; readonly reason: string };
}

interface Stats {
  readonly reltuples: number;
  readonly correlation: number | null;
  readonly pages: number;
}

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Plan Rows': number;
  readonly 'Index Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

/**
 * Chooses the path for `table`; `setting` forces one when the table has what it needs (`index`
 * a b-tree with the column, `brin` a BRIN index on it), else the choice is made as for `auto`.
 */
export async function chooseStrategy(
  db: ClientBase,
  table: TableProfile,
  statements: ExpiryStatements,
  cutoff: string,
  setting: StrategySetting,
): Promise<StrategyChoice> {
  const scan = await plannedScan(db, statements, cutoff);
  const estimatedRows = Math.round(scan['Plan Rows']);
  const analyzed = table.estimatedRows >= 0 && table.pages > 0;
  const stats: Stats = {
    reltuples: table.estimatedRows,
    pages: table.pages,
    correlation: analyzed ? table.correlation : null,
  };
  const base = {
    estimatedRows,
    tablePages: table.pages,
    correlation: stats.correlation,
    indexPagesPerRow: indexPathPages(1, stats),
  };
  const btree = table.index ?? table.compositeIndex?.name;
  const brin = table.brinIndex?.name;
  const unavailable =
    setting === 'index' && !btree
      ? `the strategy setting says index, but no b-tree index has ${table.column}; `
      : setting === 'brin' && !brin
        ? `the strategy setting says brin, but no BRIN index has ${table.column}; `
        : '';
  if (setting === 'heap' || (setting === 'index' && btree) || (setting === 'brin' && brin)) {
    return { ...base, path: setting, reason: `the strategy setting says ${setting}` };
  }
  const usedIndex = indexUsed(scan);
  const plan = `one DELETE would use a ${scan['Node Type']}${usedIndex ? ` on ${usedIndex}` : ''}`;
  const estimate =
    stats.correlation === null
      ? `about ${round(estimatedRows)} expired rows`
      : `about ${round(estimatedRows)} expired rows, correlation ${stats.correlation.toFixed(2)}`;
  const choose = (path: DeletePath, why: string, more: Partial<StrategyChoice> = {}) => ({
    ...base,
    ...more,
    path,
    reason: `${unavailable}${why}`,
  });
  if (table.brinIndex && brin && !table.index && (!table.compositeIndex || usedIndex === brin)) {
    // The BRIN path reads the pages it points to three times (to find the expired rows, to
    // delete them, to check; a table in time order twice, swept from its first expired page),
    // the heap path every page twice (to delete, to check).
    const fromBrin = analyzed
      ? brinPathPages(estimatedRows, stats, table.brinIndex.pagesPerRange)
      : 0;
    const fromFirstPage = sweepsFromFirstPage(table);
    const narrows = analyzed
      ? (fromFirstPage ? 2 : 3) * fromBrin < 2 * stats.pages
      : usedIndex === brin;
    if (narrows) {
      const sweep = fromFirstPage
        ? `sweeping the pages the BRIN index ${brin} points to from the first expired one until they end`
        : `sweeping only the pages the BRIN index ${brin} points to`;
      return choose(
        'brin',
        `${estimate}: ${sweep}${analyzed ? ` (about ${round(fromBrin)} of ${round(stats.pages)})` : ''}, then checking through it; ${plan}`,
      );
    }
    return choose(
      'heap',
      `${estimate}: the BRIN index ${brin} would not narrow the sweep${analyzed ? ` (its block ranges that may hold expired rows cover about ${round(fromBrin)} of the table's ${round(stats.pages)} pages)` : ''}: sweeping the heap, each page once; ${plan}`,
      {
        betterIndex: {
          index: `CREATE INDEX CONCURRENTLY ON ${table.quotedTable} (${table.quotedColumn})`,
          reason:
            stats.correlation === null
              ? `the table has no statistics yet, and one DELETE would not use the BRIN index ${brin}`
              : `the heap is not in ${table.column} order (correlation ${stats.correlation.toFixed(2)}), so nearly every block range of the BRIN index ${brin} may hold expired rows and a run reads the whole table; a b-tree index reads only the expired rows`,
        },
      },
    );
  }
  if (!btree) {
    return choose(
      'heap',
      `no index on ${table.column} can find the expired rows: sweeping the heap, each page once`,
    );
  }
  const composite = table.index ? undefined : table.compositeIndex;
  const walk = composite && !table.skipScan ? composite.pages : 0;
  const advice =
    composite && !table.skipScan
      ? {
          betterIndex: {
            index: `CREATE INDEX CONCURRENTLY ON ${table.quotedTable} (${table.quotedColumn})`,
            reason: `without b-tree skip scan (PostgreSQL 18), keyset batches on ${composite.name} (${composite.columns}) read every entry of the index, about ${round(composite.pages)} pages each run, whatever the rows to delete; an index that leads with ${table.column} reads only the expired ones`,
          },
        }
      : {};
  const on = composite
    ? `keyset batches on ${composite.name} (${composite.columns}) in ${composite.quotedKey} order, ${table.column} as an index condition`
    : 'index batches';
  if (!analyzed) {
    const path = scan['Node Type'].includes('Seq Scan') ? 'heap' : 'index';
    return choose(path, `the table has no statistics yet; ${plan}`, advice);
  }
  const fromIndex = indexPathPages(estimatedRows, stats) + walk;
  return fromIndex > stats.pages
    ? choose(
        'heap',
        `${estimate}: ${on} would visit about ${round(fromIndex)} pages, more than the table's ${round(stats.pages)}; ${plan}`,
      )
    : choose(
        'index',
        `${estimate}: ${on} visit about ${round(fromIndex)} of the table's ${round(stats.pages)} pages; ${plan}`,
        advice,
      );
}

/**
 * Pages of the block ranges a BRIN index finds for `rows` expired rows: rows in heap order fill
 * pages of their own (rows ÷ rows-per-page); each row in no order lies in a block range of its
 * own (`pagesPerRange` pages); `correlation²` weighs the two. Whole block ranges, at most the
 * table.
 */
function brinPathPages(rows: number, stats: Stats, pagesPerRange: number): number {
  const ordered = (stats.correlation ?? 0) ** 2;
  const rowsPerPage = Math.max(1, stats.reltuples / Math.max(1, stats.pages));
  const scattered = rows * (1 - ordered) * pagesPerRange;
  const inOrder = Math.ceil(((rows / rowsPerPage) * ordered) / pagesPerRange) * pagesPerRange;
  return Math.min(stats.pages, scattered + inOrder);
}

/** The index the plan's scan reads (a Bitmap Heap Scan's under its Bitmap Index Scan). */
function indexUsed(node: PlanNode): string | undefined {
  if (node['Index Name']) return node['Index Name'];
  for (const child of node.Plans ?? []) {
    const found = indexUsed(child);
    if (found) return found;
  }
  return undefined;
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
