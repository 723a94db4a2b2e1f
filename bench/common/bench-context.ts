import { Logger } from '@aws-lambda-powertools/logger';
import { systemClock } from '../../functions/clock.js';
import type { JobContext } from '../../functions/runner/types.js';

/** A run context with no deadline (an hour), a silent logger and metrics that go nowhere. */
export function benchContext(): JobContext {
  return {
    jobName: 'location-cleanup',
    runId: 'bench',
    scheduledTime: new Date(),
    deadline: new Date(Date.now() + 3_600_000),
    trigger: 'manual',
    dryRun: false,
    signal: new AbortController().signal,
    logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
    metrics: { add: () => undefined },
    clock: systemClock,
  };
}
