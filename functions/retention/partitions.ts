/**
 * The partitions of a declaratively partitioned table, sorted for the cleanup: those whose
 * whole range lies before the cutoff (removed whole), those that may hold expired rows (the
 * partition straddling the cutoff, a DEFAULT partition, partitions of a level partitioned by
 * another column: batch-deleted), and those that cannot (left alone).
 *
 * A partition's range on the cleanup column comes from its bound (`FOR VALUES FROM (...) TO
 * (...)`) when its parent is range-partitioned with the column as the first key, and from its
 * ancestors' ranges otherwise; each level narrows the range. Bounds are read with `TimeZone`
 * and `DateStyle` pinned, and compared with the cutoff by the database, in the column's type.
 */
import type { ClientBase } from 'pg';
import { escapeIdentifier } from 'pg';
import { inShortTransaction, type TransactionLimits } from '../db/transaction.js';
import type { ColumnCutoff } from './column-cutoff.js';
import type { TableProfile } from './table-profile.js';

/** One partition (or sub-partitioned partition) of the table. */
export interface Partition {
  readonly oid: number;
  /** `schema.name`, for logs and results. */
  readonly name: string;
  /** Quoted and schema-qualified. */
  readonly quotedName: string;
  /** The parent it is attached to (the table itself, or a partition of it). */
  readonly parentOid: number;
  readonly parentQuotedName: string;
  /** `partitioned` when it has partitions of its own. */
  readonly kind: 'table' | 'partitioned';
  /** The DEFAULT partition of its parent. */
  readonly isDefault: boolean;
  /** Rows, by the statistics (the sum over its leaves); `null` when a leaf was never analyzed. */
  readonly estimatedRows: number | null;
}

/** What the cleanup does with each partition. */
export interface PartitionPlan {
  /** Wholly before the cutoff: removed by DDL, oldest first. */
  readonly expired: readonly Partition[];
  /** May hold expired rows: batch-deleted (leaves only). */
  readonly straddling: readonly Partition[];
  /**
   * Why the table is not cleaned by removing partitions, when it is not (e.g. it is
   * partitioned by another column).
   * @default - absent when partitions can be removed
   */
  readonly notByPartition?: string;
}

interface TreeRow {
  readonly oid: string;
  readonly parent: string | null;
  readonly kind: string;
  readonly schema: string;
  readonly relname: string;
  readonly bound: string | null;
  readonly reltuples: number;
  readonly strategy: string | null;
  readonly key_columns: number | null;
  readonly keyed_by_column: boolean | null;
}

interface Node {
  readonly row: TreeRow;
  readonly children: Node[];
}

/** A range on the cleanup column: `null` is unbounded. */
export interface Range {
  readonly from: string | null;
  readonly to: string | null;
  /** The upper bound is exclusive on the column alone (a single-column key). */
  readonly toExclusive: boolean;
}

const unbounded: Range = { from: null, to: null, toExclusive: true };

/** Reads `table`'s partition tree and sorts its partitions against the cutoff. */
export async function planPartitions(
  db: ClientBase,
  table: TableProfile,
  cutoff: ColumnCutoff,
  limits: TransactionLimits,
): Promise<PartitionPlan> {
  const rows = await inShortTransaction(
    db,
    limits,
    async () => (await db.query<TreeRow>(treeQuery, [table.oid, table.column])).rows,
    { datestyle: 'ISO' },
  );
  const root = buildTree(rows, table.oid);
  if (!root) throw new Error(`${table.name}: its partition tree is empty`);
  const keyedByColumn = rows.some((row) => row.strategy === 'r' && row.keyed_by_column === true);
  const notByPartition = keyedByColumn
    ? undefined
    : `${table.name} is partitioned by ${describeKey(root.row)}, not by a range of ${table.column}: its partitions are batch-deleted`;
  const ranges = new Map<Node, Range>();
  collectRanges(root, unbounded, ranges);
  const verdicts = await compareWithCutoff(db, [...ranges.values()], cutoff);
  const verdictOf = new Map([...ranges.keys()].map((node, index) => [node, verdicts[index]]));
  const plan = { expired: [] as Node[], straddling: [] as Node[] };
  const visit = (node: Node) => {
    const verdict = verdictOf.get(node);
    if (node !== root && verdict === 'expired') plan.expired.push(node);
    else if (node !== root && verdict === 'fresh')
      return; // wholly at or after the cutoff
    else if (node.children.length > 0 || node.row.kind === 'p') {
      for (const child of node.children) visit(child);
    } else plan.straddling.push(node);
  };
  visit(root);
  const toPartition = (node: Node) => partition(node, rows);
  return {
    expired: plan.expired.map(toPartition),
    straddling: plan.straddling.filter((node) => node !== root).map(toPartition),
    ...(notByPartition ? { notByPartition } : {}),
  };
}

/**
 * Every partition under the table (the table itself included, `parent` null), with its bound,
 * its own partition key (when partitioned) and whether that key starts with the column.
 * Partitions being detached concurrently are left out.
 */
