/**
 * The local harness's command line: `npm start`, `npm run jobs -- list | run <job> | start`.
 * See `usage` in cli-args.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { CatalogueError, findJob } from '../catalogue/index.js';
import { ConfigError } from '../config/env.js';
import { parseCommand, UsageError, usage } from './cli-args.js';
import { formatJobList } from './commands/list.js';
import { ExitCode, runOnce } from './commands/run.js';
import { startScheduler } from './commands/start.js';
import { localCatalogue } from './local-catalogue.js';

/** Resolves with the signal's name on the first SIGINT or SIGTERM. */
function stopRequested(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      resolve(signal);
      // A second signal during shutdown: say that it is under way.
      process.on('SIGINT', () => console.error('shutdown under way, waiting for running jobs'));
      process.on('SIGTERM', () => console.error('shutdown under way, waiting for running jobs'));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  const logger = new Logger({ serviceName: 'local-harness' });
  const catalogue = localCatalogue();
  switch (command.name) {
    case 'help':
      console.log(usage);
      return ExitCode.Ok;
    case 'list':
      console.log(formatJobList(catalogue, Date.now()));
      return ExitCode.Ok;
    case 'run': {
      const entry = findJob(command.job, catalogue);
      if (!entry) {
        throw new UsageError(
          `unknown job "${command.job}": expected one of ${catalogue.map((job) => job.name).join(', ')}`,
        );
      }
      const abort = new AbortController();
      void stopRequested().then((signal) => abort.abort(new Error(`${signal} received`)));
      return runOnce({ ...command, entry, signal: abort.signal }, logger);
    }
    case 'start':
      return startScheduler(
        { ...command, entries: catalogue, stopRequested: stopRequested() },
        logger,
      );
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const usageOrConfig =
    error instanceof UsageError || error instanceof ConfigError || error instanceof CatalogueError;
  console.error(`error: ${(error as Error).message}`);
  if (error instanceof UsageError) console.error('run with --help for usage');
  process.exitCode = usageOrConfig ? ExitCode.Usage : ExitCode.Failed;
}
// Abandoned runs may still hold the event loop: exit with the code decided.
process.exit();
