/**
 * The heap path: batches that sweep the table's pages in tuple-id ranges
 * (`ctid >= '(p,0)' AND ctid < '(p+k,0)'`, a TID Range Scan), deleting the expired rows of
 * each range. Each page is read once, whatever order the rows are stored in, and no index is
 * needed.
 *
 * A range covers as many pages as should hold about `batchSize` expired rows, from the
 * planner's estimate at first and then from what the previous batches found, and at most
 * `maxPagesPerBatch` pages. A batch that waits too long for a row lock is rolled back and
 * run again around the locked rows.
 *
 * A row that another session updates during the sweep may move to a page the sweep has
 * passed. So the sweep ends with a check that sees every row at once: one count of the
 * expired rows (a sequential scan, one snapshot). Rows it finds are deleted (locked ones
 * left), and counted again, until none is left or only locked ones are.
 *
 * A range that passes its statement timeout is run again with half as many pages (or fewer),
 * and the later ranges aim at half as many rows, each capped with a `LIMIT`, down to the run's
 * floor; a single page at the floor that still times out fails the run. A range the database refuses
 * some rows of is narrowed down to them (see refused-rows.ts): they stay, the rest goes, and the
 * final check leaves them out.
 */

import { inOneRoundTrip } from '../db/transaction.js';
import {
  type BatchRunner,
  batchFailed,
  countOf,
  runBatch,
  runBatchAroundLocks,
} from './batch-runner.js';
import { BatchSize } from './batch-size.js';
import { narrowRefused, type RowScope } from './refused-rows.js';
import type { PathOutcome } from './result.js';
import type { CommonStatements, SweepStatements } from './statements.js';

/** Rounds of "count what is left, delete it" after the sweep, at most. */
const maxCheckRounds = 5;

/**
 * How the final check reads the table: the whole table with a sequential scan (never a long
 * index walk), or (the BRIN path) a bitmap scan of the BRIN index, which reads only the block
 * ranges that may hold expired rows.
 */
export const checkScans = {
  sequential: { enable_indexscan: 'off', enable_indexonlyscan: 'off', enable_bitmapscan: 'off' },
  bitmap: { enable_seqscan: 'off', enable_indexscan: 'off', enable_indexonlyscan: 'off' },
} as const satisfies Record<string, Readonly<Record<string, string>>>;

/** How the final check reads the table (see {@link checkScans}). */
export type CheckScan = keyof typeof checkScans;

/** Pages `[first, end)` to sweep, and the expired rows they are expected to hold. */
export interface PageStretch {
  readonly first: number;
  readonly end: number;
  readonly rows: number;
  /**
   * Where the expired rows end is not known, only that they lie in time order from `first`, in
   * about this many pages. The sweep stops where they thin out: at a range past the half of
   * them that holds none, or at one that reaches past them all and holds less than half the
   * rows it was sized for (the final check finds any beyond).
   * @default - the rows lie anywhere in the stretch, and it is swept to its end
   */
  readonly expectedPages?: number;
}

/**
 * Finds the stretches of pages that hold the expired rows left after the sweep (when the final
 * check counts more than a batch of them): the BRIN path's, after it swept from the first
 * expired page and stopped where they seemed to end.
 */
export type FindStretches = () => Promise<readonly PageStretch[]>;

/** What the sweep knows before it starts. */
export interface SweepEstimate {
  /** The planner's estimate of the expired rows. */
  readonly estimatedRows: number;
}

/** The table, for narrowing a range the database refuses some rows of. */
export type SweepTable = Pick<RowScope, 'quotedTable' | 'table' | 'keys' | 'lockRows'>;

/**
 * Sweeps the table's pages, then checks that no expired row is left.
 *
 * @throws {BatchFailedError} when a batch fails.
 */
export async function runHeapSweep(
  runner: BatchRunner,
  statements: SweepStatements & CommonStatements,
  estimate: SweepEstimate,
  /** The table's size in pages when the run profiled it (pages added since hold newer rows). */
  pages: number,
  table: SweepTable,
): Promise<PathOutcome> {
  return sweepPages(
    runner,
    statements,
    [{ first: 0, end: pages, rows: estimate.estimatedRows }],
    table,
    'sequential',
  );
}

