import { ScheduleExpressionError } from './errors.js';

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/**
 * An AWS `rate(value unit)` expression: `rate(1 hour)`, `rate(5 minutes)`, `rate(2 days)`.
 *
 * AWS starts a rate when the rule is created; locally it is anchored where the scheduler
 * starts: fires at `anchor + k × period` for k = 1, 2, ...
 */
export class RateExpression {
  /** The expression as given, e.g. `rate(5 minutes)`. */
  readonly expression: string;
  /** The interval between fires, in milliseconds. */
  readonly periodMs: number;

  private constructor(expression: string, periodMs: number) {
    this.expression = expression;
    this.periodMs = periodMs;
  }

  /**
   * Reads a `rate(...)` expression. The value is a positive whole number; the unit is
   * minute|minutes|hour|hours|day|days, singular for 1 and plural otherwise (AWS's rule).
   *
   * @throws {ScheduleExpressionError} quoting the expression and saying what is wrong.
   */
  static parse(expression: string): RateExpression {
    const fail = (reason: string) => new ScheduleExpressionError(`${expression}: ${reason}`);
    const inner = /^rate\((.*)\)$/s.exec(expression)?.[1];
    if (inner === undefined) {
      throw new ScheduleExpressionError(
        `${JSON.stringify(expression)} is not a rate expression: expected rate(value unit)`,
      );
    }
    const parts = inner.trim() === '' ? [] : inner.trim().split(/\s+/);
    const [valueText, unitText] = parts;
    if (parts.length !== 2 || valueText === undefined || unitText === undefined) {
      throw fail(`expected a value and a unit, e.g. rate(5 minutes), got ${parts.length} part(s)`);
    }
    if (!/^\d+$/.test(valueText) || Number(valueText) < 1) {
      throw fail(`value "${valueText}" must be a positive whole number`);
    }
    const value = Number(valueText);
    const singular = unitText.endsWith('s') ? unitText.slice(0, -1) : unitText;
    if (!Object.hasOwn(UNIT_MS, singular)) {
      throw fail(`unit "${unitText}" must be one of minute, minutes, hour, hours, day, days`);
    }
    const unit = singular as Unit;
    const expectedUnit = value === 1 ? unit : `${unit}s`;
    if (unitText !== expectedUnit) {
      throw fail(
        `a value of ${value} needs the unit "${expectedUnit}", not "${unitText}" (AWS: singular for 1, plural otherwise)`,
      );
    }
    const periodMs = value * UNIT_MS[unit];
    if (!Number.isSafeInteger(periodMs)) throw fail(`value "${valueText}" is too large`);
    return new RateExpression(expression, periodMs);
  }

  /**
   * The first fire strictly after `afterMs`, for a rate anchored at `anchorMs`: the smallest
   * `anchorMs + k × periodMs` (k ≥ 1) greater than `afterMs`.
   */
  next(afterMs: number, anchorMs: number): number {
    if (Number.isNaN(afterMs) || Number.isNaN(anchorMs)) {
      throw new RangeError(`${this.expression}: next() needs times, got NaN`);
    }
    if (afterMs < anchorMs) return anchorMs + this.periodMs;
    const periodsPassed = Math.floor((afterMs - anchorMs) / this.periodMs);
    return anchorMs + (periodsPassed + 1) * this.periodMs;
  }

  /** The period: a rate's fires are always exactly one period apart. */
  longestGapMs(): number {
    return this.periodMs;
  }

  /** The expression, as given. */
  toString(): string {
    return this.expression;
  }
}
