import type { Env } from '../../functions/config/env.js';
import { JobFailedError, type JobHandler } from '../../functions/lambda/create-handler.js';
import type { RunRecord } from '../../functions/runner/types.js';
import type { RunHistory } from './run-history.js';

/**
 * The handler, with each run's record (succeeded, failed, skipped or cut short) added to the
 * history before the run counts as over. A history that cannot be written is reported to
 * `onError` and never fails the run.
 */
export function recordingRuns(
  handler: JobHandler,
  history: RunHistory,
  onError: (error: unknown, record: RunRecord) => void,
): JobHandler {
  const save = (record: RunRecord) =>
    history.append(record).catch((error: unknown) => onError(error, record));
  const recorded = async (...args: Parameters<JobHandler>) => {
    try {
      const record = await handler(...args);
      await save(record);
      return record;
    } catch (error) {
      if (error instanceof JobFailedError) await save(error.record);
      throw error;
    }
  };
  return Object.assign(recorded, {
    checkConfig: () => handler.checkConfig(),
    close: () => handler.close(),
    withEnv: (env: Env) => recordingRuns(handler.withEnv(env), history, onError),
  });
}
