import { AwsCron } from './aws-cron.js';
import { ScheduleExpressionError } from './errors.js';
import { RateExpression } from './rate.js';
import { TimeZone, UTC } from './time-zone.js';
import { TriggerKind } from './trigger-kind.js';
import { ZonedCron } from './zoned-cron.js';

export { ScheduleExpressionError } from './errors.js';
export { TriggerKind } from './trigger-kind.js';

/** Where and how precisely a schedule's times are read; every factory takes these. */
export interface ScheduleOptions {
  /**
   * The IANA time zone in which the cron fields are read (`Europe/Bratislava`), with
   * EventBridge Scheduler's daylight-saving rules: a time skipped when clocks go forward is
   * not run that day; a time that occurs twice when they go back runs once. A `rate()` is
   * the same in every zone. A zone other than UTC deploys the job on EventBridge Scheduler.
   * An unknown zone is reported by the catalogue, naming the job.
   * @default 'UTC' - an EventBridge rule, as before
   */
  readonly timeZone?: string;
  /**
   * Lets EventBridge Scheduler start the job at any moment within this many minutes after
   * each scheduled time, a whole number 1-1440; deploys the job on EventBridge Scheduler.
   * The local harness runs it at the scheduled time (the window's start).
   * @default - no window: the job starts at the scheduled minute
   */
  readonly flexibleWindowMinutes?: number;
}

/** Options for {@link Schedule.hourly}. */
export interface HourlyOptions extends ScheduleOptions {
  /**
   * The minute past each hour (in the schedule's zone) at which the job runs, 0-59.
   * @default 0 - on the hour
   */
  readonly minute?: number;
}

/** Options for {@link Schedule.daily}. */
export interface DailyOptions extends ScheduleOptions {
  /**
   * The hour of the day, in the schedule's zone, a whole number 0-23.
   * @default 0 - midnight
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
 * When a job runs: one AWS schedule expression and the time zone it is read in, used as they
 * are by the EventBridge rule (UTC) or Scheduler schedule (any zone) and evaluated the same
 * way by the local scheduler. All instants are epoch milliseconds.
 *
 * @example
 * Schedule.hourly({ minute: 15 }).expression; // 'cron(15 * * * ? *)'
 * Schedule.daily({ hour: 3, minute: 30 }).expression; // 'cron(30 3 * * ? *)'
 * Schedule.daily({ hour: 3, minute: 30, timeZone: 'Europe/Bratislava' }).timeZone;
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
    return Schedule.#cron('Schedule.hourly', `cron(${minute} * * * ? *)`, options);
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
    return Schedule.#cron('Schedule.daily', `cron(${minute} ${hour} * * ? *)`, options);
  }

  /**
   * A raw AWS schedule expression: `cron(minutes hours day-of-month month day-of-week year)`
   * or `rate(value unit)`, exactly as EventBridge accepts it.
   *
   * @throws {ScheduleExpressionError} quoting the expression and saying what is wrong.
   */
  static expression(expression: string, options: ScheduleOptions = {}): Schedule {
    if (typeof expression === 'string' && expression.startsWith('cron(')) {
      return Schedule.#cron('Schedule.expression', expression, options);
    }
    if (typeof expression === 'string' && expression.startsWith('rate(')) {
      const rate = RateExpression.parse(expression);
      return new Schedule(expression, options, 'Schedule.expression', () => rate);
    }
    throw new ScheduleExpressionError(
      `${JSON.stringify(expression)} is not a schedule expression: expected cron(...) or rate(...)`,
    );
  }

