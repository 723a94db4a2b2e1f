import { describe, expect, it } from 'vitest';
import { firesAfter, itFiresAt } from './cases.js';

// Every example in AWS's EventBridge user guide, "Cron expressions" (eb-create-rule-schedule.md,
// today's eb-cron-expressions page): the example table and the `put-rule` examples.
//
// Calendar used below: 2026-01-01 is a Thursday, so January 2026 has Fri 2, Sat 3, Sun 4,
// Mon 5, Tue 6; 2026-02-01 is a Sunday; 2026-04-01 is a Wednesday.

describe('AWS example: cron(0 10 * * ? *), 10:00 every day', () => {
  itFiresAt([
    { expression: 'cron(0 10 * * ? *)', after: '2026-01-01T00:00Z', expected: '2026-01-01T10:00Z' },
    // A fire at exactly `after` is excluded: the next one is the following day.
    { expression: 'cron(0 10 * * ? *)', after: '2026-01-01T10:00Z', expected: '2026-01-02T10:00Z' },
  ]);
});

describe('AWS example: cron(15 12 * * ? *), 12:15 every day', () => {
  itFiresAt([
    {
      expression: 'cron(15 12 * * ? *)',
      after: '2026-01-01T12:14:59.999Z',
      expected: '2026-01-01T12:15Z',
    },
    {
      expression: 'cron(15 12 * * ? *)',
      after: '2026-01-01T12:15:30Z',
      expected: '2026-01-02T12:15Z',
    },
  ]);
});

describe('AWS example: cron(0 18 ? * MON-FRI *), 18:00 Monday to Friday', () => {
  it('fires Friday 2026-01-02, then skips the weekend to Monday 2026-01-05', () => {
    // Prepare, Act
    const fires = firesAfter('cron(0 18 ? * MON-FRI *)', '2026-01-01T18:00Z', 3);

    // Assess
    expect(fires).toEqual(['2026-01-02T18:00Z', '2026-01-05T18:00Z', '2026-01-06T18:00Z']);
  });
});

describe('AWS example: cron(0 8 1 * ? *), 08:00 on the 1st of every month', () => {
  itFiresAt([
    // 2026-02-01 is a Sunday: a day-of-month rule fires whatever the weekday.
    { expression: 'cron(0 8 1 * ? *)', after: '2026-01-01T08:00Z', expected: '2026-02-01T08:00Z' },
  ]);
});

describe('AWS example: cron(0/15 * * * ? *), every 15 minutes', () => {
  itFiresAt([
    {
      expression: 'cron(0/15 * * * ? *)',
      after: '2026-01-01T00:07Z',
      expected: '2026-01-01T00:15Z',
    },
  ]);

  it('runs on across midnight', () => {
    // Prepare, Act
    const fires = firesAfter('cron(0/15 * * * ? *)', '2026-01-01T23:40Z', 3);

    // Assess
    expect(fires).toEqual(['2026-01-01T23:45Z', '2026-01-02T00:00Z', '2026-01-02T00:15Z']);
  });
});

describe('AWS example: cron(0/10 * ? * MON-FRI *), every 10 minutes Monday to Friday', () => {
  itFiresAt([
    // Friday 2026-01-02 23:50 is the week's last fire; Saturday and Sunday have none.
    {
      expression: 'cron(0/10 * ? * MON-FRI *)',
      after: '2026-01-02T23:45Z',
      expected: '2026-01-02T23:50Z',
    },
    {
      expression: 'cron(0/10 * ? * MON-FRI *)',
      after: '2026-01-02T23:50Z',
      expected: '2026-01-05T00:00Z',
    },
    // From Saturday 2026-01-03 noon: Monday 2026-01-05 at midnight.
    {
      expression: 'cron(0/10 * ? * MON-FRI *)',
      after: '2026-01-03T12:00Z',
      expected: '2026-01-05T00:00Z',
    },
  ]);
});

