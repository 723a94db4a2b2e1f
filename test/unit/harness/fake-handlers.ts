import type { JobHandler, JobHandlerContext } from '../../../functions/lambda/create-handler.js';
import type { RunRecord } from '../../../functions/runner/types.js';

/** One call of a fake handler. */
export interface Invocation {
  readonly event: { time?: string; 'detail-type'?: string };
  readonly context: JobHandlerContext;
  readonly remainingAtStart: number;
  /** Ends the run: resolves it (default) or rejects it with `error`. */
  finish(error?: unknown): void;
}

/** A test job's handler: records its calls; each run lasts until the test finishes it. */
export type FakeHandler = JobHandler & { readonly calls: Invocation[] };

/**
 * A handler for scheduler tests (no database involved): it records each invocation and
 * settles only when told to, or at once when `autoFinish` is set.
 */
export function fakeHandler(options: { autoFinish?: boolean } = {}): FakeHandler {
  const calls: Invocation[] = [];
  const handler = (event: unknown, context: JobHandlerContext) =>
    new Promise<RunRecord>((resolve, reject) => {
      const invocation: Invocation = {
        event: event as Invocation['event'],
        context,
        remainingAtStart: context.getRemainingTimeInMillis(),
        finish: (error) => (error === undefined ? resolve(record()) : reject(error)),
      };
      calls.push(invocation);
      if (options.autoFinish) invocation.finish();
    });
  const fake: FakeHandler = Object.assign(handler, {
    calls,
    checkConfig: () => undefined,
    close: async () => undefined,
    withEnv: () => fake,
  });
  return fake;
}

function record(): RunRecord {
  return {
    job: 'fake-job',
    runId: crypto.randomUUID(),
    trigger: 'schedule',
    scheduledTime: '',
    startedAt: '',
    endedAt: '',
    durationMs: 0,
    outcome: 'succeeded',
  };
}