/**
 * Sweeps `stretches` of the table's pages (in order, none overlapping), then checks, reading the
 * table as `check` says, that no expired row is left.
 *
 * @throws {BatchFailedError} when a batch fails.
 */
export async function sweepPages(
  runner: BatchRunner,
  statements: SweepStatements & CommonStatements,
  stretches: readonly PageStretch[],
  table: SweepTable,
  check: CheckScan,
  findLeft?: FindStretches,
): Promise<PathOutcome> {
  const sweep: Sweep = {
    runner,
    statements,
    table,
    size: new BatchSize(runner),
    state: { limited: false, refused: [] },
  };
  if (!(await sweepStretches(sweep, stretches))) return { finished: false, lockedRows: 0 };
  // Rows left locked during the sweep are among those the check finds.
  return checkNothingLeft(sweep, checkScans[check], findLeft);
}

/** One sweep's parts, as its steps share them. */
interface Sweep {
  readonly runner: BatchRunner;
  readonly statements: SweepStatements & CommonStatements;
  readonly table: SweepTable;
  readonly size: BatchSize;
  readonly state: SweepState;
}

/** Sweeps `stretches` in order; `false` when the signal aborted. */
async function sweepStretches(sweep: Sweep, stretches: readonly PageStretch[]): Promise<boolean> {
  for (const stretch of stretches) {
    if (!(await sweepStretch(sweep, stretch))) return false;
  }
  return true;
}

/** What one stretch's sweep hands to the next. */
interface SweepState {
  /** Once a range passed its statement timeout: each batch deletes `size` rows at most. */
  limited: boolean;
  /** Tuple ids of refused rows found so far: the final check leaves them out. */
  readonly refused: string[];
}

/** Sweeps one stretch; `false` when the signal aborted. */
async function sweepStretch(sweep: Sweep, stretch: PageStretch): Promise<boolean> {
  const { runner, statements, table, size, state } = sweep;
  const { db, cutoff } = runner;
  const { refused } = state;
  const pages = stretch.end;
  const clampSpan = (span: number) =>
    Math.max(1, Math.min(runner.maxPagesPerBatch, Math.floor(span)));
  const stretchPages = stretch.expectedPages ?? stretch.end - stretch.first;
  const open = stretch.expectedPages !== undefined;
  /** An open stretch's expired rows are expected up to this page. */
  const expectedEnd = stretch.first + stretchPages;
  /** Whether the range `[from, to)` that deleted `deleted` rows shows the expired rows ended. */
  const thinnedOut = (from: number, to: number, deleted: number) =>
    open &&
    ((deleted === 0 && from >= stretch.first + stretchPages / 2) ||
      (to >= expectedEnd && deleted < size.current / 2));
  let span = clampSpan(initialSpan(size.current, runner, stretch.rows, stretchPages));
  /** Expired rows per page, as last found (from the estimate at first). */
  let density = stretch.rows / Math.max(1, stretchPages);
  let limited = state.limited;
  let page = stretch.first;
  while (page < pages) {
    if (runner.signal?.aborted) return false;
    const end = Math.min(page + span, pages);
    const range = [tid(page), tid(end), cutoff.value, ...(limited ? [size.current] : [])];
    const remove = async (sql: string) => ({
      deleted: (await db.query(sql, range)).rowCount ?? 0,
    });
    // The range's DELETE goes with its BEGIN (values inlined): two round trips a batch.
    const attempt = await runBatchAroundLocks(
      { ...runner, batchSize: size.current },
      limited
        ? () => remove(statements.deletePagesLimited)
        : async (begun) => ({ deleted: begun.at(-1)?.rowCount ?? 0 }),
      () =>
        remove(
          limited ? statements.deletePagesLimitedSkipLocked : statements.deletePagesSkipLocked,
        ),
      limited ? {} : { lead: statements.deletePagesLead(page, end) },
    );
    if ('timedOut' in attempt) {
      // Fewer pages (what a range costs when most are empty), and fewer rows: half as many as
      // the range was expected to hold, each batch capped at that. Only a single page that
      // still times out with the rows at the floor fails the run.
      const pagesRead = end - page;
      const expected = Math.ceil(Math.max(density, 1) * pagesRead);
      const fewerRows = size.halve({ firstPage: page, pages: pagesRead }, expected);
      if (!fewerRows && pagesRead <= 1) throw batchFailed(runner, attempt.timedOut);
      if (fewerRows) {
        limited = true;
        state.limited = true;
      }
      span = Math.max(
        1,
        Math.min(Math.floor(pagesRead / 2), nextSpan(span, pagesRead, expected, size.current)),
      );
      continue;
    }
    let deleted: number;
    if ('refused' in attempt) {
      // Parts not narrowed down are left to the final check, which counts them (once).
      const narrowed = await narrowRefused(
        { ...runner, batchSize: size.current },
        { ...table, where: statements.pagesScope(page, end) },
        attempt.refused,
        { countLeft: false },
      );
      deleted = narrowed.deleted;
      refused.push(...narrowed.isolated);
    } else {
      deleted = attempt.value.deleted;
      // A capped batch that deleted its fill: more may be left on these pages.
      if (limited && deleted >= size.current) continue;
      if (thinnedOut(page, end, deleted)) break;
    }
    if (deleted > 0) density = deleted / (end - page);
    span = clampSpan(nextSpan(span, end - page, deleted, size.current));
    page = end;
  }
  state.limited = limited;
  return true;
}

