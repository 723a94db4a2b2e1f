/**
 * The few checks a job's event needs (see event.ts), with the messages zod 4's English locale
 * gives for the same checks, which these replaced: each check appends what is wrong with a
 * value to a list, each problem with the path of the field it is about.
 */

/** One problem with an event: the field's path and what is wrong with it. */
export interface Issue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** Set when the problem is keys the check does not know: those keys, in the event's order. */
  readonly unknownKeys?: readonly string[];
}

/** Appends what is wrong with `value`, found at `path`, to `issues`. */
export type Check = (value: unknown, path: readonly (string | number)[], issues: Issue[]) => void;

/** A check of a field that may be left out (or be `undefined`). */
interface OptionalCheck {
  readonly optional: Check;
}

/** Any value but `undefined` passes `check`. */
export function optional(check: Check): OptionalCheck {
  return { optional: check };
}

/** A string. */
export function string(): Check {
  return (value, path, issues) => {
    if (typeof value !== 'string') issues.push(invalidType(path, 'string', value));
  };
}

/** A boolean. */
export function boolean(): Check {
  return (value, path, issues) => {
    if (typeof value !== 'boolean') issues.push(invalidType(path, 'boolean', value));
  };
}

/** A string that matches `pattern`; `message` says what a string that does not is. */
export function matching(pattern: RegExp, message: string): Check {
  return (value, path, issues) => {
    if (typeof value !== 'string') issues.push(invalidType(path, 'string', value));
    else if (!pattern.test(value)) issues.push({ path, message });
  };
}

/** Exactly `expected`. */
export function literal(expected: string): Check {
  return (value, path, issues) => {
    if (value !== expected) issues.push({ path, message: `Invalid input: expected "${expected}"` });
  };
}

/** An array of strings. */
export function stringArray(): Check {
  const element = string();
  return (value, path, issues) => {
    if (!Array.isArray(value)) {
      issues.push(invalidType(path, 'array', value));
      return;
    }
    for (let index = 0; index < value.length; index++) {
      element(value[index], [...path, index], issues);
    }
  };
}

// A date from 0000-01-01 to 9999-12-31 that exists (29 February in leap years only).
const date =
  '(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))';
// Hours, minutes and seconds, with any fraction of a second.
const time = '(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?';
const utc = new RegExp(`^${date}T(?:${time}(?:Z))$`);
const withOffset = new RegExp(`^${date}T(?:${time}(?:Z|([+-](?:[01]\\d|2[0-3]):[0-5]\\d)))$`);

/**
 * An ISO 8601 date-time string with seconds, in UTC (`Z`), or with `offset` also with a UTC
 * offset (`+02:00`). `error`, when given, is the message for any value that is not one.
 */
export function isoDateTime(options: { offset?: boolean; error?: string } = {}): Check {
  const pattern = options.offset ? withOffset : utc;
  return (value, path, issues) => {
    if (typeof value !== 'string') {
      issues.push(
        options.error ? { path, message: options.error } : invalidType(path, 'string', value),
      );
    } else if (!pattern.test(value)) {
      issues.push({ path, message: options.error ?? 'Invalid ISO datetime' });
    }
  };
}

/**
 * An object (not null, not an array) with the fields of `shape`, each passing its check, and
 * no other keys. `error`, when given, is the message for a value that is not an object.
 * Returned as a function of the value alone, to check an event with.
 */
export function strictObject(
  shape: Readonly<Record<string, Check | OptionalCheck>>,
  options: { error?: string } = {},
): Check & ((value: unknown) => Issue[]) {
  const keys = new Set(Object.keys(shape));
  return (value: unknown, path: readonly (string | number)[] = [], issues: Issue[] = []) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.push(
        options.error ? { path, message: options.error } : invalidType(path, 'object', value),
      );
      return issues;
    }
    const fields = value as Record<string, unknown>;
    for (const [key, check] of Object.entries(shape)) {
      const field = fields[key];
      if (typeof check === 'function') check(field, [...path, key], issues);
      else if (field !== undefined) check.optional(field, [...path, key], issues);
    }
    const unknown: string[] = [];
    for (const key in fields) if (!keys.has(key)) unknown.push(key);
    if (unknown.length > 0) {
      issues.push({
        path,
        message: `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map((key) => `"${key}"`).join(', ')}`,
        unknownKeys: unknown,
      });
    }
    return issues;
  };
}

function invalidType(path: readonly (string | number)[], expected: string, value: unknown): Issue {
  return { path, message: `Invalid input: expected ${expected}, received ${typeName(value)}` };
}

/** How zod names a value's type: `null`, `array`, `NaN`, a class's name. */
function typeName(value: unknown): string {
  if (typeof value === 'number') {
    return Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? 'number' : String(value);
  }
  if (typeof value === 'object') {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'array';
    if (Object.getPrototypeOf(value) !== Object.prototype && 'constructor' in value) {
      const made = (value as { constructor: unknown }).constructor;
      if (made) return String((made as { name?: unknown }).name);
    }
  }
  return typeof value;
}
