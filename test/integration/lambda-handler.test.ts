import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/config/env.js';
import { claimJob, claimsTableDdl } from '../../functions/db/job-claim.js';
import {
  createJobHandler,
  JobFailedError,
  type JobHandler,
  type JobHandlerOptions,
} from '../../functions/lambda/create-handler.js';
import { InvalidEventError } from '../../functions/lambda/event.js';
import { schedulerInput } from '../../functions/lambda/scheduler-input.js';
import type { JobContext, JobDefinition, JobResult } from '../../functions/runner/types.js';
import { type CapturedOutput, captureStdout } from '../support/capture-output.js';
import { lambdaContext, sampleScheduledEvent } from '../support/lambda-context.js';
import { createTestDatabase, useTestDatabase } from '../support/test-database.js';
import { VirtualClock } from '../support/virtual-clock.js';

const db = useTestDatabase();

interface Seen {
  applicationName: string;
  backendPid: number;
  deadline: string;
  dryRun: boolean;
  [key: string]: unknown;
}

/** A job that reports what its session and context look like. */
const probeJob: JobDefinition<{ label: string }, Seen> = {
  readConfig: (env) => {
    if (env.PROBE_LABEL === 'bad')
      throw new ConfigError('PROBE_LABEL', 'PROBE_LABEL must not be "bad"');
    return { label: env.PROBE_LABEL ?? 'probe' };
  },
  run: async (ctx: JobContext, { db: session }) => {
    const { rows } = await session.query<{ name: string; pid: number }>(
      "SELECT current_setting('application_name') AS name, pg_backend_pid() AS pid",
    );
    return {
      applicationName: rows[0]?.name ?? '',
      backendPid: rows[0]?.pid ?? 0,
      deadline: ctx.deadline.toISOString(),
      dryRun: ctx.dryRun,
    };
  },
};

