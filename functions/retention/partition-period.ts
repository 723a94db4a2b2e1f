/**
 * The period of a table's partitions and the way they are named, read from its latest two
 * partitions, so that the partitions made ahead continue the table's own layout.
 *
 * The period is a number of calendar months, of days, or an exact length (hours, minutes). It
 * is counted in UTC, or in the server's `TimeZone` when the bounds are midnights (or firsts of
 * the month) there and not in UTC: day partitions cut at local midnight keep being cut there
 * across daylight-saving changes (a day of 23 or 25 hours). A `timestamp` column's values are
 * wall-clock times already: its periods are counted on them as they are.
 *
 * The naming scheme is the table's own when the latest partitions' names are a fixed prefix and
 * suffix around their lower bound written in one of {@link nameFormats} (pg_partman 4's and 5's
 * among them); otherwise `<table>_p` followed by the bound as `YYYYMMDD` (periods of whole days)
 * or `YYYYMMDD_HH24MISS`, as pg_partman 5 names them.
 */
import type { ClientBase } from 'pg';
import type { PartitionLayout, PartitionRange } from './partition-layout.js';

/** How far apart the bounds of consecutive partitions lie. */
export interface PeriodStep {
  /** Calendar `month`s or `day`s (counted in `zone`), or exact `second`s. */
  readonly unit: 'month' | 'day' | 'second';
  readonly count: number;
  /** The zone calendar units are counted in (`UTC` for exact lengths). */
  readonly zone: string;
}

/** How partitions are named: `prefix`, the lower bound in `format` (`to_char`), `suffix`. */
export interface PartitionNaming {
  /** A `to_char` pattern, e.g. `YYYYMMDD`. */
  readonly format: string;
  readonly prefix: string;
  readonly suffix: string;
  /** Read from the table's partitions (else the documented default). */
  readonly own: boolean;
}

/** The period and naming of a table's partitions. */
export interface PartitionPeriod {
  readonly step: PeriodStep;
  /** The latest partition: the grid of periods is laid from its lower bound. */
  readonly latest: PartitionRange & { readonly from: string; readonly to: string };
  readonly naming: PartitionNaming;
}

/**
 * `to_char` patterns a partition name may hold its lower bound in, the most precise first (so
 * that `YYYYMMDD` is not taken for the start of `YYYYMMDD_HH24MI`).
 */
export const nameFormats = [
  'YYYYMMDD"_"HH24MISS',
  'YYYYMMDD"_"HH24MI',
  'YYYYMMDD"_"HH24',
  'YYYY_MM_DD_HH24MISS',
  'YYYY_MM_DD_HH24MI',
  'YYYY_MM_DD_HH24',
  'YYYYMMDDHH24MISS',
  'YYYYMMDDHH24MI',
  'YYYYMMDDHH24',
  'YYYYMMDD',
  'YYYY_MM_DD',
  'YYYY-MM-DD',
  'IYYY"w"IW',
  'IYYY_"w"IW',
  'YYYY"q"Q',
  'YYYY_"q"Q',
  'YYYYMM',
  'YYYY_MM',
  'YYYY-MM',
  'YYYY',
] as const;

/** The longest name PostgreSQL keeps (`NAMEDATALEN` − 1 bytes); longer ones it truncates. */
const maxNameBytes = 63;

interface StepRow {
  /** 1 for the latest partition, 2 for the one before it. */
  readonly n: number;
  readonly relname: string;
  readonly from: string;
  readonly to: string;
  readonly zone: string;
  readonly seconds: number;
  readonly months: number;
  readonly monthsExact: boolean;
  readonly days: number;
  readonly daysExact: boolean;
  readonly monthAligned: boolean;
  readonly dayAligned: boolean;
  /** The lower bound in each of {@link nameFormats}, in `zone`. */
  readonly names: readonly string[];
  /** The upper bound likewise (the next partition's lower bound). */
  readonly nextNames: readonly string[];
}

/** The wall-clock time of `value` in the zone `$zone` (a `timestamp` column's is itself). */
export function wallTime(cast: PartitionLayout['cast'], value: string, zone: string): string {
  return cast === 'timestamptz' ? `(${value} AT TIME ZONE ${zone})` : value;
}

