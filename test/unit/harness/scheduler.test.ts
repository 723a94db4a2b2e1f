import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineCatalogue, type JobSpec } from '../../../functions/catalogue/index.js';
import type { Clock } from '../../../functions/clock.js';
import { JobFailedError } from '../../../functions/lambda/create-handler.js';
import type { RunRecord } from '../../../functions/runner/types.js';
import { Schedule } from '../../../functions/schedule/schedule.js';
import { Scheduler } from '../../../harness/scheduler.js';
import { type CapturedOutput, captureStdout } from '../../support/capture-output.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { type FakeHandler, fakeHandler } from './fake-handlers.js';
import { nodeLikeClock } from './node-like-clock.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// 2026-11-28 (a Saturday), 10:00 UTC
const start = Date.parse('2026-11-28T10:00:00.000Z');

const hourly: JobSpec = {
  name: 'hourly-job',
  description: 'Runs at :15.',
  schedule: Schedule.hourly({ minute: 15 }),
  timeoutSeconds: 300,
};
const daily: JobSpec = {
  name: 'daily-job',
  description: 'Runs at 03:30.',
  schedule: Schedule.daily({ hour: 3, minute: 30 }),
  timeoutSeconds: 120,
};

describe('Scheduler', () => {
  let clock: VirtualClock;
  let output: CapturedOutput;
  let scheduler: Scheduler | undefined;

  beforeEach(() => {
    clock = new VirtualClock(start);
    output = captureStdout();
  });
  afterEach(async () => {
    await scheduler?.stop({ timeoutMs: 0 });
    output.restore();
  });

  function schedule(jobs: [JobSpec, FakeHandler][], schedulerClock: Clock = clock): Scheduler {
    const entries = defineCatalogue(jobs.map(([spec]) => spec));
    scheduler = new Scheduler({
      clock: schedulerClock,
      logger: new Logger({ serviceName: 'local-harness' }),
      jobs: entries.map((entry, index) => ({ entry, handler: jobs[index]?.[1] as FakeHandler })),
    });
    scheduler.start();
    return scheduler;
  }

  it('fires exactly at the cron time: nothing 1 ms before, one run at it', async () => {
    // Prepare
    const handler = fakeHandler({ autoFinish: true });
    schedule([[hourly, handler]]);

    // Act
    await clock.advanceToAsync(Date.parse('2026-11-28T10:14:59.999Z'));
    const before = handler.calls.length;
    await clock.advanceAsync(1);

    // Assess
    expect(before).toBe(0);
    expect(handler.calls).toHaveLength(1);
  });

  it('invokes the handler with a Scheduled Event for the fire time and a context counting down from the timeout', async () => {
    // Prepare
    const handler = fakeHandler();
    schedule([[hourly, handler]]);

    // Act
    await clock.advanceToAsync(Date.parse('2026-11-28T10:15:00Z'));
    const [call] = handler.calls;
    await clock.advanceAsync(60_000);

    // Assess
    expect(call?.event).toMatchObject({
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: '2026-11-28T10:15:00Z',
    });
    expect(call?.remainingAtStart).toBe(300_000);
    expect(call?.context.getRemainingTimeInMillis()).toBe(240_000);
    // no made-up Lambda identity: no function, ARN or request id locally
    expect(Object.keys(call?.context ?? {}).sort()).toEqual([
      'getRemainingTimeInMillis',
      'shutdownSignal',
    ]);
    call?.finish();
  });

  it('runs hourly and daily jobs the expected number of times over a week', async () => {
    // Prepare
    const hourlyHandler = fakeHandler({ autoFinish: true });
    const dailyHandler = fakeHandler({ autoFinish: true });
    schedule([
      [hourly, hourlyHandler],
      [daily, dailyHandler],
    ]);

    // Act
    await clock.advanceAsync(7 * DAY);

    // Assess
    expect(hourlyHandler.calls).toHaveLength(7 * 24);
    expect(dailyHandler.calls.map((call) => call.event.time)).toEqual([
      '2026-11-29T03:30:00Z',
      '2026-11-30T03:30:00Z',
      '2026-12-01T03:30:00Z',
      '2026-12-02T03:30:00Z',
      '2026-12-03T03:30:00Z',
      '2026-12-04T03:30:00Z',
      '2026-12-05T03:30:00Z',
    ]);
  });

  it('anchors rate() schedules at the scheduler’s start', async () => {
    // Prepare
    const handler = fakeHandler({ autoFinish: true });
    clock = new VirtualClock(start + 7 * 60_000 + 123);
    schedule([[{ ...hourly, schedule: 'rate(20 minutes)' }, handler]]);

    // Act
    await clock.advanceAsync(HOUR);

    // Assess: 10:07:00.123 + 20, 40, 60 minutes (EventBridge times are whole seconds)
    expect(handler.calls.map((call) => call.event.time)).toEqual([
      '2026-11-28T10:27:00Z',
      '2026-11-28T10:47:00Z',
      '2026-11-28T11:07:00Z',
    ]);
  });

  it('never lets a slow job delay another job’s fire', async () => {
    // Prepare: the hourly job never finishes during the test
    const slow = fakeHandler();
    const other = fakeHandler({ autoFinish: true });
    schedule([
      [hourly, slow],
      [{ ...hourly, name: 'other-job', schedule: Schedule.hourly({ minute: 20 }) }, other],
    ]);

    // Act
    await clock.advanceToAsync(Date.parse('2026-11-28T10:20:00Z'));

    // Assess
    expect(slow.calls).toHaveLength(1);
    expect(other.calls).toHaveLength(1);
    slow.calls[0]?.finish();
  });

  it('skips and logs a fire while the previous run is still going, then fires normally', async () => {
    // Prepare
    const handler = fakeHandler();
    schedule([[hourly, handler]]);
    await clock.advanceToAsync(Date.parse('2026-11-28T10:15:00Z'));

    // Act
    await clock.advanceToAsync(Date.parse('2026-11-28T11:15:00Z'));
    const whileRunning = handler.calls.length;
    handler.calls[0]?.finish();
    await clock.advanceToAsync(Date.parse('2026-11-28T12:15:00Z'));

    // Assess
    expect(whileRunning).toBe(1);
    expect(output.logs('fire skipped')).toEqual([
      expect.objectContaining({
        job: 'hourly-job',
        scheduledTime: '2026-11-28T11:15:00.000Z',
        reason: 'the previous run is still running',
      }),
    ]);
    expect(handler.calls.map((call) => call.event.time)).toEqual([
      '2026-11-28T10:15:00Z',
      '2026-11-28T12:15:00Z',
    ]);
    handler.calls[1]?.finish();
  });

  it('runs fires missed while the machine slept once, not in a burst', async () => {
    // Prepare
    const handler = fakeHandler({ autoFinish: true });
    schedule([[hourly, handler]]);
    await clock.advanceToAsync(Date.parse('2026-11-28T10:15:00Z'));

    // Act: asleep from 10:20 to 15:40, then awake for the rest of the hour
    await clock.advanceAsync(5 * 60_000);
    clock.jump(5 * HOUR + 20 * 60_000);
    await clock.advanceToAsync(Date.parse('2026-11-28T16:15:00Z'));

    // Assess: 11:15 ... 15:15 missed → one run (for 15:15), then 16:15 on time
    expect(handler.calls.map((call) => call.event.time)).toEqual([
      '2026-11-28T10:15:00Z',
      '2026-11-28T15:15:00Z',
      '2026-11-28T16:15:00Z',
    ]);
    expect(output.logs('missed fires')[0]).toMatchObject({
      job: 'hourly-job',
      missed: 4,
      firstMissed: '2026-11-28T11:15:00.000Z',
      runningFor: '2026-11-28T15:15:00.000Z',
    });
  });

  it('logs a failed run and keeps scheduling it and the other jobs', async () => {
    // Prepare
    const failing = fakeHandler();
    const other = fakeHandler({ autoFinish: true });
    schedule([
      [hourly, failing],
      [{ ...hourly, name: 'other-job' }, other],
    ]);

    // Act
    await clock.advanceToAsync(Date.parse('2026-11-28T10:15:00Z'));
    failing.calls[0]?.finish(new TypeError('handler bug'));
    failing.calls[0]?.finish();
    await clock.advanceToAsync(Date.parse('2026-11-28T11:15:00Z'));
    failing.calls[1]?.finish(new JobFailedError({ job: 'hourly-job' } as RunRecord));

    await clock.advanceToAsync(Date.parse('2026-11-28T12:15:00Z'));

    // Assess
    expect(failing.calls).toHaveLength(3);
    expect(other.calls).toHaveLength(3);
    // A JobFailedError was logged by the runner already; anything else is logged here.
    expect(output.logs('run failed')).toEqual([
      expect.objectContaining({
        job: 'hourly-job',
        error: expect.objectContaining({ name: 'TypeError' }),
      }),
    ]);
    failing.calls[2]?.finish();
  });

  it('fires timers longer than setTimeout’s limit (24.8 days) on time', async () => {
    // Prepare: once a year, on 1 January, on a clock with Node's timer limit
    const handler = fakeHandler({ autoFinish: true });
    schedule([[{ ...daily, schedule: 'cron(0 0 1 1 ? *)' }, handler]], nodeLikeClock(clock));

    // Act
    await clock.advanceToAsync(Date.parse('2026-12-31T23:59:59.999Z'));
    const before = handler.calls.length;
    await clock.advanceAsync(1);

    // Assess
    expect(before).toBe(0);
    expect(handler.calls.map((call) => call.event.time)).toEqual(['2027-01-01T00:00:00Z']);
  });

  it('fires every job at once on fireNow, with the current time', async () => {
    // Prepare
    const a = fakeHandler({ autoFinish: true });
    const b = fakeHandler({ autoFinish: true });
    const scheduler = schedule([
      [hourly, a],
      [daily, b],
    ]);

    // Act
    scheduler.fireNow();
    await scheduler.idle();

    // Assess
    expect(a.calls.map((call) => call.event.time)).toEqual(['2026-11-28T10:00:00Z']);
    expect(b.calls).toHaveLength(1);
  });

  describe('stop', () => {
    it('aborts running jobs’ signals, waits for them, and schedules nothing new', async () => {
      // Prepare
      const handler = fakeHandler();
      const scheduler = schedule([[hourly, handler]]);
      await clock.advanceToAsync(Date.parse('2026-11-28T10:15:00Z'));
      const [run] = handler.calls;
      run?.context.shutdownSignal?.addEventListener('abort', () => run.finish());

      // Act
      const report = await scheduler.stop();
      await clock.advanceAsync(2 * HOUR);

      // Assess
      expect(run?.context.shutdownSignal?.aborted).toBe(true);
      expect(report).toEqual({ settled: ['hourly-job'], abandoned: [] });
      expect(handler.calls).toHaveLength(1);
      expect(clock.pendingTimers).toBe(0);
      expect(scheduler.state).toBe('stopped');
    });

    it('reports a job still running at the timeout as abandoned', async () => {
      // Prepare: one job ignores its signal, the other stops when asked
      const stubborn = fakeHandler();
      const polite = fakeHandler();
      const scheduler = schedule([
        [hourly, stubborn],
        [{ ...hourly, name: 'polite-job' }, polite],
      ]);
      await clock.advanceToAsync(Date.parse('2026-11-28T10:15:00Z'));
      const [politeRun] = polite.calls;
      politeRun?.context.shutdownSignal?.addEventListener('abort', () => politeRun.finish());

      // Act
      const stopping = scheduler.stop({ timeoutMs: 30_000 });
      await clock.advanceAsync(29_999);
      let done = false;
      void stopping.then(() => {
        done = true;
      });
      await clock.advanceAsync(0);
      const doneBeforeTimeout = done;
      await clock.advanceAsync(1);
      const report = await stopping;

      // Assess
      expect(doneBeforeTimeout).toBe(false);
      expect(report).toEqual({ settled: ['polite-job'], abandoned: ['hourly-job'] });
      expect(output.logs('scheduler stopped, abandoning runs')[0]).toMatchObject({
        level: 'ERROR',
        abandoned: ['hourly-job'],
      });
      stubborn.calls[0]?.finish();
    });

    it('returns the same stop when called twice', async () => {
      // Prepare
      const scheduler = schedule([[hourly, fakeHandler()]]);

      // Act
      const first = scheduler.stop();
      const second = scheduler.stop({ timeoutMs: 1 });

      // Assess
      expect(second).toBe(first);
      await expect(first).resolves.toEqual({ settled: [], abandoned: [] });
    });
  });
});
