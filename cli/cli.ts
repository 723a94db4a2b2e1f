/**
 * The jobs' command line: `npm start`, `npm run jobs -- <command>`; locally, or with `--aws`
 * on the deployed stack. See `usage` in cli-usage.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { type CatalogueEntry, findJob } from '../functions/catalogue/index.js';
import { ExitCode, MaintenanceError } from '../functions/errors.js';
import { historyDir, RunHistory } from '../harness/history/run-history.js';
import { localCatalogue } from '../harness/local-catalogue.js';
import { jsonLines } from '../harness/output/format-values.js';
import { humanLineLogger } from '../harness/output/human-line-logger.js';
import { chooseOutputMode, installOutput } from '../harness/output/output-mode.js';
import type { AwsCommand } from './aws/aws-commands.js';
import { type Command, parseCommand, UsageError, usage } from './cli-args.js';
import { locateDatabase, stopDatabase } from './commands/db.js';
import { formatHistory } from './commands/history.js';
import { formatJobList } from './commands/list.js';
import { runOnce } from './commands/run.js';
import { startScheduler } from './commands/start.js';
import { formatLocalStatus, localStatus } from './commands/status.js';
import { watchStopRequests } from './stop-requests.js';

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  if ('aws' in command && command.aws) {
    // The AWS SDK clients load only for the commands that use them.
    const { runAwsCommand } = await import('./aws/aws-commands.js');
    return runAwsCommand(command as AwsCommand, {
      print: (text) => console.log(text),
      logger: humanLineLogger((line) => console.error(line)),
      isTerminal: Boolean(process.stdout.isTTY),
    });
  }
  return runLocal(command);
}

async function runLocal(command: Command): Promise<number> {
  const history = new RunHistory({ dir: historyDir(process.env) });
  switch (command.name) {
    case 'help':
      console.log(usage);
      return ExitCode.Ok;
    case 'list':
      console.log(formatJobList(jobs(), Date.now()));
      return ExitCode.Ok;
    case 'db': {
      if (command.stop) {
        const { code, message } = await stopDatabase(process.env, (line) => console.error(line));
        console.error(message);
        return code;
      }
      const where = await locateDatabase(process.env, (line) => console.error(line));
      console.log(where.url);
      for (const note of where.notes) console.error(`(${note})`);
      return ExitCode.Ok;
    }
    case 'history': {
      if (command.job) knownJob(command.job);
      const entries = await history.read({ limit: command.limit, ...jobFilter(command.job) });
      console.log(command.json ? jsonLines(entries) : formatHistory(entries));
      return ExitCode.Ok;
    }
    case 'status': {
      const now = Date.now();
      const statuses = await localStatus(jobs(), history, now);
      console.log(command.json ? jsonLines(statuses) : formatLocalStatus(statuses, now));
      return ExitCode.Ok;
    }
    case 'run': {
      const entry = knownJob(command.job);
      const restore = installJobOutput(command);
      try {
        const abort = new AbortController();
        void watchStopRequests().requested.then((reason) =>
          abort.abort(new Error(`${reason}: stopping`)),
        );
        return await runOnce({ ...command, entry, signal: abort.signal, history }, harnessLogger());
      } finally {
        restore();
      }
    }
    case 'start': {
      const restore = installJobOutput(command);
      try {
        return await startScheduler(
          { ...command, entries: jobs(), stopRequested: watchStopRequests().requested, history },
          harnessLogger(),
        );
      } finally {
        restore();
      }
    }
    case 'pause':
    case 'resume':
      // parseCommand lets these through only with --aws.
      throw new UsageError(`"${command.name}" needs --aws`);
  }
}

let loaded: readonly CatalogueEntry[] | undefined;

/** The catalogue with cdk.json's time zones, as the stack deploys it (read once). */
function jobs(): readonly CatalogueEntry[] {
  loaded ??= localCatalogue();
  return loaded;
}

function harnessLogger(): Logger {
  return new Logger({ serviceName: 'local-harness' });
}

/** Lines for people on a terminal, unless `--json`; the JSON lines as they are otherwise. */
function installJobOutput(flags: { json: boolean; metrics: boolean }): () => void {
  const mode = chooseOutputMode(flags.json, process.stdout);
  return installOutput(mode, [process.stdout, process.stderr], {
    jobWidth: jobWidth(),
    metrics: flags.metrics,
  });
}

/** The job column's width in lines for people: the longest job name's. */
function jobWidth(): number {
  return Math.max(...jobs().map((entry) => entry.name.length));
}

function knownJob(name: string): CatalogueEntry {
  const entry = findJob(name, jobs());
  if (!entry) {
    throw new UsageError(
      `unknown job "${name}": expected one of ${jobs()
        .map((job) => job.name)
        .join(', ')}`,
    );
  }
  return entry;
}

function jobFilter(job: string | undefined): { job?: string } {
  return job ? { job } : {};
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const exitCode = error instanceof MaintenanceError ? error.exitCode : ExitCode.Failed;
  console.error(`error: ${(error as Error).message}`);
  if (error instanceof UsageError) console.error('run with --help for usage');
  process.exitCode = exitCode;
}
// Abandoned runs may still hold the event loop: exit with the code decided.
process.exit();
