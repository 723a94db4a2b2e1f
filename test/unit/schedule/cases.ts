import { expect, it } from 'vitest';
import { AwsCron } from '../../../functions/schedule/aws-cron.js';
import { iso, utc } from './time.js';

/** One expected fire: the first fire of `expression` strictly after `after`. */
export interface FireCase {
  readonly expression: string;
  readonly after: string;
  /** The expected fire as a short ISO string, or `undefined` for "no more fires". */
  readonly expected: string | undefined;
}

/** One test per case: `next(after)` is `expected`. */
export function itFiresAt(cases: readonly FireCase[]): void {
  it.each(cases)('$expression after $after → $expected', ({ expression, after, expected }) => {
    // Prepare
    const cron = AwsCron.parse(expression);

    // Act
    const fire = cron.next(utc(after));

    // Assess
    expect(iso(fire)).toBe(expected);
  });
}

/** `count` consecutive fires after `after`, as short ISO strings. */
export function firesAfter(
  expression: string,
  after: string,
  count: number,
): (string | undefined)[] {
  const cron = AwsCron.parse(expression);
  const fires: (string | undefined)[] = [];
  let from: number | undefined = utc(after);
  while (fires.length < count && from !== undefined) {
    from = cron.next(from);
    fires.push(iso(from));
  }
  return fires;
}

/** What `action` throws (fails the test if it throws nothing). */
export function thrownBy(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, but nothing was thrown');
}
