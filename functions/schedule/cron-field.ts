import { ScheduleExpressionError } from './errors.js';

/** What one field of an AWS cron expression accepts. */
export interface FieldSpec {
  /** The field's name in error messages, e.g. `day-of-week`. */
  readonly label: string;
  /** The smallest value. */
  readonly min: number;
  /** The largest value. */
  readonly max: number;
  /** Names for the values, in order from `min` (e.g. `SUN`..`SAT`); matched case-insensitively. */
  readonly names?: readonly string[];
  /** Whether `/` (steps) is allowed: AWS allows it in every field but day-of-week. */
  readonly steps: boolean;
  /** Whether a range may wrap around, as in AWS's own example `20-2` (hours 20..23, 0..2). */
  readonly wraps: boolean;
}

/** One field of one expression: what error messages quote. */
export interface FieldText {
  /** The whole expression, e.g. `cron(0 25 * * ? *)`. */
  readonly expression: string;
  readonly spec: FieldSpec;
  /** The field as written, e.g. `25`. */
  readonly text: string;
}

/** An error about a whole field: `<expression>: <label> field "<text>" <reason>`. */
export function fieldError(field: FieldText, reason: string): ScheduleExpressionError {
  return new ScheduleExpressionError(
    `${field.expression}: ${field.spec.label} field "${field.text}" ${reason}`,
  );
}

/**
 * An error about one part of a field; when the part is the whole field, the message reads as
 * a {@link fieldError}, otherwise it quotes the part too: `hours field "1,25": "25" is ...`.
 */
function partError(field: FieldText, part: string, problem: string): ScheduleExpressionError {
  if (part === field.text) return fieldError(field, problem);
  return fieldError(field, `has "${part}", which ${problem}`);
}

/**
 * Reads a comma-separated list of `*`, values, ranges and steps (`0,30`, `MON-FRI`, `20-2`,
 * `10-40/5`, `5/10`, or `*` with a step) into the sorted values it selects.
 */
export function parseValues(field: FieldText): number[] {
  const values = new Set<number>();
  for (const item of field.text.split(',')) {
    for (const value of parseItem(field, item)) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

/** One list item: `*`, `v`, `v-w`, each optionally followed by `/step`. */
function parseItem(field: FieldText, item: string): number[] {
  const { spec } = field;
  if (item === '') throw fieldError(field, 'has an empty list item');
  const [rangeText = '', stepText, ...extraSteps] = item.split('/');
  if (extraSteps.length > 0) throw partError(field, item, 'has more than one "/"');
  if (stepText !== undefined && !spec.steps) {
    throw fieldError(field, `uses "/", which AWS does not allow in the ${spec.label} field`);
  }
  const step = stepText === undefined ? 1 : parseStep(field, item, stepText);
  if (rangeText === '*') return stepThrough(spec, spec.min, spec.max, step);

  const [startText = '', endText, ...extraEnds] = rangeText.split('-');
  if (extraEnds.length > 0) throw partError(field, item, 'has more than one "-"');
  const start = parseValue(field, startText);
  if (endText === undefined) {
    // `5` is one value; `5/10` starts at 5 and steps to the end of the field.
    return stepText === undefined ? [start] : stepThrough(spec, start, spec.max, step);
  }
  const end = parseValue(field, endText);
  if (end < start && !spec.wraps) {
    throw partError(field, item, `is a range that ends before it starts`);
  }
  return stepThrough(spec, start, end, step);
}

/** A number or (where the field has names) a name, within the field's range. */
export function parseValue(field: FieldText, token: string): number {
  const { spec } = field;
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    if (value < spec.min || value > spec.max) {
      throw partError(field, token, `is out of range ${spec.min}-${spec.max}`);
    }
    return value;
  }
  const index = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (index >= 0) return spec.min + index;
  const expected = spec.names
    ? `a number ${spec.min}-${spec.max} or a name ${spec.names[0]}-${spec.names.at(-1)}`
    : `a number ${spec.min}-${spec.max}`;
  throw partError(field, token, `is not ${expected}`);
}

function parseStep(field: FieldText, item: string, stepText: string): number {
  const largest = field.spec.max - field.spec.min;
  const step = /^\d+$/.test(stepText) ? Number(stepText) : Number.NaN;
  if (!(step >= 1 && step <= largest)) {
    throw partError(
      field,
      item,
      `has step "${stepText}"; a step must be a whole number from 1 to ${largest}`,
    );
  }
  return step;
}

/** `start`, `start + step`, ... up to `end`, wrapping past `max` back to `min` when `end < start`. */
function stepThrough(spec: FieldSpec, start: number, end: number, step: number): number[] {
  const size = spec.max - spec.min + 1;
  const span = end >= start ? end - start : end - start + size;
  const values: number[] = [];
  for (let offset = 0; offset <= span; offset += step) {
    values.push(spec.min + ((start - spec.min + offset) % size));
  }
  return values;
}
