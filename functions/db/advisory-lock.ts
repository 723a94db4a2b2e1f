import type { ClientBase } from 'pg';

/** Releases a lock taken by {@link tryJobLock}. */
export type ReleaseLock = () => Promise<void>;

/** Lock keys are namespaced so they never collide with the backend's own advisory locks. */
export function jobLockKey(jobName: string): string {
  return `maintenance-job:${jobName}`;
}

/**
 * Takes the job's session-level advisory lock without waiting.
 *
 * @returns a release function, or `undefined` when another session holds the lock.
 *   If the session dies, PostgreSQL releases the lock by itself.
 */
export async function tryJobLock(
  db: ClientBase,
  jobName: string,
): Promise<ReleaseLock | undefined> {
  const { rows } = await db.query<{ locked: boolean }>(
    'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
    [jobLockKey(jobName)],
  );
  if (!rows[0]?.locked) return undefined;
  return async () => {
    await db.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [jobLockKey(jobName)]);
  };
}
