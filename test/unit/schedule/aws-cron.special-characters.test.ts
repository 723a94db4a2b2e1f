import { describe, expect, it } from 'vitest';
import { AwsCron } from '../../../functions/schedule/aws-cron.js';
import { firesAfter, itFiresAt } from './cases.js';
import { MINUTE_MS, utc } from './time.js';

describe('L in day-of-month: the last day of the month', () => {
  itFiresAt([
    // 2028 is a leap year: February has 29 days.
    { expression: 'cron(0 0 L * ? *)', after: '2028-02-01T00:00Z', expected: '2028-02-29T00:00Z' },
    // 2027 is not: February has 28.
    { expression: 'cron(0 0 L * ? *)', after: '2027-02-01T00:00Z', expected: '2027-02-28T00:00Z' },
    // 2100 is divisible by 4 but not a leap year (divisible by 100, not by 400).
    { expression: 'cron(0 0 L 2 ? *)', after: '2100-01-01T00:00Z', expected: '2100-02-28T00:00Z' },
    { expression: 'cron(0 0 L * ? *)', after: '2026-04-15T00:00Z', expected: '2026-04-30T00:00Z' },
  ]);
});

describe('L in day-of-week', () => {
  itFiresAt([
    // Alone, L is 7 = Saturday. 2026-01-01 is a Thursday → Saturday 2026-01-03.
    { expression: 'cron(0 0 ? * L *)', after: '2026-01-01T00:00Z', expected: '2026-01-03T00:00Z' },
    // 6L = the last Friday. January 2026 ends on Saturday the 31st → Friday the 30th.
    { expression: 'cron(0 0 ? * 6L *)', after: '2026-01-01T00:00Z', expected: '2026-01-30T00:00Z' },
    // FRIL is the same, by name, case-insensitively. May 2026 ends on Sunday the 31st → the 29th.
    {
      expression: 'cron(0 0 ? * FRIL *)',
      after: '2026-05-01T00:00Z',
      expected: '2026-05-29T00:00Z',
    },
    {
      expression: 'cron(0 0 ? * fril *)',
      after: '2026-05-01T00:00Z',
      expected: '2026-05-29T00:00Z',
    },
    // 1L = the last Sunday. May 2026 ends on a Sunday: the 31st itself.
    { expression: 'cron(0 0 ? * 1L *)', after: '2026-05-01T00:00Z', expected: '2026-05-31T00:00Z' },
  ]);
});

describe('LW in day-of-month: the last weekday of the month', () => {
  itFiresAt([
    // January 2026 ends on Saturday the 31st → Friday the 30th.
    { expression: 'cron(0 0 LW * ? *)', after: '2026-01-01T00:00Z', expected: '2026-01-30T00:00Z' },
    // May 2026 ends on Sunday the 31st → Friday the 29th.
    { expression: 'cron(0 0 LW * ? *)', after: '2026-05-01T00:00Z', expected: '2026-05-29T00:00Z' },
    // March 2026 ends on Tuesday the 31st: the last day is a weekday.
    { expression: 'cron(0 0 LW * ? *)', after: '2026-03-01T00:00Z', expected: '2026-03-31T00:00Z' },
    // February 2026 ends on Saturday the 28th → Friday the 27th.
    { expression: 'cron(0 0 LW * ? *)', after: '2026-02-01T00:00Z', expected: '2026-02-27T00:00Z' },
  ]);
});

describe('W in day-of-month: the nearest weekday, never in another month', () => {
  itFiresAt([
    // August 2026 starts on a Saturday: 1W moves forward to Monday the 3rd (not back to July 31).
    { expression: 'cron(0 0 1W * ? *)', after: '2026-07-31T00:00Z', expected: '2026-08-03T00:00Z' },
    // February 2026 starts on a Sunday: 1W → Monday the 2nd.
    { expression: 'cron(0 0 1W * ? *)', after: '2026-01-31T00:00Z', expected: '2026-02-02T00:00Z' },
    // May 2026: the 31st is a Sunday → Friday the 29th (not Monday June 1st).
    {
      expression: 'cron(0 0 31W * ? *)',
      after: '2026-05-01T00:00Z',
      expected: '2026-05-29T00:00Z',
    },
    // June has no 31st, so 31W skips it, as a plain 31 would; July 31st 2026 is a Friday.
    {
      expression: 'cron(0 0 31W * ? *)',
      after: '2026-05-29T00:00Z',
      expected: '2026-07-31T00:00Z',
    },
    // 2026-11-28 is a Saturday → Friday the 27th.
    {
      expression: 'cron(0 0 28W * ? *)',
      after: '2026-11-01T00:00Z',
      expected: '2026-11-27T00:00Z',
    },
    // 2026-11-15 is a Sunday → Monday the 16th.
    {
      expression: 'cron(0 0 15W * ? *)',
      after: '2026-11-01T00:00Z',
      expected: '2026-11-16T00:00Z',
    },
    // 2026-04-15 is a Wednesday: already a weekday.
    {
      expression: 'cron(0 0 15w * ? *)',
      after: '2026-04-01T00:00Z',
      expected: '2026-04-15T00:00Z',
    },
  ]);
});

