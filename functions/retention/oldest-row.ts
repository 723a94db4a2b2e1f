/**
 * The retention promise, measured: after every run (a dry run too, and a run whose batch
 * failed), the oldest row left in the table, its age, and how far before the run's cutoff it
 * lies. A run can succeed and still leave expired rows (locked, refused, cut short at its
 * deadline); this says so in the result, the log and the `OldestRowOverdue` metric that the
 * "retention breached" alarm reads.
 *
 * Cost: with a b-tree index that leads with the column (on the table, or on every partition),
 * one index probe (`min()`), one per partition for a partitioned table. Without one (a BRIN
 * index, or none), only the rows older than the cutoff are read: through a BRIN index the
 * page ranges that may hold them, without any index the whole table; the oldest row's age is
 * then known only when an expired row is left. Either way the statement runs under the batch's
 * time limits, and a measurement that passes them is reported as not measured, never as
 * "nothing old". After a run that left no expired row (its own final check counted none), the
 * probe starts at the cutoff: the index entries below it are those the run just deleted, dead
 * until vacuumed, and walking them costs a heap visit each (seconds after a large backlog);
 * without such an index nothing is read at all.
 *
 * The table is checked as before a delete (table-profile.ts), row-level security included: a
 * role that policies may hide rows from gets no measurement, never a false "nothing left". A run
 * passes the profile it checked before its first batch, which is not read again.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type ClientBase, escapeLiteral } from 'pg';
import { inOneRoundTrip, inShortTransaction } from '../db/transaction.js';
import { JobLog } from '../log-messages.js';
import { describeError } from '../runner/errors.js';
import { runMetrics } from '../runner/metric-names.js';
import type { JobContext } from '../runner/types.js';
import { type ColumnCutoff, columnCutoff } from './column-cutoff.js';
import type { ExpiringTable } from './expiring-table.js';
import type { RetentionSettings } from './settings.js';
import { inspectTable, type TableProfile } from './table-profile.js';

/** What the measurement takes from the run's settings: the batch's limits, the column's zone. */
export type OldestRowSettings = Pick<
  RetentionSettings,
  'limits' | 'columnTimeZone' | 'columnTimeZoneVariable'
>;

/** The oldest row left, measured. */
export interface MeasuredOldestRow {
  /**
   * How: `index`, one probe of the b-tree index on the column (of each partition, for a
   * partitioned table); `expired rows`, no such index: only the rows older than the cutoff
   * were read, so `oldest` and `ageSeconds` are known only when one of them is left.
   */
  readonly measuredBy: 'index' | 'expired rows';
  /**
   * The column's value in the oldest row left, as an instant (ISO 8601, UTC, microseconds).
   * @default - absent: no row left (measured by `expired rows`: no expired row left)
   */
  readonly oldest?: string;
  /**
   * Its age in whole seconds, on the database's clock when measured. For a column that holds
   * the expiry itself (the idempotency keys' `expires_at`): how long ago it expired, negative
   * when it has not yet.
   * @default - absent when `oldest` is
   */
  readonly ageSeconds?: number;
  /**
   * How long before the run's cutoff the oldest row left lies, in whole seconds (rounded up):
   * 0 when no row older than the cutoff is left. What the "retention breached" alarm reads.
   */
  readonly overdueSeconds: number;
}

/** The oldest row left could not be measured: no number is given, rather than a false one. */
export interface UnmeasuredOldestRow {
  readonly measuredBy: 'not measured';
  /** Why: the error's message (a statement or lock timeout, row-level security, ...). */
  readonly reason: string;
}

/** What {@link measureOldestRow} found. */
export type OldestRow = MeasuredOldestRow | UnmeasuredOldestRow;

interface ProbeRow {
  readonly oldest: string | null;
  readonly age: number | null;
  readonly before_cutoff: number | null;
}

/**
 * Measures the oldest row left in `target` against `cutoff` (ISO 8601 with a zone, as the run
 * used it), in one short transaction under the batch's limits. Never throws: what goes wrong
 * is the `reason` of a `not measured` answer.
 *
 * @param noneExpiredLeft - the run has just found no row older than `cutoff` left (a complete
 *   run): only the rows from the cutoff on are probed
 * @param checked - `target` as the run checked it (`inspectTable`): not checked again
 */
export async function measureOldestRow(
  db: ClientBase,
  target: ExpiringTable,
  cutoff: string,
  settings: OldestRowSettings,
  noneExpiredLeft = false,
  checked?: TableProfile,
): Promise<OldestRow> {
  try {
    const { byIndex, row } =
      checked && checked.kind === 'table' && checked.columnTime.type === 'timestamptz'
        ? await probeChecked(db, checked, cutoff, settings, noneExpiredLeft)
        : // The checks too run under the limits: the profile's size reads wait for a table lock.
          await inShortTransaction(db, settings.limits, async () => {
            const table = checked ?? (await inspectTable(db, target, settings));
            const byIndex = await probesAnIndex(db, table);
            if (noneExpiredLeft && !byIndex) return { byIndex, row: undefined };
            const scope = !byIndex ? 'expired' : noneExpiredLeft ? 'not expired' : 'all';
            const inColumn = await columnCutoff(db, table.columnTime, cutoff);
            const sql = probeStatement(table, cutoff, inColumn, scope);
            return { byIndex, row: (await db.query<ProbeRow>(sql)).rows[0] };
          });
    const measuredBy = byIndex ? 'index' : 'expired rows';
    if (!row || row.oldest === null) return { measuredBy, overdueSeconds: 0 };
    return {
      measuredBy,
      oldest: row.oldest,
      ageSeconds: Math.floor(Number(row.age)),
      overdueSeconds: Math.max(0, Math.ceil(Number(row.before_cutoff))),
    };
  } catch (error) {
    return { measuredBy: 'not measured', reason: describeError(error).message };
  }
}

