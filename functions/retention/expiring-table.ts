import { escapeIdentifier } from 'pg';

/** A table whose rows expire, and the timestamp column, ideally with a b-tree index, saying when. */
export interface ExpiringTable {
  /** The table's name, optionally schema-qualified (`schema.table`). */
  readonly table: string;
  /**
   * The column compared with the cutoff: `timestamptz`, or `timestamp` (without time zone)
   * when `columnTimeZone` says in which zone its values are written.
   */
  readonly column: string;
  /**
   * For a `timestamp without time zone` column: the IANA zone its values are written in (e.g.
   * `UTC`, `Europe/Bratislava`). Ignored for a `timestamptz` column.
   * @default - none: a `timestamp` column is refused
   */
  readonly columnTimeZone?: string;
  /**
   * The environment variable that sets `columnTimeZone`, named in errors.
   * @default - errors name no variable
   */
  readonly columnTimeZoneVariable?: string;
}

/** `schema.table` → `"schema"."table"`. */
export function quoteTableName(table: string): string {
  return table.split('.').map(escapeIdentifier).join('.');
}
