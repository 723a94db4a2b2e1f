/**
 * The retention promise, measured: after every run of the purge jobs, the oldest row left, in
 * the result, the purge's own finished line and the metrics, and how the metric stands against
 * the "retention breached" alarm's threshold (the catalogue's slack).
 */
import type pg from 'pg';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { findJob, retentionSlackSeconds } from '../../../functions/catalogue/index.js';
import { createIdempotencyKeyPurge } from '../../../functions/jobs/idempotency-key-purge/idempotency-key-purge.js';
import { createLocationCleanup } from '../../../functions/jobs/location-cleanup/location-cleanup.js';
import { documentedGrants, grant } from '../../support/job-role.js';
import { lambdaContext, scheduledEvent } from '../../support/lambda-context.js';
import type { RetentionTestOptions } from '../../support/retention.js';
import { insertIdempotencyKeys, insertLocations, useJobTest } from './fixtures.js';

const start = Date.parse('2026-11-28T10:15:00.000Z');
const day = 86_400;
const retentionSeconds = 30 * day;
/** 1,000 rows expired 10 days ago and since, one second apart; 10 fresh ones. */
const expiredRows = `now() - interval '40 days' + g * interval '1 second'`;

/** The "retention breached" alarm's threshold for a job, as the stack sets it. */
function alarmThreshold(job: string): number {
  const entry = findJob(job);
  const slack = entry && retentionSlackSeconds(entry);
  if (slack === undefined) throw new Error(`${job} has no retention alarm`);
  return slack;
}

