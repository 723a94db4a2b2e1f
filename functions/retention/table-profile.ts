/**
 * What the cleanup checks about its table before the first batch: that it exists and is a
 * table, that the column exists with a type whose comparison with an instant is well defined,
 * which index (if any) can find the expired rows (a b-tree that leads with the column, one
 * that has it as a later key, a BRIN index), how large and how ordered it is, and
 * that no row-level security policy hides rows from the job's role.
 */
import { type ClientBase, escapeIdentifier, escapeLiteral } from 'pg';
import { databaseTimeQuery, readDatabaseTime } from '../db/database-time.js';
import { inOneRoundTrip, type TransactionLimits } from '../db/transaction.js';
import { TableCheckError } from './errors.js';
import { type ExpiringTable, quoteTableName } from './expiring-table.js';
import { type TableRights, tableRightsColumn } from './privileges.js';
import {
  type ReferencingKey,
  type ReferencingKeyRow,
  referencingKeys,
  referencingKeysColumn,
} from './referencing-keys.js';
import { refuseHiddenRows } from './row-security.js';
import type { RetentionSettings } from './settings.js';

/** How the column stores time: an instant (`timestamptz`) or a wall-clock time in a known zone. */
export type ColumnTime =
  | { readonly type: 'timestamptz' }
  | { readonly type: 'timestamp'; readonly timeZone: string };

/** A table (or partition) checked and ready to clean. */
export interface TableProfile {
  /** The table as configured (e.g. `locations`), for messages. */
  readonly name: string;
  /** Its oid. */
  readonly oid: number;
  /** The resolved name, quoted and schema-qualified: `"public"."locations"`. */
  readonly quotedTable: string;
  /** The column, quoted. */
  readonly quotedColumn: string;
  /** The column's name. */
  readonly column: string;
  /** How the column stores time. */
  readonly columnTime: ColumnTime;
  /** `partitioned` for a declaratively partitioned table (its rows live in its partitions). */
  readonly kind: 'table' | 'partitioned';
  /**
   * A valid b-tree index whose first key is the column, with no predicate.
   * @default - none: batches cannot walk an index in the column's order
   */
  readonly index?: string;
  /**
   * Without {@link index}: a valid b-tree index (no predicate) that has the column as a later key,
   * after plain columns that are all `NOT NULL` (e.g. `(device_id, created_at)`): keyset batches
   * walk it in the order of its first column, with the column's bound as an index condition.
   * @default - none
   */
  readonly compositeIndex?: CompositeIndex;
  /**
   * A valid BRIN index (no predicate) on the column with a `<` operator (`minmax`, `minmax_multi`):
   * the block ranges that may hold expired rows.
   * @default - none
   */
  readonly brinIndex?: BrinIndex;
  /**
   * The server has b-tree skip scan (PostgreSQL 18 and later): a condition on a later key of a
   * composite index skips from one value of the keys before it to the next, instead of reading
   * every entry.
   */
  readonly skipScan: boolean;
  /** Rows by the statistics (`pg_class.reltuples`); negative when never analyzed. */
  readonly estimatedRows: number;
  /** The table's size in pages, now. */
  readonly pages: number;
  /**
   * How the column's order matches the heap's (`pg_stats.correlation`, -1 to 1).
   * @default - null: the column has no statistics yet
   */
  readonly correlation: number | null;
  /** The foreign keys (of other tables, or of this one) that reference its rows. */
  readonly references: readonly ReferencingKey[];
  /** What the job's role may do with its rows (see privileges.ts). */
  readonly rights: TableRights;
}

/** A BRIN index on the column (see {@link TableProfile.brinIndex}). */
export interface BrinIndex {
  /** Its name. */
  readonly name: string;
  /** Heap pages each of its block ranges summarizes (`pages_per_range`, 128 by default). */
  readonly pagesPerRange: number;
}

/** A b-tree index with the column as a later key (see {@link TableProfile.compositeIndex}). */
export interface CompositeIndex {
  /** Its name. */
  readonly name: string;
  /** Its first key column, quoted: the keyset batches' key. */
  readonly quotedKey: string;
  /** That column's type, as `format_type` writes it (e.g. `uuid`), for casting keys back. */
  readonly keyType: string;
  /** The index's columns up to the cleanup column, for messages: `device_id, created_at`. */
  readonly columns: string;
  /** Its size in pages (a walk without skip scan reads about all of them). */
  readonly pages: number;
}

