import type { CatalogueEntry } from '../../functions/catalogue/index.js';
import { formatTable } from '../../harness/output/table.js';
import { formatFire } from './format-fire.js';

/** How many upcoming runs `list` shows per job. */
const upcoming = 3;

/**
 * The catalogue as a table: each job's name, schedule, time zone, timeout, memory and next
 * runs (in the job's zone and in UTC), counted from `now` (which also anchors `rate()`
 * schedules, as `start` would). A paused job (`enabled: false`) shows no next runs.
 */
export function formatJobList(entries: readonly CatalogueEntry[], now: number): string {
  const rows = entries.map((entry) => [
    entry.name,
    entry.schedule.expression,
    entry.schedule.flexibleWindowMinutes
      ? `${entry.schedule.timeZone} (+${entry.schedule.flexibleWindowMinutes} min window)`
      : entry.schedule.timeZone,
    `${entry.timeoutSeconds} s`,
    `${entry.memoryMiB} MiB`,
    !entry.enabled
      ? 'none: paused (enabled: false)'
      : entry.schedule
          .nextFires(upcoming, now, now)
          .map((fire) => formatFire(fire, entry.schedule.zone))
          .join(', ') || 'none',
  ]);
  const header = ['job', 'schedule', 'time zone', 'timeout', 'memory', `next ${upcoming} runs`];
  const descriptions = entries.map((entry) => `  ${entry.name}: ${entry.description}`);
  return [formatTable(header, rows), '', ...descriptions].join('\n');
}