describe('createJobHandler against a real database', () => {
  let output: CapturedOutput;
  let clock: VirtualClock;

  let handlers: JobHandler[];

  beforeEach(() => {
    output = captureStdout();
    clock = new VirtualClock(Date.parse('2026-11-28T10:15:00Z'));
    handlers = [];
  });
  afterEach(async () => {
    await Promise.all(handlers.map((handler) => handler.close()));
    output.restore();
  });

  /** A handler of `job` (the probe job by default), closed after the test. */
  function handlerWith<Config = { label: string }, Result extends JobResult = Seen>(
    env: Record<string, string>,
    options: Partial<JobHandlerOptions> = {},
    job = probeJob as unknown as JobDefinition<Config, Result>,
  ) {
    const handler = createJobHandler('probe-job', job, {
      env,
      clock,
      logger: new Logger({ serviceName: 'test' }),
      metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
      ...options,
    });
    handlers.push(handler);
    return handler;
  }

  it('runs a scheduled event through the runner with the job’s session and deadline', async () => {
    // Prepare
    const handler = handlerWith({ DATABASE_URL: db().url });

    // Act
    const record = await handler(sampleScheduledEvent, lambdaContext(clock, 300_000));

    // Assess
    expect(record).toMatchObject({
      job: 'probe-job',
      outcome: 'succeeded',
      trigger: 'schedule',
      scheduledTime: '2015-10-08T16:53:06.000Z',
      result: {
        applicationName: 'probe-job',
        // 300 s remaining, 30 s margin
        deadline: '2026-11-28T10:19:30.000Z',
        dryRun: false,
      },
    });
    expect(output.logs('job started')[0]).toMatchObject({
      eventId: sampleScheduledEvent.id,
      function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    });
  });

  it('runs the EventBridge Scheduler input as a scheduled run, logging its execution id and attempt', async () => {
    // Prepare: the input the stack's schedule sends, as Scheduler fills it in
    const scheduleArn = 'arn:aws:scheduler:eu-central-1:123456789012:schedule/default/probe';
    const event = schedulerInput({
      scheduleArn,
      scheduledTime: '2026-11-28T10:15:00Z',
      executionId: 'd32c5kddcf5bb8c3',
      attemptNumber: '1',
    });

    // Act
    const record = await handlerWith({ DATABASE_URL: db().url })(event, lambdaContext(clock));

    // Assess
    expect(record).toMatchObject({
      outcome: 'succeeded',
      trigger: 'schedule',
      scheduledTime: '2026-11-28T10:15:00.000Z',
      result: { dryRun: false },
    });
    expect(output.logs('job started')[0]).toMatchObject({
      trigger: 'schedule',
      executionId: 'd32c5kddcf5bb8c3',
      attempt: 1,
      scheduleArn,
    });
  });

  it.each([
    ['"detail": {"dryRun": true}', { ...sampleScheduledEvent, detail: { dryRun: true } }],
    ['a top-level "dryRun"', { ...sampleScheduledEvent, dryRun: true }],
  ])(
    'refuses a Scheduled Event carrying %s before any work, instead of running for real',
    async (_label, event) => {
      // Act
      const attempt = handlerWith({ DATABASE_URL: db().url })(event, lambdaContext(clock));

      // Assess: the job never started, so nothing was deleted
      await expect(attempt).rejects.toThrow(InvalidEventError);
      await expect(attempt).rejects.toThrow('a scheduled run takes no options');
      expect(output.logs('job started')).toHaveLength(0);
    },
  );

  it('keeps one connection across warm invocations and reconnects after losing it', async () => {
    // Prepare
    const handler = handlerWith({ DATABASE_URL: db().url });
    const admin = await db().connect();

    // Act
    const first = await handler({}, lambdaContext(clock));
    const second = await handler({}, lambdaContext(clock));
    const pid = (first.result as Seen).backendPid;
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor(() => output.logs('database connection lost').length > 0);
    const third = await handler({}, lambdaContext(clock));

    // Assess
    expect((second.result as Seen).backendPid).toBe(pid);
    expect(third.outcome).toBe('succeeded');
    expect((third.result as Seen).backendPid).not.toBe(pid);
  });

  it('passes a manual dry run to the job', async () => {
    // Act
    const record = await handlerWith({ DATABASE_URL: db().url })(
      { dryRun: true },
      lambdaContext(clock),
    );

    // Assess
    expect(record).toMatchObject({ trigger: 'manual', result: { dryRun: true } });
  });

  it('skips the run while another run’s claim is live, naming until when, and releases its own', async () => {
    // Prepare: a run elsewhere claimed the job for 5 minutes
    const handler = handlerWith({ DATABASE_URL: db().url });
    const other = await db().connect();
    await claimJob(other, {
      job: 'probe-job',
      runId: 'run-elsewhere',
      now: clock.now(),
      expiresAt: clock.now() + 300_000,
    });

    // Act
    const skipped = await handler({}, lambdaContext(clock));
    await other.query('DELETE FROM maintenance_job_claims');
    const ran = await handler({}, lambdaContext(clock));

    // Assess
    expect(skipped).toMatchObject({
      outcome: 'skipped',
      reason: 'another run of this job holds its claim until 2026-11-28T10:20:00.000Z',
    });
    expect(ran.outcome).toBe('succeeded');
    const { rows } = await other.query('SELECT * FROM maintenance_job_claims');
    expect(rows).toEqual([]);
  });

  it('takes over a claim once it has expired, warning whose it was and when it expired', async () => {
    // Prepare: a run that died holding its claim, which expires at 10:20
    const handler = handlerWith({ DATABASE_URL: db().url });
    const other = await db().connect();
    await claimJob(other, {
      job: 'probe-job',
      runId: 'crashed-run',
      now: clock.now(),
      expiresAt: clock.now() + 300_000,
    });

    // Act: one millisecond before it expires, then at its expiry
    clock.jump(299_999);
    const before = await handler({}, lambdaContext(clock));
    clock.jump(1);
    const at = await handler({}, lambdaContext(clock));

    // Assess
    expect(before.outcome).toBe('skipped');
    expect(at.outcome).toBe('succeeded');
    expect(output.logs('expired claim taken over')).toEqual([
      expect.objectContaining({
        level: 'WARN',
        runId: at.runId,
        previousRunId: 'crashed-run',
        expiredAt: '2026-11-28T10:20:00.000Z',
      }),
    ]);
    const { rows } = await other.query('SELECT * FROM maintenance_job_claims');
    expect(rows).toEqual([]);
  });

  it('releases its claim on a new connection when the run failed with its connection cut, so a retry is not skipped', async () => {
    // Prepare: a job whose session the server ends mid-run
    let cut = true;
    const handler = handlerWith(
      { DATABASE_URL: db().url },
      {},
      {
        readConfig: () => ({}),
        run: async (_ctx, { db: session }) => {
          if (cut) {
            cut = false;
            await session.query('SELECT pg_terminate_backend(pg_backend_pid())');
          }
          return {};
        },
      },
    );

    // Act: the run, then Lambda's retry
    const failed = await handler({}, lambdaContext(clock)).catch((error: unknown) => error);
    const retried = await handler({}, lambdaContext(clock));

    // Assess
    expect(failed).toBeInstanceOf(JobFailedError);
    expect(retried.outcome).toBe('succeeded');
    expect(output.logs('claim not released')).toEqual([]);
  });

  it('claims the job until the run’s hard end (Lambda’s timeout), not its deadline', async () => {
    // Prepare: a job that reads its own claim
    const claims: unknown[] = [];
    const handler = handlerWith(
      { DATABASE_URL: db().url },
      {},
      {
        readConfig: () => ({}),
        run: async (_ctx, { db: session }) => {
          const { rows } = await session.query(
            'SELECT run_id, expires_at FROM maintenance_job_claims',
          );
          claims.push(...rows);
          return {};
        },
      },
    );

    // Act
    const record = await handler({}, lambdaContext(clock, 120_000));

    // Assess: 10:15 + 120 s
    expect(claims).toEqual([
      { run_id: record.runId, expires_at: new Date('2026-11-28T10:17:00.000Z') },
    ]);
  });

  it('runs without the overlap guard when the claims table is missing, saying how to create it', async () => {
    // Prepare: a backend that owns its schema and did not apply our migration
    const bare = await createTestDatabase();
    const admin = await bare.connect();
    await admin.query('DROP TABLE maintenance_job_claims');
    const handler = handlerWith({ DATABASE_URL: bare.url });

    try {
      // Act
      const record = await handler({}, lambdaContext(clock));

      // Assess
      expect(record.outcome).toBe('succeeded');
      expect(output.logs('job claims table missing, running without the overlap guard')).toEqual([
        expect.objectContaining({
          level: 'WARN',
          table: 'maintenance_job_claims',
          fix: `${claimsTableDdl}; or: npm run jobs -- run probe-job --migrate`,
        }),
      ]);
    } finally {
      await handler.close();
      await bare.drop();
    }
  });

  it('rejects a malformed event before any work, logging why', async () => {
    // Act
    const attempt = handlerWith({ DATABASE_URL: db().url })(
      { ...sampleScheduledEvent, 'detail-type': 'Object Created' },
      lambdaContext(clock),
    );

    // Assess
    await expect(attempt).rejects.toThrow(InvalidEventError);
    expect(output.logs('job started')).toHaveLength(0);
    expect(output.logs('event rejected')[0]).toMatchObject({
      level: 'ERROR',
      job: 'probe-job',
      error: { name: 'InvalidEventError', message: expect.stringContaining('detail-type') },
    });
  });

  it('fails a run whose configuration is invalid, naming the variable, and rethrows', async () => {
    // Act
    const attempt = handlerWith({ DATABASE_URL: db().url, PROBE_LABEL: 'bad' })(
      {},
      lambdaContext(clock),
    );

    // Assess
    await expect(attempt).rejects.toThrow(JobFailedError);
    await expect(attempt).rejects.toThrow(
      'probe-job failed: ConfigError: PROBE_LABEL must not be "bad"',
    );
    expect(output.logs('job finished')).toEqual([
      expect.objectContaining({
        outcome: 'failed',
        error: expect.objectContaining({ name: 'ConfigError' }),
      }),
    ]);
  });

  it('fails a run with no database configured, naming both variables', async () => {
    // Act
    const attempt = handlerWith({})({}, lambdaContext(clock));

    // Assess
    await expect(attempt).rejects.toThrow(/DATABASE_URL.*DB_SECRET_ARN/);
  });

  it('fails, logs the error and rethrows when the database is unreachable, without the password', async () => {
    // Prepare: port 1 on loopback refuses connections
    const handler = handlerWith({ DATABASE_URL: 'postgres://jobs:Sup3rS3cret@127.0.0.1:1/pm' });

    // Act
    const attempt = handler(sampleScheduledEvent, lambdaContext(clock));

    // Assess
    await expect(attempt).rejects.toThrow(JobFailedError);
    const [finished] = output.logs('job finished');
    expect(finished).toMatchObject({
      level: 'ERROR',
      outcome: 'failed',
      error: { code: 'ECONNREFUSED', message: expect.stringContaining('127.0.0.1:1') },
    });
    expect(JSON.stringify(output.json())).not.toContain('Sup3rS3cret');
  });

  it('connects from a secret, refetching it once when the cached password is rejected', async () => {
    // Prepare: the first read returns a stale password, as after a rotation
    const url = new URL(db().url);
    const secret = (password: string) =>
      JSON.stringify({
        host: url.hostname,
        port: Number(url.port),
        dbname: db().name,
        username: decodeURIComponent(url.username),
        password,
      });
    const reads: boolean[] = [];
    const handler = handlerWith(
      { DB_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db' },
      {
        secrets: {
          get: async (_id, options) => {
            reads.push(options?.forceFetch ?? false);
            return secret(options?.forceFetch ? decodeURIComponent(url.password) : 'rotated-away');
          },
        },
        ssl: false,
      },
    );

    // Act
    const record = await handler({}, lambdaContext(clock));

    // Assess
    expect(record.outcome).toBe('succeeded');
    expect(reads).toEqual([false, true]);
  });
});

/**
 * Waits, one event-loop turn at a time (each turn handles the I/O that arrived), until a
 * condition that real I/O makes true holds. No bound on the turns: a bound is a time budget,
 * which a fast machine would use up before a busy server had ended the session; a condition
 * that never holds is caught by the test timeout.
 */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
