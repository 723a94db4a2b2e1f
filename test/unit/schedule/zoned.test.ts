import { describe, expect, it } from 'vitest';
import { CatalogueError, defineCatalogue } from '../../../functions/catalogue/index.js';
import {
  Schedule,
  ScheduleExpressionError,
  TriggerKind,
} from '../../../functions/schedule/schedule.js';
import { HOUR_MS, iso, utc } from './time.js';

/** The first `count` fires after `after`, as short ISO strings (UTC). */
function fires(schedule: Schedule, after: string, count: number): (string | undefined)[] {
  return schedule.nextFires(count, utc(after), utc(after)).map(iso);
}

/** How many times `schedule` fires in [from, to). */
function countFires(schedule: Schedule, from: string, to: string): number {
  let count = 0;
  for (
    let fire = schedule.next(utc(from) - 1, utc(from));
    fire !== undefined && fire < utc(to);
    fire = schedule.next(fire, utc(from))
  ) {
    count += 1;
  }
  return count;
}

const daily = (time: string, timeZone: string) => {
  const [hour, minute] = time.split(':').map(Number);
  return Schedule.daily({ hour, minute, timeZone });
};

// Expected instants are worked out by hand from each zone's 2027 rules, not computed:
// Europe/Bratislava: CET (+1) → CEST (+2) on Sun 28 Mar at 01:00Z (02:00 → 03:00 local);
//   back on Sun 31 Oct at 01:00Z (03:00 → 02:00 local: 02:00-02:59 occurs twice).
// America/New_York: EST (-5) → EDT (-4) on Sun 14 Mar at 07:00Z (02:00 → 03:00);
//   back on Sun 7 Nov at 06:00Z (02:00 → 01:00: 01:00-01:59 occurs twice).
// Australia/Sydney: AEDT (+11) → AEST (+10) on Sun 4 Apr at 16:00Z on the 3rd (03:00 → 02:00);
//   AEST → AEDT on Sun 3 Oct at 16:00Z on the 2nd (02:00 → 03:00).

describe('Europe/Bratislava, spring forward (28 Mar 2027): a time that does not exist is not run that day', () => {
  it.each([
    ['01:59', 'before the gap', ['2027-03-28T00:59Z', '2027-03-28T23:59Z']],
    ['02:00', 'the gap’s first minute', ['2027-03-29T00:00Z', '2027-03-30T00:00Z']],
    ['02:30', 'inside the gap', ['2027-03-29T00:30Z', '2027-03-30T00:30Z']],
    ['02:59', 'the gap’s last minute', ['2027-03-29T00:59Z', '2027-03-30T00:59Z']],
    ['03:00', 'just after the gap', ['2027-03-28T01:00Z', '2027-03-29T01:00Z']],
    ['12:00', 'far from it', ['2027-03-28T10:00Z', '2027-03-29T10:00Z']],
  ])('daily at %s (%s)', (time, _where, expected) => {
    expect(fires(daily(time, 'Europe/Bratislava'), '2027-03-27T12:00Z', 2)).toEqual(expected);
  });

  it('hourly at :15: 01:15 CET, then 03:15 CEST, an hour later (23 runs that day)', () => {
    const hourly = Schedule.hourly({ minute: 15, timeZone: 'Europe/Bratislava' });
    expect(fires(hourly, '2027-03-28T00:00Z', 3)).toEqual([
      '2027-03-28T00:15Z',
      '2027-03-28T01:15Z',
      '2027-03-28T02:15Z',
    ]);
    // local 28 Mar runs from 27 Mar 23:00Z to 28 Mar 22:00Z
    expect(countFires(hourly, '2027-03-27T23:00Z', '2027-03-28T22:00Z')).toBe(23);
  });

  it('every 15 minutes: 01:45 CET is followed by 03:00 CEST (92 runs that day)', () => {
    const quarterly = Schedule.expression('cron(0/15 * * * ? *)', {
      timeZone: 'Europe/Bratislava',
    });
    expect(fires(quarterly, '2027-03-28T00:20Z', 4)).toEqual([
      '2027-03-28T00:30Z',
      '2027-03-28T00:45Z',
      '2027-03-28T01:00Z',
      '2027-03-28T01:15Z',
    ]);
    expect(countFires(quarterly, '2027-03-27T23:00Z', '2027-03-28T22:00Z')).toBe(92);
  });
});

