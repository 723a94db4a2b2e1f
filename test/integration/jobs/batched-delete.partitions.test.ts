/**
 * A table range-partitioned by the cleanup's column: whole expired partitions are removed by
 * DDL, and only what may still hold expired rows is batch-deleted.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { countOlderThan, type Notice } from '../../../functions/retention/batched-delete.js';
import { BatchFailedError } from '../../../functions/retention/errors.js';
import { purgeExpired } from '../../../functions/retention/purge-expired.js';
import {
  readRetentionSettings,
  resolveRetentionSettings,
} from '../../../functions/retention/settings.js';
import type { JobContext } from '../../../functions/runner/types.js';
import { deleteExpired, type RetentionTestOptions } from '../../support/retention.js';
import { useTestDatabase } from '../../support/test-database.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import {
  countRows,
  insertIdempotencyKeys,
  insertLocations,
  resetTables,
  useRetentionSessions,
} from './fixtures.js';
import {
  addDailyPartitions,
  dayPartition,
  grantPartitionsAsDocumented,
  makeLocationsPartitioned,
  partitionsOf,
} from './partitioned-fixtures.js';

const locations = { table: 'locations', column: 'created_at' };
/** Oct 29, 10:15 UTC: the Oct 20-28 partitions are wholly expired, Oct 29 straddles. */
const cutoff = '2026-10-29T10:15:00.000000Z';
/** 24 rows a day (one an hour, at :15 and 30 s past), from Oct 20 to Nov 1. */
const hourly = `timestamptz '2026-10-20T00:15:30Z' + (g - 1) * interval '1 hour'`;
const hours = 13 * 24;
/** Rows before the cutoff: 9 whole days and 10 hours of Oct 29 (00:15:30 .. 09:15:30). */
const expiredRows = 9 * 24 + 10;

