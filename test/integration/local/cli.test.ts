import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../../functions/local/seed.js';
import { createTestDatabase, useTestDatabase } from '../../support/test-database.js';
import { cleanEnv, runCli, startCli } from './cli-process.js';

const db = useTestDatabase();

async function counts(client: pg.Client) {
  const { rows } = await client.query<{ total: string; expired: string }>(
    `SELECT count(*) AS total,
            count(*) FILTER (WHERE created_at < now() - interval '30 days') AS expired
     FROM locations`,
  );
  return { total: Number(rows[0]?.total), expired: Number(rows[0]?.expired) };
}

describe('jobs CLI', () => {
  let client: pg.Client;

  beforeAll(async () => {
    client = await db().connect();
    await seedDemoData(client, { devices: 5, locationsPerDevice: 400, idempotencyKeys: 50 });
  });

  it('lists every job with its schedule, timeout and next three runs', async () => {
    // Act
    const { code, stdout } = await runCli(['list'], cleanEnv());

    // Assess
    expect(code).toBe(0);
    const cleanup = stdout.split('\n').find((line) => line.startsWith('location-cleanup '));
    expect(cleanup).toMatch(/cron\(15 \* \* \* \? \*\)\s+300 s\s+256 MiB/);
    expect(cleanup?.match(/\d{4}-\d\d-\d\dT\d\d:15:00Z/g)).toHaveLength(3);
    expect(stdout).toMatch(/idempotency-key-purge\s+cron\(30 3 \* \* \? \*\)/);
  });

  it('dry-runs a job: counts what would go, deletes nothing, exits 0', async () => {
    // Prepare
    const before = await counts(client);

    // Act
    const { code, logs } = await runCli(
      ['run', 'location-cleanup', '--dry-run'],
      cleanEnv({ DATABASE_URL: db().url }),
    );

    // Assess
    expect(code).toBe(0);
    expect(logs('job finished')[0]).toMatchObject({
      job: 'location-cleanup',
      trigger: 'manual',
      outcome: 'succeeded',
      result: { dryRun: true, deleted: 0, wouldDelete: before.expired },
    });
    expect(await counts(client)).toEqual(before);
  });

  it('runs a job now through its handler and prints its log lines', async () => {
    // Prepare
    const before = await counts(client);

    // Act
    const { code, logs } = await runCli(
      ['run', 'location-cleanup'],
      cleanEnv({ DATABASE_URL: db().url }),
    );

    // Assess
    expect(code).toBe(0);
    expect(logs('job started')).toHaveLength(1);
    expect(logs('job finished')[0]).toMatchObject({
      outcome: 'succeeded',
      result: { deleted: before.expired, retentionDays: 30, complete: true },
    });
    expect(await counts(client)).toEqual({ total: before.total - before.expired, expired: 0 });
  });

  it.each([
    [
      ['run', 'no-such-job'],
      'unknown job "no-such-job": expected one of location-cleanup, idempotency-key-purge',
    ],
    [['run'], '"run" needs a job name'],
    [['run', 'location-cleanup', '--bogus'], "Unknown option '--bogus'"],
    [['list', '--dry-run'], '--dry-run does not apply to "list"'],
    [
      ['start', '--shutdown-timeout', 'soon'],
      '--shutdown-timeout must be a whole number of seconds',
    ],
    [['frobnicate'], 'unknown command "frobnicate"'],
  ])('rejects %j with one clear line and exit 2', async (args, message) => {
    // Act
    const { code, stderr, stdout } = await runCli(args, cleanEnv({ DATABASE_URL: db().url }));

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain(`error: ${message}`);
    expect(stdout).toBe('');
  });

  it.each([
    ['LOCATION_RETENTION_DAYS', '0'],
    ['LOCATION_RETENTION_DAYS', 'thirty'],
    ['LOCATION_CLEANUP_BATCH_SIZE', '10'],
  ])(
    'refuses to run with %s=%j: exit 2, the variable named, nothing deleted',
    async (name, value) => {
      // Prepare
      await seedDemoData(client, { devices: 1, locationsPerDevice: 200, idempotencyKeys: 0 });
      const before = await counts(client);

      // Act
      const { code, stderr } = await runCli(
        ['run', 'location-cleanup'],
        cleanEnv({ DATABASE_URL: db().url, [name]: value }),
      );

      // Assess
      expect(code).toBe(2);
      expect(stderr).toContain(`error: ${name} must be a whole number from`);
      expect(await counts(client)).toEqual(before);
    },
  );

  it('exits 1 when the run fails, with the error logged and no password shown', async () => {
    // Act: nothing listens on port 1
    const { code, logs, stdout, stderr } = await runCli(
      ['run', 'idempotency-key-purge'],
      cleanEnv({ DATABASE_URL: 'postgres://jobs:Pa55word@127.0.0.1:1/pm' }),
    );

    // Assess
    expect(code).toBe(1);
    expect(logs('job finished')[0]).toMatchObject({
      outcome: 'failed',
      error: { code: 'ECONNREFUSED' },
    });
    expect(stdout + stderr).not.toContain('Pa55word');
  });

  describe('with DATABASE_URL, the backend’s database is used as it is', () => {
    it('creates nothing unless asked: the job fails on a database without the tables', async () => {
      // Prepare
      const empty = await createTestDatabase({ schema: false });

      try {
        // Act
        const plain = await runCli(
          ['run', 'location-cleanup'],
          cleanEnv({ DATABASE_URL: empty.url }),
        );
        const migrated = await runCli(
          ['run', 'location-cleanup', '--migrate'],
          cleanEnv({ DATABASE_URL: empty.url }),
        );

        // Assess
        expect(plain.code).toBe(1);
        expect(plain.logs('job finished')[0]).toMatchObject({
          outcome: 'failed',
          error: { cause: { message: 'relation "locations" does not exist' } },
        });
        expect(migrated.code).toBe(0);
        expect(migrated.logs('schema migrated')[0]).toMatchObject({
          applied: ['0001_initial.sql'],
        });
      } finally {
        await empty.drop();
      }
    });
  });

  describe('start', () => {
    it('schedules the jobs, fires them with --run-now, and exits 0 on SIGTERM', async () => {
      // Prepare
      const cli = startCli(['start', '--run-now'], cleanEnv({ DATABASE_URL: db().url }));

      // Act
      await cli.waitFor(() => cli.logs('job finished').length === 2, 'both jobs finished');
      cli.child.kill('SIGTERM');
      const code = await cli.exited;

      // Assess
      expect(code).toBe(0);
      expect(cli.logs('scheduler started')[0]).toMatchObject({
        jobs: [
          expect.objectContaining({ job: 'location-cleanup', schedule: 'cron(15 * * * ? *)' }),
          expect.objectContaining({ job: 'idempotency-key-purge', schedule: 'cron(30 3 * * ? *)' }),
        ],
      });
      expect(cli.logs('job finished').map((line) => line.outcome)).toEqual([
        'succeeded',
        'succeeded',
      ]);
      expect(cli.logs('shutting down')[0]).toMatchObject({ signal: 'SIGTERM' });
      expect(cli.logs('scheduler stopped')[0]).toMatchObject({ abandoned: [] });
    });
  });
});

