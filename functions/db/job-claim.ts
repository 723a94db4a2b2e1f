/**
 * The overlap guard: a claim row per job that expires, as River and Oban hold a job with a
 * lease. Unlike a session-level advisory lock, it works through any pooler (a session-level
 * lock taken through PgBouncer in transaction mode stays on whichever server connection ran
 * it, and pins the session on RDS Proxy), and a run that crashed blocks the job only until its
 * claim expires: at the run's own hard end (Lambda's timeout), which it cannot outlive.
 */
import type { ClientBase } from 'pg';
import { SqlState, sqlStateOf } from './sqlstate.js';
import { inShortTransaction, type TransactionLimits } from './transaction.js';

/** The table holding the claims (migration `0002_job_claims.sql`). */
export const claimsTable = 'maintenance_job_claims';

/** What the job's role needs on it (the claim locks the row it may take over). */
export const claimsTableGrant = 'GRANT SELECT, INSERT, UPDATE, DELETE ON maintenance_job_claims TO';

/** The statement that creates it, for a backend that owns its schema. */
export const claimsTableDdl =
  'CREATE TABLE maintenance_job_claims (job text PRIMARY KEY, run_id text NOT NULL, ' +
  'claimed_at timestamptz NOT NULL, expires_at timestamptz NOT NULL)';

/** Limits of the claim's and the release's statements: one row each, by primary key. */
const limits: TransactionLimits = { statementTimeoutMs: 5_000, lockTimeoutMs: 2_000 };

/** What a run asks for. */
export interface ClaimRequest {
  /** The job's catalogue name. */
  readonly job: string;
  /** The run claiming it. */
  readonly runId: string;
  /** Now, on the run's clock (epoch ms): a claim that expired at or before this is taken over. */
  readonly now: number;
  /** When the claim lapses unless released first (epoch ms): the run's hard end. */
  readonly expiresAt: number;
}

/** How a claim went. */
export type ClaimOutcome =
  /** The run holds the claim; `takenOver` names the crashed run whose expired claim it took. */
  | {
      readonly kind: 'claimed';
      readonly takenOver?: { readonly runId: string; readonly expiredAt: string };
    }
  /** Another run holds a live claim (`until` is when it lapses, if it could be read). */
  | { readonly kind: 'held'; readonly runId?: string; readonly until?: string }
  /**
   * The table cannot be used: it does not exist (our migration was not applied), or the job's
   * role may not write it (`denied`).
   */
  | { readonly kind: 'unavailable'; readonly reason: 'missing' | 'denied' };

interface ClaimRow {
  readonly claimed: boolean;
  readonly previous_run_id: string | null;
  readonly previous_expires_at: Date | null;
}

/**
 * One statement: insert the claim, or take over the existing one if it has expired. The
 * `previous` CTE locks and reads the claim there was (its run and expiry), to report whose
 * expired claim was taken over, or until when a live one holds. Times are the run's clock's.
 */
const claimStatement = `
  WITH previous AS (
    SELECT run_id, expires_at FROM ${claimsTable} WHERE job = $1 FOR UPDATE
  ), claimed AS (
    INSERT INTO ${claimsTable} AS claim (job, run_id, claimed_at, expires_at)
    VALUES ($1, $2, $3, $4)
    ON CONFLICT (job) DO UPDATE
      SET run_id = excluded.run_id, claimed_at = excluded.claimed_at,
          expires_at = excluded.expires_at
      WHERE claim.expires_at <= excluded.claimed_at
    RETURNING 1
  )
  SELECT EXISTS (SELECT FROM claimed) AS claimed,
         previous.run_id AS previous_run_id, previous.expires_at AS previous_expires_at
    FROM (VALUES (1)) AS one LEFT JOIN previous ON true`;

/**
 * Claims `request.job` for `request.runId` until `request.expiresAt`, in one statement.
 *
 * Its times are the run's clock's: the expiry is the run's hard end, which only that clock
 * knows (Lambda gives the remaining time, not an instant), and reading both instants from one
 * clock lets tests expire a claim by moving their clock. Lambda hosts keep their clocks in
 * step (Amazon Time Sync) far closer than a claim lasts (minutes).
 */
export async function claimJob(db: ClientBase, request: ClaimRequest): Promise<ClaimOutcome> {
  try {
    return await inShortTransaction(db, limits, async () => {
      const { rows } = await db.query<ClaimRow>(claimStatement, [
        request.job,
        request.runId,
        new Date(request.now),
        new Date(request.expiresAt),
      ]);
      const row = rows[0];
      const previous = row?.previous_run_id
        ? { runId: row.previous_run_id, expiredAt: iso(row.previous_expires_at) }
        : undefined;
      if (row?.claimed) return { kind: 'claimed', ...(previous ? { takenOver: previous } : {}) };
      if (previous) return { kind: 'held', runId: previous.runId, until: previous.expiredAt };
      // Another run inserted the first claim while this one looked: read it now.
      const holder = await db.query<{ run_id: string; expires_at: Date }>(
        `SELECT run_id, expires_at FROM ${claimsTable} WHERE job = $1`,
        [request.job],
      );
      const held = holder.rows[0];
      return held
        ? { kind: 'held', runId: held.run_id, until: iso(held.expires_at) }
        : { kind: 'held' };
    });
  } catch (error) {
    if (sqlStateOf(error) === SqlState.UndefinedTable) {
      return { kind: 'unavailable', reason: 'missing' };
    }
    if (sqlStateOf(error) === SqlState.InsufficientPrivilege) {
      return { kind: 'unavailable', reason: 'denied' };
    }
    throw error;
  }
}

/**
 * Deletes the run's claim (only its own: a claim another run took over after it expired is
 * left alone). Resolves whether there was one to delete.
 */
export async function releaseClaim(db: ClientBase, job: string, runId: string): Promise<boolean> {
  return inShortTransaction(db, limits, async () => {
    const { rowCount } = await db.query(
      `DELETE FROM ${claimsTable} WHERE job = $1 AND run_id = $2`,
      [job, runId],
    );
    return (rowCount ?? 0) > 0;
  });
}

function iso(time: Date | null): string {
  return time ? time.toISOString() : 'an unknown time';
}
