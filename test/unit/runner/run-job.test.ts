import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipRun } from '../../../functions/runner/errors.js';
import { type RunRequest, runJob } from '../../../functions/runner/run-job.js';
import type { JobContext } from '../../../functions/runner/types.js';
import { type CapturedOutput, captureStdout } from '../../support/capture-output.js';
import { VirtualClock } from '../../support/virtual-clock.js';

const start = Date.parse('2026-11-28T10:00:00.000Z');

describe('runJob', () => {
  let output: CapturedOutput;
  let clock: VirtualClock;

  beforeEach(() => {
    output = captureStdout();
    clock = new VirtualClock(start);
  });
  afterEach(() => output.restore());

  function run(work: RunRequest['work'], overrides: Partial<RunRequest> = {}) {
    return runJob(
      { job: 'test-job', trigger: 'schedule', deadline: start + 60_000, work, ...overrides },
      {
        clock,
        logger: new Logger({ serviceName: 'test-service' }),
        metrics: new Metrics({ namespace: 'TestJobs', serviceName: 'test-service' }),
        newRunId: () => 'run-1',
      },
    );
  }

  it('logs one start and one finish line with every field for a successful run', async () => {
    // Prepare
    const scheduledTime = new Date(start - 1_000);

    // Act
    const record = await run(
      async () => {
        clock.advance(1_250);
        return { deleted: 3, complete: true };
      },
      { scheduledTime, details: { eventId: 'evt-1' } },
    );

    // Assess
    const [started] = output.logs('job started');
    const finished = output.logs('job finished');
    expect(started).toMatchObject({
      level: 'INFO',
      service: 'test-service',
      job: 'test-job',
      runId: 'run-1',
      trigger: 'schedule',
      scheduledTime: '2026-11-28T09:59:59.000Z',
      startedAt: '2026-11-28T10:00:00.000Z',
      deadline: '2026-11-28T10:01:00.000Z',
      dryRun: false,
      eventId: 'evt-1',
    });
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({
      level: 'INFO',
      job: 'test-job',
      runId: 'run-1',
      startedAt: '2026-11-28T10:00:00.000Z',
      endedAt: '2026-11-28T10:00:01.250Z',
      durationMs: 1_250,
      outcome: 'succeeded',
      result: { deleted: 3, complete: true },
    });
    expect(finished[0]).not.toHaveProperty('error');
    expect(record).toMatchObject({ outcome: 'succeeded', durationMs: 1_250, job: 'test-job' });
  });

  it('logs error details for a failed run and does not throw', async () => {
    // Act
    const record = await run(async () => {
      throw new Error('connection refused', { cause: new TypeError('socket closed') });
    });

    // Assess
    const finished = output.logs('job finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({
      level: 'ERROR',
      outcome: 'failed',
      error: {
        name: 'Error',
        message: 'connection refused',
        cause: { name: 'TypeError', message: 'socket closed' },
      },
    });
    expect(finished[0]).toHaveProperty('error.stack', expect.stringContaining('run-job.test.ts'));
    expect(finished[0]).not.toHaveProperty('result');
    expect(record.outcome).toBe('failed');
  });

  it.each([
    ['a string', 'database is down', 'database is down'],
    ['an object', { code: 42, reason: 'nope' }, '{"code":42,"reason":"nope"}'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a number', 7, '7'],
  ])('normalises %s thrown by a job', async (_label, thrown, message) => {
    // Act
    await run(async () => {
      throw thrown;
    });

    // Assess
    const [finished] = output.logs('job finished');
    expect(finished).toMatchObject({
      outcome: 'failed',
      error: { name: 'NonErrorThrown', message },
    });
  });

  it('never logs credentials found in an error message', async () => {
    // Act
    await run(async () => {
      throw new Error('cannot reach postgres://app:s3cr3t@db.internal:5432/pm (password=s3cr3t)');
    });

    // Assess
    const text = JSON.stringify(output.json());
    expect(text).not.toContain('s3cr3t');
    expect(text).toContain('postgres://app:***@db.internal:5432/pm');
  });

  it('aborts the signal at the deadline and reports cut_short when the job stops early', async () => {
    // Prepare
    let observed: JobContext | undefined;

    // Act
    const record = await run(
      async (ctx) => {
        observed = ctx;
        clock.advance(9_999);
        const abortedBefore = ctx.signal.aborted;
        clock.advance(1);
        return { batches: 1, complete: false, abortedBefore, abortedAfter: ctx.signal.aborted };
      },
      { deadline: start + 10_000 },
    );

    // Assess
    expect(record.result).toMatchObject({ abortedBefore: false, abortedAfter: true });
    expect(record.outcome).toBe('cut_short');
    expect(observed?.deadline.toISOString()).toBe('2026-11-28T10:00:10.000Z');
    expect(observed?.signal.reason).toMatchObject({ name: 'DeadlineReached' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('reports cut_short when the job throws its own abort reason', async () => {
    // Act
    const record = await run(
      async (ctx) => {
        clock.advance(5_000);
        ctx.signal.throwIfAborted();
        return {};
      },
      { deadline: start + 5_000 },
    );

    // Assess
    expect(record.outcome).toBe('cut_short');
    expect(output.logs('job finished')[0]).toMatchObject({ outcome: 'cut_short', level: 'INFO' });
  });

  it('aborts the signal when the outside signal aborts (shutdown)', async () => {
    // Prepare
    const shutdown = new AbortController();

    // Act
    const record = await run(
      async (ctx) => {
        shutdown.abort(new Error('shutting down'));
        return { complete: !ctx.signal.aborted };
      },
      { signal: shutdown.signal },
    );

    // Assess
    expect(record.outcome).toBe('cut_short');
  });

  it('clears its deadline timer when the job ends first', async () => {
    // Act
    await run(async () => ({}));

    // Assess
    expect(clock.pendingTimers).toBe(0);
  });

  it('reports skipped with the reason when the job throws SkipRun', async () => {
    // Act
    const record = await run(async () => {
      throw new SkipRun('another run holds the lock');
    });

    // Assess
    expect(record).toMatchObject({ outcome: 'skipped', reason: 'another run holds the lock' });
    expect(output.logs('job finished')).toHaveLength(1);
  });

  it('gives the job a context with its run keys, dry-run flag and a logger carrying job and runId', async () => {
    // Act
    await run(
      async (ctx) => {
        ctx.logger.info('progress', { batches: 2 });
        return { seen: [ctx.jobName, ctx.runId, ctx.trigger, ctx.dryRun] };
      },
      { trigger: 'manual', dryRun: true },
    );

    // Assess
    expect(output.logs('progress')[0]).toMatchObject({
      job: 'test-job',
      runId: 'run-1',
      batches: 2,
    });
    expect(output.logs('job finished')[0]).toMatchObject({
      result: { seen: ['test-job', 'run-1', 'manual', true] },
    });
  });

  it('publishes runs, outcome, duration and the job’s own metrics with the job dimension', async () => {
    // Act
    await run(async (ctx) => {
      clock.advance(40);
      ctx.metrics.add('RowsDeleted', MetricUnit.Count, 12);
      return {};
    });
    await run(async () => {
      throw new Error('boom');
    });

    // Assess
    const [first, second] = output.metrics();
    expect(first).toMatchObject({
      service: 'test-service',
      job: 'test-job',
      Runs: 1,
      Succeeded: 1,
      Duration: 40,
      RowsDeleted: 12,
    });
    expect(first).toHaveProperty('_aws.CloudWatchMetrics.0.Namespace', 'TestJobs');
    expect(first).toHaveProperty(
      '_aws.CloudWatchMetrics.0.Dimensions.0',
      expect.arrayContaining(['service', 'job']),
    );
    expect(second).toMatchObject({ Runs: 1, Failures: 1 });
    expect(second).not.toHaveProperty('Succeeded');
    expect(second).not.toHaveProperty('RowsDeleted');
  });
});
