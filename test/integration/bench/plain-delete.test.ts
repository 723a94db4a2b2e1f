/**
 * The cleanup bench's plain DELETE: the plan it reads on a session of its own is left out of
 * its time. (It was once counted in, and a new connection with an EXPLAIN then made the
 * 15 ms hourly DELETE read 55 ms, and the job's hourly ratios look met.)
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { plainDelete } from '../../../bench/cleanup/contenders.js';
import { countRows, insertLocations, useRetentionSessions } from '../jobs/fixtures.js';

/** How long the plan is held up, for certain: the holder's `pg_sleep` after the plan waits. */
const heldMs = 200;

describe("the cleanup bench's plain DELETE", () => {
  const t = useRetentionSessions();

  it('reports the time its plan took on another session as untimed', async () => {
    // Prepare: expired rows, and another session holding the table locked, so that reading
    // the plan waits for it
    await insertLocations(t.client, 100, `now() - interval '40 days' + g * interval '1 minute'`);
    const holder = await t.db().connect();
    onTestFinished(() => holder.end());
    await holder.query('BEGIN; LOCK TABLE locations IN ACCESS EXCLUSIVE MODE');
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
      .rows[0]?.pid;
    const db = await t.db().connect();
    onTestFinished(() => db.end());

    // Act: once the plan's session waits on the holder, the holder keeps the lock a while
    // longer, then lets it go
    const running = plainDelete.run(db);
    await waitUntilSomeoneWaitsOn(holderPid);
    await holder.query(`SELECT pg_sleep(${heldMs / 1_000}); COMMIT`);
    const measurement = await running;

    // Assess: every expired row went, and the wait is in the untimed part
    expect(measurement.deleted).toBe(100);
    expect(measurement.plannedScan).toBeDefined();
    expect(measurement.untimedMs).toBeGreaterThanOrEqual(heldMs);
    expect(await countRows(t.client, 'locations')).toBe(0);
  });

  /** Polls until a session waits for a lock that `pid` holds. */
  async function waitUntilSomeoneWaitsOn(pid: number | undefined): Promise<void> {
    for (;;) {
      const { rows } = await t.client.query<{ waiting: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE $1::int = ANY (pg_blocking_pids(pid))) AS waiting',
        [pid],
      );
      if (rows[0]?.waiting) return;
    }
  }
});
