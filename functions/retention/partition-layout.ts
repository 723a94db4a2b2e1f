/**
 * What partition upkeep needs to know about a table range-partitioned by the cleanup's column,
 * read in one catalog query: its partitions' ranges, its DEFAULT partition, the partition the
 * new ones copy their storage options from, and whether the job's role may make partitions.
 *
 * Making a partition needs the parent's owner (or a role that can `SET ROLE` to it, as its
 * members can) and `CREATE` on the schema for that owner: the new partitions are made as the
 * owner, so that they belong to it as the others do.
 */
import { type ClientBase, escapeIdentifier, escapeLiteral } from 'pg';
import { quoteTableName } from './expiring-table.js';
import { rangeBound } from './partitions.js';

/** One partition's range on the column, as text in the column's type (`null`: unbounded). */
export interface PartitionRange {
  /** Its name, without schema. */
  readonly relname: string;
  readonly from: string | null;
  readonly to: string | null;
}

/** A relation, named for people and for SQL. */
export interface NamedRelation {
  readonly oid: number;
  /** `schema.name`, for logs and results. */
  readonly name: string;
  /** Quoted and schema-qualified. */
  readonly quotedName: string;
}

/** The DEFAULT partition, as the watch counts it. */
export interface DefaultPartition extends NamedRelation {
  /** A valid b-tree index without a predicate leads with the column: counts use it. */
  readonly indexed: boolean;
  /** Its size in pages when last vacuumed or analyzed (`relpages`). */
  readonly pages: number;
}

/** A table range-partitioned by the cleanup's column, as upkeep sees it. */
export interface PartitionLayout {
  readonly parent: NamedRelation & {
    readonly schema: string;
    readonly relname: string;
    /** The schema, quoted: new partitions are made there. */
    readonly quotedSchema: string;
  };
  readonly quotedColumn: string;
  /** The column's type as every statement casts to it. */
  readonly cast: 'timestamptz' | 'timestamp';
  /**
   * For a `timestamp` column: the zone its values are written in (`now` is read in it).
   * @default - absent for a `timestamptz` column
   */
  readonly columnTimeZone?: string;
  /** The attached partitions with a range (not the DEFAULT), in no particular order. */
  readonly ranges: readonly PartitionRange[];
  /**
   * Partitions that are themselves partitioned: partitions made ahead would lack their
   * sub-partitions, so none are made.
   */
  readonly subPartitioned: readonly string[];
  /** @default - absent: the table has no DEFAULT partition */
  readonly defaultPartition?: DefaultPartition;
  /** The storage options (`reloptions`) and tablespace of each partition, by name. */
  readonly storage: ReadonlyMap<string, PartitionStorage>;
  /** The owner, and how the job acts as it. */
  readonly owner: Owner;
  /** The database's clock when the layout was read (`timestamptz` as text, in UTC). */
  readonly now: string;
}

/** A partition's storage options, which the partitions made after it copy. */
export interface PartitionStorage {
  /** `reloptions`, e.g. `['autovacuum_enabled=false']`. */
  readonly options: readonly string[];
  /** @default - absent: the database's default tablespace */
  readonly tablespace?: string;
}

/** The parent's owner, and whether the job's role may make partitions as it. */
export interface Owner {
  readonly role: string;
  /** The job's role. */
  readonly currentRole: string;
  /** The job's role is the owner, or can `SET ROLE` to it. */
  readonly canActAs: boolean;
  /** The owner may create tables in the parent's schema. */
  readonly createsInSchema: boolean;
}

/** The layout, or why the table gets no partition upkeep (not range-partitioned by the column, ...). */
export type LayoutFound =
  | { readonly layout: PartitionLayout; readonly reason?: undefined }
  | {
      readonly layout?: undefined;
      /** Why, for the log; `undefined` when there is nothing to say (a plain table). */
      readonly reason?: string;
    };

interface LayoutRow {
  readonly oid: string;
  readonly schema: string;
  readonly relname: string;
  readonly kind: string;
  readonly type: string | null;
  readonly strategy: string | null;
  readonly keyColumns: number | null;
  readonly keyedByColumn: boolean;
  readonly owner: string;
  readonly currentRole: string;
  readonly canActAs: boolean;
  readonly createsInSchema: boolean;
  readonly now: string;
  readonly defaultPartition: {
    readonly oid: string;
    readonly schema: string;
    readonly relname: string;
    readonly indexed: boolean;
    readonly pages: number;
  } | null;
  readonly partitions: readonly {
    readonly relname: string;
    readonly kind: string;
    readonly bound: string | null;
    readonly options: readonly string[] | null;
    readonly tablespace: string | null;
  }[];
}

/**
 * The table, its column's type, its partition key, owner and the job's rights, its DEFAULT
 * partition (with whether an index leads with the column there) and its attached partitions
 * (not those being detached). `pg_has_role(..., 'SET')` exists from PostgreSQL 16 on; before, a
 * member may always SET ROLE. A bound holds no column, so it is printed without opening its
 * partition (`pg_get_expr(..., 0)`).
 */
