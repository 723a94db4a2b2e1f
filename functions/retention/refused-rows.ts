/**
 * Rows the database refuses to delete (a foreign key that restricts, a trigger that raises, a
 * constraint a cascade breaks) are left, reported, and never block the rest: a batch that fails
 * because of some of its rows is narrowed down to them by bisection, each part its own short
 * transaction, and the rest of the batch is deleted. (A part that passes its statement timeout
 * is split the same way, so narrowing works on a slow table too.)
 *
 * Bisection splits the batch's rows at their median tuple id: one statement to find it, one
 * transaction per half. A refused row in a batch of n costs about 3·log₂(n) round trips (about
 * 40 for 10,000 rows); a batch with nothing refused costs nothing extra. Past
 * {@link maxIsolatedPerBatch} refused rows in one batch (or {@link maxIsolatedPerRun} in the
 * run), the parts that still fail are left whole (and counted as `notIsolated`), so that a
 * batch where every row is refused costs a bounded number of statements, not one per row.
 */
import type { BatchRunner, Tally } from './batch-runner.js';
import { batchFailed, countOf, runBatchAroundLocks } from './batch-runner.js';
import { isRefusal } from './errors.js';
import type { ReferencingKey } from './referencing-keys.js';

/** Refused rows one batch isolates one by one, at most. */
export const maxIsolatedPerBatch = 32;

/**
 * Refused rows one run isolates one by one, at most: past that (a trigger that refuses most
 * rows), a batch that fails is left whole, for one more statement.
 */
export const maxIsolatedPerRun = 256;

/** Expired rows of one table left for one reason. */
export interface RefusedRows {
  /** The table (or partition) that holds them. */
  readonly table: string;
  /**
   * What refused them: the constraint's name (a foreign key, as declared), or the error's
   * message (e.g. what a trigger raised).
   */
  readonly reason: string;
  /**
   * The SQLSTATE: `23503` (foreign key, `NO ACTION`), `23001` (`RESTRICT`), `P0001` (a
   * trigger's `RAISE EXCEPTION`), ... For rows left out up front because a foreign key
   * references them, the code their delete would have raised.
   */
  readonly code: string;
  /** How many. */
  readonly rows: number;
  /**
   * Of `rows`: those left in parts of a batch that were not narrowed further (the batch's
   * budget for isolating refused rows was spent). Such a part may also hold rows that would go.
   */
  readonly notIsolated: number;
}

/** The reason and code of a refusal, naming a foreign key as declared. */
export function refusalOf(
  error: unknown,
  keys: readonly ReferencingKey[],
): { readonly reason: string; readonly code: string } {
  const { code, message, constraint } = error as {
    code?: string;
    message?: string;
    constraint?: string;
  };
  if (constraint) {
    const key = keys.find((candidate) => candidate.localName === constraint);
    return { reason: key?.name ?? constraint, code: code ?? '' };
  }
  return { reason: message ?? String(error), code: code ?? '' };
}

/** Adds rows to the run's tally, merged with those of the same table, reason and code. */
export function recordRefused(tally: Tally, rows: RefusedRows): void {
  if (rows.rows <= 0) return;
  const index = tally.refused.findIndex(
    (group) =>
      group.table === rows.table && group.reason === rows.reason && group.code === rows.code,
  );
  const group = tally.refused[index];
  if (!group) {
    tally.refused.push(rows);
    return;
  }
  tally.refused[index] = {
    ...group,
    rows: group.rows + rows.rows,
    notIsolated: group.notIsolated + rows.notIsolated,
  };
}

/** The rows a failed batch was deleting. */
export interface RowScope {
  /** The table (or partition), quoted and schema-qualified. */
  readonly quotedTable: string;
  /** The profile's name of the table, for the tally. */
  readonly table: string;
  /** A condition on the table's rows, its values inlined as literals. */
  readonly where: string;
  /** The foreign keys that reference the table (to name a refusing one as declared). */
  readonly keys: readonly ReferencingKey[];
  /**
   * The job's role may lock rows (`FOR UPDATE`, which needs `UPDATE` on some column): a part
   * goes around rows others hold locked; without it, such a part is left whole, as locked.
   */
  readonly lockRows: boolean;
  /**
   * The table is partitioned (the rows go through the parent): tuple ids repeat from one
   * partition to the next, so the rows are narrowed down one partition at a time.
   * @default false
   */
  readonly partitioned?: boolean;
}

/** What narrowing a failed batch did. */
export interface Narrowed {
  /** Rows deleted, by the parts that committed. */
  readonly deleted: number;
  /** Rows left that no one refused: other sessions had them locked. */
  readonly locked: number;
  /** Tuple ids of the rows found refused one by one. */
  readonly isolated: readonly string[];
}

/** Options of {@link narrowRefused}. */
export interface NarrowOptions {
  /**
   * The most rows one part deletes: a part with more is split before it is tried (so that a
   * table whose batches pass their statement timeout is narrowed in parts that do not).
   * @default - the runner's batch size
   */
  readonly maxPart?: number;
  /**
   * Whether the parts left whole (past the budget) are counted as refused, and the rows left
   * counted as locked: `false` when a later check of the whole table finds and counts them.
   * @default true
   */
  readonly countLeft?: boolean;
  /**
   * `scope` is a part of the batch that failed, not known to fail itself: it is tried whole
   * before it is narrowed.
   * @default false
   */
  readonly untried?: boolean;
}

/** A range of tuple ids: `null` is unbounded. */
interface TidRange {
  readonly from: string | null;
  readonly to: string | null;
}