/** An index with the column as a key, as the profile query reads it. */
interface IndexRow {
  readonly name: string;
  readonly am: 'btree' | 'brin';
  /** Its keys' column numbers (0: an expression). */
  readonly keys: readonly number[];
  /** How many of `keys` are keys (the rest are `INCLUDE`d). */
  readonly keyCount: number;
  /** Its size in pages, by the statistics. */
  readonly pages: number;
  readonly options: readonly string[] | null;
  readonly opclasses: readonly string[];
  readonly columns: readonly {
    readonly attnum: number;
    readonly name: string;
    readonly notNull: boolean;
    readonly type: string;
  }[];
}

interface TableRow {
  readonly oid: string;
  readonly schema: string;
  readonly relname: string;
  readonly kind: string;
  readonly attnum: number | null;
  readonly type: string | null;
  readonly indexes: readonly IndexRow[] | null;
  readonly skipScan: boolean;
  readonly reltuples: number;
  readonly pages: number;
  readonly correlation: number | null;
  readonly rowSecurity: boolean;
  readonly references: readonly ReferencingKeyRow[] | null;
  readonly rights: TableRights;
}

/**
 * The relation, its column, the indexes that can find its expired rows (a b-tree that leads
 * with the column; one that has it later, after `NOT NULL` columns; a BRIN index), its size, the column's correlation and the foreign keys that reference it: one
 * catalog query, since a run's fixed cost matters for the hourly run. `relation` picks the
 * relation, `column` names the column (SQL expressions: parameters or literals).
 */
const profileQuery = (relation: string, column: string) => `
  SELECT c.oid::text AS oid, n.nspname AS schema, c.relname, c.relkind::text AS kind, a.attnum,
         (CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END)::regtype::text AS type,
         (SELECT json_agg(json_build_object('name', ic.relname, 'am', am.amname,
                   'keys', i.indkey::int2[], 'keyCount', i.indnkeyatts, 'pages', ic.relpages,
                   'options', ic.reloptions,
                   'opclasses', (SELECT array_agg(opc.opcname ORDER BY k.n)
                                   FROM unnest(i.indclass::oid[]) WITH ORDINALITY AS k(oid, n)
                                   JOIN pg_opclass opc ON opc.oid = k.oid),
                   'columns', (SELECT json_agg(json_build_object('attnum', la.attnum,
                                 'name', la.attname, 'notNull', la.attnotnull,
                                 'type', format_type(la.atttypid, la.atttypmod)))
                                 FROM pg_attribute la
                                WHERE la.attrelid = c.oid AND la.attnum = ANY (i.indkey::int2[])))
                   ORDER BY i.indnatts, ic.relname)
            FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_am am ON am.oid = ic.relam
           WHERE i.indrelid = c.oid AND a.attnum = ANY (i.indkey::int2[]) AND i.indpred IS NULL
             AND i.indisvalid AND i.indisready AND am.amname IN ('btree', 'brin')) AS indexes,
         current_setting('server_version_num')::int >= 180000 AS "skipScan",
         c.reltuples::float8 AS reltuples,
         (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS pages,
         (SELECT s.correlation::float8 FROM pg_stats s
           WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname
           ORDER BY s.inherited LIMIT 1) AS correlation,
         row_security_active(c.oid) AS "rowSecurity",
         ${tableRightsColumn} AS rights,
         ${referencingKeysColumn} AS "references"
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attribute a
           ON a.attrelid = c.oid AND a.attname = ${column} AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_type t ON t.oid = a.atttypid
   WHERE c.oid = ${relation}`;

/** `$1` a (quoted) name, resolved on the search_path. */
const profileByName = profileQuery('to_regclass($1)', '$2');

/**
 * `$1` an oid. Not `to_regclass($1)` with the oid as text: PostgreSQL 16 and later read
 * `'12345'` as an oid there, 15 and earlier as a name, finding nothing.
 */
const profileByOid = profileQuery('$1::oid', '$2');

