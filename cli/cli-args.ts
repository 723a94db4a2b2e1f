/**
 * The parser of the command line, made from the spec in command-spec.ts: the flags
 * `node:util` parses, which command takes which, their values checked, and the parsed
 * `Command` typed from the same spec.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { StageNameError, stackNameFor } from '../functions/catalogue/stack-outputs.js';
import { ConfigurationFault } from '../functions/errors.js';
import {
  awsOf,
  type CommandName,
  type CommandSpec,
  commandNames,
  commandPrefix,
  commands,
  defaultCommand,
  type FlagName,
  type FlagSpec,
  flagNames,
  flags,
  flagsOf,
  isCommandName,
  keyOf,
} from './command-spec.js';

export { usage } from './cli-usage.js';

/** A command line that does not parse; exit code 2. */
export class UsageError extends ConfigurationFault {
  override readonly name = 'UsageError';
}

/** Which deployed stack `--aws` commands work on. */
export interface AwsTarget {
  /** `LocationMaintenanceJobs`, or `LocationMaintenanceJobs-<stage>`. */
  readonly stackName: string;
  /**
   * `--region`.
   * @default - the AWS configuration's region (AWS_REGION, the profile)
   */
  readonly region?: string;
}

type Commands = typeof commands;
type Flags = typeof flags;
type Nothing = Record<never, never>;

/** The commands that take `--aws`. */
type AwsCommandName = {
  [C in CommandName]: Commands[C] extends { aws: string } ? C : never;
}[CommandName];

type CommandsOfFlag<F extends FlagName> = Flags[F]['commands'] extends 'all'
  ? CommandName
  : Flags[F]['commands'] extends 'aws'
    ? AwsCommandName
    : Flags[F]['commands'] extends readonly (infer C)[]
      ? C
      : never;

type FlagsOfCommand<C extends CommandName> = {
  [F in FlagName]: C extends CommandsOfFlag<F> ? F : never;
}[FlagName];

type FlagsInGroup<G extends string> = {
  [F in FlagName]: Flags[F] extends { group: G } ? F : never;
}[FlagName];

type Camel<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : S;

/** Distributes over `F` (`never` gives `never`, not the `string` an unresolved `infer` would). */
type KeyOfFlag<F extends FlagName> = F extends unknown
  ? Flags[F] extends { key: infer K extends string }
    ? K
    : Camel<F>
  : never;

type ValueOfFlag<F extends FlagName> = Flags[F]['type'] extends 'boolean'
  ? boolean
  : Flags[F]['type'] extends 'integer'
    ? number
    : string | undefined;

type ArgumentOf<C extends CommandName> = Commands[C] extends {
  argument: { name: infer N extends string; required: true };
}
  ? { readonly [K in N]: string }
  : Commands[C] extends { argument: { name: infer N extends string; required: false } }
    ? { readonly [K in N]?: string }
    : Nothing;

type OwnFlagsOf<C extends CommandName> = {
  readonly [F in Exclude<
    FlagsOfCommand<C>,
    FlagsInGroup<string> | 'help'
  > as KeyOfFlag<F>]: ValueOfFlag<F>;
};

type DbOf<C extends CommandName> = [Extract<FlagsOfCommand<C>, FlagsInGroup<'db'>>] extends [never]
  ? Nothing
  : { readonly db: DbFlags };

type AwsOf<C extends CommandName> = Commands[C] extends { aws: 'required' }
  ? { readonly aws: AwsTarget }
  : Commands[C] extends { aws: 'optional' }
    ? {
        /** Set for `--aws`: the command works on the deployed stack instead. */
        readonly aws?: AwsTarget;
      }
    : Nothing;

type Simplify<T> = { [K in keyof T]: T[K] } & Nothing;

/** Flags about the database (`--migrate`, `--seed`, `--partitioned`). */
export type DbFlags = { readonly [F in FlagsInGroup<'db'> as KeyOfFlag<F>]: boolean };

/** What the command line asks for with command `C`. */
export type ParsedCommand<C extends CommandName> = Simplify<
  { readonly name: C } & ArgumentOf<C> & OwnFlagsOf<C> & DbOf<C> & AwsOf<C>
>;

/** What the command line asks for. */
export type Command =
  | { readonly name: 'help' }
  | { [C in CommandName]: ParsedCommand<C> }[CommandName];

/** The options `node:util` `parseArgs` takes, one per flag of the spec. */
const parseOptions: NonNullable<ParseArgsConfig['options']> = Object.fromEntries(
  flagNames.map((flag) => {
    const spec: FlagSpec = flags[flag];
    const type = spec.type === 'boolean' ? 'boolean' : 'string';
    return [flag, { type, ...(spec.short ? { short: spec.short } : {}) }];
  }),
);

