import type { ClientBase } from 'pg';

/**
 * The database's clock, `days` × 24 hours ago (now when `days` is 0), as ISO 8601 in UTC with
 * microseconds (`2026-10-29T10:15:00.123456Z`): exact, and accepted back as a `timestamptz`.
 *
 * Taken from the database, not from Node, so that a cutoff compares with `created_at`
 * values that the database's own `now()` wrote, whatever the Lambda's clock says.
 */
export async function databaseTime(db: ClientBase, days = 0): Promise<string> {
  const { rows } = await db.query<{ time: string }>(databaseTimeQuery(days));
  return readDatabaseTime(rows);
}

/**
 * The statement {@link databaseTime} sends (`days` inlined: a whole number), to send with
 * others in one round trip; read its rows with {@link readDatabaseTime}.
 */
export function databaseTimeQuery(days: number): string {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`not a number of days: ${days}`);
  return `SELECT to_char((now() - make_interval(hours => 24 * ${days})) AT TIME ZONE 'UTC',
       'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS time`;
}

/** The time in the rows of {@link databaseTimeQuery}. */
export function readDatabaseTime(rows: readonly { time?: unknown }[]): string {
  const time = rows[0]?.time;
  if (typeof time !== 'string' || !time) throw new Error('the database returned no time');
  return time;
}
