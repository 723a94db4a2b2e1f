import type { RunRecord } from '../../functions/runner/types.js';

/**
 * The record of a run of `job` started at `startedAt` (ISO): a scheduled run that succeeded
 * in 812 ms, deleting 100,356 rows in 11 batches, unless `fields` say otherwise.
 */
export function runRecord(
  job: string,
  startedAt: string,
  fields: Partial<RunRecord> = {},
): RunRecord {
  return {
    job,
    runId: `${job}@${startedAt}`,
    trigger: 'schedule',
    scheduledTime: startedAt,
    startedAt,
    endedAt: startedAt,
    durationMs: 812,
    outcome: 'succeeded',
    result: { deleted: 100_356, batches: 11, complete: true, dryRun: false },
    ...fields,
  };
}
