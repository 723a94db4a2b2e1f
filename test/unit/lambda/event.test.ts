import { describe, expect, it } from 'vitest';
import { InvalidEventError, parseJobEvent } from '../../../functions/lambda/event.js';
import { sampleScheduledEvent } from '../../support/lambda-context.js';

describe('parseJobEvent', () => {
  it('accepts the AWS documentation’s sample Scheduled Event', () => {
    // Act
    const invocation = parseJobEvent(sampleScheduledEvent);

    // Assess
    expect(invocation).toEqual({
      trigger: 'schedule',
      scheduledTime: new Date('2015-10-08T16:53:06Z'),
      eventId: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
      dryRun: false,
    });
  });

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
    ['a string', 'run now', 'got a string'],
    ['null', null, 'got null'],
    ['undefined', undefined, 'got undefined'],
    ['an array', [], 'got an array'],
    ['a number', 42, 'got a number'],
  ])('rejects %s, saying what it expected', (_label, event, got) => {
    expect(() => parseJobEvent(event)).toThrow(
      /expected an EventBridge Scheduled Event \(source "aws.events", detail-type "Scheduled Event"\) or \{\} for a manual run/,
    );
    expect(() => parseJobEvent(event)).toThrow(got);
  });
});

function omit<T extends object>(value: T, key: keyof T) {
  const copy: Partial<T> = { ...value };
  delete copy[key];
  return copy;
}
