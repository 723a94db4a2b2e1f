import type { CatalogueEntry } from '../../functions/catalogue/index.js';
import { systemClock } from '../../functions/clock.js';
import { ExitCode } from '../../functions/errors.js';
import { JobFailedError } from '../../functions/lambda/create-handler.js';
import type { MessageLogger } from '../../functions/log-messages.js';
import type { RunHistory } from '../../harness/history/run-history.js';
import { localContext } from '../../harness/local-context.js';
import type { DbFlags } from '../cli-args.js';
import { prepareJobs } from './prepare.js';

/** What `jobs run` needs. */
export interface RunCommand {
  readonly entry: CatalogueEntry;
  readonly dryRun: boolean;
  readonly db: DbFlags;
  readonly metrics: boolean;
  /** Aborts the run (a stop request: SIGINT, SIGTERM, SIGHUP, closed output): it finishes its unit of work and ends `cut_short`. */
  readonly signal: AbortSignal;
  /**
   * Where each run's record is kept.
   * @default - no history
   */
  readonly history?: RunHistory;
}

/**
 * Runs one job now through its Lambda handler with a manual event (`{}` or
 * `{"dryRun": true}`). The run's log lines go to stdout as it runs.
 *
 * @returns 0 when the run succeeded, was cut short or skipped; 1 when it failed; 2 when it
 *   failed on its configuration (or its table is not fit to clean).
 */
export async function runOnce(command: RunCommand, logger: MessageLogger): Promise<number> {
  const prepared = await prepareJobs([command.entry], command, logger);
  try {
    const [job] = prepared.jobs;
    if (!job) throw new Error(`job ${command.entry.name} did not load`);
    const event = command.dryRun ? { dryRun: true } : {};
    await job.handler(event, localContext(command.entry, systemClock, command.signal));
    return ExitCode.Ok;
  } catch (error) {
    if (!(error instanceof JobFailedError)) throw error;
    return error.exitCode;
  } finally {
    await prepared.close();
  }
}
