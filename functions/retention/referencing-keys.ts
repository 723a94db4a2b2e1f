/**
 * The foreign keys of other tables that point at the table being cleaned, read with its profile
 * (no extra statement). Two things follow from them:
 *
 * - a key with `ON DELETE RESTRICT` or `NO ACTION` refuses to let a referenced row go: such rows
 *   are left out of every batch's `DELETE` up front (a `NOT EXISTS` on the referencing table),
 *   instead of failing the batch, and counted once at the end;
 * - a key whose referencing columns no index leads with makes each deleted row scan the
 *   referencing table (to cascade, to set null, or to check): the run warns once, with the
 *   `CREATE INDEX` to run.
 *
 * `ON DELETE CASCADE` and `SET NULL` keep their meaning: the backend declared them.
 */
import { escapeIdentifier } from 'pg';

/** A foreign key as the profile query reads it. */
export interface ReferencingKeyRow extends Omit<ReferencingKey, 'table' | 'quotedTable'> {
  readonly schema: string;
  readonly relname: string;
}

/** Completes the keys the profile query read. */
export function referencingKeys(rows: readonly ReferencingKeyRow[] | null): ReferencingKey[] {
  return (rows ?? []).map(({ schema, relname, ...key }) => ({
    ...key,
    table: `${schema}.${relname}`,
    quotedTable: `${escapeIdentifier(schema)}.${escapeIdentifier(relname)}`,
  }));
}

/** A foreign key of another table (or of this one) that references the table's rows. */
export interface ReferencingKey {
  /** The constraint's name as declared (for a partition's clone, its parent's). */
  readonly name: string;
  /** Its name on this table: a partition's clone has its own (e.g. `trips_location_fkey_1`). */
  readonly localName: string;
  /** The referencing table, `schema.name`, for messages. */
  readonly table: string;
  /** The referencing table, quoted and schema-qualified. */
  readonly quotedTable: string;
  /** Whether the referencing table is partitioned. */
  readonly partitioned: boolean;
  /** `ON DELETE`: `r` restrict, `a` no action, `c` cascade, `n` set null, `d` set default. */
  readonly onDelete: string;
  /** The referencing columns, in the key's order. */
  readonly referencing: readonly string[];
  /** The columns of this table they reference, in the same order. */
  readonly referenced: readonly string[];
  /** The job's role may read the referencing columns (a `NOT EXISTS` on them needs it). */
  readonly readable: boolean;
  /** A valid index without a predicate leads with the referencing columns. */
  readonly indexed: boolean;
}

/**
 * A column of the profile query (`c` the table's `pg_class` row): the keys that reference it,
 * as JSON. A partition's clones of a key on a partitioned referencing table are left out: the
 * key on that table covers its partitions.
 */
export const referencingKeysColumn = `
  (SELECT coalesce(json_agg(json_build_object(
       'name', coalesce((WITH RECURSIVE up AS (
                   SELECT con.oid, con.conname, con.conparentid
                   UNION ALL
                   SELECT p.oid, p.conname, p.conparentid FROM up
                     JOIN pg_constraint p ON p.oid = up.conparentid AND p.conrelid = con.conrelid)
                 SELECT up.conname FROM up WHERE NOT EXISTS (
                   SELECT 1 FROM pg_constraint p
                    WHERE p.oid = up.conparentid AND p.conrelid = con.conrelid) LIMIT 1),
                 con.conname),
       'localName', con.conname,
       'schema', rn.nspname,
       'relname', rc.relname,
       'partitioned', rc.relkind = 'p',
       'onDelete', con.confdeltype::text,
       'referencing', (SELECT json_agg(ra.attname ORDER BY k.n)
                         FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, n)
                         JOIN pg_attribute ra ON ra.attrelid = con.conrelid AND ra.attnum = k.attnum),
       'referenced', (SELECT json_agg(ta.attname ORDER BY k.n)
                        FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, n)
                        JOIN pg_attribute ta ON ta.attrelid = con.confrelid AND ta.attnum = k.attnum),
       'readable', (SELECT bool_and(has_column_privilege(con.conrelid, k.attnum, 'SELECT'))
                      FROM unnest(con.conkey) AS k(attnum)),
       'indexed', EXISTS (
                    SELECT 1 FROM pg_index i
                     WHERE i.indrelid = con.conrelid AND i.indpred IS NULL AND i.indisvalid
                       AND i.indnkeyatts >= cardinality(con.conkey)
                       AND (i.indkey::int2[])[0:cardinality(con.conkey) - 1] @> con.conkey
                       AND (i.indkey::int2[])[0:cardinality(con.conkey) - 1] <@ con.conkey)
     ) ORDER BY con.conname), '[]'::json)
     FROM pg_constraint con
     JOIN pg_class rc ON rc.oid = con.conrelid
     JOIN pg_namespace rn ON rn.oid = rc.relnamespace
    WHERE con.confrelid = c.oid AND con.contype = 'f'
      AND NOT EXISTS (SELECT 1 FROM pg_constraint p
                       WHERE p.oid = con.conparentid AND p.conrelid <> con.conrelid))`;

/** The keys whose referenced rows are left out of the batches up front. */
export function refusingKeys(keys: readonly ReferencingKey[]): ReferencingKey[] {
  return keys.filter((key) => (key.onDelete === 'r' || key.onDelete === 'a') && key.readable);
}

/**
 * `EXISTS` a referencing row of `key` for the row of `quotedTable` being looked at (its
 * columns qualified by the table's name, so that the condition can sit in any statement that
 * reads the table without an alias). A referencing row with a null in the key references
 * nothing, as the constraint itself says (`MATCH SIMPLE` and `FULL`).
 */
export function referencedBy(key: ReferencingKey, quotedTable: string): string {
  const pairs = key.referencing.map(
    (column, index) =>
      `referrer.${escapeIdentifier(column)} = ${quotedTable}.${escapeIdentifier(key.referenced[index] ?? '')}`,
  );
  return `EXISTS (SELECT 1 FROM ${key.quotedTable} AS referrer WHERE ${pairs.join(' AND ')})`;
}

/** The SQLSTATE a delete of a row `key` refuses raises. */
export function refusalCode(key: ReferencingKey): string {
  return key.onDelete === 'r' ? '23001' : '23503';
}

/** `ON DELETE ...` as declared. */
export function onDeleteAction(key: ReferencingKey): string {
  const actions: Readonly<Record<string, string>> = {
    r: 'RESTRICT',
    a: 'NO ACTION',
    c: 'CASCADE',
    n: 'SET NULL',
    d: 'SET DEFAULT',
  };
  return `ON DELETE ${actions[key.onDelete] ?? key.onDelete}`;
}

/** The index that lets a delete find a key's referencing rows without scanning their table. */
export function createIndexFor(key: ReferencingKey): string {
  // CONCURRENTLY does not build an index on a partitioned table (PostgreSQL builds it per
  // partition then); on a plain table it keeps the backend's writes going while it builds.
  const concurrently = key.partitioned ? '' : 'CONCURRENTLY ';
  const columns = key.referencing.map(escapeIdentifier).join(', ');
  return `CREATE INDEX ${concurrently}ON ${key.quotedTable} (${columns})`;
}