const relationKinds: Readonly<Record<string, string>> = {
  v: 'a view',
  m: 'a materialized view',
  f: 'a foreign table',
  S: 'a sequence',
  c: 'a composite type',
  i: 'an index',
  I: 'an index',
  t: 'a TOAST table',
};

/** The settings that say in which zone a `timestamp` column's values are written. */
type ColumnZoneSettings = Pick<RetentionSettings, 'columnTimeZone' | 'columnTimeZoneVariable'>;

/**
 * Checks `target` and describes it.
 *
 * @throws {TableCheckError} naming the table and column: no such table, not a table, no such
 *   column, a column that is neither `timestamptz` nor `timestamp`, a `timestamp` column without
 *   `columnTimeZone`, or a zone the database does not know.
 */
export async function inspectTable(
  db: ClientBase,
  target: ExpiringTable,
  zone: ColumnZoneSettings,
): Promise<TableProfile> {
  const { rows } = await db.query<TableRow>(profileByName, [
    quoteTableName(target.table),
    target.column,
  ]);
  return checkedProfile(db, target, zone, rows[0]);
}

/**
 * {@link inspectTable}, and the database's clock `days` × 24 hours ago (see `databaseTime`): the
 * run's cutoff and its table's check in one round trip (one implicit transaction under
 * `limits`), the first thing an hourly run sends.
 *
 * @throws {TableCheckError} as {@link inspectTable}.
 */
export async function inspectTableAtCutoff(
  db: ClientBase,
  target: ExpiringTable,
  zone: ColumnZoneSettings,
  days: number,
  limits: TransactionLimits,
): Promise<{ readonly table: TableProfile; readonly cutoff: string }> {
  const profile = profileQuery(
    `to_regclass(${escapeLiteral(quoteTableName(target.table))})`,
    escapeLiteral(target.column),
  );
  const [clock, found] = await inOneRoundTrip(db, limits, `${databaseTimeQuery(days)}; ${profile}`);
  const cutoff = readDatabaseTime(clock?.rows ?? []);
  return { table: await checkedProfile(db, target, zone, found?.rows[0] as TableRow), cutoff };
}

/** The profile from the query's row, once the relation and column pass the checks. */
async function checkedProfile(
  db: ClientBase,
  target: ExpiringTable,
  zone: ColumnZoneSettings,
  row: TableRow | undefined,
): Promise<TableProfile> {
  const label = `${target.table}.${target.column}`;
  if (!row) {
    throw new TableCheckError(
      target.table,
      `table ${target.table} does not exist (or is not visible on the search_path): nothing to clean`,
    );
  }
  const kind = row.kind === 'r' ? 'table' : row.kind === 'p' ? 'partitioned' : undefined;
  if (!kind) {
    throw new TableCheckError(
      target.table,
      `${target.table} is ${relationKinds[row.kind] ?? `a relation of kind ${row.kind}`}, not a table: nothing to clean`,
    );
  }
  if (row.attnum === null || row.type === null) {
    throw new TableCheckError(target.table, `table ${target.table} has no column ${target.column}`);
  }
  const columnTime = await readColumnTime(db, target, zone, label, row.type);
  await checkRowSecurity(db, row, target.table);
  return {
    name: target.table,
    quotedColumn: escapeIdentifier(target.column),
    column: target.column,
    columnTime,
    ...fromRow(row),
    kind,
  };
}

/** The profile of one of `parent`'s partitions (same column, its own index and size). */
export async function partitionProfile(
  db: ClientBase,
  parent: TableProfile,
  partition: {
    readonly oid: number;
    readonly name: string;
    readonly kind: 'table' | 'partitioned';
  },
): Promise<TableProfile> {
  const { rows } = await db.query<TableRow>(profileByOid, [partition.oid, parent.column]);
  const row = rows[0];
  if (!row || row.attnum === null) {
    throw new TableCheckError(parent.name, `partition ${partition.name} is gone`);
  }
  await checkRowSecurity(db, row, parent.name);
  return { ...parent, ...fromRow(row), name: partition.name, kind: partition.kind };
}

