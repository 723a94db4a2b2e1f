/**
 * The DEFAULT partition watched: after each run, its rows that belong to a period (those with a
 * value in the column: a `NULL` belongs to none) are counted, those before the cutoff apart from
 * the rest. Such rows wait there until they expire, block the partition of their range from
 * being made, and make every partition made after them scan the DEFAULT.
 *
 * The count walks the DEFAULT's own index on the column (sequential scans off), and stops at
 * {@link defaultRowsCap} on each side of the cutoff, so that a large DEFAULT costs a bounded
 * walk, not a scan of the whole table. Without such an index it scans the DEFAULT, bounded the
 * same way.
 */
import type { ClientBase } from 'pg';
import { sqlStateOf } from '../db/sqlstate.js';
import { inShortTransaction, type TransactionLimits } from '../db/transaction.js';
import type { PartitionLayout } from './partition-layout.js';
import { defaultRowsCap } from './partition-premake.js';

/** What the watch found in the DEFAULT partition after the run. */
export interface DefaultPartitionRows {
  /** The DEFAULT partition (`schema.name`). */
  readonly partition: string;
  /**
   * Its rows that belong to a period (a value in the column), after the run; `null` when they
   * could not be counted (see `notCounted`).
   */
  readonly rows: number | null;
  /**
   * Of those, the rows before the cutoff (expired, yet left: locked, refused, or a run cut short).
   * @default - absent when not counted
   */
  readonly expiredRows?: number;
  /**
   * `index` (the DEFAULT's index on the column) or `scan` (it has none).
   * @default - absent when not counted
   */
  readonly countedBy?: 'index' | 'scan';
  /**
   * The count stopped at 100,000 rows on a side of the cutoff: there are at least `rows`.
   * @default - absent: `rows` is exact
   */
  readonly atLeast?: true;
  /**
   * Why they could not be counted (a timeout, a privilege the job's role lacks).
   * @default - absent: counted
   */
  readonly notCounted?: string;
}

/** The statement: rows before `$1` and at or after it, each side stopping at the cap. */
export function defaultCountStatement(layout: PartitionLayout): string {
  const found = layout.defaultPartition;
  if (!found) throw new Error(`${layout.parent.name} has no DEFAULT partition`);
  const cutoff =
    layout.cast === 'timestamptz' ? '$1::timestamptz' : '($1::timestamptz AT TIME ZONE $2::text)';
  const side = (condition: string) =>
    `(SELECT count(*) FROM (SELECT 1 FROM ${found.quotedName} WHERE ${layout.quotedColumn} ${condition} ${cutoff} LIMIT ${defaultRowsCap}) AS x)::int`;
  return `SELECT ${side('<')} AS expired, ${side('>=')} AS current`;
}

/**
 * Counts the rows of `layout`'s DEFAULT partition that belong to a period, as the job's role,
 * in one short transaction; `undefined` when the table has no DEFAULT partition.
 *
 * @param cutoff - the run's cutoff instant (ISO 8601)
 */
export async function watchDefaultPartition(
  db: ClientBase,
  layout: PartitionLayout,
  cutoff: string,
  limits: TransactionLimits,
): Promise<DefaultPartitionRows | undefined> {
  const found = layout.defaultPartition;
  if (!found) return undefined;
  const params = layout.cast === 'timestamptz' ? [cutoff] : [cutoff, layout.columnTimeZone];
  try {
    const row = await inShortTransaction(
      db,
      limits,
      async () =>
        (
          await db.query<{ expired: number; current: number }>(
            defaultCountStatement(layout),
            params,
          )
        ).rows[0],
      found.indexed ? { enable_seqscan: 'off' } : {},
    );
    const expired = row?.expired ?? 0;
    const current = row?.current ?? 0;
    return {
      partition: found.name,
      rows: expired + current,
      expiredRows: expired,
      countedBy: found.indexed ? 'index' : 'scan',
      ...(expired >= defaultRowsCap || current >= defaultRowsCap ? { atLeast: true } : {}),
    };
  } catch (error) {
    const code = sqlStateOf(error);
    // A database's refusal (a timeout, a privilege) leaves the count out; a lost connection fails.
    if (code === undefined || code.startsWith('08') || code.startsWith('57P')) throw error;
    return { partition: found.name, rows: null, notCounted: (error as Error).message };
  }
}
