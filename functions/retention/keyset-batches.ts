/**
 * The index path: batches that walk the column's index forward (a keyset).
 *
 * Each batch is one transaction of at most two statements:
 * 1. the key of the row after the next `batchSize` rows (an index-only scan that starts where
 *    the previous batch ended, so it never wades through the entries of rows already deleted);
 * 2. `DELETE ... WHERE key >= from AND key < bound`: the plain DELETE's own plan, on a range.
 *
 * Rows sharing the bound's key stay for the next batch, so a batch never splits a group of
 * equal keys and never holds more than `batchSize` rows. When more than `batchSize` rows
 * share one key, they go `batchSize` at a time by tuple id. A batch that waits too long for a
 * row another session has locked is rolled back and run again around the locked rows
 * (`FOR UPDATE SKIP LOCKED`), which stay for the next run and are counted.
 *
 * A batch that passes its statement timeout is run again with half as many rows (down to the
 * run's floor), and the later batches keep the smaller size. A batch the database refuses some
 * rows of is narrowed down to them (see refused-rows.ts): they stay, the rest of its range goes.
 */
import type { ClientBase } from 'pg';
import { SqlState, sqlStateOf } from '../db/sqlstate.js';
import { inShortTransaction } from '../db/transaction.js';
import { MaintenanceError } from '../errors.js';
import { type BatchRunner, batchFailed, countOf, runBatchAroundLocks } from './batch-runner.js';
import { BatchSize } from './batch-size.js';
import type { ReferencingKey } from './referencing-keys.js';
import { narrowRefused } from './refused-rows.js';
import type { PathOutcome } from './result.js';
import type { KeysetStatements } from './statements.js';
import type { StrategyChoice } from './strategy.js';

/** After this many lock timeouts in a run, every later batch goes around locks at once. */
const lockTimeoutsBeforeSkipping = 3;

/**
 * The first bound query (which walks the index from its start) ran out of time: the index
 * holds many entries of deleted rows that a long-held snapshot keeps from being cleaned up.
 * Nothing was deleted; the heap path does not read the index.
 */
export class IndexWalkTooSlowError extends MaintenanceError {
  override readonly name = 'IndexWalkTooSlowError';

  constructor(
    readonly limitMs: number,
    cause: unknown,
  ) {
    super(`walking the index to the first expired row took longer than ${limitMs} ms`, { cause });
  }
}

/**
 * The table the keyset batches delete from, and how their statements go (the run's settings,
 * `indexWalkLimitMs` among them, come with the runner).
 */
export interface KeysetTarget {
  /**
   * Builds a batch's `DELETE` and the next bound as one simple query (see `keysetBatchLead`),
   * sent with the batch's `BEGIN`: once the bound is known, a batch is two round trips (that
   * and `COMMIT`) instead of four.
   * @default - every batch asks for its bound, then deletes, in separate statements
   */
  readonly batchLead?: (range: {
    from: string | null;
    to: string | null;
    batchSize: number;
  }) => string;
  /**
   * The table's quoted name, its name in the tally, and the foreign keys that reference it:
   * for narrowing a batch the database refuses some rows of.
   */
  readonly table: {
    readonly quotedTable: string;
    readonly name: string;
    readonly references: readonly ReferencingKey[];
    /** The job's role may lock rows (see `RowScope.lockRows`). */
    readonly lockRows: boolean;
    /** The table is partitioned (the rows go through the parent). */
    readonly partitioned: boolean;
  };
}

interface Batch {
  readonly deleted: number;
  readonly locked: number;
  /** Where the next batch starts; none: this was the last. */
  readonly next: string | undefined;
  /**
   * The next batch's bound, when this batch looked it up (`bound` undefined: fewer than a batch
   * is left after it).
   * @default - not looked up: the next batch asks for it
   */
  readonly nextBound?: { readonly bound: string | undefined };
}

/**
 * Deletes the expired rows in keyset batches until none is left or the signal aborts.
 *
 * @throws {IndexWalkTooSlowError} when the run's first bound query times out (nothing deleted).
 * @throws {BatchFailedError} when a batch fails.
 */
