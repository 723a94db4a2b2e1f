import { randomUUID } from 'node:crypto';
import type { CatalogueEntry } from '../catalogue/index.js';
import type { Clock } from '../clock.js';
import type { JobHandlerContext } from '../lambda/create-handler.js';

/** A fake account, region and log group: what a Lambda context carries, filled in locally. */
const localArn = (name: string) => `arn:aws:lambda:local:000000000000:function:${name}`;

/**
 * A Lambda-like context for a local invocation: its remaining time counts down from the
 * job's timeout on `clock`, and `shutdownSignal` aborts the run when the harness stops.
 */
export function localContext(
  entry: CatalogueEntry,
  clock: Clock,
  shutdownSignal?: AbortSignal,
): JobHandlerContext {
  const started = clock.now();
  const timeoutMs = entry.timeoutSeconds * 1_000;
  const requestId = randomUUID();
  const unsupported = () => {
    throw new Error('the local harness does not support Lambda callback-style completion');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: entry.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: localArn(entry.name),
    memoryLimitInMB: String(entry.memoryMiB),
    awsRequestId: requestId,
    logGroupName: `/local/${entry.name}`,
    logStreamName: requestId,
    getRemainingTimeInMillis: () => Math.max(0, started + timeoutMs - clock.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
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
