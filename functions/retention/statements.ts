/**
 * The SQL of a batched delete on one table (or partition). Names come quoted from the table's
 * profile; every value is a parameter. Timestamps travel as text (the column's own `::text`, or
 * ISO 8601) so that microseconds survive the round trip through Node, and are cast to the
 * column's own type, so that no comparison depends on the session's `TimeZone`.
 *
 * Every statement that deletes (and every count of the rows a batch left) leaves out the rows
 * that a foreign key with `ON DELETE RESTRICT` or `NO ACTION` still references (see
 * referencing-keys.ts): they would fail the batch.
 */
import { escapeLiteral } from 'pg';
import type { ColumnCutoff } from './column-cutoff.js';
import { referencedBy, refusingKeys } from './referencing-keys.js';
import type { TableProfile } from './table-profile.js';

/**
 * The statements of the index (keyset) path. The key is the index's first column: the cleanup
 * column itself, or the column before it in a composite index (see {@link keysetKey}); every
 * statement also says `column < cutoff` (inlined), which a composite index takes as an index
 * condition. A key is passed as text; `null` is unbounded (`$from` from the start, `$to` to the
 * end). `$from` is inclusive, `$to` exclusive.
 */
export interface KeysetStatements {
  /** `$1` from, `$2` cutoff, `$3` batch size → `bound`: the key just past the next `$3` rows. */
  readonly bound: string;
  /** `$1` from, `$2` to: deletes the range. */
  readonly deleteRange: string;
  /** `$1` from, `$2` to: deletes the rows of the range that no one has locked. */
  readonly deleteRangeSkipLocked: string;
  /** `$1` from, `$2` to → `count`: rows left in the range. */
  readonly countRange: string;
  /**
   * `$1` key, `$2` limit: deletes up to `$2` rows with exactly that key (none locked; a role
   * that may not lock rows waits for them).
   */
  readonly deleteTies: string;
  /** As `deleteTies`, after a lock timeout: none locked (a role that may not lock rows: none). */
  readonly deleteTiesSkipLocked: string;
  /** `$1` key → `count`: rows with exactly that key. */
  readonly countTies: string;
  /** `$1` key, `$2` cutoff → `next`: the first key after `$1` with an expired row. */
  readonly nextKey: string;
  /** The rows of the range `[from, to)` that a batch deletes, as a condition (values inlined). */
  rangeScope(from: string | null, to: string | null): string;
  /** The rows with exactly the key `key` that a batch deletes, as a condition. */
  tiesScope(key: string): string;
}

/** The column keyset batches walk, quoted, and the type its text is cast back to. */
export interface KeysetKey {
  readonly quoted: string;
  readonly cast: string;
}

/**
 * The keyset batches' key: the cleanup column when a b-tree leads with it; else the first column
 * of the composite index that has it later (`device_id` of `(device_id, created_at)`); else the
 * column (batches then sort the expired rows).
 */
export function keysetKey(table: TableProfile, cutoff: ColumnCutoff): KeysetKey {
  if (!table.index && table.compositeIndex) {
    return { quoted: table.compositeIndex.quotedKey, cast: table.compositeIndex.keyType };
  }
  return { quoted: table.quotedColumn, cast: cutoff.cast };
}