export async function runKeysetBatches(
  runner: BatchRunner,
  statements: KeysetStatements,
  target: KeysetTarget,
): Promise<PathOutcome> {
  const { db } = runner;
  const cutoff = runner.cutoff.value;
  const size = new BatchSize(runner);
  /** Where the next batch starts (a key, inclusive); `null`: from the first. */
  let from: string | null = null;
  /** The current batch's bound, when the previous batch looked it up. */
  let known: { readonly bound: string | undefined } | undefined;
  let first = true;
  let lockTimeouts = 0;
  let lockedRows = 0;
  while (!runner.signal?.aborted) {
    const sized: BatchRunner = { ...runner, batchSize: size.current };
    // The first walk goes over the entries of rows deleted earlier: when it times out (a long-held
    // snapshot keeps them), the run sweeps the heap instead of failing at batch 1.
    const walkLimitMs = first ? runner.indexWalkLimitMs : undefined;
    const start = from;
    const boundNow = known;
    /** The bound of the batch as tried, once known: what a refused batch is narrowed within. */
    let tried = boundNow;
    const findNext = async () => {
      const bound = await findBound(db, statements, sized, start, cutoff, walkLimitMs);
      tried = { bound };
      return bound;
    };
    const aroundLocks = async (): Promise<Batch> =>
      deleteBatch(db, statements, start, boundNow ? boundNow.bound : await findNext(), sized, {
        aroundLocks: true,
        lockRows: target.table.lockRows,
      });
    // (A role that may not lock rows cannot go around them: each batch tries, and one that meets
    // a locked row is left whole.)
    const skipping = lockTimeouts >= lockTimeoutsBeforeSkipping && target.table.lockRows;
    const lead =
      target.batchLead && boundNow && boundNow.bound !== start && !skipping
        ? target.batchLead({
            from: start,
            to: boundNow.bound ?? null,
            batchSize: size.current,
          })
        : undefined;
    const passThrough = (error: unknown) => error instanceof IndexWalkTooSlowError;
    const attempt = lead
      ? await runBatchAroundLocks(
          sized,
          async (begun): Promise<Batch> => ({
            deleted: begun.at(-2)?.rowCount ?? 0,
            locked: 0,
            next: boundNow?.bound,
            nextBound: { bound: (begun.at(-1)?.rows[0] as { bound?: string } | undefined)?.bound },
          }),
          aroundLocks,
          { lead },
        )
      : await runBatchAroundLocks(
          sized,
          skipping
            ? aroundLocks
            : async () =>
                deleteBatch(db, statements, start, await findNext(), sized, {
                  aroundLocks: false,
                  lockRows: target.table.lockRows,
                }),
          aroundLocks,
          { passThrough },
        );
    if ('timedOut' in attempt) {
      // Run the same range again with fewer rows; the later batches keep the smaller size.
      if (!size.halve({ from: start })) throw batchFailed(runner, attempt.timedOut);
      known = undefined;
      continue;
    }
    let batch: Batch;
    if ('refused' in attempt) {
      if (!tried) throw batchFailed(runner, attempt.refused);
      batch = await narrowBatch(sized, statements, target.table, start, tried.bound, attempt);
    } else {
      batch = attempt.value;
      if (attempt.lockTimedOut) lockTimeouts += 1;
    }
    first = false;
    lockedRows += batch.locked;
    if (batch.next === undefined) return { finished: true, lockedRows };
    from = batch.next;
    known = batch.nextBound;
  }
  return { finished: false, lockedRows };
}

/**
 * The batch `[from, bound)` (or the group of rows with the key `from`, when `bound` is `from`)
 * failed because the database refused some of its rows: deletes the others, leaves those.
 */
async function narrowBatch(
  runner: BatchRunner,
  statements: KeysetStatements,
  table: KeysetTarget['table'],
  from: string | null,
  bound: string | undefined,
  attempt: { readonly refused: unknown },
): Promise<Batch> {
  const ties = from !== null && bound === from;
  const where = ties ? statements.tiesScope(from) : statements.rangeScope(from, bound ?? null);
  const narrowed = await narrowRefused(
    runner,
    {
      quotedTable: table.quotedTable,
      table: table.name,
      where,
      keys: table.references,
      lockRows: table.lockRows,
      partitioned: table.partitioned,
    },
    attempt.refused,
  );
  if (!ties) return { deleted: narrowed.deleted, locked: narrowed.locked, next: bound };
  const { rows } = await inShortTransaction(runner.db, runner.limits, () =>
    runner.db.query<{ next: string }>(statements.nextKey, [from, runner.cutoff.value]),
  );
  return { deleted: narrowed.deleted, locked: narrowed.locked, next: rows[0]?.next };
}

/**
 * The rows of one keyset batch: `batchSize`, or fewer when that many would visit more than
 * `maxPagesPerBatch` of the table's pages (rows in no order, each on a page of its own).
 */
