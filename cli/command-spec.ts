/**
 * The command line, declared once: every command and every flag, with its arguments,
 * description, default, bounds, the commands that take it and how it goes with `--aws`.
 * The parser (cli-args.ts), the `--help` text (cli-usage.ts) and the Markdown reference
 * (cli-reference.ts, written to docs/reference/cli.md by `npm run docs`) are made from it.
 *
 * Descriptions mark code with backticks: the Markdown keeps them, `--help` drops them.
 */

/** One command. */
export interface CommandSpec {
  /** What it does, one sentence for people. */
  readonly summary: string;
  /**
   * Its one positional argument.
   * @default - none: extra words are refused
   */
  readonly argument?: { readonly name: string; readonly required: boolean };
  /**
   * `optional`: runs locally, or on the deployed stack with `--aws`; `required`: only with
   * `--aws`.
   * @default - local only: `--aws`, `--stage` and `--region` are refused
   */
  readonly aws?: 'optional' | 'required';
  /** With `aws: 'required'`: what to do locally instead, said when `--aws` is missing. */
  readonly withoutAws?: string;
  /**
   * The npm script that runs this command.
   * @default - none: `npm run jobs -- <command>`
   */
  readonly shortcut?: string;
}

/** One flag. */
export interface FlagSpec {
  /** `boolean`: a switch; `integer`: a whole number within `min`..`max`; `string`: any text. */
  readonly type: 'boolean' | 'integer' | 'string';
  /** What it does, one phrase for people. */
  readonly description: string;
  /**
   * The commands that take it: a list, `'aws'` (those that take `--aws`), or `'all'`.
   */
  readonly commands: readonly CommandName[] | 'aws' | 'all';
  /**
   * Where the parsed value goes: `db` into the command's `db` flags, `aws` into its AWS
   * target (`--aws` itself, `--stage`, `--region`).
   * @default - a field of the command itself
   */
  readonly group?: 'db' | 'aws';
  /**
   * The field of the parsed command.
   * @default - the flag's name in camelCase (`dry-run`: `dryRun`)
   */
  readonly key?: string;
  /** Refused with `--aws`: it is about the local run. */
  readonly local?: boolean;
  /** The placeholder of its value in the usage text (`--limit <n>`). */
  readonly value?: string;
  /** A one-letter alias (`-h`). */
  readonly short?: string;
  /** Integers: the smallest value taken. */
  readonly min?: number;
  /** Integers: the largest value taken. */
  readonly max?: number;
  /** Integers: the value when the flag is not given. */
  readonly default?: number;
  /** Integers: the unit of the value, as said in messages (`seconds`). */
  readonly unit?: string;
  /**
   * Integers: the parsed value is multiplied by this (seconds given, milliseconds kept).
   * @default 1
   */
  readonly scale?: number;
}

/** The command run when none is given (`npm start` and `npm run jobs` alone). */
export const defaultCommand = 'start';

/** How the commands are run: `npm run jobs -- <command>`. */
export const commandPrefix = 'npm run jobs --';

/** The commands, in the order `--help` and the reference list them. */
export const commands = {
  start: {
    summary: 'run every job that is not paused on its schedule until stopped (the local harness)',
    shortcut: 'npm start',
  },
  run: {
    summary: 'run one job now, through its Lambda handler, with a manual event',
    argument: { name: 'job', required: true },
    aws: 'optional',
  },
  list: {
    summary: 'every job: schedule, time zone, timeout, memory and the next 3 runs',
  },
  status: {
    summary:
      'every job: schedule, paused or not, next run, last run, last successful run, and the oldest row left (as last measured) against its retention',
    aws: 'optional',
  },
  history: {
    summary: 'the last runs, newest first',
    argument: { name: 'job', required: false },
    aws: 'optional',
  },
  db: {
    summary:
      'a URL psql takes for the jobs\' database (`psql "$(npm run -s jobs -- db)"`): with `DATABASE_URL`, that URL, its password masked; otherwise the embedded PostgreSQL\'s, started in the background if it is not running',
  },
  pause: {
    summary: "disable the deployed job's trigger now",
    argument: { name: 'job', required: true },
    aws: 'required',
    withoutAws: "locally, set enabled: false in the job's catalogue entry",
  },
  resume: {
    summary: "enable the deployed job's trigger again",
    argument: { name: 'job', required: true },
    aws: 'required',
    withoutAws: "locally, set enabled: false in the job's catalogue entry",
  },
} as const satisfies Record<string, CommandSpec>;

/** A command's name. */
export type CommandName = keyof typeof commands;