/** The latest two partitions (by upper bound), each measured in each zone. */
function stepQuery(cast: PartitionLayout['cast']): string {
  const wall = (value: string) => wallTime(cast, value, 'z.zone');
  const formatted = (value: string) =>
    `ARRAY(SELECT to_char(${value}, x.format) FROM unnest($5::text[]) WITH ORDINALITY AS x(format, i) ORDER BY x.i)`;
  return `
    WITH latest AS (
      SELECT u.relname, u.f::${cast} AS f, u.t::${cast} AS t,
             row_number() OVER (ORDER BY u.t::${cast} DESC) AS n
        FROM unnest($1::text[], $2::text[], $3::text[]) AS u(relname, f, t)
       WHERE u.f IS NOT NULL AND u.t IS NOT NULL
       ORDER BY u.t::${cast} DESC LIMIT 2)
    SELECT l.n::int AS n, l.relname, l.f::text AS "from", l.t::text AS "to", z.zone,
           extract(epoch FROM l.t - l.f)::float8 AS seconds,
           m.months, (m.months >= 1 AND w.wf + make_interval(months => m.months) = w.wt) AS "monthsExact",
           m.days, (m.days >= 1 AND w.wf + make_interval(days => m.days) = w.wt) AS "daysExact",
           w.wf = date_trunc('month', w.wf) AS "monthAligned",
           w.wf = date_trunc('day', w.wf) AS "dayAligned",
           ${formatted('w.wf')} AS names, ${formatted('w.wt')} AS "nextNames"
      FROM latest l
     CROSS JOIN unnest($4::text[]) WITH ORDINALITY AS z(zone, i)
     CROSS JOIN LATERAL (SELECT ${wall('l.f')} AS wf, ${wall('l.t')} AS wt) AS w
     CROSS JOIN LATERAL (
       SELECT ((extract(year FROM w.wt) - extract(year FROM w.wf)) * 12
               + extract(month FROM w.wt) - extract(month FROM w.wf))::int AS months,
              round(extract(epoch FROM w.wt - w.wf) / 86400)::int AS days) AS m
     ORDER BY l.n, z.i`;
}

/**
 * Reads the period and naming scheme of `layout`'s partitions (one statement in the caller's
 * transaction; three for periods of a day or more not cut at midnight UTC), or says why none
 * can be read: no partition with both bounds, a partition that
 * reaches `MAXVALUE` (nothing can come after it), or two latest partitions of different lengths.
 */
export async function readPeriod(
  db: ClientBase,
  layout: PartitionLayout,
): Promise<PartitionPeriod | { readonly reason: string }> {
  const endless = layout.ranges.find((range) => range.to === null);
  if (endless) {
    return {
      reason: `partition ${layout.parent.schema}.${endless.relname} reaches MAXVALUE: no partition can come after it`,
    };
  }
  let rows = await measureLatest(db, layout, ['UTC']);
  // A day or longer, not cut at midnight UTC: it may be cut at midnight in the server's zone
  // (read only then, as the lookup costs a scan of every setting).
  const latestInUtc = rows.find((row) => row.n === 1);
  if (
    layout.cast === 'timestamptz' &&
    latestInUtc &&
    latestInUtc.seconds >= 23 * 3_600 &&
    !alignedStep(latestInUtc)
  ) {
    const zone = await serverTimeZone(db);
    if (!utcNames.test(zone)) rows = await measureLatest(db, layout, ['UTC', zone]);
  }
  const latest = rows.filter((row) => row.n === 1);
  const previous = rows.filter((row) => row.n === 2);
  const first = latest[0];
  if (!first) {
    return { reason: 'it has no partition with both bounds to read a period from' };
  }
  // The one before counts only when it ends where the latest begins.
  const before = previous[0]?.to === first.from ? previous : [];
  const step = stepCandidates(latest).find((candidate) => fits(candidate, before));
  if (!step) {
    const other = before[0];
    return {
      reason: `its latest partitions ${layout.parent.schema}.${other?.relname} and ${layout.parent.schema}.${first.relname} differ in length: which period comes next is not clear`,
    };
  }
  const inZone = latest.find((row) => row.zone === step.zone) ?? first;
  const beforeInZone = before.find((row) => row.zone === step.zone);
  return {
    step,
    latest: { relname: first.relname, from: first.from, to: first.to },
    naming:
      ownNaming(inZone, beforeInZone) ??
      defaultNaming(layout.parent.relname, step, inZone.dayAligned),
  };
}

/** Names of UTC itself, whose periods are UTC's. */
const utcNames = /^(etc\/)?(utc|uct|gmt|gmt[+-]?0|zulu|universal|greenwich)$/i;

/** The latest two partitions measured in each of `zones`. */
async function measureLatest(
  db: ClientBase,
  layout: PartitionLayout,
  zones: readonly string[],
): Promise<StepRow[]> {
  const { rows } = await db.query<StepRow>(stepQuery(layout.cast), [
    layout.ranges.map((range) => range.relname),
    layout.ranges.map((range) => range.from),
    layout.ranges.map((range) => range.to),
    zones,
    nameFormats,
  ]);
  return rows;
}

