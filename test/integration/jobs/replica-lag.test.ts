/**
 * The purge pauses between batches while a real streaming standby lags (its replay paused with
 * `pg_wal_replay_pause()`, so that it lags for certain), resumes when it catches up, and ends
 * `cut_short` at its deadline when it never does. The waits are on the virtual clock: the test
 * moves it on by a second each time the purge waits, and only then.
 */
import { rm } from 'node:fs/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../../functions/config/env.js';
import { migrate } from '../../../functions/db/migrate.js';
import { createLocationCleanup } from '../../../functions/jobs/location-cleanup/location-cleanup.js';
import { createJobHandler, type JobHandler } from '../../../functions/lambda/create-handler.js';
import { JobLog } from '../../../functions/log-messages.js';
import type { RetentionOverrides } from '../../../functions/retention/settings.js';
import type { JobDefinition, JobResult, RunRecord } from '../../../functions/runner/types.js';
import { type CapturedOutput, captureStdout } from '../../support/capture-output.js';
import { databaseUrl } from '../../support/database-url.js';
import { lambdaContext, scheduledEvent } from '../../support/lambda-context.js';
import { createOwnedTempDir } from '../../support/owned-temp-dir.js';
import { type StreamingStandby, startStreamingStandby } from '../../support/standby.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { countRows, insertLocations, resetTables, useJobTest } from './fixtures.js';

const start = Date.parse('2026-11-28T10:15:00.000Z');
const expired = `now() - interval '40 days' + g * interval '1 second'`;
/** 1,000 expired rows in batches of 100, on the index path, paused past 1 s of lag. */
const cleanupEnv: Env = {
  LOCATION_CLEANUP_BATCH_SIZE: '100',
  LOCATION_CLEANUP_STRATEGY: 'index',
  LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS: '1',
};
/** Look at the standbys after every batch (the virtual clock does not move during one). */
const everyBatch: RetentionOverrides = { replicaLagCheckIntervalMs: 0 };
const setting = 'LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS';

