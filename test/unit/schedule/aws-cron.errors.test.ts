import { describe, expect, it } from 'vitest';
import { AwsCron } from '../../../functions/schedule/aws-cron.js';
import { ScheduleExpressionError } from '../../../functions/schedule/errors.js';
import { thrownBy } from './cases.js';

interface ErrorCase {
  readonly expression: string;
  readonly message: string;
}

/** One test per case: parsing throws a ScheduleExpressionError with exactly `message`. */
function itRejects(cases: readonly ErrorCase[]): void {
  it.each(cases)('rejects $expression', ({ expression, message }) => {
    // Act
    const error = thrownBy(() => AwsCron.parse(expression));

    // Assess
    expect(error).toBeInstanceOf(ScheduleExpressionError);
    expect(error.name).toBe('ScheduleExpressionError');
    expect(error.message).toBe(message);
  });
}

describe('the shape of the expression', () => {
  itRejects([
    {
      expression: 'cron(0 10 * * ?)',
      message:
        'cron(0 10 * * ?): expected 6 fields (minutes hours day-of-month month day-of-week year), got 5',
    },
    {
      expression: 'cron(0 0 10 * * ? *)',
      message:
        'cron(0 0 10 * * ? *): expected 6 fields (minutes hours day-of-month month day-of-week year), got 7',
    },
    {
      expression: 'cron()',
      message:
        'cron(): expected 6 fields (minutes hours day-of-month month day-of-week year), got 0',
    },
    {
      expression: 'cron(0 10 * * ? *',
      message: '"cron(0 10 * * ? *" is not a cron expression: expected cron(...)',
    },
    { expression: '', message: '"" is not a cron expression: expected cron(...)' },
    { expression: 'hello', message: '"hello" is not a cron expression: expected cron(...)' },
  ]);
});

describe('values out of range', () => {
  itRejects([
    {
      expression: 'cron(0 25 * * ? *)',
      message: 'cron(0 25 * * ? *): hours field "25" is out of range 0-23',
    },
    {
      expression: 'cron(60 * * * ? *)',
      message: 'cron(60 * * * ? *): minutes field "60" is out of range 0-59',
    },
    {
      expression: 'cron(1,75 * * * ? *)',
      message: 'cron(1,75 * * * ? *): minutes field "1,75" has "75", which is out of range 0-59',
    },
    {
      expression: 'cron(0 0 32 * ? *)',
      message: 'cron(0 0 32 * ? *): day-of-month field "32" is out of range 1-31',
    },
    {
      expression: 'cron(0 0 0 * ? *)',
      message: 'cron(0 0 0 * ? *): day-of-month field "0" is out of range 1-31',
    },
    {
      expression: 'cron(0 0 1 13 ? *)',
      message: 'cron(0 0 1 13 ? *): month field "13" is out of range 1-12',
    },
    // Unix cron's Sunday = 0 does not exist here: AWS numbers SUN-SAT 1-7.
    {
      expression: 'cron(0 0 ? * 0 *)',
      message: 'cron(0 0 ? * 0 *): day-of-week field "0" is out of range 1-7',
    },
    {
      expression: 'cron(0 0 ? * 1-8 *)',
      message: 'cron(0 0 ? * 1-8 *): day-of-week field "1-8" has "8", which is out of range 1-7',
    },
    {
      expression: 'cron(0 0 1 1 ? 2200)',
      message: 'cron(0 0 1 1 ? 2200): year field "2200" is out of range 1970-2199',
    },
    {
      expression: 'cron(0 0 1 1 ? 1969)',
      message: 'cron(0 0 1 1 ? 1969): year field "1969" is out of range 1970-2199',
    },
  ]);
});

describe('day-of-month and day-of-week together', () => {
  itRejects([
    {
      expression: 'cron(0 10 * * MON *)',
      message:
        'cron(0 10 * * MON *): day-of-month "*" and day-of-week "MON" are both set; AWS requires "?" in one of them',
    },
    {
      expression: 'cron(0 10 1 * 2 *)',
      message:
        'cron(0 10 1 * 2 *): day-of-month "1" and day-of-week "2" are both set; AWS requires "?" in one of them',
    },
    {
      expression: 'cron(0 10 ? * ? *)',
      message:
        'cron(0 10 ? * ? *): day-of-month and day-of-week are both "?"; one of them must select the days',
    },
  ]);
});

describe('"?" outside the day fields', () => {
  itRejects([
    {
      expression: 'cron(? 10 * * ? *)',
      message:
        'cron(? 10 * * ? *): minutes field "?" is not allowed: "?" is only for day-of-month or day-of-week',
    },
    {
      expression: 'cron(0 10 * ? ? *)',
      message:
        'cron(0 10 * ? ? *): month field "?" is not allowed: "?" is only for day-of-month or day-of-week',
    },
    {
      expression: 'cron(0 10 * * ? ?)',
      message:
        'cron(0 10 * * ? ?): year field "?" is not allowed: "?" is only for day-of-month or day-of-week',
    },
  ]);
});