/** The session's `TimeZone` as the server, database or role set it (before the job's `SET LOCAL`). */
async function serverTimeZone(db: ClientBase): Promise<string> {
  const { rows } = await db.query<{ zone: string }>(
    `SELECT reset_val AS zone FROM pg_settings WHERE name = 'TimeZone'`,
  );
  return rows[0]?.zone ?? 'UTC';
}

/** Whether the partition is whole months or days aligned to their start in the row's zone. */
function alignedStep(row: StepRow): boolean {
  return (row.monthsExact && row.monthAligned) || (row.daysExact && row.dayAligned);
}

/**
 * The steps the latest partition's length allows, most likely first: whole months, then whole
 * days, counted in a zone where its lower bound is aligned to them (UTC first), then in one
 * where it is not; last, its exact length.
 */
function stepCandidates(latest: readonly StepRow[]): PeriodStep[] {
  const calendar: { step: PeriodStep; aligned: boolean }[] = [];
  for (const row of latest) {
    if (row.monthsExact) {
      calendar.push({
        step: { unit: 'month', count: row.months, zone: row.zone },
        aligned: row.monthAligned,
      });
    } else if (row.daysExact) {
      calendar.push({
        step: { unit: 'day', count: row.days, zone: row.zone },
        aligned: row.dayAligned,
      });
    }
  }
  const exact: PeriodStep = { unit: 'second', count: latest[0]?.seconds ?? 0, zone: 'UTC' };
  return [
    ...calendar.filter((candidate) => candidate.aligned).map((candidate) => candidate.step),
    ...calendar.filter((candidate) => !candidate.aligned).map((candidate) => candidate.step),
    exact,
  ];
}

/** Whether the partition before the latest (if adjacent) has the same length by `step`. */
function fits(step: PeriodStep, before: readonly StepRow[]): boolean {
  if (before.length === 0) return step.count > 0;
  const row = before.find((candidate) => candidate.zone === step.zone);
  if (!row) return false;
  if (step.unit === 'month') return row.monthsExact && row.months === step.count;
  if (step.unit === 'day') return row.daysExact && row.days === step.count;
  return row.seconds === step.count;
}

/**
 * The first of {@link nameFormats} in which the latest partition's name is a prefix, its lower
 * bound and a suffix, the one before it (if adjacent) is named the same way, and the next
 * partition's name would differ.
 */
function ownNaming(latest: StepRow, before: StepRow | undefined): PartitionNaming | undefined {
  for (const [index, format] of nameFormats.entries()) {
    const bound = latest.names[index];
    if (!bound || bound === latest.nextNames[index]) continue;
    const at = latest.relname.lastIndexOf(bound);
    if (at < 0) continue;
    const prefix = latest.relname.slice(0, at);
    const suffix = latest.relname.slice(at + bound.length);
    if (before && before.relname !== `${prefix}${before.names[index]}${suffix}`) continue;
    return { format, prefix, suffix, own: true };
  }
  return undefined;
}

/** pg_partman 5's names: `<table>_p` and the lower bound, to the day or to the second. */
function defaultNaming(table: string, step: PeriodStep, dayAligned: boolean): PartitionNaming {
  const wholeDays = step.unit !== 'second' || step.count % 86_400 === 0;
  return {
    format: wholeDays && dayAligned ? 'YYYYMMDD' : 'YYYYMMDD"_"HH24MISS',
    prefix: `${table}_p`,
    suffix: '',
    own: false,
  };
}

/**
 * The name of a partition whose lower bound `formatted` gives: its prefix cut (at a character)
 * so that the name fits PostgreSQL's 63 bytes, as PostgreSQL would otherwise cut its end.
 */
export function partitionName(naming: PartitionNaming, formatted: string): string {
  const fixed = Buffer.byteLength(`${formatted}${naming.suffix}`);
  let prefix = naming.prefix;
  while (prefix.length > 0 && Buffer.byteLength(prefix) + fixed > maxNameBytes) {
    prefix = [...prefix].slice(0, -1).join('');
  }
  return `${prefix}${formatted}${naming.suffix}`;
}

/**
 * The step in words: `1 day`, `3 months (Europe/Bratislava)`, `24 hours` (exactly, not a
 * calendar day), `15 minutes`.
 */
export function describeStep(step: PeriodStep): string {
  const words = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;
  const zone = step.unit !== 'second' && step.zone !== 'UTC' ? ` (${step.zone})` : '';
  if (step.unit !== 'second') return `${words(step.count, step.unit)}${zone}`;
  if (step.count % 3_600 === 0) return words(step.count / 3_600, 'hour');
  if (step.count % 60 === 0) return words(step.count / 60, 'minute');
  return words(step.count, 'second');
}
