import type { ClientBase } from 'pg';

/**
 * The database's clock, `days` × 24 hours ago (now when `days` is 0), as ISO 8601 in UTC with
 * microseconds (`2026-10-29T10:15:00.123456Z`): exact, and accepted back as a `timestamptz`.
 *
 * Taken from the database, not from Node, so that a cutoff compares with `created_at`
 * values that the database's own `now()` wrote, whatever the Lambda's clock says.
 */
export async function databaseTime(db: ClientBase, days = 0): Promise<string> {
  const { rows } = await db.query<{ time: string }>(
    `SELECT to_char((now() - make_interval(hours => 24 * $1::int)) AT TIME ZONE 'UTC',
       'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS time`,
    [days],
  );
  const time = rows[0]?.time;
  if (!time) throw new Error('the database returned no time');
  return time;
}
