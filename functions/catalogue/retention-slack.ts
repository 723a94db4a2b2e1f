import type { CatalogueEntry } from './job-spec.js';

/**
 * How long, in seconds, the oldest row a job leaves may lie before its run's cutoff before the
 * "retention breached" alarm fires: the catalogue's `retention.slackMinutes`, or two periods of
 * the job's schedule (twice its longest gap between two starts, a flexible window included).
 *
 * @returns `undefined` for a job that keeps no retention promise (no `retention` entry).
 */
export function retentionSlackSeconds(
  entry: Pick<CatalogueEntry, 'retention' | 'schedule'>,
): number | undefined {
  if (!entry.retention) return undefined;
  const { slackMinutes } = entry.retention;
  if (slackMinutes !== undefined) return slackMinutes * 60;
  return Math.ceil((2 * entry.schedule.longestStartGapMs) / 1_000);
}