describe("deleteInBatches on a partitioned table, as the jobs' role with the documented grants", () => {
  const t = useRetentionSessions();
  const notices: [string, Readonly<Record<string, unknown>>, string | undefined][] = [];
  const onNotice: Notice = (message, fields, level) => void notices.push([message, fields, level]);

  beforeEach(async () => {
    notices.length = 0;
    await makeLocationsPartitioned(t.client);
    await addDailyPartitions(t.client, '2026-10-20', '2026-11-01');
    await grantPartitionsAsDocumented(t.client, t.role.name, 'drop');
  });

  /** The documented grants again, after partitions were added. */
  const grantNewPartitions = () => grantPartitionsAsDocumented(t.client, t.role.name, 'drop');

  function clean(options: RetentionTestOptions = {}, on = t.jobs) {
    return deleteExpired(on, locations, cutoff, { batchSize: 100, onNotice, ...options });
  }

  it('drops the partitions wholly before the cutoff and batch-deletes only the straddling one', async () => {
    // Prepare
    await insertLocations(t.client, hours, hourly);
    await t.client.query('ANALYZE locations');

    // Act
    const result = await clean();

    // Assess
    const expiredDays = ['20', '21', '22', '23', '24', '25', '26', '27', '28'].map((day) =>
      dayPartition(`2026-10-${day}`),
    );
    expect(result).toMatchObject({
      deleted: expiredRows,
      complete: true,
      strategy: 'partitions',
      partitions: {
        removal: 'drop',
        removed: expiredDays.map((name) => `public.${name}`),
        rows: 9 * 24,
        rowsCountedBy: 'statistics',
        left: [],
        batchDeleted: [{ name: `public.${dayPartition('2026-10-29')}`, deleted: 10 }],
      },
    });
    expect(await partitionsOf(t.client)).toEqual(
      ['2026-10-29', '2026-10-30', '2026-10-31', '2026-11-01'].map((day) => dayPartition(day)),
    );
    expect(await countRows(t.client, 'locations', `created_at < '${cutoff}'`)).toBe(0);
    expect(await countRows(t.client, 'locations')).toBe(hours - expiredRows);
    expect(notices.filter(([message]) => message === 'partition dropped')).toHaveLength(9);
  });

  it('counts the rows of a partition never analyzed, and says so', async () => {
    // Prepare: no ANALYZE, so the statistics know nothing of the rows
    await insertLocations(t.client, hours, hourly);

    // Act
    const result = await clean();

    // Assess
    expect(result).toMatchObject({
      deleted: expiredRows,
      partitions: { rows: 9 * 24, rowsCountedBy: 'count' },
    });
  });

  it('batch-deletes a DEFAULT partition, whose rows may have any timestamp', async () => {
    // Prepare: rows outside every day's range land in DEFAULT, old and new
    await t.client.query('CREATE TABLE locations_default PARTITION OF locations DEFAULT');
    await insertLocations(
      t.client,
      50,
      `timestamptz '2026-01-01T00:00:00Z' + g * interval '1 day'`,
    );
    await insertLocations(t.client, hours, hourly);
    await grantNewPartitions();

    // Act
    const result = await clean();

    // Assess: 50 days from Jan 2: Jan 2 .. Feb 20, all expired, all in DEFAULT
    expect(result.partitions?.batchDeleted).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'public.locations_default', deleted: 50 }),
      ]),
    );
    expect(result).toMatchObject({ deleted: expiredRows + 50, complete: true });
    expect(await countRows(t.client, 'locations_default')).toBe(0);
  });

  it('cleans day partitions and a DEFAULT partition run after run', async () => {
    // Prepare: 30 days wholly expired (Sep 29 .. Oct 28), Oct 29 straddling, and old rows in
    // DEFAULT. PostgreSQL 15 and earlier once failed here after the drops, every run:
    // "partition public.locations_default is gone" (to_regclass of an oid given as text).
    await t.client.query('CREATE TABLE locations_default PARTITION OF locations DEFAULT');
    await addDailyPartitions(t.client, '2026-09-29', '2026-10-19');
    const days = 21 + 13;
    await insertLocations(
      t.client,
      days * 24,
      `timestamptz '2026-09-29T00:15:30Z' + (g - 1) * interval '1 hour'`,
    );
    await insertLocations(t.client, 5, `timestamptz '2026-01-01T00:00:00Z' + g * interval '1 day'`);
    await t.client.query('ANALYZE locations');
    await grantNewPartitions();

    // Act
    const first = await clean();
    await insertLocations(t.client, 2, `timestamptz '2026-02-01T00:00:00Z' + g * interval '1 day'`);
    const second = await clean();

    // Assess
    expect(first).toMatchObject({ deleted: 30 * 24 + 10 + 5, complete: true });
    expect(first.partitions?.removed).toHaveLength(30);
    expect(first.partitions?.batchDeleted).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'public.locations_default', deleted: 5 }),
        expect.objectContaining({ name: `public.${dayPartition('2026-10-29')}`, deleted: 10 }),
      ]),
    );
    expect(second).toMatchObject({ deleted: 2, complete: true, partitions: { removed: [] } });
    expect(await countRows(t.client, 'locations', `created_at < '${cutoff}'`)).toBe(0);
    expect(await countRows(t.client, 'locations')).toBe(days * 24 - 30 * 24 - 10);
  });

  it('removes a sub-partitioned month whole and the expired days of a straddling one', async () => {
    // Prepare: September as one partition, sub-partitioned by day; October's days as above
    await t.client.query(`
      CREATE TABLE locations_2026_09 PARTITION OF locations
        FOR VALUES FROM ('2026-09-01 00:00:00+00') TO ('2026-10-01 00:00:00+00')
        PARTITION BY RANGE (created_at)`);
    await addDailyPartitions(t.client, '2026-09-01', '2026-09-30', 'locations_2026_09');
    await insertLocations(
      t.client,
      30,
      `timestamptz '2026-09-01T12:00:00Z' + (g - 1) * interval '1 day'`,
    );
    await insertLocations(t.client, hours, hourly);
    await t.client.query('ANALYZE locations');
    await grantNewPartitions();

    // Act
    const result = await clean();

    // Assess
    expect(result.partitions?.removed).toContain('public.locations_2026_09');
    expect(result.partitions?.removed).not.toContain(
      `public.${dayPartition('2026-09-01', 'locations_2026_09')}`,
    );
    expect(result).toMatchObject({ deleted: expiredRows + 30, complete: true });
    expect(await countRows(t.client, 'pg_class', `relname LIKE 'locations_2026_09%'`)).toBe(0);
  });

  it('leaves a partition it cannot lock in time for the next run, and removes the others', async () => {
    // Prepare: a report reads the Oct 23 partition in an open transaction
    await insertLocations(t.client, hours, hourly);
    const reporter = await t.db().connect();
    // Ended whatever happens, so that no lock is left to hold up the next test's set-up.
    onTestFinished(() => reporter.end());
    await reporter.query('BEGIN');
    await reporter.query(`SELECT count(*) FROM ${dayPartition('2026-10-23')}`);

    // Act: the 20 ms lock timeout fires on the Oct 23 partition, which the report holds
    // throughout; the statement timeout only guards against a hang
    const first = await clean({
      partitionLimits: { statementTimeoutMs: 120_000, lockTimeoutMs: 20 },
    });
    await reporter.query('COMMIT');
    const second = await clean();

    // Assess
    const left = `public.${dayPartition('2026-10-23')}`;
    expect(first).toMatchObject({
      complete: false,
      partitions: { left: [{ name: left, reason: 'lock_timeout' }] },
    });
    expect(first.partitions?.removed).toHaveLength(8);
    expect(notices.map(([message]) => message)).toContain('partition left for the next run');
    expect(second).toMatchObject({ complete: true, partitions: { removed: [left], left: [] } });
    expect(await countRows(t.client, 'locations', `created_at < '${cutoff}'`)).toBe(0);
  });

  it('counts the rows of the partitions it removed when a later batch fails, in its error and in RowsDeleted', async () => {
    // Prepare: the backend's trigger makes any delete in the straddling partition slower than
    // the statement timeout (a sleep it cancels), and batches may not be cut down
    await insertLocations(t.client, hours, hourly);
    await t.client.query('ANALYZE locations');
    const straddling = dayPartition('2026-10-29');
    await t.client.query(`
      CREATE FUNCTION slow_all() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(60); RETURN OLD; END $$;
      CREATE TRIGGER slow_all BEFORE DELETE ON ${straddling} FOR EACH ROW EXECUTE FUNCTION slow_all()`);
    const metrics: [string, number][] = [];
    const ctx = jobContext({ add: (name, _unit, value) => void metrics.push([name, value]) });

    // Act
    const failure = await purgeExpired(
      ctx,
      t.jobs,
      locations,
      cutoff,
      // No partitions made ahead: the days after today's clock are not this test's.
      readRetentionSettings({ TEST_BATCH_SIZE: '100', TEST_PREMAKE: '0' }, 'TEST', {
        limits: { statementTimeoutMs: 200, lockTimeoutMs: 1_000 },
        minBatchSize: 100,
      }),
    ).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(BatchFailedError);
    expect(failure).toMatchObject({
      progress: { batches: 0, deleted: 0, partitionRows: 9 * 24 },
      message: `deleting from public.${straddling}: batch 1 failed and was rolled back (the 0 rows deleted by the batches before it stay deleted, and the ${9 * 24} rows of the partitions removed before it stay out of the table)`,
    });
    // and the oldest row left, measured after the failed batch: the straddling day's, expired
    expect(metrics).toEqual([
      ['RowsDeleted', 9 * 24],
      ['OldestRowOverdue', expect.any(Number)],
      ['OldestRowAge', expect.any(Number)],
    ]);
    expect(metrics[1]?.[1]).toBeGreaterThan(0);
    expect(await partitionsOf(t.client)).toHaveLength(4);
  });

  it('batch-deletes an expired partition that other objects depend on, instead of failing the run', async () => {
    // Prepare: the backend reads one expired day through a view of its own
    await insertLocations(t.client, hours, hourly);
    await t.client.query('ANALYZE locations');
    const kept = dayPartition('2026-10-24');
    await t.client.query(`CREATE VIEW day_report AS SELECT count(*) AS fixes FROM ${kept}`);

    // Act
    const result = await clean().finally(() => t.client.query('DROP VIEW IF EXISTS day_report'));

    // Assess: every expired row is gone, the partition (empty now) stays for its view
    expect(result).toMatchObject({
      deleted: expiredRows,
      complete: true,
      partitions: {
        rows: 8 * 24,
        batchDeleted: [
          { name: `public.${kept}`, deleted: 24 },
          { name: `public.${dayPartition('2026-10-29')}`, deleted: 10 },
        ],
      },
    });
    expect(result.partitions?.removed).toHaveLength(8);
    expect(await partitionsOf(t.client)).toContain(kept);
    expect(await countRows(t.client, 'locations', `created_at < '${cutoff}'`)).toBe(0);
    const [, fields, level] =
      notices.find(([message]) => message === 'partition batch-deleted instead of removed') ?? [];
    expect(fields).toMatchObject({
      partition: `public.${kept}`,
      reason: expect.stringContaining('view day_report depends on table'),
    });
    expect(level ?? 'warn').toBe('warn');
  });

  it('detaches instead of dropping when asked, keeping the data', async () => {
    // Prepare: the grants documented for detaching (the parent the role's own)
    await insertLocations(t.client, hours, hourly);
    await grantPartitionsAsDocumented(t.client, t.role.name, 'detach');

    // Act
    const result = await clean({ partitionRemoval: 'detach' });

    // Assess
    expect(result).toMatchObject({ complete: true, partitions: { removal: 'detach' } });
    expect(result.partitions?.removed).toHaveLength(9);
    expect(await countRows(t.client, dayPartition('2026-10-20'))).toBe(24);
    expect(await partitionsOf(t.client)).not.toContain(dayPartition('2026-10-20'));
    expect(notices.filter(([message]) => message === 'partition detached')).toHaveLength(9);
  });

  it('counts in a dry run, lists what it would remove, and changes nothing', async () => {
    // Prepare
    await insertLocations(t.client, hours, hourly);
    await t.client.query('ANALYZE locations');

    // Act
    const counted = await countOlderThan(t.jobs, locations, cutoff, resolveRetentionSettings());

    // Assess
    expect(counted).toMatchObject({
      wouldDelete: expiredRows,
      dryRun: true,
      partitions: {
        removal: 'drop',
        removed: [],
        rows: 9 * 24,
        rowsCountedBy: 'statistics',
        wouldRemove: expect.arrayContaining([`public.${dayPartition('2026-10-20')}`]),
      },
    });
    expect(counted.partitions?.wouldRemove).toHaveLength(9);
    expect(await partitionsOf(t.client)).toHaveLength(13);
    expect(await countRows(t.client, 'locations')).toBe(hours);
  });

  it('is exact when two runs go at once', async () => {
    // Prepare
    await insertLocations(t.client, hours, hourly);
    await t.client.query('ANALYZE locations');
    const other = await t.db().connect(t.role);
    // Each run waits for the parent's lock (or a row) that the other holds until it commits,
    // however long a busy machine makes that, and then finds the partition gone: the default
    // 50 ms lock timeout would race the other's DROP, and both runs could leave one partition.
    const limits = { statementTimeoutMs: 120_000, lockTimeoutMs: 120_000 };
    const waiting = { limits, partitionLimits: limits };

    // Act
    const [mine, theirs] = await Promise.all([
      clean(waiting),
      clean({ ...waiting, batchSize: 3 }, other),
    ]);

    // Assess
    expect(mine.deleted + theirs.deleted).toBe(expiredRows);
    expect(await countRows(t.client, 'locations', `created_at < '${cutoff}'`)).toBe(0);
    expect(await countRows(t.client, 'locations')).toBe(hours - expiredRows);
  });

  it('stops between partitions when the signal aborts', async () => {
    // Prepare
    await insertLocations(t.client, hours, hourly);
    const controller = new AbortController();

    // Act
    const first = await clean({
      signal: controller.signal,
      onNotice: (message) => {
        if (message === 'partition dropped') controller.abort();
      },
    });
    const second = await clean();

    // Assess
    expect(first).toMatchObject({ complete: false, partitions: { removed: [expect.any(String)] } });
    expect(second).toMatchObject({ complete: true });
    expect(second.partitions?.removed).toHaveLength(8);
    expect(await countRows(t.client, 'locations', `created_at < '${cutoff}'`)).toBe(0);
  });

  it('batch-deletes every partition of a table partitioned by another column, and says why', async () => {
    // Prepare: partitioned by hash of the device instead
    await t.client.query(`
      DROP TABLE locations;
      CREATE TABLE locations (LIKE idempotency_keys) PARTITION BY HASH (device_id);
      ALTER TABLE locations ADD COLUMN latitude float8, ADD COLUMN longitude float8,
        ADD COLUMN accuracy real, ADD COLUMN captured_at timestamptz;
      CREATE TABLE locations_h0 PARTITION OF locations FOR VALUES WITH (MODULUS 2, REMAINDER 0);
      CREATE TABLE locations_h1 PARTITION OF locations FOR VALUES WITH (MODULUS 2, REMAINDER 1);
      CREATE INDEX ON locations (created_at)`);
    await grantNewPartitions();
    await t.client.query(
      `INSERT INTO locations (id, key_hash, device_id, response_body, created_at, expires_at)
       SELECT g, 'k' || g, md5(g::text)::uuid, '{}', ${hourly}, now() FROM generate_series(1, ${hours}) AS g`,
    );

    // Act
    const result = await clean();

    // Assess
    expect(result).toMatchObject({ deleted: expiredRows, complete: true, strategy: 'partitions' });
    expect(result.strategyReason).toBe(
      'locations is partitioned by hash on another key, not by a range of created_at: its partitions are batch-deleted',
    );
    expect(result.partitions?.batchDeleted.map((leaf) => leaf.name)).toEqual([
      'public.locations_h0',
      'public.locations_h1',
    ]);
    expect(notices.map(([message]) => message)).toContain('partitions not removed whole');
    expect(await countRows(t.client, 'locations')).toBe(hours - expiredRows);
  });

  it('says so when pg_partman also removes partitions of the table, and leaves its settings alone', async () => {
    // Prepare: pg_partman's configuration table, as the extension creates it
    await t.client.query(`
      CREATE SCHEMA IF NOT EXISTS partman;
      CREATE TABLE IF NOT EXISTS partman.part_config (parent_table text PRIMARY KEY, retention text, retention_keep_table boolean NOT NULL DEFAULT true);
      INSERT INTO partman.part_config VALUES ('public.locations', '30 days', false)
        ON CONFLICT (parent_table) DO UPDATE SET retention = '30 days'`);
    await insertLocations(t.client, hours, hourly);

    // Act: a role that may not read pg_partman's configuration cleans the table all the same;
    // given the (optional) grants, it reads it and warns
    const unread = await clean();
    const noticesUnread = notices.splice(0).map(([message]) => message);
    await t.client.query(
      `GRANT USAGE ON SCHEMA partman TO ${t.role.name}; GRANT SELECT ON partman.part_config TO ${t.role.name}`,
    );
    await clean();
    const { rows } = await t.client.query('SELECT * FROM partman.part_config');
    await t.client.query('DROP SCHEMA partman CASCADE');

    // Assess
    expect(unread).toMatchObject({ complete: true, deleted: expiredRows });
    expect(noticesUnread).not.toContain('pg_partman also removes partitions of this table');
    expect(notices).toContainEqual([
      'pg_partman also removes partitions of this table',
      expect.objectContaining({ partmanRetention: '30 days', partmanKeepsTables: false }),
      undefined,
    ]);
    expect(rows).toEqual([
      { parent_table: 'public.locations', retention: '30 days', retention_keep_table: false },
    ]);
  });
});