describe('# in day-of-week: the nth given weekday of the month', () => {
  itFiresAt([
    // 3#2 = the second Tuesday. January 2026 starts on a Thursday: Tuesdays 6, 13 → the 13th.
    {
      expression: 'cron(0 0 ? * 3#2 *)',
      after: '2026-01-01T00:00Z',
      expected: '2026-01-13T00:00Z',
    },
    {
      expression: 'cron(0 0 ? * TUE#2 *)',
      after: '2026-01-01T00:00Z',
      expected: '2026-01-13T00:00Z',
    },
    // 4#5 = the fifth Wednesday, which most months lack. Wednesdays 2026: January 7-28,
    // February 4-25 and March 4-25 have four each; April starts on a Wednesday: 1, 8, 15, 22, 29.
    {
      expression: 'cron(0 0 ? * 4#5 *)',
      after: '2026-01-01T00:00Z',
      expected: '2026-04-29T00:00Z',
    },
  ]);
});

describe('names, steps, lists and ranges', () => {
  itFiresAt([
    // Month names in a list, any case.
    {
      expression: 'cron(0 0 1 jan,Jul ? *)',
      after: '2026-01-01T00:00Z',
      expected: '2026-07-01T00:00Z',
    },
    // 10-40/5 = 10, 15, ..., 40: after 00:40 comes 01:10.
    {
      expression: 'cron(10-40/5 * * * ? *)',
      after: '2026-01-01T00:40Z',
      expected: '2026-01-01T01:10Z',
    },
    // A day that some months lack is skipped: no February 31st.
    { expression: 'cron(0 0 31 * ? *)', after: '2026-01-31T00:00Z', expected: '2026-03-31T00:00Z' },
  ]);

  it('5/10 starts at minute 5 and steps by 10 to the end of the hour', () => {
    // Prepare, Act
    const fires = firesAfter('cron(5/10 * * * ? *)', '2026-01-01T00:00Z', 7);

    // Assess
    expect(fires).toEqual([
      '2026-01-01T00:05Z',
      '2026-01-01T00:15Z',
      '2026-01-01T00:25Z',
      '2026-01-01T00:35Z',
      '2026-01-01T00:45Z',
      '2026-01-01T00:55Z',
      '2026-01-01T01:05Z',
    ]);
  });

  it('*/6 in hours is 0, 6, 12, 18', () => {
    // Prepare, Act
    const fires = firesAfter('cron(0 */6 * * ? *)', '2026-01-01T00:00Z', 4);

    // Assess
    expect(fires).toEqual([
      '2026-01-01T06:00Z',
      '2026-01-01T12:00Z',
      '2026-01-01T18:00Z',
      '2026-01-02T00:00Z',
    ]);
  });

  it('1/3 in months is January, April, July, October', () => {
    // Prepare, Act
    const fires = firesAfter('cron(0 0 1 1/3 ? *)', '2026-01-01T00:00Z', 4);

    // Assess
    expect(fires).toEqual([
      '2026-04-01T00:00Z',
      '2026-07-01T00:00Z',
      '2026-10-01T00:00Z',
      '2027-01-01T00:00Z',
    ]);
  });

  it('lists in hours and day-of-month combine', () => {
    // Prepare, Act
    const fires = firesAfter('cron(0 0,12 1,15 * ? *)', '2026-01-01T00:00Z', 4);

    // Assess
    expect(fires).toEqual([
      '2026-01-01T12:00Z',
      '2026-01-15T00:00Z',
      '2026-01-15T12:00Z',
      '2026-02-01T00:00Z',
    ]);
  });

  it('day names in a list, any case: Saturday and Sunday', () => {
    // 2026-01-01 is a Thursday: Sat 3, Sun 4, then Sat 10.

    // Prepare, Act
    const fires = firesAfter('cron(0 12 ? * sat,Sun *)', '2026-01-01T00:00Z', 3);

    // Assess
    expect(fires).toEqual(['2026-01-03T12:00Z', '2026-01-04T12:00Z', '2026-01-10T12:00Z']);
  });

  it('a day-of-week range may wrap: FRI-MON is Friday to Monday', () => {
    // 2026-01-01 is a Thursday: Fri 2, Sat 3, Sun 4, Mon 5, then Fri 9.

    // Prepare, Act
    const fires = firesAfter('cron(0 0 ? * FRI-MON *)', '2026-01-01T00:00Z', 5);

    // Assess
    expect(fires).toEqual([
      '2026-01-02T00:00Z',
      '2026-01-03T00:00Z',
      '2026-01-04T00:00Z',
      '2026-01-05T00:00Z',
      '2026-01-09T00:00Z',
    ]);
  });

  it('a day-of-month range may wrap: 30-2 is 30, 31, 1, 2 of each month that has them', () => {
    // Prepare, Act
    const fires = firesAfter('cron(0 0 30-2 * ? *)', '2026-01-29T00:00Z', 6);

    // Assess: February 2026 has no 30th or 31st.
    expect(fires).toEqual([
      '2026-01-30T00:00Z',
      '2026-01-31T00:00Z',
      '2026-02-01T00:00Z',
      '2026-02-02T00:00Z',
      '2026-03-01T00:00Z',
      '2026-03-02T00:00Z',
    ]);
  });
});

