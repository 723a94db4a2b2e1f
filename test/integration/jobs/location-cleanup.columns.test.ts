/**
 * The cleanup on column types and time zones the backend chose: a `timestamp without time
 * zone` column, a database whose `TimeZone` is not UTC, and tables or columns that are not
 * what the configuration says. Nothing newer than the retention may ever be deleted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../../functions/config/env.js';
import { locationCleanup } from '../../../functions/jobs/location-cleanup/location-cleanup.js';
import { JobFailedError } from '../../../functions/lambda/create-handler.js';
import { columnCutoff } from '../../../functions/retention/column-cutoff.js';
import type { RunRecord } from '../../../functions/runner/types.js';
import { lambdaContext, scheduledEvent } from '../../support/lambda-context.js';
import { countRows, deviceId, useJobTest } from './fixtures.js';

const start = Date.parse('2026-11-28T10:15:00.000Z');
const databaseZones = ['Asia/Tokyo', 'America/New_York', 'Australia/Sydney', 'UTC'];
/** Offsets from the cutoff, in minutes: up to 9 hours either side, and a second around it. */
const offsets = [-540, -300, -61, -1, 1, 61, 300, 540];

function useCleanup(t: ReturnType<typeof useJobTest>) {
  return async (env: Env = {}): Promise<RunRecord> => {
    const handler = t.handler(locationCleanup, { LOCATION_CLEANUP_STRATEGY: 'index', ...env });
    return handler(scheduledEvent(new Date(start)), lambdaContext(t.clock)).catch(
      (error: unknown) => {
        if (error instanceof JobFailedError) return error.record;
        throw error;
      },
    );
  };
}

/** Sets the database's own `TimeZone`, which every new session (the job's too) starts with. */
async function setDatabaseZone(t: ReturnType<typeof useJobTest>, zone: string): Promise<void> {
  await t.client.query(
    `ALTER DATABASE ${t.client.escapeIdentifier(t.db().name)} SET TimeZone = '${zone}'`,
  );
}

/**
 * One row per offset (minutes from 30 days ago), written as the wall-clock time in `zone`,
 * plus one just under a second on each side of the cutoff. Returns how many are older.
 */
async function insertAroundCutoff(
  t: ReturnType<typeof useJobTest>,
  zone: string,
): Promise<{ older: number; newer: number }> {
  const { rowCount } = await t.client.query(
    `INSERT INTO locations (device_id, latitude, longitude, accuracy, captured_at, created_at)
     SELECT $1, 48.85, 2.35, 10, now(), (now() - interval '30 days' + m * interval '1 minute') AT TIME ZONE $2
       FROM unnest($3::int[]) AS m`,
    [deviceId, zone, offsets],
  );
  const older = offsets.filter((offset) => offset < 0).length;
  return { older, newer: (rowCount ?? 0) - older };
}

describe('location-cleanup on a timestamp without time zone column', () => {
  const t = useJobTest('location-cleanup', start);
  const cleanup = useCleanup(t);

  beforeAll(async () => {
    const client = await t.db().connect();
    await client.query(
      `ALTER TABLE locations ALTER COLUMN created_at TYPE timestamp USING created_at AT TIME ZONE 'UTC'`,
    );
  });

  it('refuses to run without the zone its values are written in, naming table, column and setting', async () => {
    // Prepare: the database's zone is 9 hours ahead of the values' (the case that deleted
    // rows up to 9 hours younger than the retention)
    await setDatabaseZone(t, 'Asia/Tokyo');
    const { older, newer } = await insertAroundCutoff(t, 'UTC');

    // Act
    const record = await cleanup();

    // Assess
    expect(record).toMatchObject({
      outcome: 'failed',
      error: {
        name: 'TableCheckError',
        message: expect.stringContaining(
          'locations.created_at is timestamp without time zone, so which instant a value means depends on a time zone: set LOCATION_CLEANUP_COLUMN_TIME_ZONE',
        ),
      },
    });
    expect(await countRows(t.client, 'locations')).toBe(older + newer);
  });

  it.each(
    databaseZones.flatMap((databaseZone) =>
      ['UTC', 'Europe/Bratislava', 'America/New_York'].map((columnZone) => [
        databaseZone,
        columnZone,
      ]),
    ),
  )(
    'in a database whose TimeZone is %s, with values written in %s, deletes exactly the expired rows',
    async (databaseZone, columnZone) => {
      // Prepare
      await setDatabaseZone(t, databaseZone);
      const { newer } = await insertAroundCutoff(t, columnZone);

      // Act
      const record = await cleanup({ LOCATION_CLEANUP_COLUMN_TIME_ZONE: columnZone });

      // Assess: the rows newer than the cutoff, and only those, are left
      expect(record).toMatchObject({
        outcome: 'succeeded',
        result: { deleted: offsets.length - newer, complete: true },
      });
      const { rows } = await t.client.query<{ minutes: number }>(
        `SELECT round(extract(epoch FROM (created_at AT TIME ZONE $1) - (now() - interval '30 days')) / 60)::int AS minutes
           FROM locations ORDER BY created_at`,
        [columnZone],
      );
      expect(rows.map((row) => row.minutes)).toEqual(offsets.filter((offset) => offset > 0));
    },
  );

  it('rejects a zone the database does not know, before deleting', async () => {
    await insertAroundCutoff(t, 'UTC');

    const record = await cleanup({ LOCATION_CLEANUP_COLUMN_TIME_ZONE: 'Mars/Olympus_Mons' });

    expect(record).toMatchObject({
      outcome: 'failed',
      error: {
        name: 'ConfigError',
        message: expect.stringContaining('LOCATION_CLEANUP_COLUMN_TIME_ZONE'),
      },
    });
    expect(await countRows(t.client, 'locations')).toBe(offsets.length);
  });
});

