/**
 * The jobs through a real PgBouncer in transaction pooling mode with its shipped settings: the
 * database path production uses. Skipped, saying how to install it, where PgBouncer is missing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../../functions/config/env.js';
import { createIdempotencyKeyPurge } from '../../../functions/jobs/idempotency-key-purge/idempotency-key-purge.js';
import { createLocationCleanup } from '../../../functions/jobs/location-cleanup/location-cleanup.js';
import { createJobHandler, type JobHandler } from '../../../functions/lambda/create-handler.js';
import type { JobDefinition, JobResult, RunRecord } from '../../../functions/runner/types.js';
import { type CapturedOutput, captureStdout } from '../../support/capture-output.js';
import { lambdaContext } from '../../support/lambda-context.js';
import { typeScriptNodeOptions } from '../../support/node-typescript.js';
import {
  findPgBouncer,
  installPgBouncer,
  type PgBouncer,
  startPgBouncer,
} from '../../support/pgbouncer.js';
import { useTestDatabase } from '../../support/test-database.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import {
  countRows,
  insertIdempotencyKeys,
  insertLocations,
  resetTables,
} from '../jobs/fixtures.js';

const pgbouncer = findPgBouncer();
if (!pgbouncer) {
  console.warn(`PgBouncer tests skipped: pgbouncer is not installed (${installPgBouncer})`);
}

const start = Date.parse('2026-11-28T10:15:00Z');
/** Batches that wait for a lock as long as it takes: held mid-way for certain. */
const patient = { statementTimeoutMs: 600_000, lockTimeoutMs: 600_000 };

