/**
 * The BRIN path: a heap sweep limited to the pages that hold expired rows, found through the
 * column's BRIN index.
 *
 * 1. One statement finds them: a bitmap scan of the BRIN index reads the block ranges that may
 *    hold rows before the cutoff (as one plain `DELETE` would), and returns the stretches of
 *    pages that do, with their rows (pages less than {@link mergeGap} apart are one stretch:
 *    reading a few pages with no expired row costs less than another statement). Only the
 *    stretches travel to Node, at most {@link maxStretches} of them.
 * 2. The stretches are swept in tuple-id ranges as the heap path sweeps the whole table (range
 *    sizes, locked rows, refused rows, statement timeouts: heap-sweep.ts).
 * 3. The final check counts the expired rows left through the same BRIN index (a bitmap scan,
 *    not a sequential scan of the table), and deletes what it finds, as the heap path does: a
 *    row that another session moved to a page outside the stretches (an update) is found there.
 *
 * A table in time order skips step 1, whose cost grows with the expired rows (it reads them
 * all, as the sweep does again) and whose window functions are planned on every run: from the
 * first expired page (one row, through the BRIN index), the sweep goes on until the expired rows
 * end (see `PageStretch.expectedPages`), as the planner's estimate places them. Expired rows
 * beyond a gap are found by the final check; more than a batch of them, and step 1 runs then,
 * for them alone.
 *
 * Why not one "jump" per batch (`ORDER BY ctid LIMIT 1` from a page on): a bitmap scan yields
 * rows in page order, but the planner does not know it and sorts every expired row from that
 * page on, so each jump would read every candidate range after it, and a backlog would be read
 * once per batch. The stretches read them once.
 */
import { escapeLiteral } from 'pg';
import { inOneRoundTrip } from '../db/transaction.js';
import type { BatchRunner } from './batch-runner.js';
import {
  checkScans,
  type PageStretch,
  type SweepEstimate,
  type SweepTable,
  sweepPages,
} from './heap-sweep.js';
import type { PathOutcome } from './result.js';
import type { CommonStatements, SweepStatements } from './statements.js';
import type { TableProfile } from './table-profile.js';

/** Pages with expired rows at most this far apart are swept as one stretch. */
export const mergeGap = 32;

/**
 * Stretches returned at most: past that (expired rows scattered over the table, which a BRIN
 * index does not narrow), the last one reaches the end of the table, and the sweep reads it all.
 */
export const maxStretches = 1_000;

/**
 * From this correlation of the column with the heap's order, a table is in time order: swept
 * from its first expired page on, without finding the stretches first.
 */
export const timeOrdered = 0.9;

/** Whether to sweep from the first expired page on: a table in time order. */
export function sweepsFromFirstPage(table: Pick<TableProfile, 'correlation'>): boolean {
  return (table.correlation ?? 0) >= timeOrdered;
}

/** Where `table`'s expired rows are: the first page holding one, by a bitmap scan. → `page`. */
export function firstExpiredPageQuery(
  table: TableProfile,
  cutoff: { value: string; cast: string },
) {
  return `SELECT (ctid::text::point)[0]::int8 AS page FROM ${table.quotedTable}
     WHERE ${table.quotedColumn} < ${escapeLiteral(cutoff.value)}::${cutoff.cast} LIMIT 1`;
}

/**
 * The stretches of pages that hold expired rows, by a bitmap scan of the BRIN index: a simple
 * query (the cutoff inlined) to send with `BEGIN`. → `first`, `end` (exclusive), `rows`.
 */
export function expiredStretchesQuery(
  table: TableProfile,
  cutoff: { value: string; cast: string },
) {
  const expired = `${table.quotedColumn} < ${escapeLiteral(cutoff.value)}::${cutoff.cast}`;
  return `SELECT min(page) AS first, max(page) + 1 AS "end", sum(n)::int8 AS rows
      FROM (SELECT page, n, sum(starts) OVER (ORDER BY page) AS stretch
              FROM (SELECT page, n,
                           CASE WHEN page - lag(page) OVER (ORDER BY page) <= ${mergeGap} THEN 0 ELSE 1 END AS starts
                      FROM (SELECT (ctid::text::point)[0]::int8 AS page, count(*) AS n
                              FROM ${table.quotedTable} WHERE ${expired} GROUP BY 1) AS pages) AS marked) AS numbered
     GROUP BY stretch ORDER BY first LIMIT ${maxStretches + 1}`;
}

/**
 * Deletes the expired rows of the pages the BRIN index points to, then checks through it that
 * none is left.
 *
 * @throws {BatchFailedError} when a batch fails.
 */
export async function runBrinSweep(
  runner: BatchRunner,
  statements: SweepStatements & CommonStatements,
  table: TableProfile,
  sweepTable: SweepTable,
  estimate: SweepEstimate,
): Promise<PathOutcome> {
  if (runner.signal?.aborted) return { finished: false, lockedRows: 0 };
  const find = () => expiredStretches(runner, table);
  if (!sweepsFromFirstPage(table)) {
    return sweepPages(runner, statements, await find(), sweepTable, 'bitmap');
  }
  const first = await firstExpiredPage(runner, table);
  const rowsPerPage = Math.max(1, table.estimatedRows / Math.max(1, table.pages));
  const stretches: PageStretch[] =
    first === undefined
      ? []
      : [
          {
            first,
            end: Math.max(first + 1, table.pages),
            rows: estimate.estimatedRows,
            expectedPages: Math.ceil(estimate.estimatedRows / rowsPerPage),
          },
        ];
  return sweepPages(runner, statements, stretches, sweepTable, 'bitmap', find);
}

/** The first page holding an expired row (none: `undefined`), in one round trip. */
async function firstExpiredPage(
  runner: BatchRunner,
  table: TableProfile,
): Promise<number | undefined> {
  const [answer] = await inOneRoundTrip(
    runner.db,
    runner.countLimits,
    firstExpiredPageQuery(table, runner.cutoff),
    checkScans.bitmap,
  );
  const page = (answer?.rows[0] as { page: string } | undefined)?.page;
  return page === undefined ? undefined : Number(page);
}

/** The stretches of pages that hold expired rows (see {@link expiredStretchesQuery}). */
async function expiredStretches(runner: BatchRunner, table: TableProfile): Promise<PageStretch[]> {
  // One round trip: the query alone, its own implicit transaction.
  const [answer] = await inOneRoundTrip(
    runner.db,
    runner.countLimits,
    expiredStretchesQuery(table, runner.cutoff),
    checkScans.bitmap,
  );
  const found = (answer?.rows ?? []) as { first: string; end: string; rows: string }[];
  const stretches: PageStretch[] = found.map((row) => ({
    first: Number(row.first),
    end: Number(row.end),
    rows: Number(row.rows),
  }));
  const last = stretches[maxStretches];
  if (last) {
    // Too scattered to list: from there on, every page (added pages hold newer rows).
    stretches.splice(maxStretches, 1, {
      first: last.first,
      end: Math.max(last.end, table.pages),
      rows: last.rows,
    });
  }
  return stretches;
}