const layoutQuery = (table: string, column: string) => `
  SELECT c.oid::int8::text AS oid, n.nspname AS schema, c.relname, c.relkind::text AS kind,
         (CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END)::regtype::text AS type,
         pt.partstrat::text AS strategy, pt.partnatts::int AS "keyColumns",
         coalesce(pt.partattrs[0] = a.attnum, false) AS "keyedByColumn",
         pg_get_userbyid(c.relowner)::text AS owner, current_user::text AS "currentRole",
         now()::text AS now,
         CASE WHEN pg_get_userbyid(c.relowner) = current_user THEN true
              WHEN current_setting('server_version_num')::int >= 160000
                THEN pg_has_role(c.relowner, 'SET')
              ELSE pg_has_role(c.relowner, 'MEMBER') END AS "canActAs",
         has_schema_privilege(c.relowner, c.relnamespace, 'CREATE') AS "createsInSchema",
         (SELECT json_build_object(
                   'oid', d.oid::int8::text, 'schema', dn.nspname, 'relname', d.relname,
                   'pages', d.relpages,
                   'indexed', EXISTS (
                     SELECT 1 FROM pg_index i
                       JOIN pg_class ic ON ic.oid = i.indexrelid
                       JOIN pg_am am ON am.oid = ic.relam
                      WHERE i.indrelid = d.oid AND i.indkey[0] = da.attnum AND am.amname = 'btree'
                        AND i.indpred IS NULL AND i.indisvalid))
            FROM pg_class d
            JOIN pg_namespace dn ON dn.oid = d.relnamespace
            LEFT JOIN pg_attribute da
                   ON da.attrelid = d.oid AND da.attname = ${column} AND NOT da.attisdropped
           WHERE d.oid = pt.partdefid) AS "defaultPartition",
         (SELECT coalesce(json_agg(json_build_object(
                   'relname', p.relname, 'kind', p.relkind::text,
                   'bound', pg_get_expr(p.relpartbound, 0),
                   'options', p.reloptions, 'tablespace', ts.spcname)), '[]'::json)
            FROM pg_inherits i
            JOIN pg_class p ON p.oid = i.inhrelid
            LEFT JOIN pg_tablespace ts ON ts.oid = p.reltablespace
           WHERE i.inhparent = c.oid AND NOT i.inhdetachpending) AS partitions
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attribute a
           ON a.attrelid = c.oid AND a.attname = ${column} AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
   WHERE c.oid = to_regclass(${table})`;

/**
 * The statement that reads the layout, values inlined (escaped literals) so that it can go in
 * the same round trip as its transaction's `BEGIN`.
 */
export function layoutStatement(target: { readonly table: string; readonly column: string }) {
  return layoutQuery(escapeLiteral(quoteTableName(target.table)), escapeLiteral(target.column));
}

/**
 * The layout from the row {@link layoutStatement} returned, or why there is none: no such table
 * (the cleanup says so itself), not partitioned, not by a range of the column alone, a column
 * type the cleanup refuses, or a `timestamp` column whose zone is not configured.
 */
export function readLayout(
  row: LayoutRow | undefined,
  column: string,
  columnTimeZone: string | undefined,
): LayoutFound {
  if (row?.kind !== 'p') return {};
  if (row.strategy !== 'r' || !row.keyedByColumn) return {}; // the removal says so already
  if (row.keyColumns !== 1) {
    return {
      reason: `its partition key has ${row.keyColumns} columns: partitions are made ahead only for a key of ${column} alone`,
    };
  }
  const cast =
    row.type === 'timestamp with time zone'
      ? 'timestamptz'
      : row.type === 'timestamp without time zone' && columnTimeZone
        ? 'timestamp'
        : undefined;
  if (!cast) return {}; // the table's checks refuse the column and say why
  const ranges: PartitionRange[] = [];
  const subPartitioned: string[] = [];
  const storage = new Map<string, PartitionStorage>();
  for (const partition of row.partitions) {
    const range = rangeBound(partition.bound, true);
    if (!range) continue; // the DEFAULT partition
    ranges.push({ relname: partition.relname, from: range.from, to: range.to });
    if (partition.kind === 'p') subPartitioned.push(`${row.schema}.${partition.relname}`);
    storage.set(partition.relname, {
      options: partition.options ?? [],
      ...(partition.tablespace ? { tablespace: partition.tablespace } : {}),
    });
  }
  const quotedSchema = escapeIdentifier(row.schema);
  const named = (oid: string, schema: string, relname: string): NamedRelation => ({
    oid: Number(oid),
    name: `${schema}.${relname}`,
    quotedName: `${escapeIdentifier(schema)}.${escapeIdentifier(relname)}`,
  });
  const found = row.defaultPartition;
  const layout: PartitionLayout = {
    parent: {
      ...named(row.oid, row.schema, row.relname),
      schema: row.schema,
      relname: row.relname,
      quotedSchema,
    },
    quotedColumn: escapeIdentifier(column),
    cast,
    ...(cast === 'timestamp' && columnTimeZone ? { columnTimeZone } : {}),
    ranges,
    subPartitioned,
    ...(found
      ? {
          defaultPartition: {
            ...named(found.oid, found.schema, found.relname),
            indexed: found.indexed,
            pages: found.pages,
          },
        }
      : {}),
    storage,
    owner: {
      role: row.owner,
      currentRole: row.currentRole,
      canActAs: row.canActAs,
      createsInSchema: row.createsInSchema,
    },
    now: row.now,
  };
  return { layout };
}

/**
 * `SET LOCAL ROLE <owner>` when the job's role is not the owner (so that what it makes belongs
 * to the owner), else nothing: a statement to lead a transaction with.
 */
export function asOwner(owner: Owner): string {
  return owner.role === owner.currentRole ? '' : `SET LOCAL ROLE ${escapeIdentifier(owner.role)}`;
}

/** Reads the layout of `target` in the current transaction (see {@link layoutStatement}). */
export async function queryLayout(
  db: ClientBase,
  target: { readonly table: string; readonly column: string },
  columnTimeZone: string | undefined,
): Promise<LayoutFound> {
  const { rows } = await db.query<LayoutRow>(layoutStatement(target));
  return readLayout(rows[0], target.column, columnTimeZone);
}

export type { LayoutRow };
