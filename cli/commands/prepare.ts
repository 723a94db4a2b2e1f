import { type LocalDatabase, openLocalDatabase } from '../../dev-db/local-database.js';
import type { CatalogueEntry } from '../../functions/catalogue/index.js';
import { HarnessLog, type MessageLogger } from '../../functions/log-messages.js';
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
 * Gets jobs ready to run locally: loads the handlers, checks their configuration (a
 * `ConfigError` stops here, before any database starts), opens the database and points the
 * handlers at it (their `DATABASE_URL`, given to them: `process.env` is left as it is); with a
 * history, each run's record goes there.
 */
export async function prepareJobs(
  entries: readonly CatalogueEntry[],
  flags: {
    readonly db: DbFlags;
    /**
     * Where each run's record is kept.
     * @default - no history
     */
    readonly history?: RunHistory;
  },
  logger: MessageLogger,
): Promise<PreparedJobs> {
  const { history } = flags;
  const loaded = await loadJobs(entries);
  for (const job of loaded) job.handler.checkConfig();
  const database = await openLocalDatabase({
    env: process.env,
    ...flags.db,
    logger,
  });
  const bound = loaded.map((job) => ({
    ...job,
    // As Lambda does for an on-demand function: each handler's first run is a cold start.
    handler: job.handler.withEnv({
      DATABASE_URL: database.url,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    }),
  }));
  const jobs = history
    ? bound.map((job) => ({
        ...job,
        handler: recordingRuns(job.handler, history, (error, record) =>
          logger.warn(HarnessLog.HistoryNotWritten, {
            job: record.job,
            runId: record.runId,
            error: describeError(error),
          }),
        ),
      }))
    : bound;
  return {
    jobs,
    database,
    async close() {
      await Promise.all(jobs.map((job) => job.handler.close()));
      await database.close();
    },
  };
}
