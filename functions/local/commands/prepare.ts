import type { Logger } from '@aws-lambda-powertools/logger';
import type { CatalogueEntry } from '../../catalogue/index.js';
import type { DbFlags } from '../cli-args.js';
import { loadJobs } from '../load-jobs.js';
import { type LocalDatabase, openLocalDatabase } from '../local-database.js';
import type { LocalJob } from '../scheduler.js';

/** Jobs loaded and checked, and the database they use. */
export interface PreparedJobs {
  readonly jobs: LocalJob[];
  readonly database: LocalDatabase;
  /** Closes the jobs' database sessions, then the database. */
  close(): Promise<void>;
}

/**
 * Gets jobs ready to run locally: hides metrics unless asked, loads their handlers, checks
 * their configuration (a `ConfigError` stops here, before any database starts), opens the
 * database and points the handlers at it.
 */
export async function prepareJobs(
  entries: readonly CatalogueEntry[],
  flags: { readonly db: DbFlags; readonly metrics: boolean },
  logger: Logger,
): Promise<PreparedJobs> {
  // Handlers create their Powertools Metrics when imported: decide before loading them.
  if (flags.metrics) process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  else process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const jobs = await loadJobs(entries);
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