describe('location-cleanup with a streaming standby', { timeout: 120_000 }, () => {
  let dir: string;
  let pair: StreamingStandby;
  let client: pg.Client;
  let url: string;
  let clock: VirtualClock;
  let output: CapturedOutput;
  let handlers: JobHandler[];

  beforeAll(async () => {
    dir = await createOwnedTempDir();
    pair = await startStreamingStandby(dir);
    url = databaseUrl(pair.primary.url, 'postgres');
    client = new pg.Client({ connectionString: url });
    await client.connect();
    await migrate(client);
  }, 300_000);
  afterAll(async () => {
    await client?.end();
    await pair?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await resetTables(client);
    await insertLocations(client, 1_000, expired);
    await insertLocations(client, 10, 'now()');
    await pair.caughtUp();
    clock = new VirtualClock(start);
    output = captureStdout();
    handlers = [];
  });
  afterEach(async () => {
    await Promise.all(handlers.map((handler) => handler.close()));
    output.restore();
    await pair.resumeReplay();
  });

  function handler(env: Env = {}, job = createLocationCleanup(everyBatch)): JobHandler {
    const made = createJobHandler('location-cleanup', job, {
      env: { DATABASE_URL: url, ...cleanupEnv, ...env },
      clock,
      logger: new Logger({ serviceName: 'test-jobs', logLevel: 'INFO' }),
      metrics: new Metrics({ namespace: 'TestJobs', serviceName: 'test-jobs' }),
    });
    handlers.push(made);
    return made;
  }

  /** Pauses the standby's replay, writes WAL, and resolves once it lags more than 1 s. */
  async function standbyLagging(): Promise<void> {
    await pair.pauseReplay();
    await client.query(`UPDATE devices SET group_id = group_id`);
    await pair.waitOnPrimary(`replay_lag > interval '1 second'`);
  }

  it('pauses while the standby lags, naming it and its lag, and goes on once it has caught up', async () => {
    // Prepare
    await standbyLagging();

    // Act: a run; its first batch commits, then it waits for the standby
    const run = settling(handler()(scheduledEvent(new Date(start)), lambdaContext(clock)));
    await until(() => output.logs(JobLog.ReplicaLagPause).length === 1 || run.settled);
    const waiting = clock.pendingTimers;
    const afterFirstBatch = await countRows(client, 'locations');
    // a second later it looks again: the standby still lags, so it waits on
    await clock.advanceAsync(1_000);
    await until(() => clock.pendingTimers === waiting || run.settled);
    const afterSecondLook = await countRows(client, 'locations');
    const resumedWhilePaused = output.logs(JobLog.ReplicaCaughtUp).length;
    await pair.resumeReplay();
    await pair.caughtUp();
    const record = await drive(run, waiting);

    // Assess
    expect(afterFirstBatch).toBe(910);
    expect(afterSecondLook).toBe(910);
    expect(resumedWhilePaused).toBe(0);
    expect(output.logs(JobLog.ReplicaLagPause)[0]).toMatchObject({
      level: 'WARN',
      standby: pair.name,
      clientAddr: '127.0.0.1',
      lagSeconds: expect.any(Number),
      bytesBehind: expect.any(Number),
      maxLagSeconds: 1,
      setting,
    });
    expect(output.logs(JobLog.ReplicaLagPause)[0]?.lagSeconds).toBeGreaterThan(1);
    expect(output.logs(JobLog.ReplicaLagPause)[0]?.bytesBehind).toBeGreaterThan(0);
    expect(output.logs(JobLog.ReplicaCaughtUp)[0]).toMatchObject({
      standby: pair.name,
      waitedMs: expect.any(Number),
    });
    expect(output.logs(JobLog.ReplicaCaughtUp)[0]?.waitedMs).toBeGreaterThanOrEqual(2_000);
    expect(record).toMatchObject({
      outcome: 'succeeded',
      result: { deleted: 1_000, batches: 10, complete: true },
    });
    // Each pause was a second or more of the clock: the one driven above, and any later one
    // (a standby's `replay_lag` may still show the figure of the paused WAL just after it has
    // caught up, until its next report).
    const waitedMs = Number(record.result?.replicaWaitMs);
    expect(waitedMs).toBeGreaterThanOrEqual(2_000);
    expect(waitedMs).toBe(
      output.logs(JobLog.ReplicaCaughtUp).reduce((sum, line) => sum + Number(line.waitedMs), 0),
    );
    expect(record.result).not.toHaveProperty('stoppedReason');
    expect(await countRows(client, 'locations')).toBe(10);
  });

  it('waits until its deadline for a standby that never catches up: cut_short, saying why', async () => {
    // Prepare
    await standbyLagging();

    // Act: a 20 s Lambda (its deadline 18 s after the start)
    const run = settling(handler()(scheduledEvent(new Date(start)), lambdaContext(clock, 20_000)));
    await until(() => output.logs(JobLog.ReplicaLagPause).length === 1 || run.settled);
    const record = await drive(run, clock.pendingTimers);

    // Assess: one batch, then a wait of every second left
    expect(record).toMatchObject({
      outcome: 'cut_short',
      durationMs: 18_000,
      result: { deleted: 100, batches: 1, complete: false, replicaWaitMs: 18_000 },
    });
    const reason = String(record.result?.stoppedReason);
    expect(reason).toMatch(
      /^deadline 2026-11-28T10:15:18\.000Z reached while waiting for standby replica-a \(127\.0\.0\.1\), \d+\.\d s behind: more than LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS \(1 s\)$/,
    );
    expect(output.logs(JobLog.StoppedEarly)[0]).toMatchObject({
      replicaWaitMs: 18_000,
      stoppedReason: reason,
    });
    expect(output.logs(JobLog.ReplicaCaughtUp)).toEqual([]);
    expect(await countRows(client, 'locations')).toBe(910);
  });

  it("warns once with the GRANT when the job's role cannot read the lag, and does not pause; the GRANT makes it pause", async () => {
    // Prepare: a role with what the cleanup needs on a plain table, and no more
    const role = 'replica_lag_cleanup';
    await client.query(`DROP ROLE IF EXISTS ${role}`);
    await client.query(`CREATE ROLE ${role} LOGIN PASSWORD 'cleanup'`);
    await client.query(`GRANT SELECT, DELETE ON locations TO ${role}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON maintenance_job_claims TO ${role}`);
    const asRole = new URL(url);
    asRole.username = role;
    asRole.password = 'cleanup';
    await standbyLagging();

    try {
      // Act: a run as that role while the standby lags
      const unread = await settling(
        handler({ DATABASE_URL: asRole.toString() })(
          scheduledEvent(new Date(start)),
          lambdaContext(clock),
        ),
      );
      // ...then, with the GRANT the warning gives, another one
      const fix = String(output.logs(JobLog.ReplicaLagUnreadable)[0]?.fix);
      await client.query(fix);
      await insertLocations(client, 100, expired);
      const granted = settling(
        handler({ DATABASE_URL: asRole.toString() })(
          scheduledEvent(new Date(start)),
          lambdaContext(clock),
        ),
      );
      await until(() => output.logs(JobLog.ReplicaLagPause).length === 1 || granted.settled);
      const pausedAt = await countRows(client, 'locations');
      await pair.resumeReplay();
      await pair.caughtUp();
      await drive(granted, clock.pendingTimers);

      // Assess
      expect(unread).toMatchObject({
        outcome: 'succeeded',
        result: { deleted: 1_000, replicaWaitMs: 0 },
      });
      expect(output.logs(JobLog.ReplicaLagUnreadable)).toEqual([
        expect.objectContaining({
          level: 'WARN',
          standbys: [pair.name],
          reason: expect.stringContaining(`the role ${role} may not read the standbys' lag`),
          fix: `GRANT pg_read_all_stats TO "${role}"`,
        }),
      ]);
      expect(pausedAt).toBe(10);
      expect(output.logs(JobLog.ReplicaLagPause)[0]).toMatchObject({ standby: pair.name });
    } finally {
      await client.query(`DROP OWNED BY ${role}`);
      await client.query(`DROP ROLE ${role}`);
    }
  });

  /** A run, and whether it has ended. */
  function settling(running: Promise<RunRecord>) {
    const run = Object.assign(running, { settled: false });
    running.then(
      () => {
        run.settled = true;
      },
      () => {
        run.settled = true;
      },
    );
    return run;
  }

  /**
   * Moves the clock on by a second each time the purge waits for the standby (`waiting` timers
   * are set: the deadline's and the wait's), and only then, until the run ends.
   */
  async function drive(
    run: Promise<RunRecord> & { settled: boolean },
    waiting: number,
  ): Promise<RunRecord> {
    while (!run.settled) {
      await until(() => clock.pendingTimers === waiting || run.settled);
      if (!run.settled) await clock.advanceAsync(1_000);
    }
    return run;
  }
});

