/**
 * Who keeps deleted rows from being cleaned up: the oldest snapshot still held by a session,
 * a replication slot, or a standby (`hot_standby_feedback`). Said when a run is slow because
 * of it, so that an operator knows what to look at.
 */
import type { ClientBase } from 'pg';

/** The oldest holder of a snapshot that keeps dead rows (and their index entries) alive. */
export interface SnapshotHolder {
  /** `session`, `replication slot` or `standby`. */
  readonly kind: string;
  /** Its pid, slot name or standby's application name. */
  readonly who: string;
  /** How many transactions old its snapshot is. */
  readonly xminAge: number;
  /** When its transaction started (sessions only). */
  readonly since?: string;
}

/** The table's dead-row count (statistics) and the oldest snapshot holder, when visible. */
export async function describeSnapshotHolders(
  db: ClientBase,
  tableOid: number,
): Promise<{ deadRows: number | null; oldest: SnapshotHolder | null }> {
  const { rows } = await db.query<{
    kind: string;
    who: string;
    xmin_age: number;
    since: string | null;
  }>(
    `SELECT * FROM (
       SELECT 'session' AS kind,
              pid::text || coalesce(' (' || nullif(application_name, '') || ')', '') AS who,
              age(backend_xmin) AS xmin_age, to_char(xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since
         FROM pg_stat_activity WHERE backend_xmin IS NOT NULL AND pid <> pg_backend_pid()
       UNION ALL
       SELECT 'replication slot', slot_name::text, age(xmin), NULL FROM pg_replication_slots WHERE xmin IS NOT NULL
       UNION ALL
       SELECT 'standby', application_name, age(backend_xmin), NULL FROM pg_stat_replication WHERE backend_xmin IS NOT NULL
     ) AS holders ORDER BY xmin_age DESC LIMIT 1`,
  );
  const { rows: stats } = await db.query<{ dead: string | null }>(
    'SELECT pg_stat_get_dead_tuples($1::oid)::text AS dead',
    [tableOid],
  );
  const holder = rows[0];
  const dead = stats[0]?.dead;
  return {
    deadRows: dead === null || dead === undefined ? null : Number(dead),
    oldest: holder
      ? {
          kind: holder.kind,
          who: holder.who,
          xminAge: Number(holder.xmin_age),
          ...(holder.since ? { since: holder.since } : {}),
        }
      : null,
  };
}