/**
 * Deletes the rows of `scope` (a batch that `failure` refused, or that passed its statement
 * timeout) that the database lets go, in parts, each its own transaction, going around rows
 * others have locked (as a batch does); records the refused ones in the run's tally. A part that is refused or times
 * out is split at its median tuple id, until a refused part is one row.
 *
 * @throws {BatchFailedError} when one row alone passes the statement timeout, or a part waits
 *   too long for a table lock.
 */
export async function narrowRefused(
  runner: BatchRunner,
  scope: RowScope,
  failure: unknown,
  options: NarrowOptions = {},
): Promise<Narrowed> {
  const { db } = runner;
  const countLeft = options.countLeft ?? true;
  if (scope.partitioned) return narrowEachPartition(runner, scope, failure, options);
  const maxPart = Math.max(1, options.maxPart ?? runner.batchSize);
  const within = (range: TidRange) =>
    [
      scope.where,
      range.from === null ? '' : `ctid >= '${range.from}'::tid`,
      range.to === null ? '' : `ctid < '${range.to}'::tid`,
    ]
      .filter(Boolean)
      .join(' AND ');
  let deleted = 0;
  let refused = 0;
  const isolated: string[] = [];
  const record = (error: unknown, rows: number, whole: boolean) => {
    refused += rows;
    recordRefused(runner.tally, {
      table: scope.table,
      ...refusalOf(error, scope.keys),
      rows,
      notIsolated: whole ? rows : 0,
    });
  };
  /** Deletes the rows of `range` (around rows others have locked); narrows it when that fails. */
  const attempt = async (range: TidRange): Promise<void> => {
    const t = scope.quotedTable;
    const tried = await runBatchAroundLocks(
      runner,
      async (begun) => ({ deleted: begun.at(-1)?.rowCount ?? 0 }),
      // A role that may not lock rows leaves the part whole: the count at the end finds its
      // rows, as locked.
      async () => ({
        deleted: scope.lockRows
          ? ((
              await db.query(
                `DELETE FROM ${t} WHERE ${within(range)} AND ctid = ANY (ARRAY(SELECT ctid FROM ${t} WHERE ${within(range)} FOR UPDATE SKIP LOCKED))`,
              )
            ).rowCount ?? 0)
          : 0,
      }),
      { lead: `DELETE FROM ${t} WHERE ${within(range)}` },
    );
    if ('value' in tried) deleted += tried.value.deleted;
    else if ('refused' in tried) await narrow(range, tried.refused);
    else await narrow(range, tried.timedOut);
  };
  /** `range` failed with `error` (or is too large to try): splits it, and tries each half. */
  const narrow = async (range: TidRange, error: unknown): Promise<void> => {
    if (runner.signal?.aborted) return;
    const { rows } = await db.query<{ n: string; mid: string | null; first: string | null }>(
      `SELECT count(*) AS n, (array_agg(ctid ORDER BY ctid))[count(*) / 2 + 1]::text AS mid,
              (array_agg(ctid ORDER BY ctid))[1]::text AS first
         FROM ${scope.quotedTable} WHERE ${within(range)}`,
    );
    const n = Number(rows[0]?.n ?? 0);
    const mid = rows[0]?.mid ?? null;
    if (n === 0 || mid === null) return;
    const refusal = error !== undefined && isRefusal(error);
    if (n === 1) {
      // One row alone that passes the statement timeout: nothing smaller to try.
      if (!refusal) throw batchFailed(runner, error);
      record(error, 1, false);
      isolated.push(rows[0]?.first ?? mid);
      runner.tally.isolated += 1;
      return;
    }
    const spent =
      isolated.length >= maxIsolatedPerBatch || runner.tally.isolated >= maxIsolatedPerRun;
    if (refusal && spent) {
      if (countLeft) record(error, n, true);
      return;
    }
    const lower = Math.floor(n / 2);
    for (const [half, rowsInHalf] of [
      [{ from: range.from, to: mid }, lower],
      [{ from: mid, to: range.to }, n - lower],
    ] as const) {
      if (runner.signal?.aborted) return;
      if (rowsInHalf > maxPart) await narrow(half, undefined);
      else await attempt(half);
    }
  };
  // A part of a failed batch (one partition of several) is tried first: the failure may be
  // another part's, and a part of one row would otherwise be taken for the refused row.
  if (options.untried) await attempt({ from: null, to: null });
  else await narrow({ from: null, to: null }, failure);
  if (runner.signal?.aborted || !countLeft) return { deleted, locked: 0, isolated };
  const { rows } = await db.query<{ count: string }>(
    `SELECT count(*) AS count FROM ${scope.quotedTable} WHERE ${scope.where}`,
  );
  return { deleted, locked: Math.max(0, countOf(rows) - refused), isolated };
}

/**
 * {@link narrowRefused} on a partitioned table, one partition at a time (`tableoid`): tuple ids
 * are unique within a partition only.
 */
async function narrowEachPartition(
  runner: BatchRunner,
  scope: RowScope,
  failure: unknown,
  options: NarrowOptions,
): Promise<Narrowed> {
  const { rows } = await runner.db.query<{ oid: string }>(
    `SELECT DISTINCT tableoid::int8::text AS oid FROM ${scope.quotedTable} WHERE ${scope.where}`,
  );
  let deleted = 0;
  let locked = 0;
  const isolated: string[] = [];
  for (const { oid } of rows) {
    if (runner.signal?.aborted) break;
    const where = `${scope.where} AND tableoid = ${Number(oid)}`;
    const one = await narrowRefused(runner, { ...scope, where, partitioned: false }, failure, {
      ...options,
      untried: rows.length > 1,
    });
    deleted += one.deleted;
    locked += one.locked;
    isolated.push(...one.isolated);
  }
  return { deleted, locked, isolated };
}
