import { describe, expect, it } from 'vitest';
import { formatJobList } from '../../../cli/commands/list.js';
import { defineCatalogue } from '../../../functions/catalogue/index.js';
import { Schedule } from '../../../functions/schedule/schedule.js';

describe('jobs list, paused jobs', () => {
  it('shows a paused job (enabled: false) as paused, with no next runs', () => {
    // Prepare
    const entries = defineCatalogue([
      {
        name: 'on-job',
        description: 'On.',
        schedule: Schedule.hourly({ minute: 5 }),
        timeoutSeconds: 60,
      },
      {
        name: 'off-job',
        description: 'Off.',
        schedule: Schedule.hourly({ minute: 5 }),
        timeoutSeconds: 60,
        enabled: false,
      },
    ]);

    // Act
    const table = formatJobList(entries, Date.parse('2026-11-28T10:00:00Z'));

    // Assess
    const row = (job: string) => table.split('\n').find((line) => line.startsWith(`${job} `));
    expect(row('off-job')).toMatch(/none: paused \(enabled: false\)$/);
    expect(row('on-job')).toMatch(
      /2026-11-28T10:05:00Z, 2026-11-28T11:05:00Z, 2026-11-28T12:05:00Z$/,
    );
  });
});

const entries = defineCatalogue([
  {
    name: 'utc-job',
    description: 'Runs at 03:30 UTC.',
    schedule: Schedule.daily({ hour: 3, minute: 30 }),
    timeoutSeconds: 60,
  },
  {
    name: 'zoned-job',
    description: 'Runs at 02:30 in Bratislava.',
    schedule: Schedule.daily({ hour: 2, minute: 30, timeZone: 'Europe/Bratislava' }),
    timeoutSeconds: 60,
  },
  {
    name: 'flexible-job',
    description: 'Starts within 20 minutes of 05:00 UTC.',
    schedule: Schedule.daily({ hour: 5, flexibleWindowMinutes: 20 }),
    timeoutSeconds: 60,
  },
]);

describe('jobs list', () => {
  // GIVEN 26 Mar 2027 noon UTC: Bratislava moves to summer time on the 28th
  const table = formatJobList(entries, Date.parse('2027-03-26T12:00:00Z'));
  const row = (job: string) => table.split('\n').find((line) => line.startsWith(`${job} `));

  it('shows each zoned run in the job’s zone, with its offset, and in UTC, beside the zone’s name', () => {
    expect(row('zoned-job')).toMatch(/cron\(30 2 \* \* \? \*\)\s+Europe\/Bratislava\s+60 s/);
    expect(row('zoned-job')).toContain(
      [
        '2027-03-27 02:30 +01:00 = 2027-03-27T01:30:00Z',
        // 28 Mar has no 02:30
        '2027-03-29 02:30 +02:00 = 2027-03-29T00:30:00Z',
        '2027-03-30 02:30 +02:00 = 2027-03-30T00:30:00Z',
      ].join(', '),
    );
  });

  it('shows a UTC job’s runs in UTC, as before', () => {
    expect(row('utc-job')).toMatch(/cron\(30 3 \* \* \? \*\)\s+UTC\s+60 s/);
    expect(row('utc-job')).toContain('2027-03-27T03:30:00Z, 2027-03-28T03:30:00Z');
  });

  it('shows a flexible window beside the zone', () => {
    expect(row('flexible-job')).toContain('UTC (+20 min window)');
  });
});
