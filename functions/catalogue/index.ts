import { join } from 'node:path';
import { Schedule } from '../schedule/schedule.js';
import { type CatalogueEntry, defineCatalogue } from './job-spec.js';

export type { CatalogueEntry, JobSpec, RetentionWatch } from './job-spec.js';
export { CatalogueError, defineCatalogue } from './job-spec.js';
export { retentionSlackSeconds } from './retention-slack.js';
export { type JobTimeZones, parseJobTimeZones, withTimeZones } from './time-zones.js';

/**
 * Every scheduled job: the one list that the CDK stack deploys and the local harness runs.
 * Adding a job = a folder `functions/jobs/<name>/` with a `handler.ts` + an entry here.
 */
export const catalogue: readonly CatalogueEntry[] = defineCatalogue([
  {
    name: 'location-cleanup',
    description: 'Deletes location fixes older than the retention period, in batches.',
    schedule: Schedule.hourly({ minute: 15 }),
    timeoutSeconds: 300,
    memoryMiB: 256,
    // "Retention breached" when a fix older than the retention stays over 2 hours.
    retention: {},
  },
  {
    name: 'idempotency-key-purge',
    description: 'Deletes expired idempotency keys, in batches.',
    // 03:30 UTC unless a deployment sets its zone (context jobTimeZones, e.g.
    // {"idempotency-key-purge": "Europe/Bratislava"}): a zone here would move every
    // deployment's purge, and its trigger from a rule to a Scheduler schedule.
    schedule: Schedule.daily({ hour: 3, minute: 30 }),
    timeoutSeconds: 300,
    memoryMiB: 256,
    // "Retention breached" when a key expired over 2 days ago is still there.
    retention: {},
  },
]);

/** The folder holding one folder per job. */
export const jobsDir = join(import.meta.dirname, '..', 'jobs');

/** The Lambda entry file of a job: `functions/jobs/<name>/handler.ts`, exporting `handler`. */
export function handlerEntry(jobName: string, dir = jobsDir): string {
  return join(dir, jobName, 'handler.ts');
}

/** Looks a job up by name. */
export function findJob(name: string, entries = catalogue): CatalogueEntry | undefined {
  return entries.find((entry) => entry.name === name);
}