describe('Europe/Bratislava, fall back (31 Oct 2027): a time that occurs twice runs once, the first time', () => {
  it.each([
    ['01:59', 'before the repeated hour', ['2027-10-30T23:59Z', '2027-11-01T00:59Z']],
    ['02:00', 'its first minute', ['2027-10-31T00:00Z', '2027-11-01T01:00Z']],
    ['02:30', 'inside it', ['2027-10-31T00:30Z', '2027-11-01T01:30Z']],
    ['02:59', 'its last minute', ['2027-10-31T00:59Z', '2027-11-01T01:59Z']],
    ['03:00', 'just after it', ['2027-10-31T02:00Z', '2027-11-01T02:00Z']],
    ['12:00', 'far from it', ['2027-10-31T11:00Z', '2027-11-01T11:00Z']],
  ])('daily at %s (%s)', (time, _where, expected) => {
    expect(fires(daily(time, 'Europe/Bratislava'), '2027-10-30T12:00Z', 2)).toEqual(expected);
  });

  it('hourly at :15: 02:15 CEST runs, 02:15 CET does not (24 runs in the 25-hour day)', () => {
    const hourly = Schedule.hourly({ minute: 15, timeZone: 'Europe/Bratislava' });
    expect(fires(hourly, '2027-10-30T23:00Z', 4)).toEqual([
      '2027-10-30T23:15Z',
      '2027-10-31T00:15Z',
      '2027-10-31T02:15Z',
      '2027-10-31T03:15Z',
    ]);
    // local 31 Oct runs from 30 Oct 22:00Z to 31 Oct 23:00Z
    expect(countFires(hourly, '2027-10-30T22:00Z', '2027-10-31T23:00Z')).toBe(24);
  });

  it('every 15 minutes: 02:45 CEST is followed by 03:00 CET, 75 minutes later (96 runs that day)', () => {
    const quarterly = Schedule.expression('cron(0/15 * * * ? *)', {
      timeZone: 'Europe/Bratislava',
    });
    expect(fires(quarterly, '2027-10-31T00:20Z', 4)).toEqual([
      '2027-10-31T00:30Z',
      '2027-10-31T00:45Z',
      '2027-10-31T02:00Z',
      '2027-10-31T02:15Z',
    ]);
    expect(countFires(quarterly, '2027-10-30T22:00Z', '2027-10-31T23:00Z')).toBe(96);
  });

  it('a scheduler started during the second pass of the repeated hour does not run its times again', () => {
    // 01:20Z is 02:20 CET; 02:30 already ran at 00:30Z (CEST)
    expect(fires(daily('02:30', 'Europe/Bratislava'), '2027-10-31T01:20Z', 1)).toEqual([
      '2027-11-01T01:30Z',
    ]);
  });
});

