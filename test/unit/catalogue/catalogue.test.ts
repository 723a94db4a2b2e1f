import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CatalogueError,
  catalogue,
  defineCatalogue,
  handlerEntry,
  type JobSpec,
  retentionSlackSeconds,
  withTimeZones,
} from '../../../functions/catalogue/index.js';
import { Schedule } from '../../../functions/schedule/schedule.js';

const valid: JobSpec = {
  name: 'sample-job',
  description: 'A job for tests.',
  schedule: Schedule.hourly(),
  timeoutSeconds: 60,
};

describe('the catalogue', () => {
  it('has a handler file for every job', () => {
    for (const job of catalogue) expect(existsSync(handlerEntry(job.name)), job.name).toBe(true);
  });

  it('declares the location cleanup hourly and the idempotency-key purge daily', () => {
    expect(catalogue.map((job) => [job.name, job.schedule.expression])).toEqual([
      ['location-cleanup', 'cron(15 * * * ? *)'],
      ['idempotency-key-purge', 'cron(30 3 * * ? *)'],
    ]);
  });
});

describe('defineCatalogue', () => {
  it('applies the memory default', () => {
    expect(defineCatalogue([valid])[0]).toMatchObject({ name: 'sample-job', memoryMiB: 256 });
  });

  it.each([
    [
      'a name that is not kebab-case',
      { name: 'Sample_Job' },
      'job "Sample_Job": name must be kebab-case',
    ],
    ['a name with a trailing dash', { name: 'sample-' }, 'name must be kebab-case'],
    [
      'a name too long for a function name',
      { name: `a${'-b'.repeat(25)}` },
      'at most 40 characters',
    ],
    ['an empty description', { description: ' ' }, 'job "sample-job": description is empty'],
    [
      'a timeout of 0',
      { timeoutSeconds: 0 },
      'timeoutSeconds must be a whole number from 1 to 900, got 0',
    ],
    ['a timeout over 15 minutes', { timeoutSeconds: 901 }, 'timeoutSeconds must be a whole number'],
    ['a fractional timeout', { timeoutSeconds: 1.5 }, 'timeoutSeconds must be a whole number'],
    ['too little memory', { memoryMiB: 64 }, 'memoryMiB must be a whole number from 128 to 10240'],
    [
      'a retention slack of 0',
      { retention: { slackMinutes: 0 } },
      'retention.slackMinutes must be a whole number from 1 to 43200, got 0',
    ],
    [
      'a retention that is not an object',
      { retention: 120 as unknown as JobSpec['retention'] },
      'retention must be an object',
    ],
  ])('rejects %s, naming the job', (_label, change, message) => {
    expect(() => defineCatalogue([{ ...valid, ...change }])).toThrow(CatalogueError);
    expect(() => defineCatalogue([{ ...valid, ...change }])).toThrow(message);
  });

  it('rejects a duplicate name', () => {
    expect(() => defineCatalogue([valid, { ...valid }])).toThrow(
      'job "sample-job": the name is used twice',
    );
  });

  it('accepts a raw AWS expression', () => {
    const [entry] = defineCatalogue([{ ...valid, schedule: 'rate(6 hours)' }]);
    expect(entry?.schedule.expression).toBe('rate(6 hours)');
    expect(entry?.schedule.longestGapMs).toBe(6 * 3_600_000);
  });

  it.each([
    [
      'cron(0 25 * * ? *)',
      'job "sample-job": cron(0 25 * * ? *): hours field "25" is out of range 0-23',
    ],
    ['rate(1 hours)', 'job "sample-job": '],
    ['every hour', 'job "sample-job": "every hour" is not a schedule expression'],
  ])('rejects the invalid expression %j, naming the job', (schedule, message) => {
    expect(() => defineCatalogue([{ ...valid, schedule }])).toThrow(CatalogueError);
    expect(() => defineCatalogue([{ ...valid, schedule }])).toThrow(message);
  });
});

describe('the retention alarm’s slack', () => {
  it('is two periods of the schedule by default, or the catalogue’s slackMinutes', () => {
    const [hourly, daily, flexible, set, none] = defineCatalogue([
      { ...valid, name: 'hourly-job', retention: {} },
      { ...valid, name: 'daily-job', schedule: Schedule.daily({ hour: 3 }), retention: {} },
      {
        ...valid,
        name: 'flexible-job',
        schedule: Schedule.hourly({ flexibleWindowMinutes: 15 }),
        retention: {},
      },
      { ...valid, name: 'set-job', retention: { slackMinutes: 90 } },
      { ...valid, name: 'other-job' },
    ]).map(retentionSlackSeconds);
    expect([hourly, daily, flexible, set, none]).toEqual([
      7_200,
      172_800,
      2 * 75 * 60,
      5_400,
      undefined,
    ]);
  });

  it('follows a deployment’s time zone: the autumn day is 25 hours long', () => {
    const [daily] = withTimeZones(
      defineCatalogue([
        { ...valid, name: 'daily-job', schedule: Schedule.daily({ hour: 3 }), retention: {} },
      ]),
      { 'daily-job': 'Europe/Bratislava' },
    );
    expect(daily && retentionSlackSeconds(daily)).toBe(2 * 25 * 3_600);
  });

  it('is on both purge jobs', () => {
    expect(catalogue.map((job) => [job.name, retentionSlackSeconds(job)])).toEqual([
      ['location-cleanup', 7_200],
      ['idempotency-key-purge', 172_800],
    ]);
  });
});