type Values = Partial<Record<FlagName, string | boolean>>;

/**
 * Parses the CLI's arguments.
 *
 * @throws {UsageError} for an unknown command or flag, a missing job name, a flag that does
 *   not belong to the command, or a bad value.
 */
export function parseCommand(argv: readonly string[]): Command {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: parseOptions,
    }) as { values: Values; positionals: string[] });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { name: 'help' };
  const [name = defaultCommand, ...rest] = positionals;
  if (!isCommandName(name)) {
    throw new UsageError(`unknown command "${name}": expected ${commandNames.join(', ')}`);
  }
  const allowed: readonly string[] = flagsOf(name);
  const misplaced = Object.keys(values).find((flag) => !allowed.includes(flag));
  if (misplaced) throw new UsageError(`--${misplaced} does not apply to "${name}"`);
  const aws = awsTarget(values);
  if (aws) {
    const local = flagNames.find((flag) => isLocal(flag) && flag in values);
    if (local) throw new UsageError(`--${local} does not apply with --aws`);
  }
  const parsed: Record<string, unknown> = { name, ...argumentOf(name, rest) };
  const db: Record<string, boolean> = {};
  for (const flag of flagsOf(name)) {
    const spec: FlagSpec = flags[flag];
    if (spec.group === 'aws' || flag === 'help') continue;
    const value = flagValue(flag, values[flag]);
    if (spec.group === 'db') db[keyOf(flag)] = value as boolean;
    else parsed[keyOf(flag)] = value;
  }
  if (Object.keys(db).length > 0) parsed.db = db;
  if (aws) parsed.aws = aws;
  else if (awsOf(name) === 'required') {
    const spec: CommandSpec = commands[name];
    throw new UsageError(
      `"${name}" works on the deployed stack: add --aws${spec.withoutAws ? ` (${spec.withoutAws})` : ''}`,
    );
  }
  return parsed as Command;
}

/** The command's argument, as a field named for it; none given, no field. */
function argumentOf(name: CommandName, rest: readonly string[]): Record<string, string> {
  const spec: CommandSpec = commands[name];
  const { argument } = spec;
  if (rest.length > (argument ? 1 : 0)) {
    const what = !argument
      ? 'no arguments'
      : argument.required
        ? `one ${argument.name}`
        : `at most one ${argument.name}`;
    throw new UsageError(`"${name}" takes ${what}, got ${rest.join(' ')}`);
  }
  const [value] = rest;
  if (!argument || value === undefined) {
    if (argument?.required) {
      const aws = awsOf(name) === 'required' ? ' --aws' : '';
      throw new UsageError(
        `"${name}" needs a ${argument.name} name: ${commandPrefix} ${name} <${argument.name}>${aws}`,
      );
    }
    return {};
  }
  return { [argument.name]: value };
}

function isLocal(flag: FlagName): boolean {
  const spec: FlagSpec = flags[flag];
  return spec.local === true;
}

/** A flag's value: a boolean's presence, an integer checked against its bounds and scaled. */
function flagValue(flag: FlagName, raw: string | boolean | undefined): unknown {
  const spec: FlagSpec = flags[flag];
  if (spec.type === 'boolean') return raw === true;
  if (spec.type === 'string' || typeof raw === 'boolean') return raw;
  const scale = spec.scale ?? 1;
  if (raw === undefined) return spec.default === undefined ? undefined : spec.default * scale;
  const number = Number(raw);
  const min = spec.min ?? 0;
  const max = spec.max ?? Number.MAX_SAFE_INTEGER;
  if (!/^\d+$/.test(raw) || number < min || number > max) {
    const unit = spec.unit ? ` of ${spec.unit}` : '';
    throw new UsageError(
      `--${flag} must be a whole number${unit} from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return number * scale;
}

function awsTarget(values: Values): AwsTarget | undefined {
  const stage = values.stage as string | undefined;
  const region = values.region as string | undefined;
  if (!values.aws) {
    const stray = (['stage', 'region'] as const).find((flag) => values[flag] !== undefined);
    if (stray) throw new UsageError(`--${stray} goes with --aws`);
    return undefined;
  }
  let stackName: string;
  try {
    stackName = stackNameFor(stage);
  } catch (error) {
    if (error instanceof StageNameError) throw new UsageError(`--${error.message}`);
    throw error;
  }
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new UsageError(
      `--region must be an AWS region such as eu-west-1, got ${JSON.stringify(region)}`,
    );
  }
  return { stackName, ...(region ? { region } : {}) };
}