describe('America/New_York in 2027', () => {
  it.each([
    ['01:30', '2027-03-13T12:00Z', ['2027-03-14T06:30Z', '2027-03-15T05:30Z']],
    ['02:30', '2027-03-13T12:00Z', ['2027-03-15T06:30Z', '2027-03-16T06:30Z']],
    ['03:00', '2027-03-13T12:00Z', ['2027-03-14T07:00Z', '2027-03-15T07:00Z']],
    ['00:59', '2027-11-06T12:00Z', ['2027-11-07T04:59Z', '2027-11-08T05:59Z']],
    ['01:30', '2027-11-06T12:00Z', ['2027-11-07T05:30Z', '2027-11-08T06:30Z']],
    ['02:00', '2027-11-06T12:00Z', ['2027-11-07T07:00Z', '2027-11-08T07:00Z']],
  ])('daily at %s after %s', (time, after, expected) => {
    expect(fires(daily(time, 'America/New_York'), after, 2)).toEqual(expected);
  });

  it('hourly on the hour through the repeated 01:00-01:59: 01:00 EDT, then 02:00 EST', () => {
    const hourly = Schedule.hourly({ timeZone: 'America/New_York' });
    expect(fires(hourly, '2027-11-07T04:30Z', 3)).toEqual([
      '2027-11-07T05:00Z',
      '2027-11-07T07:00Z',
      '2027-11-07T08:00Z',
    ]);
  });

  it('every 15 minutes through the skipped 02:00-02:59: 01:45 EST, then 03:00 EDT', () => {
    const quarterly = Schedule.expression('cron(0/15 * * * ? *)', {
      timeZone: 'America/New_York',
    });
    expect(fires(quarterly, '2027-03-14T06:40Z', 2)).toEqual([
      '2027-03-14T06:45Z',
      '2027-03-14T07:00Z',
    ]);
  });
});

describe('Australia/Sydney in 2027 (southern hemisphere: back in April, forward in October)', () => {
  it('daily at 02:30 runs once on 4 Apr, at its first occurrence (AEDT)', () => {
    expect(fires(daily('02:30', 'Australia/Sydney'), '2027-04-02T00:00Z', 3)).toEqual([
      '2027-04-02T15:30Z',
      '2027-04-03T15:30Z',
      '2027-04-04T16:30Z',
    ]);
  });

  it('daily at 02:30 is not run on 3 Oct; 03:00 is', () => {
    expect(fires(daily('02:30', 'Australia/Sydney'), '2027-10-01T00:00Z', 2)).toEqual([
      '2027-10-01T16:30Z',
      '2027-10-03T15:30Z',
    ]);
    expect(fires(daily('03:00', 'Australia/Sydney'), '2027-10-02T00:00Z', 1)).toEqual([
      '2027-10-02T16:00Z',
    ]);
  });

  it('hourly at :30 through the repeated 02:00-02:59: 02:30 AEDT, then 03:30 AEST', () => {
    const hourly = Schedule.hourly({ minute: 30, timeZone: 'Australia/Sydney' });
    expect(fires(hourly, '2027-04-03T14:00Z', 3)).toEqual([
      '2027-04-03T14:30Z',
      '2027-04-03T15:30Z',
      '2027-04-03T17:30Z',
    ]);
  });
});

describe('a zone without daylight saving time (Asia/Tokyo, +9)', () => {
  it('runs daily at the same UTC instant all year, 365 times in 2027', () => {
    const schedule = daily('02:30', 'Asia/Tokyo');
    expect(fires(schedule, '2027-03-27T00:00Z', 2)).toEqual([
      '2027-03-27T17:30Z',
      '2027-03-28T17:30Z',
    ]);
    expect(countFires(schedule, '2027-01-01T00:00Z', '2028-01-01T00:00Z')).toBe(365);
    expect(schedule.longestGapMs).toBe(24 * HOUR_MS);
  });
});

describe('a year of zoned schedules (2027)', () => {
  it('a daily time skipped in spring runs 364 times; an hourly one 8,759 (the repeated hour once)', () => {
    const year = ['2027-01-01T00:00Z', '2028-01-01T00:00Z'] as const;
    expect(countFires(daily('02:30', 'Europe/Bratislava'), ...year)).toBe(364);
    expect(countFires(daily('03:30', 'Europe/Bratislava'), ...year)).toBe(365);
    expect(
      countFires(Schedule.hourly({ minute: 15, timeZone: 'Europe/Bratislava' }), ...year),
    ).toBe(8_759);
  });

  it('measures the longest gap in real time: two days round a skipped time, 25 hours round a long day', () => {
    // 27 Mar 02:30 CET (01:30Z) to 29 Mar 02:30 CEST (00:30Z)
    expect(daily('02:30', 'Europe/Bratislava').longestGapMs).toBe(47 * HOUR_MS);
    expect(daily('03:30', 'Europe/Bratislava').longestGapMs).toBe(25 * HOUR_MS);
    // 02:15 CEST (00:15Z) to 03:15 CET (02:15Z)
    expect(Schedule.hourly({ minute: 15, timeZone: 'Europe/Bratislava' }).longestGapMs).toBe(
      2 * HOUR_MS,
    );
  });
});

