/**
 * Partitions made ahead (pg_partman's `premake`): the current period and the `ahead` periods
 * after it each get a partition, laid on the grid of the table's own period from its latest
 * partition, named as the table names them (partition-period.ts).
 *
 * Each partition is made in its own short transaction, as pg_partman 5 makes them: `CREATE TABLE
 * ... (LIKE parent INCLUDING DEFAULTS, CONSTRAINTS, GENERATED, STORAGE, COMPRESSION)` with the
 * latest partition's storage options and tablespace, then `ALTER TABLE parent ATTACH PARTITION`,
 * which copies the parent's indexes, keys and triggers onto it. Attaching takes SHARE UPDATE
 * EXCLUSIVE on the parent (the backend's reads and writes go on; `CREATE TABLE ... PARTITION
 * OF` would take ACCESS EXCLUSIVE, checked on PostgreSQL 14 and 18), ACCESS EXCLUSIVE on the
 * DEFAULT partition, which it scans for rows of the new range, and SHARE ROW EXCLUSIVE on the
 * tables the parent's foreign keys reference. Every wait for a lock is bounded by the
 * partition DDL's `lock_timeout` (50 ms), and the DEFAULT's scan by its `statement_timeout`.
 *
 * The parent's SHARE UPDATE EXCLUSIVE lock is taken first: two runs making the same partition
 * take turns, and the second finds it made.
 */
import { type ClientBase, escapeIdentifier, escapeLiteral } from 'pg';
import { isStatementError, SqlState, sqlStateOf } from '../db/sqlstate.js';
import { inShortTransaction, type TransactionLimits } from '../db/transaction.js';
import { asOwner, type PartitionLayout, type PartitionStorage } from './partition-layout.js';
import { type PartitionPeriod, partitionName, wallTime } from './partition-period.js';

/** A partition to make: its name and range (text in the column's type). */
export interface ComingPartition {
  /** `schema.name`, for logs and results. */
  readonly name: string;
  /** Its name, without schema. */
  readonly relname: string;
  readonly from: string;
  readonly to: string;
}

/** Why a coming partition was not made: a code, in words in {@link notMadeText}. */
export const NotMadeReason = {
  /** The DEFAULT partition holds rows of its range: PostgreSQL refuses the partition. */
  DefaultHoldsRows: 'default_holds_rows',
  /** A lock (the parent's, the DEFAULT's) was not granted within the DDL's `lock_timeout`. */
  LockTimeout: 'lock_timeout',
  /** Scanning the DEFAULT partition passed the DDL's `statement_timeout`. */
  StatementTimeout: 'statement_timeout',
  /** A relation with its name exists, and is not a partition of the table. */
  NameTaken: 'name_taken',
  /** A partition made meanwhile covers part of its range. */
  Overlaps: 'overlaps',
  /** The database refused the DDL otherwise (the message says why). */
  Refused: 'refused',
  /** The run was stopped (its deadline, a shutdown) before it got to it. */
  Stopped: 'stopped',
} as const;

/** One of {@link NotMadeReason}'s codes. */
export type NotMadeReason = (typeof NotMadeReason)[keyof typeof NotMadeReason];

/** Each {@link NotMadeReason} in words. */
export const notMadeText: Readonly<Record<NotMadeReason, string>> = {
  default_holds_rows: 'the DEFAULT partition holds rows of its range',
  lock_timeout: 'a lock was not granted in time',
  statement_timeout: "the DEFAULT partition's scan passed the statement timeout",
  name_taken: 'another relation has its name',
  overlaps: 'another partition covers part of its range',
  refused: 'the database refused it',
  stopped: 'the run was stopped first',
};

/** How making one partition went. */
export type MakeOutcome =
  | { readonly made: true }
  /** Another run made it first. */
  | { readonly made: false; readonly exists: true }
  | {
      readonly made: false;
      readonly exists?: false;
      readonly reason: NotMadeReason;
      /** What PostgreSQL said, when it refused. */
      readonly detail?: string;
    };

/** Rows the DEFAULT partition's count stops at (the count of a range is then "at least"). */
export const defaultRowsCap = 100_000;

/**
 * The shortest and longest a period can be, in seconds: where on the grid the current period
 * can lie. A day in a zone with daylight saving lasts 23 to 25 hours; the grid is widened by
 * two periods either way for it.
 */
function periodSeconds(period: PartitionPeriod): { readonly min: number; readonly max: number } {
  const { unit, count } = period.step;
  if (unit === 'month') return { min: count * 28 * 86_400, max: count * 31 * 86_400 };
  if (unit === 'day') return { min: count * 86_400, max: count * 86_400 };
  return { min: count, max: count };
}