export function keysetBatchRows(runner: BatchRunner, choice: StrategyChoice): number {
  const { batchSize, maxPagesPerBatch } = runner;
  if (choice.tablePages <= maxPagesPerBatch) return batchSize;
  const pageBound = Math.floor(maxPagesPerBatch / Math.max(choice.indexPagesPerRow, 1e-6));
  return Math.max(1, Math.min(batchSize, pageBound));
}

/** The key just past the next `batchSize` rows from `from`; none when fewer are left. */
async function findBound(
  db: ClientBase,
  statements: KeysetStatements,
  runner: BatchRunner,
  from: string | null,
  cutoff: string,
  walkLimitMs: number | undefined,
): Promise<string | undefined> {
  const limited = walkLimitMs !== undefined && walkLimitMs !== runner.limits.statementTimeoutMs;
  if (limited)
    await db.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(walkLimitMs))}`);
  try {
    const { rows } = await db.query<{ bound: string }>(statements.bound, [
      from,
      cutoff,
      runner.batchSize,
    ]);
    return rows[0]?.bound;
  } catch (error) {
    if (walkLimitMs !== undefined && sqlStateOf(error) === SqlState.QueryCanceled) {
      throw new IndexWalkTooSlowError(walkLimitMs, error);
    }
    throw error;
  } finally {
    if (limited) {
      await db
        .query(`SET LOCAL statement_timeout = ${runner.limits.statementTimeoutMs}`)
        .catch(() => undefined);
    }
  }
}

async function deleteBatch(
  db: ClientBase,
  statements: KeysetStatements,
  from: string | null,
  bound: string | undefined,
  runner: BatchRunner,
  locks: TiesLocks,
): Promise<Batch> {
  const { aroundLocks } = locks;
  if (from !== null && bound === from) {
    return deleteTies(db, statements, from, runner, locks);
  }
  // No bound: at most `batchSize` rows are left, and this is the last batch.
  const to = bound ?? null;
  if (!aroundLocks) {
    const { rowCount } = await db.query(statements.deleteRange, [from, to]);
    if (bound === undefined) return { deleted: rowCount ?? 0, locked: 0, next: undefined };
    // Look up the next batch's bound now, so that it can go with its BEGIN.
    const next = await findBound(db, statements, runner, bound, runner.cutoff.value, undefined);
    return { deleted: rowCount ?? 0, locked: 0, next: bound, nextBound: { bound: next } };
  }
  const { rowCount } = await db.query(statements.deleteRangeSkipLocked, [from, to]);
  const { rows } = await db.query<{ count: string }>(statements.countRange, [from, to]);
  return { deleted: rowCount ?? 0, locked: countOf(rows), next: bound };
}

/** How a batch goes about rows others hold locked. */
interface TiesLocks {
  /** The batch runs again after a lock timeout: it leaves locked rows. */
  readonly aroundLocks: boolean;
  /** The role may lock rows: its statements skip the locked ones (`FOR UPDATE SKIP LOCKED`). */
  readonly lockRows: boolean;
}

/**
 * More than `batchSize` rows share the key `from` (the same instant; or, on a composite index,
 * the same first column, e.g. one device's rows): take `batchSize` of them. When fewer go and
 * some are left, the same key is tried again while that deletes rows (another run may have taken
 * some of the chosen ones meanwhile). What a statement that skips locked rows cannot delete is
 * locked by others: it is counted, and the batches move past the key.
 */
async function deleteTies(
  db: ClientBase,
  statements: KeysetStatements,
  from: string,
  runner: BatchRunner,
  locks: TiesLocks,
): Promise<Batch> {
  const sql = locks.aroundLocks ? statements.deleteTiesSkipLocked : statements.deleteTies;
  const { rowCount } = await db.query(sql, [from, runner.batchSize]);
  const deleted = rowCount ?? 0;
  if (deleted >= runner.batchSize) return { deleted, locked: 0, next: from };
  const { rows: left } = await db.query<{ count: string }>(statements.countTies, [from]);
  const skipsLocked = locks.aroundLocks || locks.lockRows;
  // Rows left that this statement waited for (none skipped) were taken by another run: the
  // rest of the group is free to try again.
  if (countOf(left) > 0 && (deleted > 0 || !skipsLocked)) return { deleted, locked: 0, next: from };
  const { rows } = await db.query<{ next: string }>(statements.nextKey, [
    from,
    runner.cutoff.value,
  ]);
  return { deleted, locked: countOf(left), next: rows[0]?.next };
}
