import type { CatalogueEntry } from '../../catalogue/index.js';
import { formatFire } from './format-fire.js';

/** How many upcoming runs `list` shows per job. */
const upcoming = 3;

/**
 * The catalogue as a table: each job's name, schedule, time zone, timeout, memory and next
 * runs (in the job's zone and in UTC), counted from `now` (which also anchors `rate()`
 * schedules, as `start` would).
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
    entry.schedule
      .nextFires(upcoming, now, now)
      .map((fire) => formatFire(fire, entry.schedule.zone))
      .join(', ') || 'none',
  ]);
  const header = ['job', 'schedule', 'time zone', 'timeout', 'memory', `next ${upcoming} runs`];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const descriptions = entries.map((entry) => `  ${entry.name}: ${entry.description}`);
  return [
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
    ...descriptions,
  ].join('\n');
}
