import type { CatalogueEntry } from '../../catalogue/index.js';
import { formatTable } from '../output/table.js';

/** How many upcoming runs `list` shows per job. */
const upcoming = 3;

/**
 * The catalogue as a table: each job's name, schedule, timeout, memory and next runs (UTC),
 * counted from `now` (which also anchors `rate()` schedules, as `start` would).
 */
export function formatJobList(entries: readonly CatalogueEntry[], now: number): string {
  const rows = entries.map((entry) => [
    entry.name,
    entry.schedule.expression,
    `${entry.timeoutSeconds} s`,
    `${entry.memoryMiB} MiB`,
    !entry.enabled
      ? 'none: paused (enabled: false)'
      : entry.schedule
          .nextFires(upcoming, now, now)
          .map((fire) => new Date(fire).toISOString().replace('.000Z', 'Z'))
          .join(', ') || 'none',
  ]);
  const header = ['job', 'schedule (UTC)', 'timeout', 'memory', `next ${upcoming} runs (UTC)`];
  const descriptions = entries.map((entry) => `  ${entry.name}: ${entry.description}`);
  return [formatTable(header, rows), '', ...descriptions].join('\n');
}
