/** Epoch ms of an ISO-8601 UTC instant, e.g. `utc('2026-01-01T10:00Z')`. */
export function utc(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
}

/** An instant as a short ISO string (`2026-01-01T10:00Z`), or `undefined`: readable failures. */
export function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString().replace(':00.000Z', 'Z');
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
