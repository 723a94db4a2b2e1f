import { escapeIdentifier } from 'pg';

/** A table whose rows expire, and the timestamp column, ideally with a b-tree index, saying when. */
export interface ExpiringTable {
  /** The table's name, optionally schema-qualified (`schema.table`). */
  readonly table: string;
  /**
   * The column compared with the cutoff: `timestamptz`, or `timestamp` (without time zone)
   * when the settings' `columnTimeZone` says in which zone its values are written.
   */
  readonly column: string;
}

/** `schema.table` → `"schema"."table"`. */
export function quoteTableName(table: string): string {
  return table.split('.').map(escapeIdentifier).join('.');
}
