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
 */

import { inShortTransaction } from '../db/transaction.js';
import { type BatchRunner, countOf, runBatch, runBatchAroundLocks } from './batch-runner.js';
import type { PathOutcome } from './keyset-batches.js';
import type { CommonStatements, SweepStatements } from './statements.js';

/** Rounds of "count what is left, delete it" after the sweep, at most. */
const maxCheckRounds = 5;

/** The final check reads the whole table: with a sequential scan, never a long index walk. */
const sequentialScan = {
  enable_indexscan: 'off',
  enable_indexonlyscan: 'off',
  enable_bitmapscan: 'off',
};

/** What the sweep knows before it starts. */
export interface SweepEstimate {
  /** The planner's estimate of the expired rows. */
  readonly estimatedRows: number;
}

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
): Promise<PathOutcome> {
  const { db, cutoff } = runner;
  const clampSpan = (span: number) =>
    Math.max(1, Math.min(runner.maxPagesPerBatch, Math.floor(span)));
  let span = clampSpan(initialSpan(runner, estimate.estimatedRows, pages));
  let page = 0;
  while (page < pages) {
    if (runner.signal?.aborted) return { finished: false, lockedRows: 0 };
    const end = Math.min(page + span, pages);
    const range = [tid(page), tid(end), cutoff.value];
    const { value } = await runBatchAroundLocks(
      runner,
      async () => ({ deleted: (await db.query(statements.deletePages, range)).rowCount ?? 0 }),
      async () => ({
        deleted: (await db.query(statements.deletePagesSkipLocked, range)).rowCount ?? 0,
      }),
    );
    span = clampSpan(nextSpan(span, end - page, value.deleted, runner.batchSize));
    page = end;
  }
  return checkNothingLeft(runner, statements);
}

/** Counts what is left; deletes it; repeats while that deletes something. */
async function checkNothingLeft(
  runner: BatchRunner,
  statements: CommonStatements & SweepStatements,
): Promise<PathOutcome> {
  const { db, cutoff } = runner;
  for (let round = 0; round < maxCheckRounds; round++) {
    if (runner.signal?.aborted) return { finished: false, lockedRows: 0 };
    const left = await inShortTransaction(
      db,
      runner.countLimits,
      async () => countOf((await db.query(statements.count, [cutoff.value])).rows),
      sequentialScan,
    );
    if (left === 0) return { finished: true, lockedRows: 0 };
    const attempt = await runBatch(
      runner,
      async () => ({
        deleted:
          (await db.query(statements.deleteAnySkipLocked, [cutoff.value, runner.batchSize]))
            .rowCount ?? 0,
      }),
      sequentialScan,
    );
    // Nothing could be deleted: what is left is locked by other sessions.
    if ('value' in attempt && attempt.value.deleted === 0)
      return { finished: true, lockedRows: left };
  }
  // Expired rows kept appearing (back-dated writes): not known to be complete; the next run goes on.
  return { finished: false, lockedRows: 0 };
}

/** Pages expected to hold `batchSize` expired rows (before clamping). */
function initialSpan(runner: BatchRunner, estimatedRows: number, pages: number): number {
  const perPage = estimatedRows / Math.max(1, pages);
  return perPage > 0 ? runner.batchSize / perPage : runner.maxPagesPerBatch;
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