/** The flags, in the order `--help` and the reference list them. */
export const flags = {
  'run-now': {
    type: 'boolean',
    commands: ['start'],
    description: 'also fire every job once at start',
  },
  'dry-run': {
    type: 'boolean',
    commands: ['run'],
    description: 'the manual event `{"dryRun": true}`: count what would be done, change nothing',
  },
  migrate: {
    type: 'boolean',
    commands: ['run', 'start'],
    group: 'db',
    local: true,
    description:
      'with `DATABASE_URL`: apply the schema migrations first (always done on the embedded database)',
  },
  seed: {
    type: 'boolean',
    commands: ['run', 'start'],
    group: 'db',
    local: true,
    description:
      "write demo data first (always done on the embedded database's first start; with `DATABASE_URL`, for a development copy only): 40 devices with `LOCAL_DEMO_LOCATIONS_PER_DEVICE` location fixes each (5,000 by default)",
  },
  partitioned: {
    type: 'boolean',
    commands: ['run', 'start'],
    group: 'db',
    local: true,
    description:
      "the embedded database's `locations` partitioned by day (converted once, demo rows kept), to see the cleanup drop whole partitions",
  },
  'shutdown-timeout': {
    type: 'integer',
    commands: ['start'],
    key: 'shutdownTimeoutMs',
    value: 's',
    min: 0,
    max: 3_600,
    default: 30,
    unit: 'seconds',
    scale: 1_000,
    description: 'how long a stop request waits for running jobs',
  },
  metrics: {
    type: 'boolean',
    commands: ['run', 'start'],
    local: true,
    description:
      "print the runs' metrics (CloudWatch EMF lines), hidden locally by default (`POWERTOOLS_METRICS_DISABLED=true` unless you set it)",
  },
  json: {
    type: 'boolean',
    commands: ['run', 'start', 'history', 'status'],
    description:
      'JSON lines: for run and start, the log lines as Lambda writes them (the default when output is not a terminal); for history and status, one object per line instead of a table',
  },
  limit: {
    type: 'integer',
    commands: ['history'],
    value: 'n',
    min: 1,
    max: 1_000,
    default: 20,
    description: 'how many runs',
  },
  stop: {
    type: 'boolean',
    commands: ['db'],
    description:
      'stop the embedded PostgreSQL that `db` left running in the background (one that a running `start` or `run` started is left to it)',
  },
  aws: {
    type: 'boolean',
    commands: 'aws',
    group: 'aws',
    description:
      'on the deployed stack in AWS (credentials from the usual AWS chain: environment, profile, SSO, ...)',
  },
  stage: {
    type: 'string',
    commands: 'aws',
    group: 'aws',
    value: 'name',
    description: 'the stack of that stage (`LocationMaintenanceJobs-<name>`)',
  },
  region: {
    type: 'string',
    commands: 'aws',
    group: 'aws',
    value: 'region',
    description: "the stack's region (default: the AWS configuration's)",
  },
  help: {
    type: 'boolean',
    commands: 'all',
    short: 'h',
    description: 'print the usage text',
  },
} as const satisfies Record<string, FlagSpec>;

/** A flag's name, without its dashes. */
export type FlagName = keyof typeof flags;

/** What `--help` and the reference say after the commands and options. */
export const notes = [
  'Without `DATABASE_URL` an embedded PostgreSQL is started (or the one already running on its folder used), with its data under `.local/postgres` (`LOCAL_POSTGRES_DIR` to change; `POSTGRES_VERSION=14` runs PostgreSQL 14 on `.local/postgres-14`); run history is kept under `.local/history` (`LOCAL_HISTORY_DIR`).',
  'Exit codes: 0 ok (succeeded, cut short or skipped), 1 a run failed or had to be abandoned, or an AWS request failed, 2 usage or configuration error (no AWS credentials, no such stack).',
] as const;

/** Every command's name, in order. */
export const commandNames = Object.keys(commands) as CommandName[];

/** Every flag's name, in order. */
export const flagNames = Object.keys(flags) as FlagName[];

/** The commands that take `flag`. */
export function commandsOf(flag: FlagName): readonly CommandName[] {
  const spec: FlagSpec = flags[flag];
  if (spec.commands === 'all') return commandNames;
  if (spec.commands === 'aws') return commandNames.filter((name) => awsOf(name) !== undefined);
  return spec.commands;
}

/** The flags `command` takes, in order (`--help` included). */
export function flagsOf(command: CommandName): readonly FlagName[] {
  return flagNames.filter((flag) => commandsOf(flag).includes(command));
}

/** Whether `command` runs locally only, takes `--aws`, or needs it. */
export function awsOf(command: CommandName): CommandSpec['aws'] {
  const spec: CommandSpec = commands[command];
  return spec.aws;
}

/** The parsed command's field for `flag`: its `key`, or its name in camelCase. */
export function keyOf(flag: FlagName): string {
  const spec: FlagSpec = flags[flag];
  return spec.key ?? flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Whether `name` is a command's. */
export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}
