import type { CatalogueEntry } from '../../functions/catalogue/index.js';
import { TriggerKind } from '../../functions/schedule/trigger-kind.js';
import { type LastRuns, lastRuns } from '../../harness/history/last-runs.js';
import type { HistoryEntry, RunHistory } from '../../harness/history/run-history.js';
import { formatMoment } from '../../harness/output/format-values.js';
import { lastRunCells } from '../../harness/output/last-run-cells.js';
import { formatTable } from '../../harness/output/table.js';

/** One job's state on this machine. */
export interface LocalJobStatus extends LastRuns {
  readonly job: string;
  /** The cron or rate expression; for a zoned or flexible job, with its zone and window. */
  readonly schedule: string;
  /** `enabled: false` in the catalogue: `start` does not schedule it. */
  readonly paused: boolean;
  /**
   * When `start` would fire it next, counted from now.
   * @default - none: paused, or the schedule has ended
   */
  readonly nextRun?: string;
}

/**
 * Each catalogued job's schedule, whether it is paused, its next run (as `start` begun now
 * would fire it) and, from the run history, its last run and last successful run.
 */
export async function localStatus(
  entries: readonly CatalogueEntry[],
  history: RunHistory,
  now: number,
): Promise<LocalJobStatus[]> {
  return Promise.all(
    entries.map(async (entry) => {
      const runs: HistoryEntry[] = await history.read({
        job: entry.name,
        limit: history.maxPerJob,
      });
      const next = entry.enabled ? entry.schedule.next(now, now) : undefined;
      return {
        job: entry.name,
        // A UTC job's expression as it is; a zoned (or flexible) one's with its zone and window.
        schedule:
          entry.schedule.triggerKind === TriggerKind.Rule
            ? entry.schedule.expression
            : entry.schedule.describe(),
        paused: !entry.enabled,
        ...(next !== undefined ? { nextRun: new Date(next).toISOString() } : {}),
        ...lastRuns(runs),
      };
    }),
  );
}

/** The statuses as one table, ages counted from `now`. */
export function formatLocalStatus(statuses: readonly LocalJobStatus[], now: number): string {
  return formatTable(
    ['job', 'schedule', 'state', 'next run (UTC)', 'last run', 'last successful run'],
    statuses.map((status) => [
      status.job,
      status.schedule,
      status.paused ? 'paused' : 'active',
      status.nextRun ? formatMoment(status.nextRun, now) : '-',
      ...lastRunCells(status, now, 'never'),
    ]),
  );
}
