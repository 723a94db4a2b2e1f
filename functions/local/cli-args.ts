import { parseArgs } from 'node:util';

/** The CLI's usage text. */
export const usage = `Usage:
  npm start [-- options]                  run every job on its schedule (the local harness)
  npm run jobs -- list                    every job, its schedule, time zone, timeout and next 3 runs
  npm run jobs -- run <job> [options]     run one job now, through its Lambda handler
  npm run jobs -- start [options]         same as npm start

Options:
  --run-now                 start: also fire every job once at start
  --dry-run                 run: count what would be done, change nothing
  --migrate                 with DATABASE_URL: apply the schema migrations first
  --seed                    write demo data first (always done on the embedded database's first start)
  --shutdown-timeout <s>    start: seconds to wait for running jobs on SIGINT/SIGTERM (default 30)
  --metrics                 print the runs' metrics (CloudWatch EMF lines), hidden by default
  -h, --help                this text

Without DATABASE_URL an embedded PostgreSQL is started, with its data under .local/postgres
(LOCAL_POSTGRES_DIR to change). Exit codes: 0 ok (succeeded, cut short or skipped),
1 a run failed or had to be abandoned, 2 usage or configuration error.`;

/** A command line that does not parse; exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What the command line asks for. */
export type Command =
  | { readonly name: 'help' }
  | { readonly name: 'list' }
  | {
      readonly name: 'run';
      readonly job: string;
      readonly dryRun: boolean;
      readonly db: DbFlags;
      readonly metrics: boolean;
    }
  | {
      readonly name: 'start';
      readonly runNow: boolean;
      readonly shutdownTimeoutMs: number;
      readonly db: DbFlags;
      readonly metrics: boolean;
    };

/** Flags about the database. */
export interface DbFlags {
  readonly migrate: boolean;
  readonly seed: boolean;
}

const maxShutdownTimeoutSeconds = 3_600;

/**
 * Parses the CLI's arguments.
 *
 * @throws {UsageError} for an unknown command or flag, a missing job name, a flag that does
 *   not belong to the command, or a bad number.
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
  const db = { migrate: values.migrate ?? false, seed: values.seed ?? false };
  const metrics = values.metrics ?? false;
  const only = (allowed: readonly string[]) => {
    const misplaced = Object.keys(values).filter((flag) => !allowed.includes(flag));
    if (misplaced.length > 0) {
      throw new UsageError(`--${misplaced[0]} does not apply to "${name}"`);
    }
  };
  switch (name) {
    case 'list':
      only([]);
      if (rest.length > 0) throw new UsageError(`"list" takes no arguments, got ${rest.join(' ')}`);
      return { name };
    case 'run': {
      only(['dry-run', 'migrate', 'seed', 'metrics']);
      const [job, ...extra] = rest;
      if (!job) throw new UsageError('"run" needs a job name: npm run jobs -- run <job>');
      if (extra.length > 0) throw new UsageError(`"run" takes one job, got ${rest.join(' ')}`);
      return { name, job, dryRun: values['dry-run'] ?? false, db, metrics };
    }
    case 'start':
      only(['run-now', 'shutdown-timeout', 'migrate', 'seed', 'metrics']);
      if (rest.length > 0)
        throw new UsageError(`"start" takes no arguments, got ${rest.join(' ')}`);
      return {
        name,
        runNow: values['run-now'] ?? false,
        shutdownTimeoutMs: shutdownTimeout(values['shutdown-timeout']),
        db,
        metrics,
      };
    default:
      throw new UsageError(`unknown command "${name}": expected list, run or start`);
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
      metrics: { type: 'boolean' },
      'shutdown-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
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
