import type { CatalogueEntry } from '../functions/catalogue/index.js';
import type { Clock } from '../functions/clock.js';
import type { JobHandlerContext } from '../functions/lambda/create-handler.js';

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
