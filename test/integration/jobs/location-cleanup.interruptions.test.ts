import { createServer } from 'node:net';
import type pg from 'pg';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { Env } from '../../../functions/config/env.js';
import { createLocationCleanup } from '../../../functions/jobs/location-cleanup/location-cleanup.js';
import { JobFailedError } from '../../../functions/lambda/create-handler.js';
import type { RunRecord } from '../../../functions/runner/types.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { documentedGrants, grant } from '../../support/job-role.js';
import { lambdaContext, scheduledEvent } from '../../support/lambda-context.js';
import type { RetentionTestOptions } from '../../support/retention.js';
import {
  analyzeLocations,
  countRows,
  insertLocations,
  type PathCase,
  pathCases,
  useJobTest,
  useLocationsIndex,
} from './fixtures.js';

const start = Date.parse('2026-11-28T10:15:00.000Z');
/** 1,000 expired rows, one second apart: batches of 100 take rows 1-100, 101-200, ... */
const expiredRows = `now() - interval '40 days' + g * interval '1 second'`;
const rowAt = (g: number) =>
  `created_at = (SELECT min(created_at) FROM locations) + ${g - 1} * interval '1 second'`;

describe('location-cleanup, interrupted', () => {
  const t = useJobTest('location-cleanup', start);

  beforeEach(async () => {
    await insertLocations(t.client, 1_000, expiredRows);
    await insertLocations(t.client, 10, 'now()');
    // The statistics the heap sweep sizes its ranges from, whatever autovacuum last saw.
    await analyzeLocations(t.client);
  });

  /** Runs the file's tests of `cases` with `locations` given each case's index in turn. */
  function eachPath(
    cases: readonly PathCase[],
    name: string,
    test: (path: PathCase) => Promise<void>,
  ) {
    for (const path of cases) {
      describe(`${path.strategy} path, ${path.kind} index`, () => {
        useLocationsIndex(() => t.client, path.kind);
        it(name, () => test(path));
      });
    }
  }

  /** The path a run's result names. */
  const strategyOf = (record: RunRecord) => (record.result as { strategy?: string }).strategy;

  /**
   * A Lambda instance of the cleanup (its own database session), in batches of 100, on the
   * index path unless `env` says otherwise.
   */
  function cleanup(options: RetentionTestOptions = {}, env: Env = {}) {
    const handler = t.handler(createLocationCleanup(options, options), {
      LOCATION_CLEANUP_BATCH_SIZE: '100',
      LOCATION_CLEANUP_STRATEGY: 'index',
      ...env,
    });
    return () => handler(scheduledEvent(new Date(t.clock.now())), lambdaContext(t.clock, 300_000));
  }

  /** Another session holding a row lock on the row `g` of the expired rows. */
  async function lockRow(g: number): Promise<pg.Client> {
    const locker = await session();
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM locations WHERE ${rowAt(g)} FOR UPDATE`);
    return locker;
  }

  /**
   * A session of this test's own, ended (so rolled back, its locks released) when the test
   * finishes, whether it passed or not: a lock or snapshot left behind would hold up the next
   * test's set-up.
   */
  async function session(): Promise<pg.Client> {
    const client = await t.db().connect();
    onTestFinished(() => client.end().catch(() => undefined));
    return client;
  }

  /**
   * A reporting session holding a snapshot (REPEATABLE READ, open): the kind of session that
   * keeps deleted rows' index entries from being cleaned up, and that the notice names. It
   * reads no table, so it holds no lock on one.
   */
  async function holdSnapshot(): Promise<pg.Client> {
    const reporter = await session();
    await reporter.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await reporter.query('SELECT 1');
    return reporter;
  }

  /**
   * Runs `run` with its first index walk held up for certain, until the walk's statement
   * timeout cancels it: in production a walk is slow because it steps over the entries of rows
   * that a long-held snapshot keeps, but how long that takes depends on the machine, so here
   * another session holds an ACCESS EXCLUSIVE lock on `locations` from before the run.
   *
   * The run's statements before the walk (the table's profile, the EXPLAIN) are let through:
   * when one waits for the lock, a fresh session queues for the lock behind it and the holder
   * commits, so that statement goes first and the fresh session holds the lock after it. The
   * walk is not let through, so it waits until its timeout cancels it. Once a `DELETE` waits
   * (the heap sweep: the walk is over), the lock is released. Everything is learnt by polling
   * (each poll is a query: no timers), and nothing depends on a poll seeing the walk while it
   * waits.
   */
  async function withIndexWalkHeldUp(run: () => Promise<RunRecord>): Promise<RunRecord> {
    const watcher = await session();
    let holder = await lockLocations();
    let settled = false;
    const running = run().finally(() => {
      settled = true;
    });
    running.catch(() => undefined); // awaited below, unless polling failed first
    try {
      let previous: BlockedStatement | undefined;
      while (!settled) {
        const blocked = await statementBlockedBy(watcher, holder.pid);
        const seenTwice = blocked && previous?.queryStart === blocked.queryStart;
        previous = blocked;
        if (!seenTwice) continue;
        if (startsStatement(blocked.query, 'SELECT bound::text AS bound')) continue; // the walk
        if (startsStatement(blocked.query, 'DELETE')) break;
        holder = await passLockOn(watcher, holder);
        previous = undefined;
      }
    } finally {
      await holder.client.query('COMMIT');
    }
    return running;
  }

  /** A session holding the lock on `locations`, and its backend's pid. */
  interface LockHolder {
    readonly client: pg.Client;
    readonly pid: number;
  }

  /** A new session holding an ACCESS EXCLUSIVE lock on `locations`. */
  async function lockLocations(): Promise<LockHolder> {
    const client = await session();
    await client.query('BEGIN');
    const pid = await backendPid(client);
    await client.query('LOCK TABLE locations IN ACCESS EXCLUSIVE MODE');
    return { client, pid };
  }

  async function backendPid(client: pg.Client): Promise<number> {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = rows[0]?.pid;
    if (pid === undefined) throw new Error('no backend pid');
    return pid;
  }

  /**
   * Passes the lock on `locations` from `holder` to a new session, letting the statement that
   * waits for it go first: the new session queues behind that statement, then `holder`
   * commits. Resolves once the new session holds the lock (the statement is done).
   */
  async function passLockOn(watcher: pg.Client, holder: LockHolder): Promise<LockHolder> {
    const client = await session();
    await client.query('BEGIN');
    const pid = await backendPid(client);
    let asked = false;
    const locking = client.query('LOCK TABLE locations IN ACCESS EXCLUSIVE MODE').finally(() => {
      asked = true;
    });
    while (!asked && !(await isBlockedBy(watcher, pid, holder.pid))) {
      // polling: each turn is a query
    }
    await holder.client.query('COMMIT');
    await locking;
    return { client, pid };
  }

  /** Session `pid` waits for a lock that session `holderPid` holds (the lock manager's view). */
  async function isBlockedBy(watcher: pg.Client, pid: number, holderPid: number) {
    const { rows } = await watcher.query<{ blocked: boolean }>(
      'SELECT $2::int = ANY (pg_blocking_pids($1)) AS blocked',
      [pid, holderPid],
    );
    return rows[0]?.blocked === true;
  }

  /** The cleanup's statement that waits for the lock, as one poll of the server saw it. */
  interface BlockedStatement {
    readonly query: string;
    /** Tells this statement from the session's next ones. */
    readonly queryStart: string;
  }

  /**
   * The statement of the cleanup's session when a lock `holderPid` holds blocks it, if one does.
   *
   * One poll alone may name the wrong statement: `pg_stat_activity` takes a statement's text and
   * state from a copy of every session's status made when the poll starts, but its wait event,
   * and `pg_blocking_pids`, as they are when read, a moment later. In that moment the session
   * may have finished the statement the copy names and started the next one (the walk, after
   * its transaction's `BEGIN; SET LOCAL ...`), which now waits. A statement is known to be the
   * one that waits when two polls in a row name it (the same `query_start`): it ran from the
   * first poll's copy to the second's, so it was the statement blocked in between.
   */
  async function statementBlockedBy(
    watcher: pg.Client,
    holderPid: number,
  ): Promise<BlockedStatement | undefined> {
    const { rows } = await watcher.query<BlockedStatement>(
      `SELECT query, query_start::text AS "queryStart" FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'location-cleanup'
          AND state = 'active' AND $1::int = ANY (pg_blocking_pids(pid))`,
      [holderPid],
    );
    return rows[0];
  }

  /**
   * `query` (one statement, or several sent as one, e.g. after a `BEGIN; SET LOCAL ...`) has a
   * statement that begins with `start`.
   */
  function startsStatement(query: string, start: string): boolean {
    return query.split(';').some((statement) => statement.trimStart().startsWith(start));
  }

  async function cleanupSessions() {
    const { rows } = await t.client.query<{ state: string }>(
      `SELECT state FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'location-cleanup'`,
    );
    return rows;
  }

  function finishedLines() {
    return t.output.logs('job finished');
  }

  eachPath(
    pathCases,
    'stops at the deadline after the batch in progress; the next run finishes the rest',
    async ({ strategy, kind }) => {
      // Prepare: the deadline passes during the second batch
      let interrupt = true;
      const run = cleanup(
        {
          onBatch: ({ batches }) => {
            if (interrupt && batches === 2) t.clock.advance(280_000);
          },
        },
        { LOCATION_CLEANUP_STRATEGY: strategy },
      );

      // Act
      const first = await run();
      const left = await countRows(t.client, 'locations');
      interrupt = false;
      const second = await run();

      // Assess
      const deleted = (first.result as { deleted: number }).deleted;
      expect(first).toMatchObject({
        outcome: 'cut_short',
        result: { batches: 2, complete: false, strategy },
      });
      expect(strategyOf(second)).toBe(strategy);
      expect(deleted).toBeGreaterThan(0);
      expect(deleted).toBeLessThan(1_000);
      expect(left).toBe(1_010 - deleted);
      expect(second).toMatchObject({
        outcome: 'succeeded',
        result: { deleted: 1_000 - deleted, complete: true },
      });
      expect(await countRows(t.client, 'locations')).toBe(10);
      expect(t.output.logs('expired rows deleted, stopped early')).toHaveLength(1);
      expect(t.output.metrics().map((record) => record.RowsDeleted)).toEqual([
        deleted,
        1_000 - deleted,
      ]);
      if (strategy === 'index' && kind === 'btree') expect(deleted).toBe(200);
    },
  );

  it('runs one of two concurrent runs and skips the other; the total deleted is exact', async () => {
    // Prepare: a second Lambda instance is invoked while the first is between batches
    const other = cleanup();
    let second: RunRecord | undefined;
    const first = cleanup({
      onBatch: async ({ batches }) => {
        if (batches === 1) second = await other();
      },
    });

    // Act
    const record = await first();

    // Assess
    expect(second).toMatchObject({
      outcome: 'skipped',
      reason: 'another run of this job holds its claim until 2026-11-28T10:20:00.000Z',
    });
    expect(record).toMatchObject({ outcome: 'succeeded', result: { deleted: 1_000 } });
    expect(finishedLines().map((line) => line.outcome)).toEqual(['skipped', 'succeeded']);
    expect(await countRows(t.client, 'locations')).toBe(10);
  });

  eachPath(
    pathCases,
    'fails, logged without credentials, when its connection is cut inside a batch, which is rolled back whole',
    async ({ strategy }) => {
      // Prepare: batch 3 deletes 9 rows, then its trigger waits for an advisory lock that another
      // session holds (whatever rows the path puts in batch 3), and the connection is terminated
      // while it waits
      const locker = await session();
      await locker.query('SELECT pg_advisory_lock(20)');
      const watcher = await session();
      let terminating: Promise<void> | undefined;
      let deletedBefore = -1;
      let ended = false;
      const run = cleanup(
        {
          // Hang guards only: the wait ends when the session is terminated.
          limits: { statementTimeoutMs: 120_000, lockTimeoutMs: 120_000 },
          onBatch: async ({ batches, deleted }) => {
            if (batches !== 2 || deletedBefore >= 0) return;
            deletedBefore = deleted;
            await waitOnTenthDelete(t.client, 20);
            terminating = terminateWhenWaiting(watcher, t.db().name, () => ended);
          },
        },
        { LOCATION_CLEANUP_STRATEGY: strategy },
      );

      // Act
      const failure = await run().catch((error: unknown) => error);
      ended = true;
      await terminating;
      await t.client.query('DROP FUNCTION wait_on_tenth_delete() CASCADE');
      await locker.query('SELECT pg_advisory_unlock(20)');
      const left = await countRows(t.client, 'locations');
      const retry = await run();

      // Assess
      expect(failure).toBeInstanceOf(JobFailedError);
      expect(deletedBefore).toBeGreaterThan(0);
      expect(finishedLines()[0]).toMatchObject({
        level: 'ERROR',
        outcome: 'failed',
        error: {
          name: 'BatchFailedError',
          message: `deleting from locations: batch 3 failed and was rolled back (the ${deletedBefore} rows deleted by the batches before it stay deleted)`,
          cause: { code: '57P01', message: 'terminating connection due to administrator command' },
        },
      });
      expect(left).toBe(1_010 - deletedBefore);
      expect(t.output.metrics()[0]).toMatchObject({ RowsDeleted: deletedBefore, Failures: 1 });
      // The dropped session was replaced: the next run reconnects and finishes.
      expect(retry).toMatchObject({
        outcome: 'succeeded',
        result: { deleted: 1_000 - deletedBefore, complete: true, strategy },
      });
      expect(await countRows(t.client, 'locations')).toBe(10);
      expect(JSON.stringify(t.output.json())).not.toContain(new URL(t.role.url).password);
    },
  );

  eachPath(
    pathCases,
    'leaves a row another session has locked, deletes the rest, and the next run takes it',
    async ({ strategy }) => {
      // Prepare: the role has the optional grant that lets it go around locked rows
      await grant(t.client, documentedGrants.lockRows(t.role.name, 'locations', 'created_at'));
      onTestFinished(async () => {
        await t.client.query(`REVOKE UPDATE (created_at) ON locations FROM ${t.role.name}`);
      });
      const locker = await lockRow(150);
      // The 100 ms lock timeout fires on row 150, which is locked throughout the first run; the
      // statement timeout only guards against a hang.
      const run = cleanup(
        { limits: { statementTimeoutMs: 120_000, lockTimeoutMs: 100 } },
        { LOCATION_CLEANUP_STRATEGY: strategy },
      );

      // Act
      const first = await run();
      const left = await countRows(t.client, 'locations');
      const sessions = await cleanupSessions();
      await locker.query('ROLLBACK');
      const retry = await run();

      // Assess
      expect(first).toMatchObject({
        outcome: 'cut_short',
        result: { deleted: 999, lockedRows: 1, complete: false },
      });
      expect(t.output.logs('expired rows deleted, locked rows left for the next run')).toEqual([
        expect.objectContaining({ deleted: 999, lockedRows: 1, strategy }),
      ]);
      expect(left).toBe(11);
      // The session was kept, idle, for the next run.
      expect(sessions).toEqual([{ state: 'idle' }]);
      expect(retry).toMatchObject({
        outcome: 'succeeded',
        result: { deleted: 1, lockedRows: 0, strategy },
      });
      expect(await countRows(t.client, 'locations')).toBe(10);
    },
  );

  eachPath(
    pathCases,
    'says the outcome is unknown when the connection is lost during COMMIT, and counts only what is known',
    async ({ strategy, kind }) => {
      // Prepare: the server commits batch 3, and its answer never reaches the job
      const proxy = await startFaultProxy(t.role.url);
      onTestFinished(() => proxy.close());
      let interrupt = true;
      let deletedBefore = -1;
      const run = cleanup(
        {
          onBatch: ({ batches, deleted }) => {
            if (!interrupt || batches !== 2) return;
            deletedBefore = deleted;
            proxy.cutNextCommit();
          },
        },
        { DATABASE_URL: proxy.url, LOCATION_CLEANUP_STRATEGY: strategy },
      );

      // Act
      const failure = await run().catch((error: unknown) => error);
      const left = await countRows(t.client, 'locations');
      interrupt = false;
      const retry = await run();

      // Assess: batch 3 had committed, its rows are gone, though only the rows known deleted
      // were reported
      const batch3 = 1_010 - deletedBefore - left;
      expect(failure).toBeInstanceOf(JobFailedError);
      expect(proxy.commitsCut).toBe(1);
      expect(deletedBefore).toBeGreaterThan(0);
      expect(batch3).toBeGreaterThan(0);
      expect(finishedLines()[0]).toMatchObject({
        outcome: 'failed',
        error: {
          name: 'BatchFailedError',
          message: `deleting from locations: batch 3's COMMIT was cut off, so its outcome is unknown: its ${batch3} rows may or may not be deleted (the ${deletedBefore} rows deleted by the batches before it stay deleted)`,
        },
      });
      expect(JSON.stringify(finishedLines()[0])).not.toContain('rolled back');
      if (strategy === 'index' && kind === 'btree') expect(batch3).toBe(100);
      expect(t.output.metrics()[0]).toMatchObject({ RowsDeleted: deletedBefore, Failures: 1 });
      expect(retry).toMatchObject({
        outcome: 'succeeded',
        result: { deleted: left - 10, complete: true, strategy },
      });
      expect(await countRows(t.client, 'locations')).toBe(10);
    },
  );

  /** The keyset paths, whose first index walk a long-held snapshot can make slow. */
  const keysetCases = pathCases.filter((path) => path.strategy === 'index');
  const indexNames = {
    btree: 'idx_locations_created_at',
    composite: 'idx_locations_device_created_at',
  };

  eachPath(
    keysetCases,
    'sweeps the heap, and says why, when the first index walk passes its limit',
    async ({ kind }) => {
      // Prepare: a reporting session holds a snapshot (in production, what makes the walk slow:
      // the index entries of deleted rows that it keeps), and each run's first walk is held up
      // by a lock until its 50 ms limit cancels it. The batches' limits only guard against a hang.
      await holdSnapshot();
      const run = cleanup({
        indexWalkLimitMs: 50,
        limits: { statementTimeoutMs: 120_000, lockTimeoutMs: 120_000 },
      });

      // Act: two runs, with new expired rows before the second
      const first = await withIndexWalkHeldUp(run);
      await insertLocations(t.client, 50, `now() - interval '35 days' + g * interval '1 second'`);
      const second = await withIndexWalkHeldUp(run);

      // Assess: each run made progress, by the heap, and said why
      expect(first).toMatchObject({
        outcome: 'succeeded',
        result: { deleted: 1_000, complete: true, strategy: 'heap' },
      });
      expect(second).toMatchObject({
        outcome: 'succeeded',
        result: { deleted: 50, complete: true, strategy: 'heap' },
      });
      expect((first.result as { strategyReason: string }).strategyReason).toContain(
        `walking the ${indexNames[kind as keyof typeof indexNames]} index to the first expired row took longer than 50 ms`,
      );
      expect(t.output.logs('index walk too slow, sweeping the heap')).toMatchObject([
        {
          level: 'WARN',
          table: 'locations',
          index: indexNames[kind as keyof typeof indexNames],
          limitMs: 50,
          oldestSnapshot: { kind: 'session', who: expect.any(String), xminAge: expect.any(Number) },
        },
        { limitMs: 50 },
      ]);
      expect(await countRows(t.client, 'locations')).toBe(10);
    },
  );

  eachPath(
    keysetCases,
    'sweeps the heap by default when the first index walk passes the batch statement timeout',
    async ({ kind }) => {
      // Prepare: no walk limit of its own, so the batches' statement timeout (5 s, the default)
      // is the walk's, and the walk is held up by a lock until that cancels it (the lock timeout
      // is longer, so the walk is cancelled as too slow, not as a lock not granted). The heap
      // batches get the same 5 s: 1,010 rows on a dozen pages, each batch is cheap, and the
      // first also waits for the lock's release, two polls of pg_stat_activity away (one poll
      // took up to 0.2 s with a load average of 19 on 2 cores): a wide margin, not a race.
      const run = cleanup({ limits: { statementTimeoutMs: 5_000, lockTimeoutMs: 120_000 } });

      // Act
      const outcome = await withIndexWalkHeldUp(run);

      // Assess
      expect(outcome).toMatchObject({
        outcome: 'succeeded',
        result: { deleted: 1_000, complete: true, strategy: 'heap' },
      });
      expect((outcome.result as { strategyReason: string }).strategyReason).toContain(
        `walking the ${indexNames[kind as keyof typeof indexNames]} index to the first expired row took longer than 5000 ms`,
      );
      expect(await countRows(t.client, 'locations')).toBe(10);
    },
  );

  it('fails with the error logged, and no password, when the database is unreachable', async () => {
    // Prepare
    const port = await closedPort();
    const run = cleanup(
      {},
      { DATABASE_URL: `postgres://maintenance:s3cret-Pa55@127.0.0.1:${port}/locations` },
    );

    // Act
    const failure = await run().catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(JobFailedError);
    expect(finishedLines()).toEqual([
      expect.objectContaining({
        outcome: 'failed',
        error: expect.objectContaining({ code: 'ECONNREFUSED' }),
      }),
    ]);
    expect(JSON.stringify(t.output.json())).not.toContain('s3cret-Pa55');
    expect(await countRows(t.client, 'locations')).toBe(1_010);
  });
});

