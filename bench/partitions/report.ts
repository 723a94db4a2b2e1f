/**
 * The partitions benchmark's printout: one row per method (its median run), where the job's
 * time goes, and the targets, met or missed.
 */
import { count, ms, percentile, table } from '../cleanup/stats.js';
import type { WriterReport } from '../common/writer.js';
import type { LoadedLocations } from './load.js';
import {
  ddlByHand,
  jobDetaching,
  jobOnPartitions,
  jobOnPlainTable,
  type Method,
  type MethodRun,
  plainDelete,
  straddlingAlone,
} from './methods.js';
import { summarise } from './statement-timer.js';
import type { UpkeepCost } from './upkeep-cost.js';

/** Targets from the issue, at the default 10,000,000 rows. */
export const targets = {
  /** What partition upkeep adds to the steady hourly run with nothing to make, milliseconds. */
  upkeepMs: 10,
  /** The job over the same DDL by hand plus the straddling partition's batches alone. */
  jobOverFloor: 1.2,
  longestLockMs: 100,
  walShare: 0.05,
};

/** One run of one method, measured. */
export interface Outcome {
  readonly method: Method;
  readonly wallMs: number;
  /** WAL written by the whole server during the run (the writer's inserts included), bytes. */
  readonly walBytes: number;
  readonly run: MethodRun;
  readonly writer: WriterReport;
}

/** The table, the job's breakdown and the targets; `missed` when a target is. */
export function report(
  runs: ReadonlyMap<Method, readonly Outcome[]>,
  loaded: LoadedLocations,
  defaultRows: number,
  upkeep: UpkeepCost,
): { text: string; missed: boolean } {
  const median = (method: Method) => {
    const outcomes = runs.get(method);
    if (!outcomes?.length) throw new Error(`${method.name} did not run`);
    const sorted = [...outcomes].sort((a, b) => a.wallMs - b.wallMs);
    return sorted[Math.floor((sorted.length - 1) / 2)] as Outcome;
  };
  const header = [
    'method',
    'runs',
    'wall',
    'deleted',
    'WAL',
    'batches',
    'in batches',
    'DDL txns',
    'in DDL',
    'longest DDL',
    'inserts',
    'insert p50',
    'insert p99',
    'insert max',
  ];
  const rows = [...runs.keys()].map((method) => {
    const { wallMs, walBytes, run, writer } = median(method);
    const work = summarise(run.work);
    const ddl = work['partition DDL'];
    return [
      method.name,
      String(runs.get(method)?.length ?? 0),
      ms(wallMs),
      count(run.deleted),
      bytes(walBytes),
      count(work.batch.count),
      ms(work.batch.totalMs),
      count(ddl.count),
      ddl.count > 0 ? ms(ddl.totalMs) : '-',
      ddl.count > 0 ? ms(ddl.maxMs) : '-',
      count(writer.inserts),
      ms(percentile(writer.latenciesMs, 0.5)),
      ms(percentile(writer.latenciesMs, 0.99)),
      ms(Math.max(...writer.latenciesMs)),
    ];
  });

  const job = median(jobOnPartitions);
  const plain = median(plainDelete);
  const alone = median(straddlingAlone);
  const byHand = median(ddlByHand);
  const floorMs = byHand.wallMs + alone.wallMs;
  const jobOverFloor = job.wallMs / floorMs;
  const jobRuns = runs.get(jobOnPartitions) ?? [];
  const breakdown = timeSpent(job, alone);

  const plainOverJob = plain.wallMs / job.wallMs;
  const writerMax = Math.max(...jobRuns.flatMap((outcome) => outcome.writer.latenciesMs));
  // The parent's lock is held from the DDL's BEGIN until its COMMIT releases it, which comes
  // before the COMMIT removes the dropped partition's files: the part up to the COMMIT.
  const ddlMax = Math.max(
    ...jobRuns.flatMap((outcome) =>
      outcome.run.work
        .filter((work) => work.kind === 'partition DDL')
        .map((work) => work.ms - work.commitMs),
    ),
  );
  const walShare = job.walBytes / plain.walBytes;
  const worst = jobRuns.length === 1 ? 'its run' : `worst of ${jobRuns.length} runs`;
  const checks = [
    check(
      `job / (DROP TABLE by hand + straddling partition alone): ${ms(job.wallMs)} / (${ms(byHand.wallMs)} + ${ms(alone.wallMs)})`,
      `${jobOverFloor.toFixed(2)}x`,
      `≤ ${targets.jobOverFloor}x`,
      jobOverFloor <= targets.jobOverFloor,
    ),
    [
      'plain DELETE / job (wall), for comparison',
      `${plainOverJob.toFixed(1)}x`,
      '(was ≥ 20x: past the limit that dropping files sets)',
      '-',
    ],
    check(
      `longest insert wait during the job (the writer, ${worst})`,
      ms(writerMax),
      '≤ 100 ms',
      writerMax <= targets.longestLockMs,
    ),
    check(
      `job's longest partition DDL, BEGIN to COMMIT, holding the lock (${worst})`,
      ms(ddlMax),
      '≤ 100 ms',
      ddlMax <= targets.longestLockMs,
    ),
    check(
      `partition upkeep on the steady run, nothing to make (median of ${upkeep.rounds}; p95 ${ms(upkeep.p95Ms)}, longest ${ms(upkeep.maxMs)})`,
      ms(upkeep.medianMs),
      `≤ ${targets.upkeepMs} ms`,
      upkeep.medianMs <= targets.upkeepMs && upkeep.made === 0,
    ),
    check(
      `the same when the bounds alone do not settle it: the full plan (median of ${upkeep.rounds}; p95 ${ms(upkeep.fullPlanP95Ms)})`,
      ms(upkeep.fullPlanMedianMs),
      `≤ ${targets.upkeepMs} ms`,
      upkeep.fullPlanMedianMs <= targets.upkeepMs,
    ),
    check(
      'job WAL / plain DELETE WAL',
      `${(walShare * 100).toFixed(2)} %`,
      '≤ 5 %',
      walShare <= targets.walShare,
    ),
  ];
  const notes = [jobOnPartitions, jobDetaching, jobOnPlainTable, straddlingAlone, ddlByHand]
    .filter((method) => runs.has(method))
    .map((method) => `${method.name}: ${median(method).run.note ?? ''}`)
    .concat([
      "WAL is the whole server's (pg_current_wal_insert_lsn() before and after), the writer's " +
        'inserts included. "in batches" and "in DDL" are transactions timed from BEGIN to the ' +
        "answer to COMMIT, as the job's session saw them. A DROP TABLE's COMMIT removes the " +
        "partition's files after it has released its locks (PostgreSQL does so, as it can take " +
        'long): the writer does not wait for that part, so its longest insert is the lock the ' +
        'application sees; the longest DDL is timed from BEGIN to the COMMIT being sent.',
    ]);
  notes.push(
    `partition upkeep: ${upkeep.statements} statements a round (the planning transaction: BEGIN with the ` +
      "layout's catalog query, whose bounds show the coming partitions all there, COMMIT; the count of the " +
      'empty DEFAULT partition on its index: BEGIN with its SETs and the count, COMMIT), ' +
      `${upkeep.made} partitions made. The full plan (the period read, the coming periods computed: none), ` +
      'which a run pays when the bounds alone do not settle it (a day not cut at midnight UTC, late in the ' +
      `day), with the count: ${upkeep.fullPlanStatements} statements, ${ms(upkeep.fullPlanMedianMs)} ` +
      `(median of ${upkeep.rounds}; p95 ${ms(upkeep.fullPlanP95Ms)}). Baseline, timed in the same rounds: one ` +
      `empty short transaction as the job opens them, ${ms(upkeep.emptyTransactionMs)}: upkeep is ` +
      `${(upkeep.medianMs / upkeep.emptyTransactionMs).toFixed(1)}x that, the full plan ` +
      `${(upkeep.fullPlanMedianMs / upkeep.emptyTransactionMs).toFixed(1)}x. A whole steady run of the job ` +
      `(nothing expired, nothing to make), upkeep included: ${ms(upkeep.steadyRunMs)} (median of ${upkeep.steadyRuns}).`,
  );
  const note =
    loaded.rows === defaultRows ? '' : `\n(targets are set for ${count(defaultRows)} rows)`;
  const text = [
    table(header, rows),
    '',
    `where the job's time goes (median run, ${ms(job.wallMs)}):`,
    table(['part', 'count', 'time', 'of wall'], breakdown),
    '',
    notes.join('\n'),
    '',
    table(['ratio / figure', 'value', 'target', ''], checks) + note,
  ].join('\n');
  return { text, missed: checks.some((row) => row[3] === 'MISSED') };
}

