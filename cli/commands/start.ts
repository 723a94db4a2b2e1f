import type { CatalogueEntry } from '../../functions/catalogue/index.js';
import { ExitCode } from '../../functions/errors.js';
import { HarnessLog, type MessageLogger } from '../../functions/log-messages.js';
import type { RunHistory } from '../../harness/history/run-history.js';
import { Scheduler } from '../../harness/scheduler.js';
import type { DbFlags } from '../cli-args.js';
import { prepareJobs } from './prepare.js';

/** What `start` needs. */
export interface StartCommand {
  readonly entries: readonly CatalogueEntry[];
  readonly runNow: boolean;
  readonly shutdownTimeoutMs: number;
  readonly db: DbFlags;
  readonly metrics: boolean;
  /** Resolves with the reason when the process is asked to stop (see `watchStopRequests`). */
  readonly stopRequested: Promise<string>;
  /**
   * Where each run's record is kept.
   * @default - no history
   */
  readonly history?: RunHistory;
}

/**
 * Runs every job on its schedule (paused jobs, `enabled: false`, not at all) until asked to stop, then shuts down gracefully: no new
 * fires, running jobs' signals aborted and awaited up to the timeout, sessions closed, the
 * embedded database stopped.
 *
 * @returns 0 when every run settled in time, 1 when one had to be abandoned.
 */
export async function startScheduler(
  command: StartCommand,
  logger: MessageLogger,
): Promise<number> {
  const prepared = await prepareJobs(command.entries, command, logger);
  const paused = prepared.jobs.filter((job) => !job.entry.enabled);
  if (paused.length > 0) {
    logger.info(HarnessLog.JobsPaused, {
      jobs: paused.map((job) => job.entry.name),
      reason:
        'enabled: false in the catalogue: not scheduled (npm run jobs -- run <job> runs one by hand)',
    });
  }
  const scheduler = new Scheduler({
    jobs: prepared.jobs.filter((job) => job.entry.enabled),
    logger,
  });
  scheduler.start();
  if (command.runNow) scheduler.fireNow();
  const reason = await command.stopRequested;
  logger.info(HarnessLog.ShuttingDown, { reason, timeoutMs: command.shutdownTimeoutMs });
  const report = await scheduler.stop({ timeoutMs: command.shutdownTimeoutMs });
  await prepared.close();
  logger.info(HarnessLog.ShutDown, { abandoned: report.abandoned });
  return report.abandoned.length > 0 ? ExitCode.Failed : ExitCode.Ok;
}