describe('AWS example: cron(0/5 8-17 ? * MON-FRI *), every 5 minutes 08:00-17:55 on weekdays', () => {
  itFiresAt([
    {
      expression: 'cron(0/5 8-17 ? * MON-FRI *)',
      after: '2026-01-05T07:59Z',
      expected: '2026-01-05T08:00Z',
    },
    // Monday 17:55 is the day's last fire; Tuesday 08:00 is the next.
    {
      expression: 'cron(0/5 8-17 ? * MON-FRI *)',
      after: '2026-01-05T17:55Z',
      expected: '2026-01-06T08:00Z',
    },
    // Friday 2026-01-02 17:55 → Monday 2026-01-05 08:00.
    {
      expression: 'cron(0/5 8-17 ? * MON-FRI *)',
      after: '2026-01-02T17:55Z',
      expected: '2026-01-05T08:00Z',
    },
  ]);
});

describe('AWS example: cron(0/30 20-2 ? * MON-FRI *), a wrapping hour range', () => {
  // Hours 20-2 wrap past midnight: 20, 21, 22, 23, 0, 1, 2, each at :00 and :30. (AWS's prose
  // says "10:00 pm", but the field says 20; we follow the field.) A fire's own calendar day must
  // be MON-FRI: Saturday 00:00 does not fire, Monday 00:00 does.
  it('fires 02:00 and 02:30, then 20:00 the same day', () => {
    // Prepare, Act
    const fires = firesAfter('cron(0/30 20-2 ? * MON-FRI *)', '2026-01-05T01:45Z', 4);

    // Assess
    expect(fires).toEqual([
      '2026-01-05T02:00Z',
      '2026-01-05T02:30Z',
      '2026-01-05T20:00Z',
      '2026-01-05T20:30Z',
    ]);
  });

  itFiresAt([
    // Friday 2026-01-02 23:30 → Monday 2026-01-05 00:00.
    {
      expression: 'cron(0/30 20-2 ? * MON-FRI *)',
      after: '2026-01-02T23:30Z',
      expected: '2026-01-05T00:00Z',
    },
  ]);
});

describe('AWS example: cron(0 9 ? * 2#1 *), 09:00 on the first Monday of each month', () => {
  it('fires on the 5th, 2nd, 2nd and 6th', () => {
    // January 2026 starts on a Thursday → first Monday the 5th; February and March start on a
    // Sunday → Monday the 2nd; April starts on a Wednesday → Monday the 6th.

    // Prepare, Act
    const fires = firesAfter('cron(0 9 ? * 2#1 *)', '2026-01-01T00:00Z', 4);

    // Assess
    expect(fires).toEqual([
      '2026-01-05T09:00Z',
      '2026-02-02T09:00Z',
      '2026-03-02T09:00Z',
      '2026-04-06T09:00Z',
    ]);
  });
});

describe('AWS put-rule examples', () => {
  itFiresAt([
    // cron(0 12 * * ? *): 12:00 every day.
    { expression: 'cron(0 12 * * ? *)', after: '2026-01-01T12:00Z', expected: '2026-01-02T12:00Z' },
    // cron(5,35 14 * * ? *): 14:05 and 14:35 every day.
    {
      expression: 'cron(5,35 14 * * ? *)',
      after: '2026-01-01T14:05Z',
      expected: '2026-01-01T14:35Z',
    },
    {
      expression: 'cron(5,35 14 * * ? *)',
      after: '2026-01-01T14:35Z',
      expected: '2026-01-02T14:05Z',
    },
    // cron(15 10 ? * 6L 2019-2022): 10:15 on the last Friday of each month, 2019 to 2022.
    // October 2022 starts on a Saturday: its Fridays are 7, 14, 21, 28.
    {
      expression: 'cron(15 10 ? * 6L 2019-2022)',
      after: '2022-10-01T00:00Z',
      expected: '2022-10-28T10:15Z',
    },
    // December 2022 ends on Saturday the 31st: its last Friday, the 30th, is the final fire.
    {
      expression: 'cron(15 10 ? * 6L 2019-2022)',
      after: '2022-12-01T00:00Z',
      expected: '2022-12-30T10:15Z',
    },
    { expression: 'cron(15 10 ? * 6L 2019-2022)', after: '2022-12-30T10:15Z', expected: undefined },
  ]);
});