describe('the year field', () => {
  itFiresAt([
    {
      expression: 'cron(0 0 1 1 ? 2026-2027)',
      after: '2026-06-01T00:00Z',
      expected: '2027-01-01T00:00Z',
    },
    // The range has ended: no more fires.
    { expression: 'cron(0 0 1 1 ? 2026-2027)', after: '2027-01-01T00:00Z', expected: undefined },
    { expression: 'cron(0 0 1 1 ? 1999)', after: '2026-01-01T00:00Z', expected: undefined },
    // 2030/5 = 2030, 2035, ..., 2195 (2200 is past the field's 2199).
    {
      expression: 'cron(0 0 1 1 ? 2030/5)',
      after: '2026-01-01T00:00Z',
      expected: '2030-01-01T00:00Z',
    },
    {
      expression: 'cron(0 0 1 1 ? 2030/5)',
      after: '2030-01-01T00:00Z',
      expected: '2035-01-01T00:00Z',
    },
    { expression: 'cron(0 0 1 1 ? 2030/5)', after: '2195-01-01T00:00Z', expected: undefined },
    {
      expression: 'cron(0 0 1 1 ? 2026,2028)',
      after: '2026-01-01T00:00Z',
      expected: '2028-01-01T00:00Z',
    },
    // Before 1970, the first fire is the first the year field allows.
    { expression: 'cron(0 0 1 1 ? *)', after: '1960-01-01T00:00Z', expected: '1970-01-01T00:00Z' },
    // After the last minute of 2199 there is nothing.
    { expression: 'cron(* * * * ? *)', after: '2199-12-31T23:59Z', expected: undefined },
  ]);
});

describe('expressions that never fire', () => {
  itFiresAt([
    // February never has a 30th: the search stops after 2199 instead of looping.
    { expression: 'cron(0 0 30 2 ? *)', after: '2026-01-01T00:00Z', expected: undefined },
    // April never has a 31st.
    { expression: 'cron(0 0 31 4 ? *)', after: '2026-01-01T00:00Z', expected: undefined },
  ]);
});

describe('next() returns the first fire strictly after the given instant', () => {
  const expressions = [
    'cron(0 10 * * ? *)',
    'cron(0/15 * * * ? *)',
    'cron(0/5 8-17 ? * MON-FRI *)',
    'cron(0 9 ? * 2#1 *)',
    'cron(0 0 LW * ? *)',
    'cron(30 23 L * ? *)',
    'cron(15 10 ? * 6L *)',
  ];

  it.each(expressions)('%s: next(fire) > fire and next(fire - 1) === fire', (expression) => {
    // Prepare
    const cron = AwsCron.parse(expression);
    const fire = cron.next(utc('2026-03-10T13:37:42.123Z')) as number;

    // Act
    const afterFire = cron.next(fire) as number;
    const justBefore = cron.next(fire - 1);
    const midMinuteBefore = cron.next(fire - 30_000);

    // Assess
    expect(fire % MINUTE_MS).toBe(0);
    expect(afterFire).toBeGreaterThan(fire);
    expect(justBefore).toBe(fire);
    expect(midMinuteBefore).toBe(fire);
    expect(cron.next(fire + 1)).toBe(afterFire);
  });
});