/**
 * The periods from the current one to `ahead` after it, laid from the latest partition's lower
 * bound (the `k`th period starts `k` steps after it), that no attached partition overlaps, with
 * their names. `$2` the current time in the column's type, or null for the database's clock.
 */
function comingQuery(layout: PartitionLayout, period: PartitionPeriod): string {
  const { cast } = layout;
  const wall = (value: string) => wallTime(cast, value, '$4::text');
  const back = (value: string) =>
    cast === 'timestamptz' ? `(${value} AT TIME ZONE $4::text)` : value;
  const { unit } = period.step;
  const shifted = (value: string, steps: string) =>
    unit === 'second'
      ? `(${value} + make_interval(secs => $3::float8 * (${steps})))`
      : back(`(${wall(value)} + make_interval(${unit}s => $3::int * (${steps})))`);
  const now =
    cast === 'timestamptz'
      ? 'coalesce($2::timestamptz, now())'
      : 'coalesce($2::timestamp, now() AT TIME ZONE $11::text)';
  return `
    WITH s AS (SELECT $1::${cast} AS anchor, ${now} AS now, $4::text AS zone),
    e AS (SELECT extract(epoch FROM s.now - s.anchor)::float8 AS elapsed FROM s),
    b AS (
      SELECT k.k, ${shifted('s.anchor', 'k.k')} AS f, ${shifted('s.anchor', 'k.k + 1')} AS t
        FROM s, e, generate_series(
               floor(e.elapsed / CASE WHEN e.elapsed >= 0 THEN $10::float8 ELSE $9::float8 END)::int - 2,
               ceil(e.elapsed / CASE WHEN e.elapsed >= 0 THEN $9::float8 ELSE $10::float8 END)::int + $5::int + 2) AS k(k))
    SELECT b.f::text AS "from", b.t::text AS "to", to_char(${wall('b.f')}, $8::text) AS formatted
      FROM b, s
     WHERE b.t > s.now AND b.f <= ${shifted('s.now', '$5::int')}
       AND NOT EXISTS (
             SELECT 1 FROM unnest($6::text[], $7::text[]) AS p(f, t)
              WHERE (p.f IS NULL OR p.f::${cast} < b.t) AND (p.t IS NULL OR p.t::${cast} > b.f))
     ORDER BY b.k`;
}

/**
 * The coming periods that have no partition yet: the current one and `ahead` after it (one
 * statement, in the caller's transaction).
 *
 * @param now - the current time in the column's type (tests)
 * @default now - the database's clock
 */
export async function comingPartitions(
  db: ClientBase,
  layout: PartitionLayout,
  period: PartitionPeriod,
  ahead: number,
  now?: string,
): Promise<ComingPartition[]> {
  const length = periodSeconds(period);
  const { rows } = await db.query<{ from: string; to: string; formatted: string }>(
    comingQuery(layout, period),
    [
      period.latest.from,
      now ?? null,
      period.step.count,
      period.step.zone,
      ahead,
      layout.ranges.map((range) => range.from),
      layout.ranges.map((range) => range.to),
      period.naming.format,
      length.min,
      length.max,
      ...(layout.cast === 'timestamp' ? [layout.columnTimeZone] : []),
    ],
  );
  return rows.map((row) => {
    const relname = partitionName(period.naming, row.formatted);
    return { name: `${layout.parent.schema}.${relname}`, relname, from: row.from, to: row.to };
  });
}

/**
 * Rows of the DEFAULT partition in each range, counted on its index (sequential scans off), at
 * most {@link defaultRowsCap} a range; as the owner, who makes the partitions.
 */
export async function rowsInDefault(
  db: ClientBase,
  layout: PartitionLayout,
  ranges: readonly ComingPartition[],
  limits: TransactionLimits,
): Promise<number[]> {
  const found = layout.defaultPartition;
  if (!found || ranges.length === 0) return ranges.map(() => 0);
  const { cast, quotedColumn } = layout;
  const count = `
    SELECT (SELECT count(*) FROM (
              SELECT 1 FROM ${found.quotedName}
               WHERE ${quotedColumn} >= r.f::${cast} AND ${quotedColumn} < r.t::${cast}
               LIMIT ${defaultRowsCap}) AS x)::int AS rows
      FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(f, t, i)
     ORDER BY r.i`;
  return inShortTransaction(
    db,
    limits,
    async () => {
      const { rows } = await db.query<{ rows: number }>(count, [
        ranges.map((range) => range.from),
        ranges.map((range) => range.to),
      ]);
      return rows.map((row) => row.rows);
    },
    { enable_seqscan: 'off' },
    asOwner(layout.owner),
  );
}