/** `[from, to)` of the key `k`, each bound a SQL value that may be `NULL` (unbounded). */
function keyRange(k: KeysetKey, from: string, to?: string): string {
  const lower = `(${from}::${k.cast} IS NULL OR ${k.quoted} >= ${from}::${k.cast})`;
  return to === undefined
    ? lower
    : `${lower} AND (${to}::${k.cast} IS NULL OR ${k.quoted} < ${to}::${k.cast})`;
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
  range: { readonly from: string | null; readonly to: string | null; readonly batchSize: number },
): string {
  const t = table.quotedTable;
  const c = table.quotedColumn;
  const k = keysetKey(table, cutoff);
  const value = (text: string | null) => (text === null ? 'NULL' : escapeLiteral(text));
  const expired = `${c} < ${escapeLiteral(cutoff.value)}::${cutoff.cast}`;
  if (!Number.isInteger(range.batchSize)) throw new RangeError('batchSize must be whole');
  return (
    `DELETE FROM ${t} WHERE ${keyRange(k, value(range.from), value(range.to))} AND ${expired}${deletable(table)}; ` +
    `SELECT bound::text AS bound FROM (SELECT ${k.quoted} AS bound FROM ${t}
      WHERE ${keyRange(k, value(range.to))} AND ${expired}
      ORDER BY ${k.quoted} OFFSET ${range.batchSize} LIMIT 1) AS next_batch`
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
  /** As `deletePages`, `$4` rows at most (once ranges of pages passed their statement timeout). */
  readonly deletePagesLimited: string;
  /** As `deletePagesLimited`, skipping rows that others have locked. */
  readonly deletePagesLimitedSkipLocked: string;
  /**
   * `$1` cutoff, `$2` limit, `$3` tuple ids to leave (`tid[]`): deletes up to `$2` expired rows
   * anywhere, none locked.
   */
  readonly deleteAnySkipLocked: string;
  /** `$1` cutoff, `$2` tuple ids to leave (`tid[]`) → `count`: expired rows a batch would delete. */
  readonly countDeletable: string;
  /** As `countDeletable`, values inlined (to send with `BEGIN`). */
  countDeletableLead(excluded: readonly string[]): string;
  /** As `deletePages`, values inlined (to send with `BEGIN`). */
  deletePagesLead(first: number, end: number): string;
  /** The expired rows of pages `[first, end)` that a batch deletes, as a condition. */
  pagesScope(first: number, end: number): string;
  /** Every expired row a batch would delete, but those at `excluded` tuple ids, as a condition. */
  remainderScope(excluded: readonly string[]): string;
}

/** Statements shared by both paths. */
export interface CommonStatements {
  /** `$1` cutoff → `count`: expired rows (the dry run; the sweep's final check). */
  readonly count: string;
  /** `$1` cutoff: the plan of one plain `DELETE` of the expired rows, as JSON. */
  readonly explainDelete: string;
  /**
   * → `key` (an index into `refusingKeys(table.references)`), `count`: expired rows left
   * because a foreign key references them, each counted under the first such key. No
   * parameters (the cutoff is inlined), so that it can go with `BEGIN`.
   * @default - absent when no key is left out up front
   */
  readonly countReferenced?: string;
}

/** Every statement for one table. */
export type ExpiryStatements = KeysetStatements & SweepStatements & CommonStatements;

/** Builds the statements for `table`, comparing its column with values cast like `cutoff`. */
export function expiryStatements(table: TableProfile, cutoff: ColumnCutoff): ExpiryStatements {
  const t = table.quotedTable;
  const c = table.quotedColumn;
  const as = (param: string) => `${param}::${cutoff.cast}`;
  const literal = (text: string) => `${escapeLiteral(text)}::${cutoff.cast}`;
  const andDeletable = deletable(table);
  const k = keysetKey(table, cutoff);
  const expired = `${c} < ${literal(cutoff.value)}`;
  const inRange = `${keyRange(k, '$1', '$2')} AND ${expired}`;
  const keyLiteral = (text: string | null) => (text === null ? 'NULL' : escapeLiteral(text));
  const onPages = `ctid >= $1::tid AND ctid < $2::tid AND ${c} < ${as('$3')}`;
  const notExcluded = (param: string) => `NOT (ctid = ANY (${param}::tid[]))`;
  // Tuple ids are read and used in one statement (one snapshot), so they cannot be reused by
  // other rows in between. Through a partitioned table's parent they repeat from one partition
  // to the next: the rows are picked by (tableoid, ctid), within the same condition.
  const byIds = (where: string, tail: string) =>
    table.kind === 'partitioned'
      ? `DELETE FROM ${t} WHERE ${where} AND (tableoid, ctid) IN (SELECT tableoid, ctid FROM ${t} WHERE ${where} ${tail})`
      : `DELETE FROM ${t} WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${t} WHERE ${where} ${tail}))`;
  // Going around rows others hold locked takes row locks, which PostgreSQL allows only to a role
  // that may update (see privileges.ts). Without them, the rows are left whole for the next run.
  const mayLock = table.rights.lockRows;
  // (`false AND ...` deletes nothing, and keeps the statement's parameters.)
  const skipLocked = (where: string, limit = '') =>
    byIds(
      mayLock ? where : `false AND ${where}`,
      mayLock ? `${limit} FOR UPDATE SKIP LOCKED` : limit,
    );
  const waitOrSkip = (where: string, limit: string) =>
    byIds(where, mayLock ? `${limit} FOR UPDATE SKIP LOCKED` : limit);
  const keys = refusingKeys(table.references);
  const pagesScopeOf = (first: number, end: number) =>
    `ctid >= '(${whole(first)},0)'::tid AND ctid < '(${whole(end)},0)'::tid AND ` +
    `${c} < ${literal(cutoff.value)}${andDeletable}`;
  const remainderScopeOf = (excluded: readonly string[]) =>
    `${c} < ${literal(cutoff.value)}${andDeletable} AND ` +
    notExcluded(escapeLiteral(`{${excluded.map((tid) => `"${tid}"`).join(',')}}`));
  const ties = (key: string) => `${k.quoted} = ${key}::${k.cast} AND ${expired}`;
  return {
    // The key is turned into text for the one row returned, not for each of the rows skipped.
    bound: `SELECT bound::text AS bound FROM (SELECT ${k.quoted} AS bound FROM ${t}
      WHERE ${keyRange(k, '$1')} AND ${c} < ${as('$2')} ORDER BY ${k.quoted} OFFSET $3 LIMIT 1) AS next_batch`,
    deleteRange: `DELETE FROM ${t} WHERE ${inRange}${andDeletable}`,
    deleteRangeSkipLocked: skipLocked(`${inRange}${andDeletable}`),
    countRange: `SELECT count(*) AS count FROM ${t} WHERE ${inRange}${andDeletable}`,
    deleteTies: waitOrSkip(`${ties('$1')}${andDeletable}`, 'LIMIT $2'),
    deleteTiesSkipLocked: skipLocked(`${ties('$1')}${andDeletable}`, 'LIMIT $2'),
    countTies: `SELECT count(*) AS count FROM ${t} WHERE ${ties('$1')}${andDeletable}`,
    nextKey: `SELECT ${k.quoted}::text AS next FROM ${t}
      WHERE ${k.quoted} > $1::${k.cast} AND ${c} < ${as('$2')} ORDER BY ${k.quoted} LIMIT 1`,
    rangeScope: (from, to) =>
      `${keyRange(k, keyLiteral(from), keyLiteral(to))} AND ${expired}${andDeletable}`,
    tiesScope: (key) => `${ties(escapeLiteral(key))}${andDeletable}`,
    deletePages: `DELETE FROM ${t} WHERE ${onPages}${andDeletable}`,
    deletePagesSkipLocked: skipLocked(`${onPages}${andDeletable}`),
    deletePagesLimited: byIds(`${onPages}${andDeletable}`, 'LIMIT $4'),
    deletePagesLimitedSkipLocked: skipLocked(`${onPages}${andDeletable}`, 'LIMIT $4'),
    deleteAnySkipLocked: waitOrSkip(
      `${c} < ${as('$1')}${andDeletable} AND ${notExcluded('$3')}`,
      'LIMIT $2',
    ),
    countDeletable: `SELECT count(*) AS count FROM ${t}
      WHERE ${c} < ${as('$1')}${andDeletable} AND ${notExcluded('$2')}`,
    countDeletableLead: (excluded) =>
      `SELECT count(*) AS count FROM ${t} WHERE ${remainderScopeOf(excluded)}`,
    deletePagesLead: (first, end) => `DELETE FROM ${t} WHERE ${pagesScopeOf(first, end)}`,
    pagesScope: (first, end) => pagesScopeOf(first, end),
    remainderScope: (excluded) => remainderScopeOf(excluded),
    count: `SELECT count(*) AS count FROM ${t} WHERE ${c} < ${as('$1')}`,
    explainDelete: `EXPLAIN (FORMAT JSON) DELETE FROM ${t} WHERE ${c} < ${as('$1')}`,
    ...(keys.length > 0
      ? {
          countReferenced: `SELECT CASE ${keys.map((key, index) => `WHEN ${referencedBy(key, t)} THEN ${index}`).join(' ')} END AS key,
              count(*) AS count
             FROM ${t} WHERE ${c} < ${literal(cutoff.value)} AND NOT (TRUE${andDeletable})
            GROUP BY 1`,
        }
      : {}),
  };
}

/**
 * ` AND NOT EXISTS (...)` for each foreign key that would refuse to let a referenced row go;
 * nothing when there is none.
 */
function deletable(table: TableProfile): string {
  return refusingKeys(table.references)
    .map((key) => ` AND NOT ${referencedBy(key, table.quotedTable)}`)
    .join('');
}

function whole(page: number): number {
  if (!Number.isInteger(page) || page < 0) throw new RangeError(`not a page number: ${page}`);
  return page;
}