/** Refuses when policies may hide rows from this role (see row-security.ts). */
async function checkRowSecurity(db: ClientBase, row: TableRow, table: string): Promise<void> {
  if (!row.rowSecurity) return;
  const { oid, quotedTable } = fromRow(row);
  await refuseHiddenRows(db, { oid, quotedTable }, table);
}

function fromRow(row: TableRow) {
  return {
    oid: Number(row.oid),
    quotedTable: `${escapeIdentifier(row.schema)}.${escapeIdentifier(row.relname)}`,
    ...indexesOf(row),
    skipScan: row.skipScan,
    estimatedRows: row.reltuples,
    pages: row.pages,
    correlation: row.correlation,
    references: referencingKeys(row.references),
    rights: row.rights,
  };
}

/** The indexes that can find the expired rows, from the profile query's candidates. */
function indexesOf(row: TableRow): Pick<TableProfile, 'index' | 'compositeIndex' | 'brinIndex'> {
  const candidates = row.indexes ?? [];
  const column = row.attnum;
  const btrees = candidates.filter((index) => index.am === 'btree');
  const leading = btrees.find((index) => index.keys[0] === column);
  if (leading) return { index: leading.name, ...brinOf(candidates, column) };
  const composite = btrees
    .map((index) => ({ index, at: index.keys.indexOf(column ?? -1) }))
    .filter(
      ({ index, at }) =>
        at > 0 &&
        at < index.keyCount &&
        index.keys
          .slice(0, at)
          .every(
            (attnum) =>
              index.columns.find((candidate) => candidate.attnum === attnum)?.notNull === true,
          ),
    )
    .sort((x, y) => x.at - y.at)[0];
  const key = composite?.index.columns.find((c) => c.attnum === composite.index.keys[0]);
  return {
    ...(composite && key
      ? {
          compositeIndex: {
            name: composite.index.name,
            quotedKey: escapeIdentifier(key.name),
            keyType: key.type,
            columns: composite.index.keys
              .slice(0, composite.at + 1)
              .map((attnum) => composite.index.columns.find((c) => c.attnum === attnum)?.name)
              .join(', '),
            pages: composite.index.pages,
          },
        }
      : {}),
    ...brinOf(candidates, column),
  };
}

/** A BRIN index whose operator class on the column compares with `<` (minmax, minmax_multi). */
function brinOf(
  candidates: readonly IndexRow[],
  column: number | null,
): Pick<TableProfile, 'brinIndex'> {
  const brin = candidates.find(
    (index) =>
      index.am === 'brin' && index.opclasses[index.keys.indexOf(column ?? -1)]?.includes('minmax'),
  );
  if (!brin) return {};
  const option = (brin.options ?? []).find((text) => text.startsWith('pages_per_range='));
  return {
    brinIndex: {
      name: brin.name,
      pagesPerRange: option ? Number(option.slice('pages_per_range='.length)) : 128,
    },
  };
}

async function readColumnTime(
  db: ClientBase,
  target: ExpiringTable,
  zone: ColumnZoneSettings,
  label: string,
  type: string,
): Promise<ColumnTime> {
  if (type === 'timestamp with time zone') return { type: 'timestamptz' };
  if (type !== 'timestamp without time zone') {
    throw new TableCheckError(
      target.table,
      `${label} is ${type}: the cleanup compares it with an instant, so it must be timestamptz (or timestamp with a declared time zone)`,
    );
  }
  const setting = zone.columnTimeZoneVariable ?? 'the column time zone setting';
  if (!zone.columnTimeZone) {
    throw new TableCheckError(
      target.table,
      `${label} is timestamp without time zone, so which instant a value means depends on a time zone: ` +
        `set ${setting} to the zone its values are written in (e.g. UTC); until then nothing is deleted`,
      zone.columnTimeZoneVariable,
    );
  }
  try {
    await db.query(`SELECT now() AT TIME ZONE $1`, [zone.columnTimeZone]);
  } catch (error) {
    throw new TableCheckError(
      target.table,
      `${setting}: the database does not know the time zone ${JSON.stringify(zone.columnTimeZone)} (${(error as Error).message})`,
      zone.columnTimeZoneVariable,
    );
  }
  return { type: 'timestamp', timeZone: zone.columnTimeZone };
}