/**
 * Waits until the cleanup's session in `database` waits for a lock, then terminates it.
 * Polls `pg_stat_activity` (each poll is a query: no timers) for as long as the run goes on:
 * no count of polls, which a fast poller could use up before a slow run got to the lock.
 */
async function terminateWhenWaiting(
  watcher: pg.Client,
  database: string,
  runEnded: () => boolean,
): Promise<void> {
  while (!runEnded()) {
    const { rows } = await watcher.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = $1 AND application_name = 'location-cleanup' AND wait_event_type = 'Lock'`,
      [database],
    );
    const pid = rows[0]?.pid;
    if (pid !== undefined) {
      await watcher.query('SELECT pg_terminate_backend($1)', [pid]);
      return;
    }
  }
  throw new Error('the cleanup never waited for the row lock');
}

/**
 * Makes the next transaction to delete 10 rows from `locations` wait, at its tenth, for the
 * advisory lock `key` (which the test holds): a batch held up in the middle for certain,
 * whichever rows its path gives it. Drop `wait_on_tenth_delete()` (CASCADE) to undo.
 */
async function waitOnTenthDelete(client: pg.Client, key: number): Promise<void> {
  await client.query(`
    CREATE FUNCTION wait_on_tenth_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      deletes int := coalesce(nullif(current_setting('test.deletes', true), ''), '0')::int + 1;
    BEGIN
      PERFORM set_config('test.deletes', deletes::text, true);
      IF deletes = 10 THEN PERFORM pg_advisory_xact_lock(${key}); END IF;
      RETURN OLD;
    END $$;
    CREATE TRIGGER wait_on_tenth_delete BEFORE DELETE ON locations
      FOR EACH ROW EXECUTE FUNCTION wait_on_tenth_delete()`);
}

/** A port on 127.0.0.1 that nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