describe('location-cleanup with no standby', () => {
  const t = useJobTest('location-cleanup', start);

  it('never pauses, and looks for standbys at most once a second of its clock', async () => {
    // Prepare: each batch takes 400 ms of the clock; every statement the job sends is kept
    await insertLocations(t.client, 1_000, expired);
    const sent: string[] = [];
    const job = withStatements(
      createLocationCleanup({}, { onBatch: () => t.clock.advance(400) }),
      sent,
    );

    // Act
    const record = await t.handler(job, {
      LOCATION_CLEANUP_BATCH_SIZE: '100',
      LOCATION_CLEANUP_STRATEGY: 'index',
    })(scheduledEvent(new Date(start)), lambdaContext(t.clock));

    // Assess: ten batches over 4 s, so three looks (after 1.2, 2.4 and 3.6 s), each one query
    expect(record).toMatchObject({
      outcome: 'succeeded',
      result: { deleted: 1_000, batches: 10, replicaWaitMs: 0 },
    });
    expect(sent.filter((text) => text.includes('pg_stat_get_wal_senders'))).toHaveLength(3);
    expect(t.output.logs(JobLog.ReplicaLagPause)).toEqual([]);
    expect(t.output.logs(JobLog.ReplicaLagUnreadable)).toEqual([]);
  });

  it('sends nothing for standbys with LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS=0', async () => {
    // Prepare
    await insertLocations(t.client, 1_000, expired);
    const sent: string[] = [];
    const job = withStatements(createLocationCleanup(everyBatch), sent);

    // Act
    const record = await t.handler(job, {
      ...cleanupEnv,
      LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS: '0',
    })(scheduledEvent(new Date(start)), lambdaContext(t.clock));

    // Assess
    expect(record).toMatchObject({ outcome: 'succeeded', result: { deleted: 1_000 } });
    expect(record.result).not.toHaveProperty('replicaWaitMs');
    expect(sent.filter((text) => text.includes('pg_stat_get_wal_senders'))).toEqual([]);
  });
});

/** The job, with every statement it sends on its session added to `sent`. */
function withStatements<Config, Result extends JobResult>(
  job: JobDefinition<Config, Result>,
  sent: string[],
): JobDefinition<Config, Result> {
  return {
    ...job,
    run: (ctx, deps) => {
      const db = new Proxy(deps.db, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property);
          if (property !== 'query' || typeof value !== 'function') {
            return typeof value === 'function' ? value.bind(target) : value;
          }
          return (...args: unknown[]) => {
            const [query] = args;
            sent.push(
              typeof query === 'string' ? query : String((query as { text?: string }).text),
            );
            return value.apply(target, args);
          };
        },
      });
      return job.run(ctx, { ...deps, db });
    },
  };
}

/** Resolves once `condition` holds (polled; a hang fails the test at its timeout). */
async function until(condition: () => boolean): Promise<void> {
  await vi.waitFor(
    () => {
      if (!condition()) throw new Error('not yet');
    },
    { timeout: 60_000, interval: 5 },
  );
}
