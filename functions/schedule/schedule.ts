import { AwsCron } from './aws-cron.js';
import { ScheduleExpressionError } from './errors.js';
import { RateExpression } from './rate.js';

export { ScheduleExpressionError } from './errors.js';

/** Options for {@link Schedule.hourly}. */
export interface HourlyOptions {
  /**
   * The minute past each hour (UTC) at which the job runs, a whole number 0-59.
   * @default 0 - on the hour
   */
  readonly minute?: number;
}

/** Options for {@link Schedule.daily}. */
export interface DailyOptions {
  /**
   * The hour of the day, in UTC, a whole number 0-23.
   * @default 0 - midnight UTC
   */
  readonly hour?: number;
  /**
   * The minute past that hour, a whole number 0-59.
   * @default 0 - on the hour
   */
  readonly minute?: number;
}

/** What a parsed expression offers, whichever kind it is. */
interface Timetable {
  next(afterMs: number, anchorMs: number): number | undefined;
  longestGapMs(): number;
}

/**
 * When a job runs: one AWS schedule expression, used as it is by the EventBridge rule
 * (`events.Schedule.expression(schedule.expression)`) and evaluated the same way by the local
 * scheduler. All times are UTC; all instants are epoch milliseconds.
 *
 * @example
 * Schedule.hourly({ minute: 15 }).expression; // 'cron(15 * * * ? *)'
 * Schedule.daily({ hour: 3, minute: 30 }).expression; // 'cron(30 3 * * ? *)'
 * Schedule.expression('rate(5 minutes)');
 */
export class Schedule {
  /**
   * Every hour, at `minute` past the hour: `cron(M * * * ? *)`.
   *
   * @throws {ScheduleExpressionError} when `minute` is not a whole number 0-59.
   */
  static hourly(options: HourlyOptions = {}): Schedule {
    const { minute = 0 } = options;
    checkWhole('Schedule.hourly', 'minute', minute, 0, 59);
    const expression = `cron(${minute} * * * ? *)`;
    return new Schedule(expression, AwsCron.parse(expression));
  }

  /**
   * Every day at `hour`:`minute` UTC: `cron(M H * * ? *)`.
   *
   * @throws {ScheduleExpressionError} when `hour` is not a whole number 0-23 or `minute` not 0-59.
   */
  static daily(options: DailyOptions = {}): Schedule {
    const { hour = 0, minute = 0 } = options;
    checkWhole('Schedule.daily', 'hour', hour, 0, 23);
    checkWhole('Schedule.daily', 'minute', minute, 0, 59);
    const expression = `cron(${minute} ${hour} * * ? *)`;
    return new Schedule(expression, AwsCron.parse(expression));
  }

  /**
   * A raw AWS schedule expression: `cron(minutes hours day-of-month month day-of-week year)`
   * or `rate(value unit)`, exactly as EventBridge accepts it.
   *
   * @throws {ScheduleExpressionError} quoting the expression and saying what is wrong.
   */
  static expression(expression: string): Schedule {
    if (typeof expression === 'string' && expression.startsWith('cron(')) {
      return new Schedule(expression, AwsCron.parse(expression));
    }
    if (typeof expression === 'string' && expression.startsWith('rate(')) {
      return new Schedule(expression, RateExpression.parse(expression));
    }
    throw new ScheduleExpressionError(
      `${JSON.stringify(expression)} is not a schedule expression: expected cron(...) or rate(...)`,
    );
  }

  /** The expression for EventBridge, e.g. `cron(15 * * * ? *)` or `rate(5 minutes)`. */
  readonly expression: string;
  readonly #timetable: Timetable;
  #longestGapMs: number | undefined;

  private constructor(expression: string, timetable: Timetable) {
    this.expression = expression;
    this.#timetable = timetable;
  }

  /**
   * The longest interval between consecutive fires, in ms: a rate's period; for a cron, the
   * exact maximum over all its fires (`cron(0 9 ? * MON-FRI *)`: Friday to Monday, 3 days).
   * `Infinity` for a cron that fires fewer than twice. Used for the "no successful run for
   * two periods" alarm.
   */
  get longestGapMs(): number {
    this.#longestGapMs ??= this.#timetable.longestGapMs();
    return this.#longestGapMs;
  }

  /**
   * The first fire strictly after `afterMs`, or `undefined` when a cron's year field allows no
   * more fires.
   *
   * @param afterMs - the instant to search from (epoch ms); a fire exactly at it is excluded.
   * @param anchorMs - when the scheduler started; only a rate uses it (fires at
   *   anchor + k × period, k ≥ 1). A cron ignores it.
   */
  next(afterMs: number, anchorMs: number): number | undefined {
    return this.#timetable.next(afterMs, anchorMs);
  }

  /**
   * Up to `count` consecutive fires after `afterMs` (fewer when the schedule ends).
   *
   * @param count - how many fires, a whole number ≥ 0.
   * @param afterMs - as for {@link Schedule.next}.
   * @param anchorMs - as for {@link Schedule.next}.
   */
  nextFires(count: number, afterMs: number, anchorMs: number): number[] {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`nextFires: count must be a whole number ≥ 0, got ${count}`);
    }
    const fires: number[] = [];
    let fire = this.next(afterMs, anchorMs);
    while (fire !== undefined && fires.length < count) {
      fires.push(fire);
      fire = fires.length < count ? this.next(fire, anchorMs) : undefined;
    }
    return fires;
  }

  /** The expression, e.g. `cron(15 * * * ? *)`. */
  toString(): string {
    return this.expression;
  }
}

function checkWhole(
  factory: string,
  option: string,
  value: number,
  min: number,
  max: number,
): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ScheduleExpressionError(
      `${factory}: ${option} must be a whole number from ${min} to ${max}, got ${value}`,
    );
  }
}