const treeQuery = `
  SELECT t.relid::oid::int8::text AS oid, t.parentrelid::oid::int8::text AS parent,
         c.relkind::text AS kind, n.nspname AS schema, c.relname,
         pg_get_expr(c.relpartbound, c.oid) AS bound, c.reltuples::float8 AS reltuples,
         pt.partstrat::text AS strategy, pt.partnatts::int AS key_columns,
         (pt.partattrs[0] = a.attnum) AS keyed_by_column
    FROM pg_partition_tree($1::oid::regclass) AS t
    JOIN pg_class c ON c.oid = t.relid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_partitioned_table pt ON pt.partrelid = t.relid
    LEFT JOIN pg_attribute a ON a.attrelid = t.relid AND a.attname = $2 AND NOT a.attisdropped
   WHERE NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = t.relid AND i.inhdetachpending)
   ORDER BY t.level, c.relname`;

function buildTree(rows: readonly TreeRow[], rootOid: number): Node | undefined {
  const nodes = new Map(rows.map((row) => [row.oid, { row, children: [] as Node[] }]));
  for (const node of nodes.values()) {
    if (node.row.parent !== null) nodes.get(node.row.parent)?.children.push(node);
  }
  return nodes.get(String(rootOid));
}

/** Each node's range: its parent's, narrowed by its own bound when the parent is keyed by the column. */
function collectRanges(node: Node, range: Range, ranges: Map<Node, Range>): void {
  ranges.set(node, range);
  const keyed = node.row.strategy === 'r' && node.row.keyed_by_column === true;
  for (const child of node.children) {
    const own = keyed ? rangeBound(child.row.bound, (node.row.key_columns ?? 1) === 1) : undefined;
    collectRanges(child, own ? narrow(range, own) : range, ranges);
  }
}

/** `FOR VALUES FROM ('a', ...) TO ('b', ...)` → the first key column's range; DEFAULT → none. */
export function rangeBound(bound: string | null, singleColumn: boolean): Range | undefined {
  const match = /^FOR VALUES FROM \((.*)\) TO \((.*)\)$/s.exec(bound ?? '');
  if (!match) return undefined;
  return {
    from: firstValue(match[1] ?? ''),
    to: firstValue(match[2] ?? ''),
    toExclusive: singleColumn,
  };
}

/** The first value of a bound list: a quoted literal, or MINVALUE/MAXVALUE (unbounded). */
function firstValue(list: string): string | null {
  const quoted = /^'((?:[^']|'')*)'/.exec(list.trim());
  return quoted ? (quoted[1] ?? '').replaceAll("''", "'") : null;
}

function narrow(outer: Range, inner: Range): Range {
  // A row must satisfy both bounds. Taking the inner bound where it has one is safe either way:
  // if it is the wider one, the outer level was already found expired (or fresh) on its own.
  return {
    from: inner.from ?? outer.from,
    to: inner.to ?? outer.to,
    toExclusive: inner.to !== null ? inner.toExclusive : outer.toExclusive,
  };
}

type Verdict = 'expired' | 'fresh' | 'mixed';

/** For each range: wholly before the cutoff, wholly at or after it, or neither. */
async function compareWithCutoff(
  db: ClientBase,
  ranges: readonly Range[],
  cutoff: ColumnCutoff,
): Promise<Verdict[]> {
  const { rows } = await db.query<{ expired: boolean | null; fresh: boolean | null }>(
    `SELECT CASE WHEN r.exclusive THEN r.upper::${cutoff.cast} <= $4::${cutoff.cast}
                 ELSE r.upper::${cutoff.cast} < $4::${cutoff.cast} END AS expired,
            r.lower::${cutoff.cast} >= $4::${cutoff.cast} AS fresh
       FROM unnest($1::text[], $2::text[], $3::boolean[]) WITH ORDINALITY AS r(lower, upper, exclusive, n)
      ORDER BY r.n`,
    [
      ranges.map((r) => r.from),
      ranges.map((r) => r.to),
      ranges.map((r) => r.toExclusive),
      cutoff.value,
    ],
  );
  return rows.map((row) => (row.expired ? 'expired' : row.fresh ? 'fresh' : 'mixed'));
}

function partition(node: Node, rows: readonly TreeRow[]): Partition {
  const { row } = node;
  const parent = rows.find((candidate) => candidate.oid === row.parent);
  const leaves = leavesOf(node);
  const unknown = leaves.some((leaf) => leaf.row.reltuples < 0);
  return {
    oid: Number(row.oid),
    name: `${row.schema}.${row.relname}`,
    quotedName: `${escapeIdentifier(row.schema)}.${escapeIdentifier(row.relname)}`,
    parentOid: Number(row.parent),
    parentQuotedName: parent
      ? `${escapeIdentifier(parent.schema)}.${escapeIdentifier(parent.relname)}`
      : '',
    kind: row.kind === 'p' ? 'partitioned' : 'table',
    isDefault: row.bound === 'DEFAULT',
    estimatedRows: unknown ? null : leaves.reduce((sum, leaf) => sum + leaf.row.reltuples, 0),
  };
}

function leavesOf(node: Node): Node[] {
  return node.row.kind === 'p' ? node.children.flatMap(leavesOf) : [node];
}

function describeKey(row: TreeRow): string {
  const strategy = { r: 'range', l: 'list', h: 'hash' }[row.strategy ?? ''] ?? 'a key';
  return `${strategy} on another key`;
}
