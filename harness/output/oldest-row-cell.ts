import type { OldestRowMeasurement } from '../history/last-measurement.js';
import { formatDateTime, formatSpan } from './format-values.js';

/** What {@link oldestRowCell} needs besides the measurement. */
export interface OldestRowCellOptions {
  /** When the job's last run started: a measurement from an older run says when it was taken. */
  readonly lastRunStartedAt?: string;
  /**
   * The "retention breached" alarm's threshold for the job (seconds before the cutoff): a
   * measurement past it is marked `BREACHED`.
   * @default - not marked
   */
  readonly slackSeconds?: number;
}

/**
 * The "oldest row left" cell of a status table, against the retention: `1 h 2 min (retention
 * 30 d)`, `40 d 1 h (retention 30 d): 10 d 1 h past the cutoff, BREACHED`, `none past the
 * cutoff` (a job whose rows carry their expiry), `not measured: ...`; `none` when no run has
 * measured it. A measurement from a run before the last one says when it was taken.
 */
export function oldestRowCell(
  measurement: OldestRowMeasurement | undefined,
  options: OldestRowCellOptions,
  none: string,
): string {
  if (!measurement) return none;
  const asOf =
    options.lastRunStartedAt && options.lastRunStartedAt !== measurement.startedAt
      ? ` (as of ${formatDateTime(Date.parse(measurement.startedAt))})`
      : '';
  const { oldestRow, retentionDays } = measurement;
  if (oldestRow.measuredBy === 'not measured') return `not measured: ${oldestRow.reason}${asOf}`;
  const retention = retentionDays === undefined ? '' : ` (retention ${retentionDays} d)`;
  const { ageSeconds, overdueSeconds } = oldestRow;
  if (overdueSeconds > 0) {
    const breached =
      options.slackSeconds !== undefined && overdueSeconds > options.slackSeconds
        ? ', BREACHED'
        : '';
    const age = ageSeconds === undefined ? '' : `${formatSpan(ageSeconds)}${retention}: `;
    return `${age}${formatSpan(overdueSeconds)} past the cutoff${breached}${asOf}`;
  }
  if (ageSeconds === undefined) {
    return `${oldestRow.measuredBy === 'index' ? 'no row' : 'none past the cutoff'}${asOf}`;
  }
  if (retentionDays === undefined) return `none past the cutoff${asOf}`;
  return `${formatSpan(ageSeconds)}${retention}${asOf}`;
}
