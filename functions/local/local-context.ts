import { randomUUID } from 'node:crypto';
import type { CatalogueEntry } from '../catalogue/index.js';
import type { Clock } from '../clock.js';
import type { JobHandlerContext } from '../lambda/create-handler.js';

/**
 * The context of a local invocation: its remaining time counts down from the job's timeout on
 * `clock`, and `shutdownSignal` aborts the run when the harness stops. Nothing else: there is
 * no function, ARN, memory limit or request id here to report, so none is made up (the run's
 * lines carry `runId`).
 */
export function localContext(
  entry: CatalogueEntry,
  clock: Clock,
  shutdownSignal?: AbortSignal,
): JobHandlerContext {
  const started = clock.now();
  const timeoutMs = entry.timeoutSeconds * 1_000;
  return {
    getRemainingTimeInMillis: () => Math.max(0, started + timeoutMs - clock.now()),
    ...(shutdownSignal ? { shutdownSignal } : {}),
  };
}

/** An EventBridge Scheduled Event for a fire at `time`, as the cloud rule would send it. */
export function scheduledEventFor(entry: CatalogueEntry, time: number) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    // EventBridge gives whole seconds.
    time: new Date(Math.floor(time / 1_000) * 1_000).toISOString().replace('.000Z', 'Z'),
    region: 'local',
    resources: [`arn:aws:events:local:000000000000:rule/${entry.name}`],
    detail: {},
  };
}