describe.skipIf(!pgbouncer)('the jobs through PgBouncer in transaction mode', () => {
  const db = useTestDatabase();
  let bouncer: PgBouncer;
  let direct: pg.Client;
  let output: CapturedOutput;
  let clock: VirtualClock;
  const handlers: JobHandler[] = [];
  const clients: pg.Client[] = [];

  beforeAll(async () => {
    bouncer = await startPgBouncer(db().url);
    direct = await db().connect();
  });
  afterAll(() => bouncer?.stop());
  beforeEach(async () => {
    await resetTables(direct);
    await direct.query('DELETE FROM maintenance_job_claims');
    output = captureStdout();
    clock = new VirtualClock(start);
  });
  afterEach(async () => {
    await Promise.all(handlers.splice(0).map((handler) => handler.close()));
    await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)));
    output.restore();
  });

  /** A job's handler connecting through PgBouncer: a Lambda instance of its own. */
  function handler<Config, Result extends JobResult>(
    name: string,
    job: JobDefinition<Config, Result>,
    env: Env = {},
    handlerClock = clock,
  ): JobHandler {
    const created = createJobHandler(name, job, {
      env: { DATABASE_URL: bouncer.url(db().url), ...env },
      clock: handlerClock,
      logger: new Logger({ serviceName: 'test-jobs', logLevel: 'INFO' }),
      metrics: new Metrics({ namespace: 'TestJobs', serviceName: 'test-jobs' }),
    });
    handlers.push(created);
    return created;
  }

  /** Another client of the pool, as the backend's API would be. */
  async function poolClient(config: pg.ClientConfig = {}): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: bouncer.url(db().url), ...config });
    client.on('error', () => undefined);
    clients.push(client);
    await client.connect();
    return client;
  }

  /** 1,500 locations past the 30-day retention and 500 within it. */
  async function seedLocations(): Promise<void> {
    await insertLocations(direct, 1_500, `now() - interval '40 days' + g * interval '1 second'`);
    await insertLocations(direct, 500, `now() - interval '10 days' + g * interval '1 second'`);
  }

  /** Locks every expired location, so that a run's first batch waits for certain. */
  async function lockExpiredLocations(): Promise<pg.Client> {
    const locker = await db().connect();
    await locker.query('BEGIN');
    await locker.query(
      `SELECT id FROM locations WHERE created_at < now() - interval '30 days' FOR UPDATE`,
    );
    return locker;
  }

  /** The server backends of `application` that wait for a lock. */
  async function waitingBackends(application: string): Promise<number[]> {
    for (let attempt = 0; attempt < 100_000; attempt++) {
      const { rows } = await direct.query<{ pid: number }>(
        `SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_stat_activity a USING (pid)
          WHERE NOT l.granted AND a.application_name = $1 AND a.datname = $2`,
        [application, db().name],
      );
      if (rows.length > 0) return rows.map((row) => row.pid);
    }
    throw new Error(`no backend of ${application} ever waited for a lock`);
  }

  it('refuses the startup parameters the handler used to send, as production’s pooler did', async () => {
    // Act
    const failure = await poolClient({ statement_timeout: 60_000 }).catch((error) => error);

    // Assess
    expect(failure).toMatchObject({
      code: '08P01',
      message: 'unsupported startup parameter: statement_timeout',
    });
  });

  it('runs both jobs, deleting exactly the expired rows', async () => {
    // Prepare
    await seedLocations();
    await insertIdempotencyKeys(direct, 700, `now() - interval '1 hour' - g * interval '1 second'`);
    await insertIdempotencyKeys(direct, 300, `now() + g * interval '1 hour'`, 'valid');
    const env = { LOCATION_CLEANUP_BATCH_SIZE: '500', IDEMPOTENCY_KEY_PURGE_BATCH_SIZE: '200' };

    // Act
    const cleanup = await handler(
      'location-cleanup',
      createLocationCleanup(),
      env,
    )({}, lambdaContext(clock));
    const purge = await handler(
      'idempotency-key-purge',
      createIdempotencyKeyPurge(),
      env,
    )({}, lambdaContext(clock));

    // Assess
    expect(cleanup).toMatchObject({ outcome: 'succeeded', result: { deleted: 1_500 } });
    expect(purge).toMatchObject({ outcome: 'succeeded', result: { deleted: 700 } });
    expect(await countRows(direct, 'locations')).toBe(500);
    expect(await countRows(direct, 'locations', `created_at < now() - interval '30 days'`)).toBe(0);
    expect(await countRows(direct, 'idempotency_keys')).toBe(300);
    expect(await countRows(direct, 'idempotency_keys', 'expires_at < now()')).toBe(0);
    expect(await countRows(direct, 'maintenance_job_claims')).toBe(0);
  });

  it('leaves no lock, setting, prepared statement or open transaction on the pooled server connections', async () => {
    // Prepare
    await seedLocations();
    await handler('location-cleanup', createLocationCleanup(), {
      LOCATION_CLEANUP_BATCH_SIZE: '500',
    })({}, lambdaContext(clock));
    await handler('idempotency-key-purge', createIdempotencyKeyPurge())({}, lambdaContext(clock));
    const defaults = await direct.query<{ zone: string }>(
      `SELECT current_setting('TimeZone') AS zone`,
    );

    // Act: the pooled server connections, each reached by a client holding a transaction on it
    const { rows: servers } = await direct.query<{ pid: number; state: string }>(
      `SELECT pid, state FROM pg_stat_activity
        WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
      [db().name],
    );
    const seen: Record<string, unknown>[] = [];
    const holders = await Promise.all(servers.map(() => poolClient()));
    for (const holder of holders) {
      await holder.query('BEGIN');
      const { rows } = await holder.query(
        `SELECT pg_backend_pid() AS pid,
                current_setting('statement_timeout') AS statement_timeout,
                current_setting('lock_timeout') AS lock_timeout,
                current_setting('idle_in_transaction_session_timeout') AS idle_timeout,
                current_setting('TimeZone') AS zone,
                (SELECT count(*)::int FROM pg_prepared_statements) AS prepared`,
      );
      seen.push(...rows);
    }
    const { rows: advisory } = await direct.query(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory'`,
    );
    await Promise.all(holders.map((holder) => holder.query('COMMIT')));

    // Assess
    expect(servers.length).toBeGreaterThan(0);
    expect(servers.map((server) => server.state)).not.toContain('idle in transaction');
    expect(advisory).toEqual([]);
    expect(seen.map((row) => row.pid)).toEqual(
      expect.arrayContaining(servers.map((server) => server.pid)),
    );
    for (const row of seen) {
      expect(row).toMatchObject({
        statement_timeout: '0',
        lock_timeout: '0',
        idle_timeout: '0',
        zone: defaults.rows[0]?.zone,
        prepared: 0,
      });
    }
  });

  it('never skips runs one after another, while other clients share the pool', async () => {
    // Prepare: after each run's first batch, another client of the pool starts a transaction,
    // taking the server connection the run had just used (PgBouncer hands out the most
    // recently used one), and holds it until the next run has finished: so a run's statements
    // move between server connections, as they do on a busy pool
    const others = await Promise.all([1, 2, 3, 4, 5].map(() => poolClient()));
    const records: RunRecord[] = [];

    // Act: five runs, each a fresh Lambda instance
    for (const [run, other] of others.entries()) {
      await insertLocations(direct, 300, `now() - interval '40 days' + g * interval '1 second'`);
      let took = false;
      const cleanup = createLocationCleanup(
        {},
        {
          onBatch: async () => {
            if (took) return;
            took = true;
            await other.query('BEGIN');
            await other.query('SELECT count(*) FROM devices');
          },
        },
      );
      records.push(
        await handler('location-cleanup', cleanup, { LOCATION_CLEANUP_BATCH_SIZE: '100' })(
          {},
          lambdaContext(clock),
        ),
      );
      if (run > 0) await others[run - 1]?.query('COMMIT');
    }
    await others.at(-1)?.query('COMMIT');

    // Assess
    expect(records.map((record) => record.outcome)).toEqual(Array(5).fill('succeeded'));
    expect(records.map((record) => (record.result as { deleted: number }).deleted)).toEqual(
      Array(5).fill(300),
    );
    expect(await countRows(direct, 'locations')).toBe(0);
    const { rows: advisory } = await direct.query(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory'`,
    );
    expect(advisory).toEqual([]);
  });

  it('runs every time when each of its transactions lands on another server connection (server_round_robin)', async () => {
    // Prepare: a pool that hands out its idle server connections in turn, four of them warm
    const roundRobin = await startPgBouncer(db().url, { settings: { server_round_robin: '1' } });
    const url = roundRobin.url(db().url);
    try {
      const warm = await Promise.all([1, 2, 3, 4].map(() => connect(url)));
      await Promise.all(warm.map((client) => client.query('BEGIN')));
      await Promise.all(warm.map((client) => client.query('COMMIT')));
      await Promise.all(warm.map((client) => client.end()));
      const pids: number[] = [];
      const probe: JobDefinition<unknown, JobResult> = {
        readConfig: () => ({}),
        run: async (_ctx, { db: session }) => {
          for (let statement = 0; statement < 4; statement++) {
            const { rows } = await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
            pids.push(rows[0]?.pid ?? 0);
          }
          return {};
        },
      };
      const env = { DATABASE_URL: url };
      const records: RunRecord[] = [];

      // Act
      records.push(await handler('probe-job', probe, env)({}, lambdaContext(clock)));
      for (let run = 0; run < 3; run++) {
        await insertLocations(direct, 100, `now() - interval '40 days' + g * interval '1 second'`);
        records.push(
          await handler('location-cleanup', createLocationCleanup(), env)({}, lambdaContext(clock)),
        );
      }

      // Assess: one run's statements ran on several server connections, and no run was skipped
      expect(new Set(pids).size).toBeGreaterThan(1);
      expect(records.map((record) => record.outcome)).toEqual(Array(4).fill('succeeded'));
      expect(await countRows(direct, 'locations')).toBe(0);
      const { rows: advisory } = await direct.query(
        `SELECT pid FROM pg_locks WHERE locktype = 'advisory'`,
      );
      expect(advisory).toEqual([]);
    } finally {
      await Promise.all(handlers.splice(0).map((created) => created.close()));
      await roundRobin.stop();
    }
  });

  it('skips a second run while the first is mid-way, and the first deletes every expired row', async () => {
    // Prepare: the first run's first batch waits for a lock that the test holds
    await seedLocations();
    const locker = await lockExpiredLocations();
    const first = handler('location-cleanup', createLocationCleanup({ limits: patient }))(
      {},
      lambdaContext(clock),
    );
    await waitingBackends('location-cleanup');

    // Act
    const second = await handler('location-cleanup', createLocationCleanup())(
      {},
      lambdaContext(clock),
    );
    await locker.query('ROLLBACK');
    const firstRecord = await first;

    // Assess
    expect(second).toMatchObject({
      outcome: 'skipped',
      reason: 'another run of this job holds its claim until 2026-11-28T10:20:00.000Z',
    });
    expect(firstRecord).toMatchObject({ outcome: 'succeeded', result: { deleted: 1_500 } });
    expect(await countRows(direct, 'locations')).toBe(500);
    expect(await countRows(direct, 'maintenance_job_claims')).toBe(0);
  });

  it('runs two started together: one is skipped, or both finish, and the rows are exact', async () => {
    // Prepare
    await seedLocations();
    const env = { LOCATION_CLEANUP_BATCH_SIZE: '100' };

    // Act
    const records = await Promise.all(
      [1, 2].map(() =>
        handler('location-cleanup', createLocationCleanup(), env)({}, lambdaContext(clock)),
      ),
    );

    // Assess
    const outcomes = records.map((record) => record.outcome).sort();
    expect([
      ['skipped', 'succeeded'],
      ['succeeded', 'succeeded'],
    ]).toContainEqual(outcomes);
    const deleted = records.map((record) => (record.result as { deleted?: number })?.deleted ?? 0);
    expect(deleted.reduce((sum, rows) => sum + rows, 0)).toBe(1_500);
    expect(await countRows(direct, 'locations')).toBe(500);
  });

  it('lets the next run do the work once the claim of a run killed mid-way has expired', async () => {
    // Prepare: a Lambda instance in a process of its own, held mid-way by a lock, then killed
    await seedLocations();
    const locker = await lockExpiredLocations();
    const child = startJobChild(bouncer.url(db().url), 600_000);
    const [waiting] = await waitingBackends('location-cleanup');
    const { rows: claims } = await direct.query<{ run_id: string; expires_at: Date }>(
      'SELECT run_id, expires_at FROM maintenance_job_claims',
    );
    const claim = claims[0];
    if (!claim) throw new Error('the killed run had not claimed the job');
    await child.kill();
    // Its server backend still waits for the lock (a client's death goes unnoticed there):
    // end it, as the server would once it wrote to the dead connection.
    await direct.query('SELECT pg_terminate_backend($1)', [waiting]);
    await untilGone(waiting);
    await locker.query('ROLLBACK');

    // Act: a run 1 ms before the claim expires, then one at its expiry
    const runClock = new VirtualClock(claim.expires_at.getTime() - 1);
    const cleanup = handler('location-cleanup', createLocationCleanup(), {}, runClock);
    const before = await cleanup({}, lambdaContext(runClock));
    runClock.jump(1);
    const at = await cleanup({}, lambdaContext(runClock));

    // Assess
    expect(child.lines.some((line) => line.includes('"job finished"'))).toBe(false);
    expect(before).toMatchObject({ outcome: 'skipped' });
    expect(before.reason).toBe(
      `another run of this job holds its claim until ${claim.expires_at.toISOString()}`,
    );
    expect(at).toMatchObject({ outcome: 'succeeded', result: { deleted: 1_500 } });
    expect(output.logs('expired claim taken over')).toEqual([
      expect.objectContaining({
        level: 'WARN',
        runId: at.runId,
        previousRunId: claim.run_id,
        expiredAt: claim.expires_at.toISOString(),
      }),
    ]);
    expect(await countRows(direct, 'locations')).toBe(500);
    expect(await countRows(direct, 'maintenance_job_claims')).toBe(0);
  });

  /** Polls until the server backend `pid` has exited. */
  async function untilGone(pid: number | undefined): Promise<void> {
    for (let attempt = 0; attempt < 100_000; attempt++) {
      const { rowCount } = await direct.query('SELECT FROM pg_stat_activity WHERE pid = $1', [pid]);
      if (rowCount === 0) return;
    }
    throw new Error(`backend ${pid} never exited`);
  }
});

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** A child process running the cleanup's handler (test/support/job-child.ts). */
function startJobChild(databaseUrl: string, remainingMs: number) {
  const child: ChildProcess = spawn(
    process.execPath,
    [...typeScriptNodeOptions(), 'test/support/job-child.ts'],
    {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: databaseUrl,
        CHILD_REMAINING_MS: String(remainingMs),
        POWERTOOLS_METRICS_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => lines.push(line));
  }
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    lines,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