  static #cron(factory: string, expression: string, options: ScheduleOptions): Schedule {
    const cron = AwsCron.parse(expression);
    return new Schedule(expression, options, factory, (zone) =>
      zone.isUtc ? cron : new ZonedCron(cron, zone),
    );
  }

  /** The expression for EventBridge, e.g. `cron(15 * * * ? *)` or `rate(5 minutes)`. */
  readonly expression: string;
  /** The IANA time zone the expression is read in, e.g. `Europe/Bratislava`; `UTC` by default. */
  readonly timeZone: string;
  /** How many minutes after each scheduled time the job may start; `undefined`: none. */
  readonly flexibleWindowMinutes: number | undefined;
  readonly #timetableFor: (zone: TimeZone) => Timetable;
  #timetable: Timetable | undefined;
  #longestGapMs: number | undefined;

  private constructor(
    expression: string,
    options: ScheduleOptions,
    factory: string,
    timetableFor: (zone: TimeZone) => Timetable,
  ) {
    const { timeZone = UTC, flexibleWindowMinutes } = options;
    if (typeof timeZone !== 'string' || timeZone.trim() === '') {
      throw new ScheduleExpressionError(
        `${factory}: timeZone must be an IANA time zone name, got ${JSON.stringify(timeZone)}`,
      );
    }
    if (flexibleWindowMinutes !== undefined) {
      checkWhole(factory, 'flexibleWindowMinutes', flexibleWindowMinutes, 1, 1_440);
    }
    this.expression = expression;
    this.timeZone = timeZone;
    this.flexibleWindowMinutes = flexibleWindowMinutes;
    this.#timetableFor = timetableFor;
  }

  /**
   * What fires the job in AWS: an EventBridge rule for a UTC schedule (rules know no other
   * zone), an EventBridge Scheduler schedule for a zoned or flexible one.
   *
   * @throws {ScheduleExpressionError} when the time zone is unknown.
   */
  get triggerKind(): TriggerKind {
    return this.zone.isUtc && this.flexibleWindowMinutes === undefined
      ? TriggerKind.Rule
      : TriggerKind.SchedulerSchedule;
  }

  /**
   * The time zone, read from the platform's data. Checked here rather than by the factories,
   * so that the catalogue can name the job with an unknown zone.
   *
   * @throws {ScheduleExpressionError} when the time zone is unknown.
   */
  get zone(): TimeZone {
    return TimeZone.of(this.timeZone);
  }

  /**
   * The same schedule read in another time zone (its flexible window kept), e.g. for a
   * deployment that sets a job's zone. Like the factories, it leaves the zone to be checked
   * where it is used.
   */
  inTimeZone(timeZone: string): Schedule {
    const options = {
      timeZone,
      ...(this.flexibleWindowMinutes ? { flexibleWindowMinutes: this.flexibleWindowMinutes } : {}),
    };
    return new Schedule(this.expression, options, 'Schedule.inTimeZone', this.#timetableFor);
  }

  /** For people: `cron(30 3 * * ? *) in Europe/Bratislava`, `cron(15 * * * ? *) in UTC`. */
  describe(): string {
    const window = this.flexibleWindowMinutes
      ? `, starting within ${this.flexibleWindowMinutes} min`
      : '';
    return `${this.expression} in ${this.timeZone}${window}`;
  }

  get #times(): Timetable {
    this.#timetable ??= this.#timetableFor(this.zone);
    return this.#timetable;
  }

  /**
   * The longest interval between consecutive fires, in ms: a rate's period; for a cron, the
   * exact maximum over all its fires (`cron(0 9 ? * MON-FRI *)`: Friday to Monday, 3 days),
   * in real time for a zoned one (a daily time skipped in spring: about 2 days). `Infinity`
   * for a cron that fires fewer than twice. Used for the "no successful run for two periods"
   * alarm and for how long an event stays worth delivering.
   */
  get longestGapMs(): number {
    this.#longestGapMs ??= this.#times.longestGapMs();
    return this.#longestGapMs;
  }

  /**
   * The longest time between two runs' starts: {@link longestGapMs}, plus the flexible window
   * (one run may start at its window's start and the next at its window's end).
   */
  get longestStartGapMs(): number {
    return this.longestGapMs + (this.flexibleWindowMinutes ?? 0) * 60_000;
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
    return this.#times.next(afterMs, anchorMs);
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
