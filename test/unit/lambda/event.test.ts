import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { describe, expect, it } from 'vitest';
import { InvalidEventError, parseJobEvent } from '../../../functions/lambda/event.js';
import { schedulerInput } from '../../../functions/lambda/scheduler-input.js';
import { sampleScheduledEvent } from '../../support/lambda-context.js';

/** The stack's target input as Scheduler fills it in (values as in AWS's documentation). */
const schedulerEvent = schedulerInput({
  scheduleArn: 'arn:aws:scheduler:eu-central-1:123456789012:schedule/default/purge-Xyz',
  scheduledTime: '2027-03-29T01:30:00Z',
  executionId: 'd32c5kddcf5bb8c3',
  attemptNumber: '2',
});

describe('parseJobEvent', () => {
  it('accepts the AWS documentation’s sample Scheduled Event', () => {
    // Act
    const invocation = parseJobEvent(sampleScheduledEvent);

    // Assess
    expect(invocation).toEqual({
      trigger: 'schedule',
      scheduledTime: new Date('2015-10-08T16:53:06Z'),
      details: { eventId: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa' },
      dryRun: false,
    });
  });

  it('accepts the EventBridge Scheduler input: the scheduled time, execution id, attempt and schedule', () => {
    // Act
    const invocation = parseJobEvent(schedulerEvent);

    // Assess
    expect(invocation).toEqual({
      trigger: 'schedule',
      scheduledTime: new Date('2027-03-29T01:30:00Z'),
      details: {
        executionId: 'd32c5kddcf5bb8c3',
        attempt: 2,
        scheduleArn: 'arn:aws:scheduler:eu-central-1:123456789012:schedule/default/purge-Xyz',
      },
      dryRun: false,
    });
  });

  it.each([
    [
      'an unfilled placeholder',
      { ...schedulerEvent, scheduledTime: '<aws.scheduler.scheduled-time>' },
      'scheduledTime',
    ],
    ['a missing execution id', omit(schedulerEvent, 'executionId'), 'executionId'],
    ['an attempt of 0', { ...schedulerEvent, attemptNumber: '0' }, 'attemptNumber'],
    ['an attempt that is a number', { ...schedulerEvent, attemptNumber: 1 }, 'attemptNumber'],
    [
      'a rule ARN for a schedule ARN',
      { ...schedulerEvent, scheduleArn: sampleScheduledEvent.resources[0] },
      'scheduleArn',
    ],
  ])('rejects a malformed Scheduler input (%s), naming the field', (_label, event, field) => {
    const thrown = thrownBy(() => parseJobEvent(event));
    expect(thrown).toBeInstanceOf(InvalidEventError);
    expect(thrown.message).toContain('the EventBridge Scheduler input is invalid');
    expect(thrown.message).toContain(field);
  });

  it.each([
    ['a "dryRun"', { ...schedulerEvent, dryRun: true }, 'dryRun'],
    ['a "detail"', { ...schedulerEvent, detail: { dryRun: true } }, 'detail'],
  ])(
    'rejects a Scheduler input carrying options (%s): it would run a real delete',
    (_label, event, key) => {
      const thrown = thrownBy(() => parseJobEvent(event));
      expect(thrown).toBeInstanceOf(InvalidEventError);
      expect(thrown.message).toContain(`unknown key(s) "${key}"`);
      expect(thrown.message).toContain('a scheduled run takes no options');
    },
  );

  it('accepts {} as a manual run and {"dryRun": true} as a manual dry run', () => {
    expect(parseJobEvent({})).toEqual({ trigger: 'manual', dryRun: false });
    expect(parseJobEvent({ dryRun: true })).toEqual({ trigger: 'manual', dryRun: true });
  });

  it.each([
    [
      'a wrong detail-type',
      { ...sampleScheduledEvent, 'detail-type': 'Object Created' },
      'detail-type',
    ],
    ['a wrong source', { ...sampleScheduledEvent, source: 'aws.s3' }, 'source'],
    ['a missing time', omit(sampleScheduledEvent, 'time'), 'time'],
    ['a missing id', omit(sampleScheduledEvent, 'id'), 'id'],
    ['a time that is not a date', { ...sampleScheduledEvent, time: 'yesterday' }, 'time'],
    ['unknown keys in a manual event', { job: 'location-cleanup' }, 'job'],
    ['a dryRun that is not a boolean', { dryRun: 'yes' }, 'dryRun'],
  ])('rejects %s, naming the field', (_label, event, field) => {
    expect(() => parseJobEvent(event)).toThrow(InvalidEventError);
    expect(() => parseJobEvent(event)).toThrow(field);
    expect(() => parseJobEvent(event)).toThrow('expected an EventBridge Scheduled Event');
  });

  it.each([
    ['"detail": {"dryRun": true}', { ...sampleScheduledEvent, detail: { dryRun: true } }, 'detail'],
    ['a top-level "dryRun"', { ...sampleScheduledEvent, dryRun: true }, 'dryRun'],
    ['a non-empty detail', { ...sampleScheduledEvent, detail: { table: 'locations' } }, 'table'],
    [
      'an unknown top-level key that looks like an option',
      { ...sampleScheduledEvent, batchSize: 10 },
      'batchSize',
    ],
    ['a detail that is not an object', { ...sampleScheduledEvent, detail: 'dry run' }, 'detail'],
  ])(
    'rejects a Scheduled Event carrying options (%s): it would run a real delete',
    (_label, event, key) => {
      // Act
      const thrown = thrownBy(() => parseJobEvent(event));

      // Assess: rejected before any work, naming the key and saying how to ask for a dry run
      expect(thrown).toBeInstanceOf(InvalidEventError);
      expect(thrown.message).toContain(key);
      expect(thrown.message).toContain('a scheduled run takes no options');
      expect(thrown.message).toContain('{"dryRun": true}');
    },
  );

  it.each([
    ['the sample', sampleScheduledEvent],
    ['a replay', { ...sampleScheduledEvent, 'replay-name': 'replay_archive' }],
    ['a missing version', omit(sampleScheduledEvent, 'version')],
    ['a missing account', omit(sampleScheduledEvent, 'account')],
    ['a missing region', omit(sampleScheduledEvent, 'region')],
    ['resources that are not a list', { ...sampleScheduledEvent, resources: 'arn' }],
    ['a resource that is not a string', { ...sampleScheduledEvent, resources: [1] }],
    ['an id that is a number', { ...sampleScheduledEvent, id: 7 }],
    ['a time with an offset', { ...sampleScheduledEvent, time: '2015-10-08T18:53:06+02:00' }],
    ['a replay name that is a number', { ...sampleScheduledEvent, 'replay-name': 1 }],
  ])('judges the envelope as Powertools Parser’s EventBridgeSchema does (%s)', (_label, event) => {
    // Arrange
    const powertools = EventBridgeSchema.safeParse(event).success;

    // Act
    const ours = thrownBy(() => parseJobEvent(event), { orNothing: true }) === undefined;

    // Assess
    expect(ours).toBe(powertools);
  });

  it.each([
    [
      'a Scheduled Event',
      { ...omit(sampleScheduledEvent, 'time'), id: 7, resources: ['arn', 1], source: 'aws.s3' },
      'the EventBridge event is invalid: id: Invalid input: expected string, received number; source: Invalid input: expected "aws.events"; time: Invalid input: expected string, received undefined; resources.1: Invalid input: expected string, received number',
    ],
    [
      'a Scheduled Event with options',
      { ...sampleScheduledEvent, time: 'yesterday', detail: 'dry run', batchSize: 10 },
      'the EventBridge event is invalid: time: Invalid ISO datetime; detail: must be {}: a scheduled run takes no options and is never a dry run (for a dry run, invoke with {"dryRun": true}); (event): unknown key(s) "batchSize": a scheduled run takes no options and is never a dry run (for a dry run, invoke with {"dryRun": true})',
    ],
    [
      'a Scheduler input',
      {
        ...omit(schedulerEvent, 'executionId'),
        scheduledTime: 5,
        attemptNumber: 1,
        scheduleArn: 'arn:aws:events:x',
      },
      'the EventBridge Scheduler input is invalid: scheduleArn: must be a schedule ARN (arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>); scheduledTime: must be an ISO 8601 date-time, as Scheduler fills in <aws.scheduler.scheduled-time>; executionId: Invalid input: expected string, received undefined; attemptNumber: Invalid input: expected string, received number',
    ],
    [
      'a manual event',
      { dryRun: 'yes', job: 'x', table: 'y' },
      'the manual event is invalid: dryRun: Invalid input: expected boolean, received string; (event): unknown key(s) "job", "table": expected only "dryRun"',
    ],
  ])(
    'names every problem with %s, in the order of its fields, in the words zod used for them',
    (_label, event, problems) => {
      const thrown = thrownBy(() => parseJobEvent(event));
      expect(thrown.message).toBe(
        'expected an EventBridge Scheduled Event (source "aws.events", detail-type "Scheduled Event"), the EventBridge Scheduler input (source "aws.scheduler") or {} for a manual run (optionally {"dryRun": true}); ' +
          problems,
      );
    },
  );

  it.each([
    ['a string', 'run now', 'got a string'],
    ['null', null, 'got null'],
    ['undefined', undefined, 'got undefined'],
    ['an array', [], 'got an array'],
    ['a number', 42, 'got a number'],
  ])('rejects %s, saying what it expected', (_label, event, got) => {
    expect(() => parseJobEvent(event)).toThrow(
      /expected an EventBridge Scheduled Event \(source "aws.events", detail-type "Scheduled Event"\), the EventBridge Scheduler input \(source "aws.scheduler"\) or \{\} for a manual run/,
    );
    expect(() => parseJobEvent(event)).toThrow(got);
  });
});

function thrownBy(action: () => unknown): Error;
function thrownBy(action: () => unknown, options: { orNothing: true }): Error | undefined;
function thrownBy(action: () => unknown, options?: { orNothing: true }): Error | undefined {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  if (options?.orNothing) return undefined;
  throw new Error('expected an error, but nothing was thrown');
}

function omit<T extends object>(value: T, key: keyof T) {
  const copy: Partial<T> = { ...value };
  delete copy[key];
  return copy;
}
