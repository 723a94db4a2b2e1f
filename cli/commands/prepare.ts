import type { Logger } from '@aws-lambda-powertools/logger';
import { type LocalDatabase, openLocalDatabase } from '../../dev-db/local-database.js';
import type { CatalogueEntry } from '../../functions/catalogue/index.js';
import { HarnessLog } from '../../functions/log-messages.js';
import { describeError } from '../../functions/runner/errors.js';
import { recordingRuns } from '../../harness/history/record-runs.js';
import type { RunHistory } from '../../harness/history/run-history.js';
import { loadJobs } from '../../harness/load-jobs.js';
import type { LocalJob } from '../../harness/scheduler.js';
import type { DbFlags } from '../cli-args.js';

/** Jobs loaded and checked, and the database they use. */
export interface PreparedJobs {
  readonly jobs: LocalJob[];
  readonly database: LocalDatabase;
  /** Closes the jobs' database sessions, then the database. */
  close(): Promise<void>;
}

/**
 * Gets jobs ready to run locally: hides metrics unless asked, makes each handler an
 * on-demand Lambda instance (its first run is a cold start), loads the handlers, checks
 * their configuration (a `ConfigError` stops here, before any database starts), opens the
 * database and points the handlers at it; with a history, each run's record goes there.
 */
export async function prepareJobs(
  entries: readonly CatalogueEntry[],
  flags: {
    readonly db: DbFlags;
    readonly metrics: boolean;
    /**
     * Where each run's record is kept.
     * @default - no history
     */
    readonly history?: RunHistory;
  },
  logger: Logger,
): Promise<PreparedJobs> {
  // Handlers create their Powertools Logger and Metrics when imported: set up before loading.
  if (flags.metrics) process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  else process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // As Lambda does for an on-demand function: each handler's first run logs `cold_start: true`.
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE ??= 'on-demand';
  const { history } = flags;
  const loaded = await loadJobs(entries);
  const jobs = history
    ? loaded.map((job) => ({
        ...job,
        handler: recordingRuns(job.handler, history, (error, record) =>
          logger.warn(HarnessLog.HistoryNotWritten, {
            job: record.job,
            runId: record.runId,
            error: describeError(error),
          }),
        ),
      }))
    : loaded;
  for (const job of jobs) job.handler.checkConfig();
  const database = await openLocalDatabase({
    env: process.env,
    ...flags.db,
    note: (message, fields) => logger.info(message, fields ?? {}),
  });
  // The handlers read DATABASE_URL at each run.
  process.env.DATABASE_URL = database.url;
  return {
    jobs,
    database,
    async close() {
      await Promise.all(jobs.map((job) => job.handler.close()));
      await database.close();
    },
  };
}