/**
 * Counts what is left (but the refused rows found); deletes it; repeats while that deletes
 * something. More than a batch left, the first time, and `findLeft` given (and no refused row
 * found, which a second sweep of their pages would meet again): sweeps the stretches it finds
 * first.
 */
async function checkNothingLeft(
  sweep: Sweep,
  scan: Readonly<Record<string, string>>,
  findLeft?: FindStretches,
): Promise<PathOutcome> {
  const { runner, statements, table, size } = sweep;
  const { refused } = sweep.state;
  const { db, cutoff } = runner;
  let find = findLeft;
  for (let round = 0; round < maxCheckRounds; round++) {
    if (runner.signal?.aborted) return { finished: false, lockedRows: 0 };
    // The count alone, values inlined: one round trip, its own implicit transaction.
    const [counted] = await inOneRoundTrip(
      db,
      runner.countLimits,
      statements.countDeletableLead(refused),
      scan,
    );
    const left = countOf((counted?.rows ?? []) as { count: string }[]);
    if (left === 0) return { finished: true, lockedRows: 0 };
    if (find && left > size.current && refused.length === 0) {
      const stretches = await find();
      find = undefined;
      if (!(await sweepStretches(sweep, stretches))) return { finished: false, lockedRows: 0 };
      continue;
    }
    const attempt = await runBatch(
      runner,
      async () => ({
        deleted:
          (await db.query(statements.deleteAnySkipLocked, [cutoff.value, size.current, refused]))
            .rowCount ?? 0,
      }),
      { settings: scan },
    );
    if ('timedOut' in attempt) {
      if (!size.halve()) throw batchFailed(runner, attempt.timedOut);
      continue;
    }
    if ('refused' in attempt) {
      // Narrowed down over every row left: what stays is refused or locked.
      const narrowed = await narrowRefused(
        { ...runner, batchSize: size.current },
        { ...table, where: statements.remainderScope(refused) },
        attempt.refused,
      );
      return { finished: !runner.signal?.aborted, lockedRows: narrowed.locked };
    }
    // Nothing could be deleted: what is left is locked by other sessions (a role that may not
    // lock rows waits for them instead, until its lock timeout).
    if ('lockTimedOut' in attempt || attempt.value.deleted === 0)
      return { finished: true, lockedRows: left };
  }
  // Expired rows kept appearing (back-dated writes): not known to be complete; the next run goes on.
  return { finished: false, lockedRows: 0 };
}

/** Pages expected to hold `batchSize` expired rows (before clamping). */
function initialSpan(
  batchSize: number,
  runner: BatchRunner,
  estimatedRows: number,
  pages: number,
): number {
  const perPage = estimatedRows / Math.max(1, pages);
  return perPage > 0 ? batchSize / perPage : runner.maxPagesPerBatch;
}

/**
 * The next range's size, from the density the last one found (at most ×4 or ÷4 at once;
 * before clamping).
 */
function nextSpan(span: number, pagesRead: number, deleted: number, batchSize: number): number {
  if (deleted === 0) return span * 4;
  const wanted = (batchSize / deleted) * pagesRead;
  return Math.min(span * 4, Math.max(span / 4, wanted));
}

function tid(page: number): string {
  return `(${page},0)`;
}
