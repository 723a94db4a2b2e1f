/**
 * The cutoff as a value of the column's own type, so that every comparison is between two
 * values of one type (and can use the column's index), and none depends on the session's
 * `TimeZone`.
 */
import type { ClientBase } from 'pg';
import type { ColumnTime } from './table-profile.js';

/** The cutoff, in the column's type. */
export interface ColumnCutoff {
  /** The value, as text: ISO 8601 for `timestamptz`, a wall-clock time for `timestamp`. */
  readonly value: string;
  /** The SQL type it is cast to in every statement. */
  readonly cast: 'timestamptz' | 'timestamp';
}

/**
 * Rows of a `timestamp` column written in `timeZone` may be deleted when their wall-clock time
 * is before the value returned here. A wall time is ambiguous in the hour that repeats when
 * clocks go back; such a row is kept unless even its later reading is before the cutoff. So the
 * value is the earliest wall time that any instant at or after the cutoff shows: the cutoff's
 * own wall time, or, in the hour before clocks go back, the start of the repeated hour.
 *
 * Instants after the cutoff are sampled at whole seconds for 3 hours (zone transitions fall on
 * whole seconds, and no zone shifts by more than 2 hours at once), so the minimum is exact.
 */
const safeWallCutoff = `
  SELECT to_char(least(
           ($1::timestamptz AT TIME ZONE $2),
           (SELECT min((date_trunc('second', $1::timestamptz) + s * interval '1 second') AT TIME ZONE $2)
              FROM generate_series(1, 10800) AS s)),
         'YYYY-MM-DD"T"HH24:MI:SS.US') AS wall`;

/**
 * The cutoff instant (ISO 8601) in the column's type.
 *
 * @param cutoff - rows older than this instant expire (ISO 8601 with a zone, e.g. `...Z`).
 */
export async function columnCutoff(
  db: ClientBase,
  time: ColumnTime,
  cutoff: string,
): Promise<ColumnCutoff> {
  if (time.type === 'timestamptz') return { value: cutoff, cast: 'timestamptz' };
  const { rows } = await db.query<{ wall: string }>(safeWallCutoff, [cutoff, time.timeZone]);
  const wall = rows[0]?.wall;
  if (!wall) throw new Error('the database computed no wall-clock cutoff');
  return { value: wall, cast: 'timestamp' };
}