describe('npm start without DATABASE_URL (embedded PostgreSQL)', () => {
  let dataRoot: string;

  beforeAll(async () => {
    dataRoot = await mkdtemp(join(tmpdir(), 'local-harness-'));
  });
  afterAll(() => rm(dataRoot, { recursive: true, force: true }));

  it('starts its own server, seeds demo data once, runs the jobs, and stops cleanly twice in a row', async () => {
    // Prepare
    const env = cleanEnv({ LOCAL_POSTGRES_DIR: join(dataRoot, 'postgres') });

    // Act: first start
    const first = startCli(['start', '--run-now'], env);
    await first.waitFor(() => first.logs('job finished').length === 2, 'both jobs finished');
    first.child.kill('SIGINT');
    const firstCode = await first.exited;
    // second start, on the same data
    const second = startCli(['start', '--run-now'], env);
    await second.waitFor(() => second.logs('job finished').length === 2, 'both jobs finished');
    second.child.kill('SIGTERM');
    const secondCode = await second.exited;

    // Assess
    expect([firstCode, secondCode]).toEqual([0, 0]);
    expect(first.logs('demo data written')).toHaveLength(1);
    const [cleanup] = first.logs('job finished');
    expect(cleanup).toMatchObject({ job: expect.any(String), outcome: 'succeeded' });
    const firstDeleted = first.logs('job finished').find((line) => line.job === 'location-cleanup')
      ?.result as { deleted: number };
    expect(firstDeleted.deleted).toBeGreaterThan(0);
    expect(second.logs('demo data written')).toHaveLength(0);
    expect(second.logs('schema migrated')[0]).toMatchObject({ applied: [] });
    const secondDeleted = second
      .logs('job finished')
      .find((line) => line.job === 'location-cleanup')?.result as { deleted: number };
    expect(secondDeleted.deleted).toBe(0);
  }, 60_000);
});