/**
 * Makes one partition: its own transaction, as the owner, the parent locked first, then made
 * only if no relation has its name yet (a DO block, so that no round trip waits while the lock
 * is held). Names are quoted identifiers and values escaped literals, so inlining them is safe.
 */
export async function makePartition(
  db: ClientBase,
  layout: PartitionLayout,
  partition: ComingPartition,
  storage: PartitionStorage | undefined,
  limits: TransactionLimits,
): Promise<MakeOutcome> {
  const { parent } = layout;
  const quotedName = `${parent.quotedSchema}.${escapeIdentifier(partition.relname)}`;
  const create =
    `CREATE TABLE ${quotedName} (LIKE ${parent.quotedName} INCLUDING DEFAULTS INCLUDING CONSTRAINTS ` +
    `INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION)${storageClause(storage)}`;
  const attach =
    `ALTER TABLE ${parent.quotedName} ATTACH PARTITION ${quotedName} ` +
    `FOR VALUES FROM (${escapeLiteral(partition.from)}) TO (${escapeLiteral(partition.to)})`;
  const name = escapeLiteral(quotedName);
  const lead = [
    asOwner(layout.owner),
    `LOCK TABLE ONLY ${parent.quotedName} IN SHARE UPDATE EXCLUSIVE MODE`,
    `SELECT to_regclass(${name}) IS NOT NULL AS taken, EXISTS (SELECT 1 FROM pg_inherits ` +
      `WHERE inhrelid = to_regclass(${name}) AND inhparent = ${parent.oid}) AS ours`,
    `DO ${dollarQuote(
      `BEGIN IF to_regclass(${name}) IS NULL THEN EXECUTE ${escapeLiteral(create)}; ` +
        `EXECUTE ${escapeLiteral(attach)}; END IF; END`,
    )}`,
  ]
    .filter(Boolean)
    .join('; ');
  try {
    return await inShortTransaction(
      db,
      limits,
      async (begun): Promise<MakeOutcome> => {
        const check = begun.find((result) => result.command === 'SELECT')?.rows[0] as
          | { taken: boolean; ours: boolean }
          | undefined;
        if (!check?.taken) return { made: true };
        return check.ours
          ? { made: false, exists: true }
          : { made: false, reason: NotMadeReason.NameTaken };
      },
      {},
      lead,
    );
  } catch (error) {
    const reason = reasonOf(error);
    if (!reason) throw error;
    const detail = (error as { message?: unknown }).message;
    return {
      made: false,
      reason,
      ...(reason === NotMadeReason.Refused && typeof detail === 'string' ? { detail } : {}),
    };
  }
}

/** What a failed DDL's error means, or `undefined` for one that is not the DDL's (a lost connection). */
function reasonOf(error: unknown): NotMadeReason | undefined {
  if (!isStatementError(error)) return undefined;
  const code = sqlStateOf(error);
  if (code === SqlState.LockNotAvailable) return NotMadeReason.LockTimeout;
  if (code === SqlState.QueryCanceled) return NotMadeReason.StatementTimeout;
  if (code === SqlState.CheckViolation) return NotMadeReason.DefaultHoldsRows;
  if (code === SqlState.DuplicateTable) return NotMadeReason.NameTaken;
  if (code === SqlState.InvalidObjectDefinition) return NotMadeReason.Overlaps;
  return NotMadeReason.Refused;
}

/** ` WITH (...) TABLESPACE ...` copying a partition's storage options (plain names only). */
function storageClause(storage: PartitionStorage | undefined): string {
  if (!storage) return '';
  const options = storage.options.flatMap((option) => {
    const at = option.indexOf('=');
    const key = option.slice(0, at);
    return at > 0 && /^[a-z_][a-z0-9_.]*$/.test(key)
      ? [`${key} = ${escapeLiteral(option.slice(at + 1))}`]
      : [];
  });
  return (
    (options.length > 0 ? ` WITH (${options.join(', ')})` : '') +
    (storage.tablespace ? ` TABLESPACE ${escapeIdentifier(storage.tablespace)}` : '')
  );
}

/** `$ddl$...$ddl$`, for a DO block's body (which never contains that tag). */
function dollarQuote(body: string): string {
  if (body.includes('$ddl$')) throw new Error('a DO body must not contain $ddl$');
  return `$ddl$${body}$ddl$`;
}
