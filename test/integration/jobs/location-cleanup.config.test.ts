import { beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../../functions/config/env.js';
import { locationCleanup } from '../../../functions/jobs/location-cleanup/location-cleanup.js';
import { JobFailedError } from '../../../functions/lambda/create-handler.js';
import { lambdaContext, scheduledEvent } from '../../support/lambda-context.js';
import { countRows, insertLocations, useJobTest } from './fixtures.js';

const start = Date.parse('2026-11-28T10:15:00.000Z');
const range = (name: string, min: number, max: number, raw: string) =>
  `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`;
const days = (raw: string) => range('LOCATION_RETENTION_DAYS', 1, 3650, raw);
const batchSize = (raw: string) => range('LOCATION_CLEANUP_BATCH_SIZE', 100, 100_000, raw);

describe('location-cleanup configuration', () => {
  const t = useJobTest('location-cleanup', start);

  beforeEach(async () => {
    // Two days old: any retention below 2 days would delete them.
    await insertLocations(t.client, 100, `now() - interval '2 days' - g * interval '1 second'`);
  });

  function run(env: Env) {
    const handler = t.handler(locationCleanup, env);
    return handler(scheduledEvent(new Date(start)), lambdaContext(t.clock));
  }

  async function cleanupSessions(): Promise<number> {
    return countRows(
      t.client,
      'pg_stat_activity',
      `datname = current_database() AND application_name = 'location-cleanup'`,
    );
  }

  it.each<[Env, string]>([
    [{ LOCATION_RETENTION_DAYS: '0' }, days('0')],
    [{ LOCATION_RETENTION_DAYS: '-1' }, days('-1')],
    [{ LOCATION_RETENTION_DAYS: '3651' }, days('3651')],
    [{ LOCATION_RETENTION_DAYS: '1.5' }, days('1.5')],
    [{ LOCATION_RETENTION_DAYS: 'thirty' }, days('thirty')],
    [{ LOCATION_RETENTION_DAYS: '' }, days('')],
    [
      { PM__LIMITS__LOCATION_RETENTION_DAYS: '0' },
      range('PM__LIMITS__LOCATION_RETENTION_DAYS', 1, 3650, '0'),
    ],
    [
      { LOCATION_RETENTION_DAYS: '1', PM__LIMITS__LOCATION_RETENTION_DAYS: '30' },
      'LOCATION_RETENTION_DAYS and PM__LIMITS__LOCATION_RETENTION_DAYS are both set, to ' +
        'different values ("1" and "30"): set one of them, to a whole number from 1 to 3650',
    ],
    [{ LOCATION_CLEANUP_BATCH_SIZE: '99' }, batchSize('99')],
    [{ LOCATION_CLEANUP_BATCH_SIZE: '100001' }, batchSize('100001')],
    [{ LOCATION_CLEANUP_BATCH_SIZE: '1e4' }, batchSize('1e4')],
    [{ LOCATION_RETENTION_DAYS: '1', LOCATION_CLEANUP_BATCH_SIZE: '' }, batchSize('')],
  ])(
    'refuses %j before connecting, naming the variable, and deletes nothing',
    async (env, message) => {
      // Act
      const failure = await run(env).catch((error: unknown) => error);

      // Assess
      expect(failure).toBeInstanceOf(JobFailedError);
      expect(t.output.logs('job finished')).toEqual([
        expect.objectContaining({
          level: 'ERROR',
          outcome: 'failed',
          error: expect.objectContaining({ name: 'ConfigError', message }),
        }),
      ]);
      expect(await cleanupSessions()).toBe(0);
      expect(await countRows(t.client, 'locations')).toBe(100);
    },
  );

  it.each([
    ['1', 100],
    ['3650', 0],
  ])('accepts LOCATION_RETENTION_DAYS=%s', async (raw, deleted) => {
    const record = await run({ LOCATION_RETENTION_DAYS: raw, LOCATION_CLEANUP_BATCH_SIZE: '100' });

    expect(record).toMatchObject({ outcome: 'succeeded', result: { deleted } });
  });
});