describe('the oldest row left, measured after each run', () => {
  const t = useJobTest('location-cleanup', start);

  beforeEach(async () => {
    await insertLocations(t.client, 1_000, expiredRows);
    await insertLocations(t.client, 10, `now() - interval '1 hour'`);
  });

  /** A cleanup Lambda instance, in batches of 100 on the index path. */
  function cleanup(options: RetentionTestOptions = {}, dryRun = false) {
    const handler = t.handler(createLocationCleanup(options, options), {
      LOCATION_CLEANUP_BATCH_SIZE: '100',
      LOCATION_CLEANUP_STRATEGY: 'index',
    });
    const event = dryRun ? { dryRun: true } : scheduledEvent(new Date(t.clock.now()));
    return () => handler(event, lambdaContext(t.clock, 300_000));
  }

  /** The run's metrics record (one per run). */
  function metrics(run = 0) {
    return t.output.metrics()[run] ?? {};
  }

  async function lockOldestRow(): Promise<pg.Client> {
    const locker = await t.db().connect();
    onTestFinished(() => locker.end().catch(() => undefined));
    await locker.query('BEGIN');
    await locker.query(
      'SELECT 1 FROM locations WHERE created_at = (SELECT min(created_at) FROM locations) FOR UPDATE',
    );
    return locker;
  }

  it('a complete run: the oldest row left is within the retention, and the metric is 0', async () => {
    // Act
    const record = await cleanup()();

    // Assess
    expect(record).toMatchObject({
      outcome: 'succeeded',
      result: { deleted: 1_000, oldestRow: { measuredBy: 'index', overdueSeconds: 0 } },
    });
    const { oldestRow } = record.result as { oldestRow: { ageSeconds: number; oldest: string } };
    // The fresh rows were written an hour ago (on the database's clock).
    expect(oldestRow.ageSeconds).toBeGreaterThanOrEqual(3_600);
    expect(oldestRow.ageSeconds).toBeLessThan(3_600 + 600);
    expect(oldestRow.oldest).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(t.output.logs('expired rows deleted')).toEqual([
      expect.objectContaining({ oldestRow: expect.objectContaining({ overdueSeconds: 0 }) }),
    ]);
    expect(metrics()).toMatchObject({ OldestRowOverdue: 0, OldestRowAge: oldestRow.ageSeconds });
    expect(metrics().OldestRowOverdue).toBeLessThanOrEqual(alarmThreshold('location-cleanup'));
    const units = (metrics()._aws as { CloudWatchMetrics: { Metrics: object[] }[] })
      .CloudWatchMetrics[0]?.Metrics;
    expect(units).toEqual(
      expect.arrayContaining([
        { Name: 'OldestRowOverdue', Unit: 'Seconds' },
        { Name: 'OldestRowAge', Unit: 'Seconds' },
      ]),
    );
  });

  it('a run cut short at its deadline: the oldest row is past the retention, and the metric crosses the threshold', async () => {
    // Prepare: the deadline passes during the second batch
    const run = cleanup({
      onBatch: ({ batches }) => {
        if (batches === 2) t.clock.advance(280_000);
      },
    });

    // Act
    const record = await run();

    // Assess: rows 201-1,000 are left, the oldest expired about 10 days ago
    expect(record).toMatchObject({
      outcome: 'cut_short',
      result: { deleted: 200, complete: false, oldestRow: { measuredBy: 'index' } },
    });
    const { oldestRow } = record.result as {
      oldestRow: { ageSeconds: number; overdueSeconds: number };
    };
    expect(oldestRow.ageSeconds).toBeGreaterThan(retentionSeconds + 9 * day);
    expect(oldestRow.overdueSeconds).toBeGreaterThan(9 * day);
    expect(oldestRow.overdueSeconds).toBeLessThanOrEqual(10 * day);
    expect(t.output.logs('expired rows deleted, stopped early')).toEqual([
      expect.objectContaining({ oldestRow }),
    ]);
    expect(metrics().OldestRowOverdue).toBe(oldestRow.overdueSeconds);
    expect(metrics().OldestRowOverdue).toBeGreaterThan(alarmThreshold('location-cleanup'));
  });

  it('a row locked by another session: the run leaves it, and the metric crosses the threshold until a run takes it', async () => {
    // Prepare: the role has the optional grant that lets it go around locked rows (without it,
    // the batch holding the locked row is left whole); the oldest expired row is locked
    // throughout the first run
    await grant(t.client, documentedGrants.lockRows(t.role.name, 'locations', 'created_at'));
    onTestFinished(async () => {
      await t.client.query(`REVOKE UPDATE (created_at) ON locations FROM ${t.role.name}`);
    });
    const locker = await lockOldestRow();
    const run = cleanup({ limits: { statementTimeoutMs: 120_000, lockTimeoutMs: 100 } });

    // Act
    const first = await run();
    await locker.query('ROLLBACK');
    const second = await run();

    // Assess
    expect(first).toMatchObject({
      outcome: 'cut_short',
      result: { deleted: 999, lockedRows: 1, oldestRow: { measuredBy: 'index' } },
    });
    const { oldestRow } = first.result as {
      oldestRow: { ageSeconds: number; overdueSeconds: number };
    };
    expect(oldestRow.ageSeconds).toBeGreaterThan(retentionSeconds + 9 * day);
    expect(metrics(0).OldestRowOverdue).toBeGreaterThan(alarmThreshold('location-cleanup'));
    expect(second).toMatchObject({
      outcome: 'succeeded',
      result: { deleted: 1, oldestRow: { overdueSeconds: 0 } },
    });
    expect(metrics(1).OldestRowOverdue).toBe(0);
  });

  it('a dry run measures too: what is left is what is there', async () => {
    // Act
    const record = await cleanup({}, true)();

    // Assess
    expect(record).toMatchObject({
      outcome: 'succeeded',
      result: { dryRun: true, wouldDelete: 1_000, oldestRow: { measuredBy: 'index' } },
    });
    const { oldestRow } = record.result as { oldestRow: { overdueSeconds: number } };
    expect(oldestRow.overdueSeconds).toBeGreaterThan(9 * day);
    expect(t.output.logs('dry run: rows that would be deleted')).toEqual([
      expect.objectContaining({ oldestRow }),
    ]);
    expect(metrics().OldestRowOverdue).toBe(oldestRow.overdueSeconds);
  });

  it('a run whose batch fails still publishes the measurement', async () => {
    // Prepare: a trigger that fails every statement that deletes (not a refusal the run
    // narrows down: it names no row)
    await t.client.query(`
      CREATE FUNCTION fail_deletes() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'deletes are off' USING ERRCODE = 'XX000'; END $$;
      CREATE TRIGGER fail_deletes BEFORE DELETE ON locations
        FOR EACH STATEMENT EXECUTE FUNCTION fail_deletes()`);
    onTestFinished(async () => {
      await t.client.query('DROP TRIGGER fail_deletes ON locations; DROP FUNCTION fail_deletes()');
    });

    // Act
    const failure = await cleanup()().catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect(t.output.logs('job finished')).toEqual([expect.objectContaining({ outcome: 'failed' })]);
    expect(metrics()).toMatchObject({ Failures: 1, RowsDeleted: 0 });
    expect(metrics().OldestRowOverdue).toBeGreaterThan(alarmThreshold('location-cleanup'));
  });
});

