/** The least time kept back from Lambda's timeout. */
export const minDeadlineMarginMs = 1_000;
/** The most time kept back from Lambda's timeout. */
export const maxDeadlineMarginMs = 30_000;

/**
 * How long before Lambda's timeout the job's signal aborts: a tenth of the remaining time,
 * at least 1 s and at most 30 s. That leaves the job time to finish the unit of work in
 * progress (each bounded by its own statement timeout) and the runner time to log and
 * publish metrics, before Lambda stops the process.
 */
export function deadlineMargin(remainingMs: number): number {
  return Math.min(maxDeadlineMarginMs, Math.max(minDeadlineMarginMs, Math.round(remainingMs / 10)));
}