/**
 * The probe of a plain table with a `timestamptz` column that the run checked already: no
 * statement at all when none is needed (no b-tree index, and the run left no expired row), else
 * the probe alone, in one round trip under the limits.
 */
async function probeChecked(
  db: ClientBase,
  table: TableProfile,
  cutoff: string,
  settings: OldestRowSettings,
  noneExpiredLeft: boolean,
): Promise<{ byIndex: boolean; row: ProbeRow | undefined }> {
  const byIndex = table.index !== undefined;
  if (noneExpiredLeft && !byIndex) return { byIndex, row: undefined };
  const scope = !byIndex ? 'expired' : noneExpiredLeft ? 'not expired' : 'all';
  const inColumn = { value: cutoff, cast: 'timestamptz' } as const;
  const [probe] = await inOneRoundTrip(
    db,
    settings.limits,
    probeStatement(table, cutoff, inColumn, scope),
  );
  return { byIndex, row: probe?.rows[0] as ProbeRow | undefined };
}

/**
 * Whether `min()` of the column is an index probe: a b-tree index leads with it on the table,
 * or (partitioned) on the parent, or on every leaf partition.
 */
async function probesAnIndex(db: ClientBase, table: TableProfile): Promise<boolean> {
  if (table.index !== undefined) return true;
  if (table.kind !== 'partitioned') return false;
  const { rows } = await db.query<{ unindexed: number }>(
    `SELECT count(*)::int AS unindexed FROM pg_partition_tree($1::oid) AS p
      WHERE p.isleaf AND NOT EXISTS (
        SELECT 1 FROM pg_index i
          JOIN pg_class ic ON ic.oid = i.indexrelid
          JOIN pg_am am ON am.oid = ic.relam
          JOIN pg_attribute a ON a.attrelid = p.relid AND a.attnum = i.indkey[0]
         WHERE i.indrelid = p.relid AND a.attname = $2 AND am.amname = 'btree'
           AND i.indpred IS NULL AND i.indisvalid)`,
    [String(table.oid), table.column],
  );
  return rows[0]?.unindexed === 0;
}

/**
 * The probe over `scope` (every row, or those before or from the cutoff), values inlined as
 * escaped literals: the oldest value as an instant, its age and
 * how far before the cutoff it lies (seconds). A `timestamp` column's wall-clock value is read
 * in its declared zone.
 */
function probeStatement(
  table: TableProfile,
  cutoff: string,
  inColumn: ColumnCutoff,
  scope: 'all' | 'expired' | 'not expired',
): string {
  const c = table.quotedColumn;
  const instant =
    table.columnTime.type === 'timestamptz'
      ? 'm'
      : `(m AT TIME ZONE ${escapeLiteral(table.columnTime.timeZone)})`;
  const bound = `${escapeLiteral(inColumn.value)}::${inColumn.cast}`;
  const where = {
    all: '',
    expired: ` WHERE ${c} < ${bound}`,
    'not expired': ` WHERE ${c} >= ${bound}`,
  }[scope];
  return `SELECT to_char(${instant} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS oldest,
      extract(epoch FROM now() - ${instant})::float8 AS age,
      extract(epoch FROM ${escapeLiteral(cutoff)}::timestamptz - ${instant})::float8 AS before_cutoff
    FROM (SELECT min(${c}) AS m FROM ${table.quotedTable}${where}) AS oldest_row`;
}

/**
 * Measures the oldest row left (see {@link measureOldestRow}) and reports it (see
 * {@link reportOldestRow}).
 */
export async function oldestRowLeft(
  ctx: JobContext,
  db: ClientBase,
  target: ExpiringTable,
  cutoff: string,
  settings: OldestRowSettings,
  noneExpiredLeft = false,
  checked?: TableProfile,
): Promise<OldestRow> {
  const oldestRow = await measureOldestRow(db, target, cutoff, settings, noneExpiredLeft, checked);
  reportOldestRow(ctx, target.table, oldestRow);
  return oldestRow;
}

/**
 * Reports a measurement: the `OldestRowOverdue` metric (and `OldestRowAge` when the age is
 * known), or a warning when it could not be measured (no metric then: the alarm keeps the
 * last measurement).
 */
export function reportOldestRow(ctx: JobContext, table: string, oldestRow: OldestRow): void {
  if (oldestRow.measuredBy === 'not measured') {
    ctx.logger.warn(JobLog.OldestRowNotMeasured, { table, reason: oldestRow.reason });
    return;
  }
  ctx.metrics.add(runMetrics.oldestRowOverdue, MetricUnit.Seconds, oldestRow.overdueSeconds);
  if (oldestRow.ageSeconds !== undefined) {
    ctx.metrics.add(runMetrics.oldestRowAge, MetricUnit.Seconds, oldestRow.ageSeconds);
  }
}
