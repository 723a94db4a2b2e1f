/** Formatting of single values for people: counts, durations, times and ages. */

const counts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `100356` → `100,356`. */
export function formatCount(value: number): string {
  return counts.format(value);
}

/** `812` → `812 ms`, `12_345` → `12.3 s`, `303_000` → `5 min 3 s`, `7_500_000` → `2 h 5 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1_000);
  const hours = Math.floor(totalSeconds / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  const seconds = totalSeconds % 60;
  return hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min ${seconds} s`;
}

/**
 * A long span of time, to its two largest units: `40 d 2 h`, `5 h 3 min`, `12 min`, `42 s`
 * (`7_200` → `2 h`). Negative spans are shown as their size.
 */
export function formatSpan(seconds: number): string {
  const total = Math.round(Math.abs(seconds));
  const amounts: [number, string][] = [
    [Math.floor(total / 86_400), 'd'],
    [Math.floor((total % 86_400) / 3_600), 'h'],
    [Math.floor((total % 3_600) / 60), 'min'],
    [total % 60, 's'],
  ];
  const first = amounts.findIndex(([amount]) => amount > 0);
  if (first === -1) return '0 s';
  return amounts
    .slice(first, first + 2)
    .filter(([amount]) => amount > 0)
    .map(([amount, unit]) => `${amount} ${unit}`)
    .join(' ');
}

/** The time of day in UTC, `10:15:00`. */
export function formatClockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** Date and time in UTC to the minute, `2026-11-28 10:15Z`. */
export function formatDateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

/** How long ago `then` was, seen from `now`: `just now`, `42 s ago`, `3 min ago`, `5 h ago`, `2 d ago`. */
function formatAge(then: number, now: number): string {
  return relative(now - then, 'ago');
}

/** How far ahead `then` is, seen from `now`: `in 42 s`, `in 3 min`, `in 5 h`. */
function formatUntil(then: number, now: number): string {
  return relative(then - now, 'in');
}

function relative(ms: number, direction: 'ago' | 'in'): string {
  const seconds = Math.max(0, Math.round(ms / 1_000));
  if (seconds < 1) return direction === 'ago' ? 'just now' : 'now';
  const amount =
    seconds < 60
      ? `${seconds} s`
      : seconds < 3_600
        ? `${Math.floor(seconds / 60)} min`
        : seconds < 172_800
          ? `${Math.floor(seconds / 3_600)} h`
          : `${Math.floor(seconds / 86_400)} d`;
  return direction === 'ago' ? `${amount} ago` : `in ${amount}`;
}

/** An instant and how far it is from `now`: `2026-11-28 10:15Z (3 min ago)`, `... (in 3 min)`. */
export function formatMoment(iso: string, now: number): string {
  const then = Date.parse(iso);
  return `${formatDateTime(then)} (${then <= now ? formatAge(then, now) : formatUntil(then, now)})`;
}

/** Values as JSON lines, one per value. */
export function jsonLines(values: readonly unknown[]): string {
  return values.map((value) => JSON.stringify(value)).join('\n');
}
