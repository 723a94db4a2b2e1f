import { type CatalogueEntry, retentionSlackSeconds } from '../../functions/catalogue/index.js';
import { TriggerKind } from '../../functions/schedule/trigger-kind.js';
import {
  lastMeasurement,
  type OldestRowMeasurement,
} from '../../harness/history/last-measurement.js';
import { type LastRuns, lastRuns } from '../../harness/history/last-runs.js';
import type { HistoryEntry, RunHistory } from '../../harness/history/run-history.js';
import { formatMoment } from '../../harness/output/format-values.js';
import { lastRunCells } from '../../harness/output/last-run-cells.js';
import { oldestRowCell } from '../../harness/output/oldest-row-cell.js';
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
  /**
   * The oldest row left, as the latest run that measured it found it.
   * @default - none: no run has measured it (or the job measures none)
   */
  readonly oldestRow?: OldestRowMeasurement;
  /**
   * The "retention breached" alarm's threshold (the catalogue's slack), in seconds.
   * @default - none: the job keeps no retention promise
   */
  readonly retentionSlackSeconds?: number;
}

/**
 * Each catalogued job's schedule, whether it is paused, its next run (as `start` begun now
 * would fire it) and, from the run history, its last run, last successful run and the oldest
 * row left as last measured, against its retention.
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
      const oldestRow = lastMeasurement(runs);
      const slack = retentionSlackSeconds(entry);
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
        ...(oldestRow ? { oldestRow } : {}),
        ...(slack === undefined ? {} : { retentionSlackSeconds: slack }),
      };
    }),
  );
}

/** The statuses as one table, ages counted from `now`. */
export function formatLocalStatus(statuses: readonly LocalJobStatus[], now: number): string {
  return formatTable(
    [
      'job',
      'schedule',
      'state',
      'next run (UTC)',
      'last run',
      'last successful run',
      'oldest row left',
    ],
    statuses.map((status) => [
      status.job,
      status.schedule,
      status.paused ? 'paused' : 'active',
      status.nextRun ? formatMoment(status.nextRun, now) : '-',
      ...lastRunCells(status, now, 'never'),
      oldestRowCell(
        status.oldestRow,
        {
          ...(status.lastRun ? { lastRunStartedAt: status.lastRun.startedAt } : {}),
          ...(status.retentionSlackSeconds === undefined
            ? {}
            : { slackSeconds: status.retentionSlackSeconds }),
        },
        '-',
      ),
    ]),
  );
}
