import { type AddressInfo, createServer, type Socket } from 'node:net';
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedSteadyDemoData } from '../../support/demo-data.js';
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
    // No fix crosses the 30-day line within the hour, so none does while the tests count.
    await seedSteadyDemoData(client, { devices: 5, locationsPerDevice: 400, idempotencyKeys: 50 });
  });

  it('lists every job with its schedule, timeout and next three runs', async () => {
    // Act
    const { code, stdout } = await runCli(['list'], cleanEnv());

    // Assess
    expect(code).toBe(0);
    const cleanup = stdout.split('\n').find((line) => line.startsWith('location-cleanup '));
    expect(cleanup).toMatch(/cron\(15 \* \* \* \? \*\)\s+UTC\s+300 s\s+256 MiB/);
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

  // Every refusal of the parser is unit-tested (test/unit/cli/cli-args.test.ts); these check
  // that the process prints it as one line and exits 2, for a parse error and for the job
  // names the CLI checks against the catalogue.
  it.each([
    [
      ['run', 'no-such-job'],
      'unknown job "no-such-job": expected one of location-cleanup, idempotency-key-purge',
    ],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['history', 'no-such-job'], 'unknown job "no-such-job"'],
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
      await seedSteadyDemoData(client, { devices: 1, locationsPerDevice: 200, idempotencyKeys: 0 });
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

  it('refuses --partitioned with DATABASE_URL: the backend owns that schema', async () => {
    const { code, stderr } = await runCli(
      ['run', 'location-cleanup', '--partitioned'],
      cleanEnv({ DATABASE_URL: db().url }),
    );

    expect(code).toBe(2);
    expect(stderr).toContain('error: --partitioned changes the embedded demo database only');
  });

  it.each([
    ['notaurl', 'it is not a URL: "notaurl"'],
    ['mysql://root:Pa55word@db:3306/pm', 'its scheme is mysql: "mysql://root:***@db:3306/pm"'],
  ])('refuses DATABASE_URL=%s before any work: one line naming it, exit 2', async (url, why) => {
    // Act
    const { code, stderr, stdout } = await runCli(
      ['run', 'location-cleanup', '--dry-run'],
      cleanEnv({ DATABASE_URL: url }),
    );

    // Assess
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')[0]).toBe(
      `error: DATABASE_URL must be a postgres:// URL such as postgres://user:password@host:5432/database, but ${why}`,
    );
    expect(stdout).toBe('');
    expect(stdout + stderr).not.toContain('Pa55word');
  });

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
        expect(plain.code).toBe(2);
        expect(plain.logs('job finished')[0]).toMatchObject({
          outcome: 'failed',
          error: {
            name: 'TableCheckError',
            message: expect.stringContaining('table locations does not exist'),
          },
        });
        expect(migrated.code).toBe(0);
        expect(migrated.logs('schema migrated')[0]).toMatchObject({
          applied: ['0001_initial.sql', '0002_job_claims.sql'],
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
      expect(cli.logs('shutting down')[0]).toMatchObject({ reason: 'SIGTERM' });
      expect(cli.logs('scheduler stopped')[0]).toMatchObject({ abandoned: [] });
    });

    it('exits 1 when a run is still going at the shutdown timeout, naming it as abandoned', async () => {
      // Prepare: a "database" that lets a session in and never answers its queries, so a run
      // that has sent one is certain to be still running when the signal comes (one that
      // never answered the start-up would end the run at the client's 10 s connect timeout)
      const sockets = new Set<Socket>();
      let queried: () => void = () => undefined;
      const waitingForAnswer = new Promise<void>((resolve) => {
        queried = resolve;
      });
      const silent = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
        let startup = Buffer.alloc(0);
        socket.on('data', (chunk: Buffer) => {
          if (startup.length >= 4 && startup.length >= startup.readInt32BE(0)) {
            queried(); // a message after the start-up: a query, never answered
            return;
          }
          startup = Buffer.concat([startup, chunk]);
          if (startup.length < 4 || startup.length < startup.readInt32BE(0)) return;
          // AuthenticationOk, then ReadyForQuery (idle)
          socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0, 0x5a, 0, 0, 0, 5, 0x49]));
          if (startup.length > startup.readInt32BE(0)) queried();
        });
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as AddressInfo;
      const cli = startCli(
        ['start', '--run-now', '--shutdown-timeout', '0'],
        cleanEnv({ DATABASE_URL: `postgres://jobs:Pa55word@127.0.0.1:${port}/pm` }),
      );

      try {
        // Act
        await waitingForAnswer;
        cli.child.kill('SIGTERM');
        const code = await cli.exited;

        // Assess
        expect(code).toBe(1);
        expect(cli.logs('scheduler stopped, abandoning runs')[0]).toMatchObject({
          level: 'ERROR',
          abandoned: expect.arrayContaining(['location-cleanup']),
        });
        expect(cli.stdout() + cli.stderr()).not.toContain('Pa55word');
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });
  });
});