/** A run's context, silent, with `metrics` to look at what it reports. */
function jobContext(metrics: JobContext['metrics']): JobContext {
  const clock = new VirtualClock(Date.parse(cutoff));
  return {
    jobName: 'location-cleanup',
    runId: 'test',
    scheduledTime: new Date(clock.now()),
    deadline: new Date(clock.now() + 300_000),
    trigger: 'manual',
    dryRun: false,
    signal: new AbortController().signal,
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics,
    clock,
  };
}

describe('deleteInBatches on a partitioned idempotency_keys', () => {
  const db = useTestDatabase();

  it('drops the expired partitions of the purge’s table too', async () => {
    // Prepare
    const client = await db().connect();
    const role = await db().jobRole();
    await resetTables(client);
    await client.query(`
      DROP TABLE idempotency_keys;
      CREATE TABLE idempotency_keys (
        id bigserial, key_hash text NOT NULL, device_id uuid NOT NULL,
        response_body jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL, PRIMARY KEY (id, expires_at)
      ) PARTITION BY RANGE (expires_at);
      CREATE INDEX ON idempotency_keys (expires_at)`);
    await addDailyPartitions(client, '2026-10-20', '2026-11-01', 'idempotency_keys');
    await insertIdempotencyKeys(client, hours, hourly);
    await client.query('ANALYZE idempotency_keys');
    await grantPartitionsAsDocumented(client, role.name, 'drop', 'idempotency_keys');

    // Act
    const result = await deleteExpired(
      await db().connect(role),
      { table: 'idempotency_keys', column: 'expires_at' },
      cutoff,
      { batchSize: 100 },
    );

    // Assess
    expect(result).toMatchObject({ deleted: expiredRows, complete: true, strategy: 'partitions' });
    expect(result.partitions?.removed).toHaveLength(9);
    expect(await countRows(client, 'idempotency_keys', `expires_at < '${cutoff}'`)).toBe(0);
  });
});
