import { parseArgs } from 'node:util';
import { StageNameError, stackNameFor } from '../functions/catalogue/stack-outputs.js';
import { ConfigurationFault } from '../functions/errors.js';

export { usage } from './cli-usage.js';

/** A command line that does not parse; exit code 2. */
export class UsageError extends ConfigurationFault {
  override readonly name = 'UsageError';
}

/** Flags about the database. */
export interface DbFlags {
  readonly migrate: boolean;
  readonly seed: boolean;
  /** The embedded database's `locations` partitioned by day (`--partitioned`). */
  readonly partitioned: boolean;
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

/** What the command line asks for. */
export type Command =
  | { readonly name: 'help' }
  | { readonly name: 'list' }
  | { readonly name: 'db' }
  | {
      readonly name: 'run';
      readonly job: string;
      readonly dryRun: boolean;
      readonly db: DbFlags;
      readonly metrics: boolean;
      readonly json: boolean;
      /** Set for `--aws`: invoke the deployed function instead. */
      readonly aws?: AwsTarget;
    }
  | {
      readonly name: 'start';
      readonly runNow: boolean;
      readonly shutdownTimeoutMs: number;
      readonly db: DbFlags;
      readonly metrics: boolean;
      readonly json: boolean;
    }
  | {
      readonly name: 'history';
      /** Only this job's runs. */
      readonly job?: string;
      readonly limit: number;
      readonly json: boolean;
      readonly aws?: AwsTarget;
    }
  | { readonly name: 'status'; readonly json: boolean; readonly aws?: AwsTarget }
  | { readonly name: 'pause' | 'resume'; readonly job: string; readonly aws: AwsTarget };

const maxShutdownTimeoutSeconds = 3_600;
/** The most runs `history` shows. */
const maxHistoryLimit = 1_000;
const defaultHistoryLimit = 20;

const awsFlags = ['aws', 'stage', 'region'];

/** The flags each command takes. */
const flagsOf: Readonly<Record<string, readonly string[]>> = {
  list: [],
  db: [],
  run: ['dry-run', 'migrate', 'seed', 'partitioned', 'metrics', 'json', ...awsFlags],
  start: ['run-now', 'shutdown-timeout', 'migrate', 'seed', 'partitioned', 'metrics', 'json'],
  history: ['limit', 'json', ...awsFlags],
  status: ['json', ...awsFlags],
  pause: awsFlags,
  resume: awsFlags,
};

/**
 * Parses the CLI's arguments.
 *
 * @throws {UsageError} for an unknown command or flag, a missing job name, a flag that does
 *   not belong to the command, or a bad value.
 */
export function parseCommand(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { name: 'help' };
  const [name = 'start', ...rest] = positionals;
  const allowed = flagsOf[name];
  if (!allowed) {
    throw new UsageError(`unknown command "${name}": expected ${Object.keys(flagsOf).join(', ')}`);
  }
  const misplaced = Object.keys(values).find((flag) => !allowed.includes(flag));
  if (misplaced) throw new UsageError(`--${misplaced} does not apply to "${name}"`);
  const aws = awsTarget(values);
  if (aws) {
    const local = ['migrate', 'seed', 'partitioned', 'metrics'].find((flag) => flag in values);
    if (local) throw new UsageError(`--${local} does not apply with --aws`);
  }
  const db = {
    migrate: values.migrate ?? false,
    seed: values.seed ?? false,
    partitioned: values.partitioned ?? false,
  };
  const metrics = values.metrics ?? false;
  const json = values.json ?? false;
  const arguments_ = (count: 0 | 1, what: string) => {
    if (rest.length > count) {
      throw new UsageError(`"${name}" takes ${what}, got ${rest.join(' ')}`);
    }
    return rest[0];
  };
  switch (name) {
    case 'list':
    case 'db':
      arguments_(0, 'no arguments');
      return { name };
    case 'run': {
      const job = arguments_(1, 'one job');
      if (!job) throw new UsageError('"run" needs a job name: npm run jobs -- run <job>');
      return {
        name,
        job,
        dryRun: values['dry-run'] ?? false,
        db,
        metrics,
        json,
        ...(aws ? { aws } : {}),
      };
    }
    case 'start':
      arguments_(0, 'no arguments');
      return {
        name,
        runNow: values['run-now'] ?? false,
        shutdownTimeoutMs: shutdownTimeout(values['shutdown-timeout']),
        db,
        metrics,
        json,
      };
    case 'history': {
      const job = arguments_(1, 'at most one job');
      return {
        name,
        ...(job ? { job } : {}),
        limit: historyLimit(values.limit),
        json,
        ...(aws ? { aws } : {}),
      };
    }
    case 'status':
      arguments_(0, 'no arguments');
      return { name, json, ...(aws ? { aws } : {}) };
    default: {
      const command = name as 'pause' | 'resume';
      const job = arguments_(1, 'one job');
      if (!job)
        throw new UsageError(
          `"${command}" needs a job name: npm run jobs -- ${command} <job> --aws`,
        );
      if (!aws) {
        throw new UsageError(
          `"${command}" works on the deployed stack: add --aws (locally, set enabled: false in the job's catalogue entry)`,
        );
      }
      return { name: command, job, aws };
    }
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      'run-now': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      migrate: { type: 'boolean' },
      seed: { type: 'boolean' },
      partitioned: { type: 'boolean' },
      metrics: { type: 'boolean' },
      json: { type: 'boolean' },
      aws: { type: 'boolean' },
      stage: { type: 'string' },
      region: { type: 'string' },
      limit: { type: 'string' },
      'shutdown-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function awsTarget(values: {
  aws?: boolean;
  stage?: string;
  region?: string;
}): AwsTarget | undefined {
  if (!values.aws) {
    const stray = (['stage', 'region'] as const).find((flag) => values[flag] !== undefined);
    if (stray) throw new UsageError(`--${stray} goes with --aws`);
    return undefined;
  }
  let stackName: string;
  try {
    stackName = stackNameFor(values.stage);
  } catch (error) {
    if (error instanceof StageNameError) throw new UsageError(`--${error.message}`);
    throw error;
  }
  if (values.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(values.region)) {
    throw new UsageError(
      `--region must be an AWS region such as eu-west-1, got ${JSON.stringify(values.region)}`,
    );
  }
  return { stackName, ...(values.region ? { region: values.region } : {}) };
}

function shutdownTimeout(raw: string | undefined): number {
  if (raw === undefined) return 30_000;
  const seconds = Number(raw);
  if (!/^\d+$/.test(raw) || seconds > maxShutdownTimeoutSeconds) {
    throw new UsageError(
      `--shutdown-timeout must be a whole number of seconds from 0 to ${maxShutdownTimeoutSeconds}, got ${JSON.stringify(raw)}`,
    );
  }
  return seconds * 1_000;
}

function historyLimit(raw: string | undefined): number {
  if (raw === undefined) return defaultHistoryLimit;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > maxHistoryLimit) {
    throw new UsageError(
      `--limit must be a whole number from 1 to ${maxHistoryLimit}, got ${JSON.stringify(raw)}`,
    );
  }
  return limit;
}
