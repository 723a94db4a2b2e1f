/**
 * Whether pg_partman also manages the table's partitions, and with a retention of its own:
 * then both remove expired partitions, which works (each removes what is there) but is rarely
 * meant. The cleanup never changes pg_partman's configuration; it says so once per run.
 */
import type { ClientBase } from 'pg';

/** pg_partman's settings for the table, when it manages it. */
export interface PartmanSettings {
  /** `part_config.retention` (e.g. `30 days`), or `null` when pg_partman keeps everything. */
  readonly retention: string | null;
  /** `part_config.retention_keep_table`: pg_partman detaches instead of dropping. */
  readonly keepTable: boolean | null;
}

/**
 * pg_partman's `part_config` row for the table: looked up in the extension's schema when the
 * extension is installed, else in a `partman` schema (its documented default), if there is one.
 * Found from the catalog, which every role may read; read only when the job's role may (`USAGE`
 * on the schema, `SELECT` on the table): a role that may not still cleans the table, without
 * this note.
 */
export async function partmanSettings(
  db: ClientBase,
  tableOid: number,
): Promise<PartmanSettings | undefined> {
  const { rows: schemas } = await db.query<{ config: string; readable: boolean }>(
    `SELECT c.oid::regclass::text AS config,
            has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT') AS readable
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = 'part_config'
        AND n.nspname = coalesce((SELECT en.nspname FROM pg_extension e
                                    JOIN pg_namespace en ON en.oid = e.extnamespace
                                   WHERE e.extname = 'pg_partman'), 'partman')`,
  );
  const config = schemas[0];
  if (!config?.readable) return undefined;
  const { rows } = await db.query<{ retention: string | null; keep: boolean | null }>(
    `SELECT retention::text AS retention, retention_keep_table AS keep FROM ${config.config}
      WHERE parent_table = (SELECT n.nspname || '.' || c.relname FROM pg_class c
                              JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1)`,
    [tableOid],
  );
  const row = rows[0];
  return row ? { retention: row.retention, keepTable: row.keep } : undefined;
}
