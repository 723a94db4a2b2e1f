import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineCatalogue, type JobSpec } from '../../../functions/catalogue/index.js';
import { parseJobEvent } from '../../../functions/lambda/event.js';
import { Schedule } from '../../../functions/schedule/schedule.js';
import { Scheduler } from '../../../harness/scheduler.js';
import { type CapturedOutput, captureStdout } from '../../support/capture-output.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { type FakeHandler, fakeHandler } from './fake-handlers.js';

const spec = (name: string, schedule: Schedule): JobSpec => ({
  name,
  description: 'A job for tests.',
  schedule,
  timeoutSeconds: 60,
});

describe('Scheduler, zoned jobs', () => {
  let clock: VirtualClock;
  let output: CapturedOutput;
  let scheduler: Scheduler | undefined;

  beforeEach(() => {
    output = captureStdout();
  });
  afterEach(async () => {
    await scheduler?.stop({ timeoutMs: 0 });
    output.restore();
  });

  function run(start: string, jobs: [JobSpec, FakeHandler][]): void {
    clock = new VirtualClock(Date.parse(start));
    const entries = defineCatalogue(jobs.map(([job]) => job));
    scheduler = new Scheduler({
      clock,
      logger: new Logger({ serviceName: 'local-harness' }),
      jobs: entries.map((entry, index) => ({ entry, handler: jobs[index]?.[1] as FakeHandler })),
    });
    scheduler.start();
  }

  const scheduledTimes = (handler: FakeHandler) =>
    handler.calls.map((call) => (call.event as { scheduledTime?: string }).scheduledTime);

  it('sends a zoned job the Scheduler input the stack sends, which the handler accepts', async () => {
    // Prepare: 02:30 in Bratislava, which 28 Mar 2027 skips
    const handler = fakeHandler({ autoFinish: true });
    run('2027-03-26T00:00:00Z', [
      [
        spec('zoned-job', Schedule.daily({ hour: 2, minute: 30, timeZone: 'Europe/Bratislava' })),
        handler,
      ],
    ]);

    // Act
    await clock.advanceToAsync(Date.parse('2027-03-31T12:00:00Z'));

    // Assess: no run on the 28th; CET before, CEST after
    expect(scheduledTimes(handler)).toEqual([
      '2027-03-26T01:30:00Z',
      '2027-03-27T01:30:00Z',
      '2027-03-29T00:30:00Z',
      '2027-03-30T00:30:00Z',
      '2027-03-31T00:30:00Z',
    ]);
    const [first] = handler.calls;
    expect(first?.event).toMatchObject({
      source: 'aws.scheduler',
      scheduleArn: 'arn:aws:scheduler:local:000000000000:schedule/default/zoned-job',
      attemptNumber: '1',
    });
    expect(parseJobEvent(first?.event)).toMatchObject({
      trigger: 'schedule',
      scheduledTime: new Date('2027-03-26T01:30:00Z'),
      details: { attempt: 1, executionId: expect.stringMatching(/^[0-9a-f]{16}$/) },
    });
  });

  it('runs a zoned hourly job once in the repeated hour, beside a UTC job that runs every hour', async () => {
    // Prepare
    const zoned = fakeHandler({ autoFinish: true });
    const utc = fakeHandler({ autoFinish: true });
    run('2027-10-30T22:00:00Z', [
      [spec('zoned-job', Schedule.hourly({ minute: 15, timeZone: 'Europe/Bratislava' })), zoned],
      [spec('utc-job', Schedule.hourly({ minute: 15 })), utc],
    ]);

    // Act: Bratislava's 31 Oct, 25 hours long
    await clock.advanceToAsync(Date.parse('2027-10-31T23:00:00Z'));

    // Assess
    expect(zoned.calls).toHaveLength(24);
    expect(scheduledTimes(zoned).slice(2, 5)).toEqual([
      '2027-10-31T00:15:00Z',
      '2027-10-31T02:15:00Z',
      '2027-10-31T03:15:00Z',
    ]);
    expect(utc.calls).toHaveLength(25);
    expect(utc.calls.every((call) => call.event['detail-type'] === 'Scheduled Event')).toBe(true);
  });

  it('runs a job with a flexible window at the window’s start, with the Scheduler input', async () => {
    // Prepare
    const handler = fakeHandler({ autoFinish: true });
    run('2027-06-01T00:00:00Z', [
      [spec('flexible-job', Schedule.daily({ hour: 4, flexibleWindowMinutes: 30 })), handler],
    ]);

    // Act: one millisecond before 04:00 UTC, then the minute itself
    await clock.advanceToAsync(Date.parse('2027-06-01T03:59:59.999Z'));
    const before = handler.calls.length;
    await clock.advanceAsync(1);

    // Assess
    expect(before).toBe(0);
    expect(scheduledTimes(handler)).toEqual(['2027-06-01T04:00:00Z']);
  });
});
