/**
 * The SQL of a batched delete on one table (or partition). Names come quoted from the table's
 * profile; every value is a parameter. Timestamps travel as text (the column's own `::text`, or
 * ISO 8601) so that microseconds survive the round trip through Node, and are cast to the
 * column's own type, so that no comparison depends on the session's `TimeZone`.
 */
import { escapeLiteral } from 'pg';
import type { ColumnCutoff } from './column-cutoff.js';
import type { TableProfile } from './table-profile.js';

/** The statements of the index (keyset) path. `$from` is inclusive, `$to` exclusive. */
export interface KeysetStatements {
  /** `$1` from, `$2` cutoff, `$3` batch size → `bound`: the key just past the next `$3` rows. */
  readonly bound: string;
  /** `$1` from, `$2` to: deletes the range. */
  readonly deleteRange: string;
  /** `$1` from, `$2` to: deletes the rows of the range that no one has locked. */
  readonly deleteRangeSkipLocked: string;
  /** `$1` from, `$2` to → `count`: rows left in the range. */
  readonly countRange: string;
  /** `$1` key, `$2` limit: deletes up to `$2` rows with exactly that key (none locked). */
  readonly deleteTies: string;
  /** `$1` key → `count`: rows with exactly that key. */
  readonly countTies: string;
  /** `$1` key, `$2` cutoff → `next`: the first key after `$1`, before the cutoff. */
  readonly nextKey: string;
}

/**
 * One keyset batch and the next one's bound, as a simple query to send with `BEGIN` (values
 * inlined as escaped literals): `DELETE` of `[from, to)`, then the key just past the
 * `batchSize` rows from `to` on. Two results: the `DELETE`'s row count, then `bound` (none:
 * fewer rows are left).
 */
export function keysetBatchLead(
  table: TableProfile,
  cutoff: ColumnCutoff,
  range: { readonly from: string; readonly to: string; readonly batchSize: number },
): string {
  const t = table.quotedTable;
  const c = table.quotedColumn;
  const value = (text: string) => `${escapeLiteral(text)}::${cutoff.cast}`;
  if (!Number.isInteger(range.batchSize)) throw new RangeError('batchSize must be whole');
  return (
    `DELETE FROM ${t} WHERE ${c} >= ${value(range.from)} AND ${c} < ${value(range.to)}; ` +
    `SELECT bound::text AS bound FROM (SELECT ${c} AS bound FROM ${t}
      WHERE ${c} >= ${value(range.to)} AND ${c} < ${value(cutoff.value)}
      ORDER BY ${c} OFFSET ${range.batchSize} LIMIT 1) AS next_batch`
  );
}

/**
 * The statements of the heap (tuple-id range) path: `$1` and `$2` are tuple ids `(page,0)`, the
 * first page (inclusive) and the end page (exclusive).
 */
export interface SweepStatements {
  /** `$1` first page, `$2` end page, `$3` cutoff: deletes the expired rows on those pages. */
  readonly deletePages: string;
  /** As `deletePages`, skipping rows that others have locked. */
  readonly deletePagesSkipLocked: string;
  /** `$1` cutoff, `$2` limit: deletes up to `$2` expired rows anywhere, none locked. */
  readonly deleteAnySkipLocked: string;
}

/** Statements shared by both paths. */
export interface CommonStatements {
  /** `$1` cutoff → `count`: expired rows (the dry run; the sweep's final check). */
  readonly count: string;
  /** `$1` cutoff: the plan of one plain `DELETE` of the expired rows, as JSON. */
  readonly explainDelete: string;
}

/** Every statement for one table. */
export type ExpiryStatements = KeysetStatements & SweepStatements & CommonStatements;

/** Builds the statements for `table`, comparing its column with values cast like `cutoff`. */
export function expiryStatements(table: TableProfile, cutoff: ColumnCutoff): ExpiryStatements {
  const t = table.quotedTable;
  const c = table.quotedColumn;
  const as = (param: string) => `${param}::${cutoff.cast}`;
  const inRange = `${c} >= ${as('$1')} AND ${c} < ${as('$2')}`;
  const onPages = `ctid >= $1::tid AND ctid < $2::tid AND ${c} < ${as('$3')}`;
  // Tuple ids are read and used in one statement (one snapshot), so they cannot be reused by
  // other rows in between.
  const byIds = (select: string) => `DELETE FROM ${t} WHERE ctid = ANY (ARRAY(${select}))`;
  return {
    // The key is turned into text for the one row returned, not for each of the rows skipped.
    bound: `SELECT bound::text AS bound FROM (SELECT ${c} AS bound FROM ${t}
      WHERE ${inRange} ORDER BY ${c} OFFSET $3 LIMIT 1) AS next_batch`,
    deleteRange: `DELETE FROM ${t} WHERE ${inRange}`,
    deleteRangeSkipLocked: byIds(`SELECT ctid FROM ${t} WHERE ${inRange} FOR UPDATE SKIP LOCKED`),
    countRange: `SELECT count(*) AS count FROM ${t} WHERE ${inRange}`,
    deleteTies: byIds(
      `SELECT ctid FROM ${t} WHERE ${c} = ${as('$1')} LIMIT $2 FOR UPDATE SKIP LOCKED`,
    ),
    countTies: `SELECT count(*) AS count FROM ${t} WHERE ${c} = ${as('$1')}`,
    nextKey: `SELECT ${c}::text AS next FROM ${t} WHERE ${c} > ${as('$1')} AND ${c} < ${as('$2')}
      ORDER BY ${c} LIMIT 1`,
    deletePages: `DELETE FROM ${t} WHERE ${onPages}`,
    deletePagesSkipLocked: byIds(`SELECT ctid FROM ${t} WHERE ${onPages} FOR UPDATE SKIP LOCKED`),
    deleteAnySkipLocked: byIds(
      `SELECT ctid FROM ${t} WHERE ${c} < ${as('$1')} LIMIT $2 FOR UPDATE SKIP LOCKED`,
    ),
    count: `SELECT count(*) AS count FROM ${t} WHERE ${c} < ${as('$1')}`,
    explainDelete: `EXPLAIN (FORMAT JSON) DELETE FROM ${t} WHERE ${c} < ${as('$1')}`,
  };
}
