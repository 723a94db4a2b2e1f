/** The environment a job reads its configuration from (`process.env` in production). */
export type Env = Readonly<Record<string, string | undefined>>;

import { ConfigurationFault } from '../errors.js';

/** A configuration value is missing or invalid. The message names the variable. */
export class ConfigError extends ConfigurationFault {
  override readonly name = 'ConfigError';

  constructor(
    /** The environment variable (or variables) at fault. */
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

/** Bounds and default of a whole-number setting. */
export interface IntegerSetting {
  /** Smallest accepted value (inclusive). */
  readonly min: number;
  /** Largest accepted value (inclusive). */
  readonly max: number;
  /** Used when the variable is not set at all. An empty value is an error, not a default. */
  readonly default: number;
}

const wholeNumber = /^[+-]?\d+$/;

/**
 * Reads a whole number from the first of `names` that is set. Later names are aliases
 * (e.g. the backend's own variable name); if several are set to different values, that is
 * an error naming them all.
 *
 * @throws {ConfigError} when the value is empty, not a whole number, or out of range.
 */
export function readInteger(env: Env, names: string | readonly string[], setting: IntegerSetting) {
  const candidates = (typeof names === 'string' ? [names] : names).filter(
    (name) => env[name] !== undefined,
  );
  const [name] = candidates;
  if (name === undefined) return setting.default;
  const accepted = `a whole number from ${setting.min} to ${setting.max}`;
  const values = new Set(candidates.map((candidate) => env[candidate]?.trim()));
  if (values.size > 1) {
    throw new ConfigError(
      candidates.join(', '),
      `${candidates.join(' and ')} are both set, to different values (${candidates
        .map((candidate) => JSON.stringify(env[candidate]))
        .join(' and ')}): set one of them, to ${accepted}`,
    );
  }
  const raw = env[name]?.trim() ?? '';
  const value = Number(raw);
  if (!wholeNumber.test(raw) || value < setting.min || value > setting.max) {
    throw new ConfigError(name, `${name} must be ${accepted}, got ${JSON.stringify(env[name])}`);
  }
  return value;
}

/**
 * Reads an optional string; unset or blank gives `undefined`.
 */
export function readOptionalString(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * Reads one of `choices` (case-insensitive), or the default when the variable is not set.
 *
 * @throws {ConfigError} naming the variable when the value is empty or not one of them.
 */
export function readChoice<T extends string>(
  env: Env,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const value = raw.trim().toLowerCase();
  const choice = choices.find((candidate) => candidate === value);
  if (!choice) {
    throw new ConfigError(
      name,
      `${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`,
    );
  }
  return choice;
}

/**
 * Reads an optional IANA time zone name (e.g. `UTC`, `Europe/Bratislava`); unset gives
 * `undefined`.
 *
 * @throws {ConfigError} naming the variable when the value is empty or not a time zone.
 */
export function readTimeZone(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const value = raw.trim();
  try {
    if (!value) throw new RangeError('empty');
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    throw new ConfigError(
      name,
      `${name} must be an IANA time zone name such as UTC or Europe/Bratislava, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}