describe('bad names', () => {
  itRejects([
    {
      expression: 'cron(0 0 1 JANUARY ? *)',
      message:
        'cron(0 0 1 JANUARY ? *): month field "JANUARY" is not a number 1-12 or a name JAN-DEC',
    },
    {
      expression: 'cron(0 0 ? * MON-FUN *)',
      message:
        'cron(0 0 ? * MON-FUN *): day-of-week field "MON-FUN" has "FUN", which is not a number 1-7 or a name SUN-SAT',
    },
    // Names belong to month and day-of-week only.
    {
      expression: 'cron(0 0 MON * ? *)',
      message: 'cron(0 0 MON * ? *): day-of-month field "MON" is not a number 1-31',
    },
  ]);
});

describe('bad steps and ranges', () => {
  itRejects([
    {
      expression: 'cron(0/0 * * * ? *)',
      message:
        'cron(0/0 * * * ? *): minutes field "0/0" has step "0"; a step must be a whole number from 1 to 59',
    },
    {
      expression: 'cron(0/60 * * * ? *)',
      message:
        'cron(0/60 * * * ? *): minutes field "0/60" has step "60"; a step must be a whole number from 1 to 59',
    },
    {
      expression: 'cron(0 0/x * * ? *)',
      message:
        'cron(0 0/x * * ? *): hours field "0/x" has step "x"; a step must be a whole number from 1 to 23',
    },
    {
      expression: 'cron(1/2/3 * * * ? *)',
      message: 'cron(1/2/3 * * * ? *): minutes field "1/2/3" has more than one "/"',
    },
    {
      expression: 'cron(0 1-2-3 * * ? *)',
      message: 'cron(0 1-2-3 * * ? *): hours field "1-2-3" has more than one "-"',
    },
    // AWS lists , - * ? L # for day-of-week: no "/".
    {
      expression: 'cron(0 0 ? * 1/2 *)',
      message:
        'cron(0 0 ? * 1/2 *): day-of-week field "1/2" uses "/", which AWS does not allow in the day-of-week field',
    },
    // Hours, days and months may wrap (AWS's own example: 20-2); years cannot.
    {
      expression: 'cron(0 0 1 1 ? 2030-2026)',
      message:
        'cron(0 0 1 1 ? 2030-2026): year field "2030-2026" is a range that ends before it starts',
    },
    {
      expression: 'cron(0,,5 * * * ? *)',
      message: 'cron(0,,5 * * * ? *): minutes field "0,,5" has an empty list item',
    },
  ]);
});

describe('L, W and # used where or how AWS does not allow them', () => {
  itRejects([
    {
      expression: 'cron(0 L * * ? *)',
      message: 'cron(0 L * * ? *): hours field "L" is not a number 0-23',
    },
    {
      expression: 'cron(0 0 L,15 * ? *)',
      message:
        'cron(0 0 L,15 * ? *): day-of-month field "L,15" misuses L or W: write L, LW or one day followed by W (e.g. 15W), alone',
    },
    {
      expression: 'cron(0 0 1W-5 * ? *)',
      message:
        'cron(0 0 1W-5 * ? *): day-of-month field "1W-5" misuses L or W: write L, LW or one day followed by W (e.g. 15W), alone',
    },
    {
      expression: 'cron(0 0 32W * ? *)',
      message: 'cron(0 0 32W * ? *): day-of-month field "32W" has "32", which is out of range 1-31',
    },
    // AWS's own counter-example: "3#1,6#3" is two expressions, which is not valid.
    {
      expression: 'cron(0 0 ? * 3#1,6#3 *)',
      message:
        'cron(0 0 ? * 3#1,6#3 *): day-of-week field "3#1,6#3" misuses L or #: write L, one day followed by L (6L), or one day#n (3#2), alone',
    },
    {
      expression: 'cron(0 0 ? * 3#6 *)',
      message:
        'cron(0 0 ? * 3#6 *): day-of-week field "3#6" asks for occurrence "6"; after # give 1 to 5',
    },
    {
      expression: 'cron(0 0 ? * 8#1 *)',
      message: 'cron(0 0 ? * 8#1 *): day-of-week field "8#1" has "8", which is out of range 1-7',
    },
    {
      expression: 'cron(0 0 ? * FUNL *)',
      message:
        'cron(0 0 ? * FUNL *): day-of-week field "FUNL" has "FUN", which is not a number 1-7 or a name SUN-SAT',
    },
    {
      expression: 'cron(0 0 ? 1# * *)',
      message: 'cron(0 0 ? 1# * *): month field "1#" is not a number 1-12 or a name JAN-DEC',
    },
  ]);
});
