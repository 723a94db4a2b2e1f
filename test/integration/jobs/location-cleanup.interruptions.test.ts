import { createServer } from 'node:net';
import type pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../../functions/config/env.js';
import { createLocationCleanup } from '../../../functions/jobs/location-cleanup/location-cleanup.js';
import { JobFailedError } from '../../../functions/lambda/create-handler.js';
import type { PurgeOptions } from '../../../functions/retention/purge-expired.js';
import type { RunRecord } from '../../../functions/runner/types.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { lambdaContext, scheduledEvent } from '../../support/lambda-context.js';
import { countRows, insertLocations, useJobTest } from './fixtures.js';

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
  });

  /**
   * A Lambda instance of the cleanup (its own database session), in batches of 100, on the
   * index path unless `env` says otherwise.
   */
  function cleanup(options: PurgeOptions = {}, env: Env = {}) {
    const handler = t.handler(createLocationCleanup(options), {
      LOCATION_CLEANUP_BATCH_SIZE: '100',
      LOCATION_CLEANUP_STRATEGY: 'index',
      ...env,
    });
    return () => handler(scheduledEvent(new Date(t.clock.now())), lambdaContext(t.clock, 300_000));
  }

  /** Another session holding a row lock on the row `g` of the expired rows. */
  async function lockRow(g: number): Promise<pg.Client> {
    const locker = await t.db().connect();
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM locations WHERE ${rowAt(g)} FOR UPDATE`);
    return locker;
  }

  /**
   * A reporting session holding a snapshot (REPEATABLE READ, open) while `rows` older rows are
   * deleted: their index entries stay, before the expired rows' ones. Roll it back at the end.
   */
  async function holdSnapshotOverDeletedRows(rows: number): Promise<pg.Client> {
    await insertLocations(t.client, rows, `now() - interval '90 days' + g * interval '1 ms'`);
    const reporter = await t.db().connect();
    await reporter.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await reporter.query('SELECT count(*) FROM locations');
    await t.client.query(`DELETE FROM locations WHERE created_at < now() - interval '60 days'`);
    return reporter;
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

  it.each(['index', 'heap'])(
    'stops at the deadline after the batch in progress (%s path); the next run finishes the rest',
    async (strategy) => {
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
      if (strategy === 'index') expect(deleted).toBe(200);
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

  it('fails, logged without credentials, when its connection is cut inside a batch, which is rolled back whole', async () => {
    // Prepare: batch 3 (rows 201-300) deletes rows 201-249, then waits for row 250's lock,
    // and the connection is terminated while it waits
    const locker = await lockRow(250);
    const watcher = await t.db().connect();
    let terminating: Promise<void> | undefined;
    let interrupt = true;
    const run = cleanup({
      limits: { statementTimeoutMs: 20_000, lockTimeoutMs: 20_000 },
      onBatch: ({ batches }) => {
        if (interrupt && batches === 2) terminating = terminateWhenWaiting(watcher, t.db().name);
      },
    });

    // Act
    const failure = await run().catch((error: unknown) => error);
    await terminating;
    await locker.query('ROLLBACK');
    const left = await countRows(t.client, 'locations');
    interrupt = false;
    const retry = await run();

    // Assess
    expect(failure).toBeInstanceOf(JobFailedError);
    expect(finishedLines()[0]).toMatchObject({
      level: 'ERROR',
      outcome: 'failed',
      error: {
        name: 'BatchFailedError',
        message:
          'deleting from locations: batch 3 failed and was rolled back (the 200 rows deleted by the batches before it stay deleted)',
        cause: { code: '57P01', message: 'terminating connection due to administrator command' },
      },
    });
    expect(left).toBe(810);
    expect(t.output.metrics()[0]).toMatchObject({ RowsDeleted: 200, Failures: 1 });
    // The dropped session was replaced: the next run reconnects and finishes.
    expect(retry).toMatchObject({ outcome: 'succeeded', result: { deleted: 800 } });
    expect(JSON.stringify(t.output.json())).not.toContain(new URL(t.db().url).password);
  });

  it.each(['index', 'heap'])(
    'leaves a row another session has locked (%s path), deletes the rest, and the next run takes it',
    async (strategy) => {
      // Prepare
      const locker = await lockRow(150);
      const run = cleanup(
        { limits: { statementTimeoutMs: 5_000, lockTimeoutMs: 100 } },
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
      expect(retry).toMatchObject({ outcome: 'succeeded', result: { deleted: 1, lockedRows: 0 } });
      expect(await countRows(t.client, 'locations')).toBe(10);
    },
  );

  it('says the outcome is unknown when the connection is lost during COMMIT, and counts only what is known', async () => {
    // Prepare: the server commits batch 3, and its answer never reaches the job
    const proxy = await startFaultProxy(t.db().url);
    let interrupt = true;
    const run = cleanup(
      {
        onBatch: ({ batches }) => {
          if (interrupt && batches === 2) proxy.cutNextCommit();
        },
      },
      { DATABASE_URL: proxy.url },
    );

    // Act
    const failure = await run().catch((error: unknown) => error);
    const left = await countRows(t.client, 'locations');
    interrupt = false;
    const retry = await run();
    await proxy.close();

    // Assess
    expect(failure).toBeInstanceOf(JobFailedError);
    expect(proxy.commitsCut).toBe(1);
    expect(finishedLines()[0]).toMatchObject({
      outcome: 'failed',
      error: {
        name: 'BatchFailedError',
        message:
          "deleting from locations: batch 3's COMMIT was cut off, so its outcome is unknown: its 100 rows may or may not be deleted (the 200 rows deleted by the batches before it stay deleted)",
      },
    });
    expect(JSON.stringify(finishedLines()[0])).not.toContain('rolled back');
    // It had committed: its rows are gone, though only the 200 known rows were reported.
    expect(left).toBe(710);
    expect(t.output.metrics()[0]).toMatchObject({ RowsDeleted: 200, Failures: 1 });
    expect(retry).toMatchObject({ outcome: 'succeeded', result: { deleted: 700 } });
  });

  it('sweeps the heap, and says why, when a long-held snapshot makes the index walk slow', async () => {
    // Prepare: a reporting session holds a snapshot while 100,000 older rows are deleted, so
    // their index entries cannot be cleaned up and every walk from the start steps over them
    const reporter = await holdSnapshotOverDeletedRows(100_000);
    const run = cleanup({ indexWalkLimitMs: 5 });

    // Act: two runs while the snapshot is held, with new expired rows before the second
    const first = await run();
    await insertLocations(t.client, 50, `now() - interval '35 days' + g * interval '1 second'`);
    const second = await run();
    await reporter.query('ROLLBACK');

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
      'took longer than 5 ms',
    );
    expect(t.output.logs('index walk too slow, sweeping the heap')[0]).toMatchObject({
      level: 'WARN',
      table: 'locations',
      index: 'idx_locations_created_at',
      oldestSnapshot: { kind: 'session', who: expect.any(String), xminAge: expect.any(Number) },
    });
    expect(await countRows(t.client, 'locations')).toBe(10);
  });

  it('sweeps the heap by default when the first index walk passes the batch statement timeout', async () => {
    // Prepare: as above, with no walk limit of its own, so the batch's statement timeout is it
    const reporter = await holdSnapshotOverDeletedRows(1_000_000);
    const run = cleanup({ limits: { statementTimeoutMs: 60, lockTimeoutMs: 1_000 } });

    // Act
    const outcome = await run();
    await reporter.query('ROLLBACK');

    // Assess
    expect(outcome).toMatchObject({
      outcome: 'succeeded',
      result: { deleted: 1_000, complete: true, strategy: 'heap' },
    });
    expect((outcome.result as { strategyReason: string }).strategyReason).toContain(
      'took longer than 60 ms',
    );
    expect(await countRows(t.client, 'locations')).toBe(10);
  });

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
 * Polls `pg_stat_activity` (each poll is a query: no timers).
 */
async function terminateWhenWaiting(watcher: pg.Client, database: string): Promise<void> {
  for (let poll = 0; poll < 10_000; poll++) {
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
