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
import { type ClientBase, escapeLiteral } from 'pg';
import { isStatementError, SqlState, sqlStateOf } from '../db/sqlstate.js';
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

/**
 * The statement: rows before the cutoff and at or after it, each side stopping at the cap. Values
 * are inlined as escaped literals, so that it can go in the same round trip as its `BEGIN`.
 *
 * @param cutoff - the cutoff instant (ISO 8601)
 */
export function defaultCountStatement(layout: PartitionLayout, cutoff: string): string {
  const found = layout.defaultPartition;
  if (!found) throw new Error(`${layout.parent.name} has no DEFAULT partition`);
  const instant = `${escapeLiteral(cutoff)}::timestamptz`;
  const inColumn =
    layout.cast === 'timestamptz'
      ? instant
      : `(${instant} AT TIME ZONE ${escapeLiteral(layout.columnTimeZone ?? 'UTC')})`;
  const side = (operator: string) =>
    `(SELECT count(*) FROM (SELECT 1 FROM ${found.quotedName} WHERE ${layout.quotedColumn} ${operator} ${inColumn} LIMIT ${defaultRowsCap}) AS x)::int`;
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
  try {
    const row = await inShortTransaction(
      db,
      limits,
      async (begun) => begun.at(-1)?.rows[0] as { expired: number; current: number } | undefined,
      found.indexed ? { enable_seqscan: 'off' } : {},
      defaultCountStatement(layout, cutoff),
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
    // A database's refusal (a timeout, a privilege) leaves the count out; a lost connection fails.
    if (!isStatementError(error)) throw error;
    const message = (error as Error).message;
    const fix =
      sqlStateOf(error) === SqlState.InsufficientPrivilege
        ? ` (to count it: GRANT SELECT ON ${found.quotedName} TO ${layout.owner.currentRole})`
        : '';
    return { partition: found.name, rows: null, notCounted: `${message}${fix}` };
  }
}