describe('location-cleanup on a timestamptz column in a database not on UTC', () => {
  const t = useJobTest('location-cleanup', start);
  const cleanup = useCleanup(t);

  it.each(databaseZones)('deletes exactly the expired rows when TimeZone is %s', async (zone) => {
    // Prepare
    await setDatabaseZone(t, zone);
    const { older } = await insertAroundCutoff(t, 'UTC');

    // Act
    const record = await cleanup({ LOCATION_CLEANUP_STRATEGY: 'heap' });

    // Assess
    expect(record).toMatchObject({ outcome: 'succeeded', result: { deleted: older } });
    expect(await countRows(t.client, 'locations', `created_at < now() - interval '30 days'`)).toBe(
      0,
    );
    expect(await countRows(t.client, 'locations')).toBe(offsets.length - older);
  });
});

describe('location-cleanup when the table or column is not what the configuration says', () => {
  const t = useJobTest('location-cleanup', start);
  const cleanup = useCleanup(t);

  const backToTimestamptz =
    'ALTER TABLE locations ALTER COLUMN created_at TYPE timestamptz USING created_at::timestamptz';

  it.each([
    [
      'ALTER TABLE locations RENAME TO positions',
      'ALTER TABLE positions RENAME TO locations',
      'table locations does not exist',
    ],
    [
      'ALTER TABLE locations RENAME COLUMN created_at TO stored_at',
      'ALTER TABLE locations RENAME COLUMN stored_at TO created_at',
      'table locations has no column created_at',
    ],
    [
      'ALTER TABLE locations ALTER COLUMN created_at TYPE date',
      backToTimestamptz,
      'locations.created_at is date: the cleanup compares it with an instant',
    ],
    [
      'ALTER TABLE locations ALTER COLUMN created_at TYPE text',
      backToTimestamptz,
      'locations.created_at is text: the cleanup compares it with an instant',
    ],
  ])('after "%s", fails and deletes nothing', async (change, undo, message) => {
    // Prepare
    await insertAroundCutoff(t, 'UTC');
    await t.client.query(change);

    // Act
    const record = await cleanup();
    await t.client.query(undo);

    // Assess
    expect(record).toMatchObject({
      outcome: 'failed',
      error: { name: 'TableCheckError', message: expect.stringContaining(message) },
    });
    expect(await countRows(t.client, 'locations')).toBe(offsets.length);
  });
});

describe('the wall-clock cutoff of a timestamp column around a DST change', () => {
  const t = useJobTest('location-cleanup', start);

  it.each([
    // America/New_York falls back at 2026-11-01 06:00Z (02:00 EDT → 01:00 EST).
    ['2026-11-01T05:30:00.25Z', 'America/New_York', '2026-11-01T01:00:00.000000'],
    ['2026-11-01T05:59:59Z', 'America/New_York', '2026-11-01T01:00:00.000000'],
    ['2026-11-01T06:30:00Z', 'America/New_York', '2026-11-01T01:30:00.000000'],
    ['2026-11-01T04:30:00Z', 'America/New_York', '2026-11-01T00:30:00.000000'],
    // Springs forward at 2027-03-14 07:00Z (02:00 EST → 03:00 EDT): no ambiguity.
    ['2027-03-14T07:30:00Z', 'America/New_York', '2027-03-14T03:30:00.000000'],
    ['2026-11-28T10:15:00.123456Z', 'Europe/Bratislava', '2026-11-28T11:15:00.123456'],
    ['2026-11-28T10:15:00Z', 'UTC', '2026-11-28T10:15:00.000000'],
  ])('for the instant %s in %s is %s', async (instant, zone, wall) => {
    const cutoff = await columnCutoff(t.client, { type: 'timestamp', timeZone: zone }, instant);

    expect(cutoff).toEqual({ value: wall, cast: 'timestamp' });
  });
});