describe('the oldest expired key left by the purge', () => {
  const t = useJobTest('idempotency-key-purge', start);

  function purge(options: RetentionTestOptions = {}) {
    const handler = t.handler(createIdempotencyKeyPurge(options, options), {
      IDEMPOTENCY_KEY_PURGE_BATCH_SIZE: '100',
      IDEMPOTENCY_KEY_PURGE_STRATEGY: 'index',
    });
    return () => handler(scheduledEvent(new Date(t.clock.now())), lambdaContext(t.clock, 300_000));
  }

  it('none left after a complete run; the oldest key left has not expired yet', async () => {
    // Prepare: 300 keys expired 3 to 2 days ago, 5 that expire in a day
    await insertIdempotencyKeys(
      t.client,
      300,
      `now() - interval '3 days' + g * interval '1 minute'`,
    );
    await insertIdempotencyKeys(t.client, 5, `now() + interval '1 day'`, 'live');

    // Act
    const record = await purge()();

    // Assess
    expect(record).toMatchObject({
      outcome: 'succeeded',
      result: { deleted: 300, oldestRow: { measuredBy: 'index', overdueSeconds: 0 } },
    });
    const { oldestRow } = record.result as { oldestRow: { ageSeconds: number } };
    // It expires in a day: a negative age.
    expect(oldestRow.ageSeconds).toBeLessThan(-day + 600);
    expect(oldestRow.ageSeconds).toBeGreaterThanOrEqual(-day);
    expect(t.output.metrics()[0]).toMatchObject({ OldestRowOverdue: 0 });
  });

  it('cut short: the oldest expired key left crosses the threshold (two days for a daily job)', async () => {
    // Prepare: keys expired 3 days ago and since; the deadline passes in the first batch
    await insertIdempotencyKeys(
      t.client,
      300,
      `now() - interval '3 days' + g * interval '1 minute'`,
    );
    const run = purge({
      onBatch: ({ batches }) => {
        if (batches === 1) t.clock.advance(280_000);
      },
    });

    // Act
    const record = await run();

    // Assess
    expect(record).toMatchObject({ outcome: 'cut_short', result: { deleted: 100 } });
    const { oldestRow } = record.result as { oldestRow: { overdueSeconds: number } };
    // Key 101 expired 3 days - 101 minutes ago.
    expect(oldestRow.overdueSeconds).toBeGreaterThan(3 * day - 102 * 60);
    expect(oldestRow.overdueSeconds).toBeLessThan(3 * day);
    expect(alarmThreshold('idempotency-key-purge')).toBe(2 * day);
    expect(t.output.metrics()[0]?.OldestRowOverdue).toBeGreaterThan(
      alarmThreshold('idempotency-key-purge'),
    );
  });
});
