import { escapeIdentifier } from 'pg';

/** A table whose rows expire, and the `timestamptz` column, with a b-tree index, saying when. */
export interface ExpiringTable {
  /** The table's name, optionally schema-qualified (`schema.table`). */
  readonly table: string;
  /** The indexed `timestamptz` column compared with the cutoff. */
  readonly column: string;
}

/**
 * The statements of a batched delete on one table. Every timestamp travels as text (the
 * column's own `::text`, or ISO 8601), so microseconds survive the round trip through Node.
 */
export interface BatchedDeleteStatements {
  /**
   * `$1` from (inclusive), `$2` cutoff, `$3` batch size → `bound`: the timestamp of the
   * row after the first `$3` rows from `$1` on, in index order; no row when fewer are left.
   */
  readonly bound: string;
  /** `$1` from (inclusive), `$2` to (exclusive): deletes the range. */
  readonly deleteRange: string;
  /** `$1` timestamp, `$2` limit: deletes up to `$2` rows with exactly that timestamp. */
  readonly deleteTies: string;
  /** `$1` cutoff → `count`: how many rows are older (a dry run). */
  readonly count: string;
}

/** Builds the statements for `target`; names are quoted, values are always parameters. */
export function batchedDeleteStatements(target: ExpiringTable): BatchedDeleteStatements {
  const table = target.table.split('.').map(escapeIdentifier).join('.');
  const column = escapeIdentifier(target.column);
  return {
    bound: `SELECT ${column}::text AS bound FROM ${table}
      WHERE ${column} >= $1::timestamptz AND ${column} < $2::timestamptz
      ORDER BY ${column} OFFSET $3 LIMIT 1`,
    deleteRange: `DELETE FROM ${table}
      WHERE ${column} >= $1::timestamptz AND ${column} < $2::timestamptz`,
    // The tuple ids are read and used in one statement (one snapshot), so they cannot be
    // reused by other rows in between.
    deleteTies: `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(
      SELECT ctid FROM ${table} WHERE ${column} = $1::timestamptz LIMIT $2))`,
    count: `SELECT count(*) AS count FROM ${table} WHERE ${column} < $1::timestamptz`,
  };
}
