/**
 * How far behind the primary its standbys are, as the primary sees them
 * (`pg_stat_replication`): one catalog query, in its own short transaction.
 *
 * Only physical standbys count (read replicas: their walsender is connected to no database);
 * logical subscribers and change-data-capture consumers do not serve the backend's reads.
 */
import type { ClientBase } from 'pg';
import { inShortTransaction, type TransactionLimits } from '../db/transaction.js';

/** One standby, as the primary last heard from it. */
export interface StandbyLag {
  /** Its `application_name` (the standby's `cluster_name`, or what `primary_conninfo` sets). */
  readonly standby: string;
  /**
   * Its address (`client_addr`).
   * @default - absent for a connection over a Unix socket
   */
  readonly clientAddr?: string;
  /**
   * `replay_lag` in seconds: how old the WAL it last replayed was when it replayed it (the
   * staleness of its reads). `0` once it has replayed everything the primary has written,
   * whatever stale figure `replay_lag` still shows (it keeps the last one for up to
   * `wal_receiver_status_interval` after catching up), and when `replay_lag` is NULL.
   */
  readonly lagSeconds: number;
  /** WAL written on the primary that it has not replayed yet, in bytes. */
  readonly bytesBehind: number;
}

/** What the primary says about its standbys. */
export interface StandbyLagReading {
  /** The standbys whose figures the job's role may read. */
  readonly standbys: readonly StandbyLag[];
  /**
   * Standbys whose figures are hidden from the job's role (it lacks `pg_read_all_stats`): only
   * their `application_name` shows.
   */
  readonly hidden: readonly string[];
  /** The job's role (`current_user`), for the `GRANT` that would let it read them. */
  readonly role: string;
}

/**
 * The physical standbys that stream from this server (`streaming`, or `catchup` while one
 * catches up after connecting), with their replay lag; none when there are none (Aurora's
 * replicas, which share storage, are not listed either). Without `pg_read_all_stats` (or
 * `pg_monitor`, or superuser), a role sees other roles' walsenders with every figure NULL:
 * those are returned as `hidden`.
 */
export async function readStandbyLag(
  db: ClientBase,
  limits: TransactionLimits,
): Promise<StandbyLagReading> {
  // The query goes with BEGIN: two round trips in all.
  const rows = await inShortTransaction(
    db,
    limits,
    async (begun) => (begun.at(-1)?.rows ?? []) as StandbyRow[],
    {},
    standbyLagQuery,
  );
  const standbys: StandbyLag[] = [];
  const hidden: string[] = [];
  for (const row of rows) {
    if (row.state === null) {
      hidden.push(row.standby);
      continue;
    }
    if (row.state !== 'streaming' && row.state !== 'catchup') continue;
    const bytesBehind = Math.max(0, Number(row.bytes_behind ?? 0));
    standbys.push({
      standby: row.standby,
      ...(row.client_addr ? { clientAddr: row.client_addr } : {}),
      lagSeconds: bytesBehind > 0 ? Number(row.lag_seconds ?? 0) : 0,
      bytesBehind,
    });
  }
  return { standbys, hidden, role: rows[0]?.role ?? '' };
}

interface StandbyRow {
  readonly standby: string;
  readonly client_addr: string | null;
  readonly state: string | null;
  readonly lag_seconds: number | null;
  readonly bytes_behind: number | null;
  readonly role: string;
}

/**
 * The two functions the `pg_stat_replication` view joins (see PostgreSQL's `system_views.sql`),
 * read directly: planning the views (with their joins to `pg_database` and `pg_authid`) costs
 * about 8 ms a look, the functions about 0.3 ms. Physical walsenders only: their backend's
 * `datid` is NULL (a logical one is connected to a database), and visible to every role.
 */
const standbyLagQuery = `SELECT coalesce(nullif(s.application_name, ''), 'pid ' || s.pid) AS standby,
       host(s.client_addr) AS client_addr, w.state,
       extract(epoch FROM w.replay_lag)::float8 AS lag_seconds,
       pg_wal_lsn_diff(pg_current_wal_lsn(), w.replay_lsn)::float8 AS bytes_behind,
       current_user AS role
  FROM pg_stat_get_wal_senders() AS w
  JOIN pg_stat_get_activity(NULL) AS s ON s.pid = w.pid
 WHERE s.datid IS NULL`;
