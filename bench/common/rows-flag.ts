/** `--rows N` of a benchmark's flags (`2_000_000` and `2,000,000` are read too). */
export function readRows(flags: readonly string[], defaultRows: number): number {
  const at = flags.indexOf('--rows');
  if (at === -1) return defaultRows;
  const raw = flags[at + 1] ?? '';
  const rows = Number(raw.replaceAll('_', '').replaceAll(',', ''));
  if (!Number.isInteger(rows) || rows < 1_000 || rows > 100_000_000) {
    throw new Error(
      `--rows must be a whole number from 1000 to 100000000, got ${JSON.stringify(raw)}`,
    );
  }
  return rows;
}