/** The job's wall time by kind of work, against the straddling partition's delete alone. */
function timeSpent(job: Outcome, alone: Outcome): string[][] {
  const work = summarise(job.run.work);
  const ddl = work['partition DDL'];
  const row = (label: string, items: number | undefined, time: number) => [
    label,
    items === undefined ? '' : count(items),
    ms(time),
    `${((time / job.wallMs) * 100).toFixed(0)} %`,
  ];
  const inStatements = ddl.totalMs + work.batch.totalMs + work.other.totalMs;
  return [
    row('partition DDL: BEGIN, DROP TABLE', ddl.count, ddl.totalMs - ddl.commitMs),
    row('partition DDL: COMMIT (removes the files)', ddl.count, ddl.commitMs),
    row('batches (the straddling partition)', work.batch.count, work.batch.totalMs),
    row('other statements (plan, checks)', work.other.count, work.other.totalMs),
    row('in the client, between statements', undefined, job.wallMs - inStatements),
    row(
      'straddling partition alone (its wall)',
      summarise(alone.run.work).batch.count,
      alone.wallMs,
    ),
    row('batches + partition DDL', undefined, work.batch.totalMs + ddl.totalMs),
  ];
}

function check(label: string, value: string, target: string, met: boolean): string[] {
  return [label, value, target, met ? 'met' : 'MISSED'];
}

/** Bytes in B, kB, MB or GB (powers of 1000). */
export function bytes(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} GB`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} MB`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} kB`;
  return `${Math.round(value)} B`;
}