describe('rate() in a zone', () => {
  it('is unaffected: every 60 minutes of real time through the repeated hour', () => {
    const rate = Schedule.expression('rate(1 hour)', { timeZone: 'Europe/Bratislava' });
    expect(fires(rate, '2027-10-30T23:40Z', 3)).toEqual([
      '2027-10-31T00:40Z',
      '2027-10-31T01:40Z',
      '2027-10-31T02:40Z',
    ]);
  });
});

describe('what fires a zoned job in AWS', () => {
  it.each([
    ['no zone', Schedule.daily({ hour: 3 }), TriggerKind.Rule],
    ['UTC', Schedule.daily({ hour: 3, timeZone: 'UTC' }), TriggerKind.Rule],
    ['Etc/UTC', Schedule.daily({ hour: 3, timeZone: 'Etc/UTC' }), TriggerKind.Rule],
    [
      'Europe/Bratislava',
      Schedule.daily({ hour: 3, timeZone: 'Europe/Bratislava' }),
      TriggerKind.SchedulerSchedule,
    ],
    [
      'UTC with a flexible window',
      Schedule.hourly({ flexibleWindowMinutes: 15 }),
      TriggerKind.SchedulerSchedule,
    ],
  ])('%s: %s', (_label, schedule, kind) => {
    expect(schedule.triggerKind).toBe(kind);
  });

  it('describes a schedule with its zone and window', () => {
    expect(Schedule.daily({ hour: 3, minute: 30, timeZone: 'Europe/Bratislava' }).describe()).toBe(
      'cron(30 3 * * ? *) in Europe/Bratislava',
    );
    expect(Schedule.hourly({ flexibleWindowMinutes: 15 }).describe()).toBe(
      'cron(0 * * * ? *) in UTC, starting within 15 min',
    );
  });
});

describe('invalid zones and windows', () => {
  const spec = {
    name: 'zoned-job',
    description: 'A job for tests.',
    timeoutSeconds: 60,
  };

  it('reports an unknown zone as a catalogue error naming the job and the zone', () => {
    const schedule = Schedule.daily({ hour: 3, minute: 30, timeZone: 'Europe/Bratslava' });
    const define = () => defineCatalogue([{ ...spec, schedule }]);
    expect(define).toThrow(CatalogueError);
    expect(define).toThrow('job "zoned-job": unknown time zone "Europe/Bratslava"');
  });

  it('refuses a zone spelt in the wrong case, saying how AWS spells it', () => {
    const schedule = Schedule.hourly({ timeZone: 'europe/bratislava' });
    expect(() => defineCatalogue([{ ...spec, schedule }])).toThrow(
      'job "zoned-job": time zone "europe/bratislava" is spelt "Europe/Bratislava"',
    );
  });

  it('refuses to compute fires in an unknown zone outside a catalogue too', () => {
    const schedule = Schedule.hourly({ timeZone: 'Mars/Olympus_Mons' });
    expect(() => schedule.next(0, 0)).toThrow(ScheduleExpressionError);
  });

  it.each([0, 1_441, 2.5])('refuses a flexible window of %s minutes', (minutes) => {
    expect(() => Schedule.daily({ flexibleWindowMinutes: minutes })).toThrow(
      `Schedule.daily: flexibleWindowMinutes must be a whole number from 1 to 1440, got ${minutes}`,
    );
  });

  it('refuses an empty zone name at once', () => {
    expect(() => Schedule.expression('cron(0 3 * * ? *)', { timeZone: ' ' })).toThrow(
      'Schedule.expression: timeZone must be an IANA time zone name',
    );
  });
});
