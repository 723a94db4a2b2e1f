/**
 * `npm run bench -- cleanup [--rows N] [--scenario LIST] [--order sequential,random,mixed]`:
 * how fast the location cleanup deletes expired rows, against one plain DELETE (and, for a
 * backlog, the original backend's batching), each on an identical copy of the table while a
 * second connection inserts single rows. Scenarios (bench/cleanup/scenarios.ts), each
 * `<index>-<layout>`:
 * - layouts: `backlog`, half of N locations (default 2,000,000) expired; `steady`, the hourly
 *   run: 30 days of data with one hour's worth expired, where the job must not sweep the heap;
 * - index kinds on `created_at` (bench/cleanup/index-kind.ts): `btree`, the schema's b-tree;
 *   `brin`, a BRIN alone, rows in time order; `composite`, `(device_id, created_at)` alone,
 *   rows in mixed order. The b-tree backlog runs in each physical order of `--order` (in time
 *   order, random, mixed), the b-tree steady run in mixed order.
 * The steady runs are measured twice: on new sessions (as a Lambda's hourly run connects; the
 * plain DELETE's plan, read on another session, is left out of its time), and on sessions warmed
 * by two runs that reach no row (the "both warm" column).
 * `--profile` prints every statement of our median runs (new and warm sessions), with its time
 * (from send to answer).
 * `--scenario brin-steady,composite-backlog` runs those; `--scenario steady` every steady run,
 * `--scenario brin` both BRIN scenarios; none, every scenario. The plain DELETE runs against
 * the same index as the job (its plan's scan is printed), and a last table puts every
 * scenario's ours / plain DELETE side by side.
 * Our job also runs through a PgBouncer in transaction mode (Debian's `pgbouncer`, started as the
 * tests start it: test/support/pgbouncer.ts), against the same job connected directly; without
 * PgBouncer that row is left out, saying how to install it.
 *
 * Uses `DATABASE_URL` (a role that may create databases) when set; otherwise starts a
 * throw-away embedded PostgreSQL and stops it at the end. Exits 1 when a target is missed.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type PostgresServer, startPostgresServer } from '../dev-db/postgres-server.js';
import { migrate } from '../functions/db/migrate.js';
import {
  findPgBouncer,
  installPgBouncer,
  type PgBouncer,
  startPgBouncer,
} from '../test/support/pgbouncer.js';
import {
  backlogContenders,
  type Contender,
  type Measurement,
  originalBatches,
  ourJob,
  ourJobLookingEveryBatch,
  ourJobOnWarmSession,
  ourJobThroughPgBouncer,
  plainDelete,
  plainDeleteOnWarmSession,
  steadyContenders,
} from './cleanup/contenders.js';
import { useIndexKind } from './cleanup/index-kind.js';
import { type GeneratedLocations, loadLocations } from './cleanup/load.js';
import { readScenarios, type Scenario, scenarioName } from './cleanup/scenarios.js';
import { count, ms, percentile, table } from './cleanup/stats.js';
import { onCopyUnderWrites, withDatabase } from './common/database-copy.js';
import { BenchReport } from './common/results-file.js';
import { readRows } from './common/rows-flag.js';
import type { WriterReport } from './common/writer.js';
import type { TimedStatement } from './partitions/statement-timer.js';

const defaultRows = 2_000_000;

/** Targets from the issue, at 2,000,000 rows. */
const targets = {
  backlogOursOverPlain: 1.5,
  steadyOursOverPlain: 2.0,
  originalOverOurs: 20,
  pgbouncerOverDirect: 1.2,
  ourBatchP99Ms: 25,
  writerP99Ms: 3,
  memoryGrowthMb: 50,
};

/** The server and the loaded table that every run copies. */
interface Setup {
  readonly admin: pg.Client;
  readonly adminUrl: string;
  readonly template: string;
  readonly loaded: GeneratedLocations;
  /** The server runs on this machine (the embedded one): its dirty pages can be flushed. */
  readonly local: boolean;
  /**
   * A PgBouncer in transaction mode in front of the server, for the contenders `through` it.
   * @default - none: PgBouncer is not installed, and those contenders do not run
   */
  readonly bouncer?: PgBouncer;
}

interface Outcome {
  readonly contender: Contender;
  readonly wallMs: number;
  readonly measurement: Measurement;
  readonly writer: WriterReport;
}

/** One scenario's row in the last table, which puts every scenario side by side. */
interface ScenarioSummary {
  readonly scenario: Scenario;
  readonly expired: number;
  readonly plainMs: number;
  readonly plainScan: string;
  readonly oursMs: number;
  readonly ourPath: string;
  readonly target: number;
  /** The steady run's ours / plain `DELETE`, both on warm sessions. */
  readonly warmRatio?: number;
}

export default async function cleanupBench(flags: string[]): Promise<void> {
  const rows = readRows(flags, defaultRows);
  const scenarios = readScenarios(flags);
  const server: PostgresServer | undefined = process.env.DATABASE_URL
    ? undefined
    : await startPostgresServer();
  const adminUrl = server?.url ?? (process.env.DATABASE_URL as string);
  const admin = new pg.Client({ connectionString: adminUrl });
  const out = new BenchReport(
    'cleanup',
    "The location cleanup against one plain `DELETE` and the original backend's batching, on a backlog (half the rows expired) and on the steady hourly run, with a b-tree, a BRIN or a `(device_id, created_at)` b-tree as the index on `created_at` (the b-tree backlog in each physical order), each on its own copy of the table while a second connection inserts single rows.",
  );
  let missed = 0;
  const summaries: ScenarioSummary[] = [];
  let bouncer: PgBouncer | undefined;
  try {
    await admin.connect();
    if (findPgBouncer()) {
      bouncer = await startPgBouncer(adminUrl);
    } else {
      out.print(
        `PgBouncer is not installed: the rows through it are left out (${installPgBouncer})`,
      );
    }
    const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]
      ?.server_version;
    const where = server ? 'embedded, throw-away (fsync off)' : 'from DATABASE_URL';
    out.usesPostgres(`${version}, ${where}`);
    out.print(
      `PostgreSQL ${version}, ${where}. ` +
        'Each method runs on its own copy of the table while a second connection inserts single ' +
        'rows in a loop; the tables show the median of its runs.',
    );
    for (const scenario of scenarios) {
      const result = await runScenario(out, {
        flags,
        admin,
        adminUrl,
        scenario,
        rows,
        local: server !== undefined,
        ...(bouncer ? { bouncer } : {}),
      });
      missed += result.missed;
      summaries.push(result.summary);
    }
    out.print(`\n--- side by side: ours / plain DELETE of the same rows on the same index ---`);
    out.print(sideBySide(summaries));
  } finally {
    await bouncer?.stop();
    await admin.end().catch(() => undefined);
    await server?.stop();
  }
  if (missed > 0) out.print(`\n${missed} target(s) missed`);
  await out.save(flags, missed === 0);
  if (missed > 0) process.exitCode = 1;
}

/**
 * Loads the scenario's table, runs its contenders in rounds, prints its table; returns the
 * targets missed and its row of the last table.
 */
async function runScenario(
  out: BenchReport,
  run: {
    readonly flags: readonly string[];
    readonly admin: pg.Client;
    readonly adminUrl: string;
    readonly scenario: Scenario;
    readonly rows: number;
    readonly local: boolean;
    readonly bouncer?: PgBouncer;
  },
): Promise<{ missed: number; summary: ScenarioSummary }> {
  const { flags, admin, adminUrl, scenario, rows, local, bouncer } = run;
  const template = `bench_cleanup_${randomBytes(4).toString('hex')}`;
  try {
    const loadStarted = performance.now();
    const { loaded, indexes } = await createTemplate(admin, adminUrl, template, rows, scenario);
    out.print(
      `\n--- ${scenarioName(scenario)}: ${scenario.layout === 'backlog' ? 'a backlog' : 'the steady hourly run'}, rows in ${scenario.order} order: ` +
        `${count(loaded.rows)} locations, ${count(loaded.expired)} expired (loaded in ${ms(performance.now() - loadStarted)}) ---`,
    );
    out.print(`index on created_at: ${indexes.join('; ')}`);
    const setup: Setup = {
      admin,
      adminUrl,
      template,
      loaded,
      local,
      ...(bouncer ? { bouncer } : {}),
    };
    const contenders = (
      scenario.layout === 'backlog' ? backlogContenders : steadyContenders
    ).filter((contender) => contender.through !== 'pgbouncer' || bouncer);
    // Rounds, so that a burst of noise on the machine hits one run of each, not all of one.
    const runs = new Map<Contender, Outcome[]>(contenders.map((contender) => [contender, []]));
    for (let round = 1; round <= Math.max(...contenders.map((c) => c.runs)); round++) {
      for (const contender of contenders.filter((candidate) => candidate.runs >= round)) {
        runs.get(contender)?.push(await measure(setup, contender));
      }
    }
    const medians = [...runs.values()].map(medianRun);
    const { text, missed, summary } = report(scenario, medians, loaded);
    out.print(text);
    if (flags.includes('--profile')) {
      for (const contender of [ourJob, ourJobOnWarmSession]) {
        const ours = medians.find((outcome) => outcome.contender === contender);
        if (ours) out.print(statementProfile(contender.name, ours.measurement.statements ?? []));
      }
    }
    return { missed, summary };
  } finally {
    await admin
      .query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(template)} WITH (FORCE)`)
      .catch(() => undefined);
  }
}

/** The run with the median wall time. */
function medianRun(outcomes: readonly Outcome[]): Outcome {
  const sorted = [...outcomes].sort((a, b) => a.wallMs - b.wallMs);
  return sorted[Math.floor((sorted.length - 1) / 2)] as Outcome;
}

async function createTemplate(
  admin: pg.Client,
  adminUrl: string,
  name: string,
  rows: number,
  scenario: Scenario,
): Promise<{ loaded: GeneratedLocations; indexes: string[] }> {
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  const db = new pg.Client({ connectionString: withDatabase(adminUrl, name) });
  await db.connect();
  try {
    await migrate(db);
    // On the empty table, so that the load builds it (and ANALYZEs the table) before any copy.
    const indexes = await useIndexKind(db, scenario.index);
    return { loaded: await loadLocations(db, rows, scenario), indexes };
  } finally {
    await db.end();
  }
}

async function measure(setup: Setup, contender: Contender): Promise<Outcome> {
  const { loaded } = setup;
  const through = contender.through === 'pgbouncer' ? setup.bouncer : undefined;
  if (contender.through === 'pgbouncer' && !through) throw new Error('PgBouncer is not running');
  const connectVia = through ? (url: string) => through.url(url) : undefined;
  return onCopyUnderWrites(
    { ...setup, ...(connectVia ? { connectVia } : {}) },
    async ({ db, writer }) => {
      await contender.warmUp?.(db);
      const started = performance.now();
      const settled = await contender.run(db).then(
        (measurement) => ({
          measurement,
          wallMs: performance.now() - started - (measurement.untimedMs ?? 0),
        }),
        (error: unknown) => ({ error }),
      );
      const writerReport = await writer.stop();
      if ('error' in settled) throw settled.error;
      const { measurement, wallMs } = settled;
      await verify(db, contender, measurement, loaded, writerReport);
      return { contender, wallMs, measurement, writer: writerReport };
    },
  );
}

/** Every expired row went, and nothing else: the writer's rows and the recent half stay. */
async function verify(
  db: pg.Client,
  contender: Contender,
  measurement: Measurement,
  loaded: GeneratedLocations,
  writer: WriterReport,
): Promise<void> {
  const { rows } = await db.query<{ expired: string; total: string }>(
    `SELECT count(*) FILTER (WHERE created_at < now() - interval '30 days') AS expired,
            count(*) AS total FROM locations`,
  );
  const expiredLeft = Number(rows[0]?.expired);
  const total = Number(rows[0]?.total);
  const expectedTotal = loaded.rows - loaded.expired + writer.inserts;
  if (measurement.deleted !== loaded.expired || expiredLeft !== 0 || total !== expectedTotal) {
    throw new Error(
      `${contender.name} deleted ${measurement.deleted} of ${loaded.expired} expired rows ` +
        `(${expiredLeft} left; ${total} rows in all, expected ${expectedTotal})`,
    );
  }
}

function report(
  scenario: Scenario,
  outcomes: readonly Outcome[],
  loaded: GeneratedLocations,
): { text: string; missed: number; summary: ScenarioSummary } {
  const header = [
    'method',
    'runs',
    'wall',
    'rows/s',
    'batches',
    'batch p50',
    'batch p99',
    'batch max',
    'inserts',
    'insert p50',
    'insert p99',
  ];
  const rows = outcomes.map(({ contender, wallMs, measurement, writer }) => [
    contender.name,
    String(contender.runs),
    ms(wallMs),
    count((loaded.expired / wallMs) * 1_000),
    count(measurement.batchMs.length),
    ms(percentile(measurement.batchMs, 0.5)),
    ms(percentile(measurement.batchMs, 0.99)),
    ms(Math.max(...measurement.batchMs)),
    count(writer.inserts),
    ms(percentile(writer.latenciesMs, 0.5)),
    ms(percentile(writer.latenciesMs, 0.99)),
  ]);
  const find = (contender: Contender) =>
    outcomes.find((candidate) => candidate.contender === contender);
  const ours = find(ourJob) as Outcome;
  const plain = find(plainDelete) as Outcome;
  const original = find(originalBatches);
  const backlog = loaded.layout === 'backlog';
  const oursOverPlain = ours.wallMs / plain.wallMs;
  const ourBatchP99 = percentile(ours.measurement.batchMs, 0.99);
  const writerP99 = percentile(ours.writer.latenciesMs, 0.99);
  const memoryMb = (ours.measurement.memoryGrowth ?? 0) / 2 ** 20;
  const path = ours.measurement.strategy?.path ?? '?';
  const checks: { label: string; value: string; target: string; met: boolean }[] = [];
  const check = (label: string, value: string, target: string, met: boolean) =>
    void checks.push({ label, value, target, met });
  const ratioTarget = backlog ? targets.backlogOursOverPlain : targets.steadyOursOverPlain;
  check(
    'ours / plain DELETE (wall)',
    oursOverPlain.toFixed(2),
    `≤ ${ratioTarget.toFixed(1)}`,
    oursOverPlain <= ratioTarget,
  );
  if (original) {
    const originalOverOurs = original.wallMs / ours.wallMs;
    check(
      'original / ours (wall)',
      originalOverOurs.toFixed(1),
      '≥ 20',
      originalOverOurs >= targets.originalOverOurs,
    );
  }
  const pooled = find(ourJobThroughPgBouncer);
  if (pooled) {
    const pooledOverDirect = pooled.wallMs / ours.wallMs;
    check(
      'ours through PgBouncer / ours direct (wall)',
      pooledOverDirect.toFixed(2),
      `≤ ${targets.pgbouncerOverDirect.toFixed(1)}`,
      pooledOverDirect <= targets.pgbouncerOverDirect,
    );
  }
  const warmOurs = find(ourJobOnWarmSession);
  const warmPlain = find(plainDeleteOnWarmSession);
  const warmRatio = warmOurs && warmPlain ? warmOurs.wallMs / warmPlain.wallMs : undefined;
  if (warmRatio !== undefined) {
    check(
      'ours / plain DELETE, both on warm sessions (wall)',
      warmRatio.toFixed(2),
      `≤ ${ratioTarget.toFixed(1)}`,
      warmRatio <= ratioTarget,
    );
  }
  if (!backlog) {
    check('our path for the hourly run', path, 'not heap', path !== 'heap' && path !== '?');
  }
  check('our batch p99', ms(ourBatchP99), '≤ 25 ms', ourBatchP99 <= targets.ourBatchP99Ms);
  check('writer insert p99 during ours', ms(writerP99), '≤ 3 ms', writerP99 <= targets.writerP99Ms);
  check(
    'job process memory growth (peak RSS)',
    `${memoryMb.toFixed(1)} MB`,
    '< 50 MB',
    memoryMb < targets.memoryGrowthMb,
  );
  const standbyLooks = ours.measurement.standbyLookMs ?? [];
  const ourBatches = ours.measurement.batchMs.length;
  check(
    'looks for standbys per batch (ours, no standby)',
    `${standbyLooks.length} in ${ourBatches}`,
    '≤ 1',
    standbyLooks.length <= ourBatches,
  );
  const everyBatch = find(ourJobLookingEveryBatch);
  const lookCost = everyBatch
    ? `\nlooking for standbys after every batch: ${(everyBatch.measurement.standbyLookMs ?? []).length} looks, ` +
      `${ms(percentile(everyBatch.measurement.standbyLookMs ?? [0], 0.5))} each (p50), ` +
      `wall ${(everyBatch.wallMs / ours.wallMs).toFixed(2)}× ours`
    : '';
  const note =
    loaded.rows === defaultRows ? '' : `\n(targets are set for ${count(defaultRows)} rows)`;
  const plainScan = plain.measurement.plannedScan ?? '?';
  const strategy =
    `plain DELETE's plan: ${plainScan}` +
    `\nours took the ${path} path: ${ours.measurement.strategy?.reason ?? ''}` +
    (path === 'heap'
      ? `; its final check (one count of the expired rows left) took ${ms(ours.measurement.tailMs ?? 0)}`
      : '') +
    `\nours looked for standbys (at most once a second) ${standbyLooks.length} times in ${count(ourBatches)} ${ourBatches === 1 ? 'batch' : 'batches'}` +
    (standbyLooks.length > 0
      ? `, ${ms(standbyLooks.reduce((sum, each) => sum + each, 0))} in all`
      : '') +
    lookCost;
  const text = `${table(header, rows)}\n${strategy}\n\n${table(
    ['ratio / figure', 'value', 'target', ''],
    checks.map(({ label, value, target, met }) => [label, value, target, met ? 'met' : 'MISSED']),
  )}${note}`;
  return {
    text,
    missed: checks.filter((entry) => !entry.met).length,
    summary: {
      scenario,
      expired: loaded.expired,
      plainMs: plain.wallMs,
      plainScan,
      oursMs: ours.wallMs,
      ourPath: path,
      target: ratioTarget,
      ...(warmRatio === undefined ? {} : { warmRatio }),
    },
  };
}

/** Every scenario's ours / plain DELETE, one row each, against its target. */
function sideBySide(summaries: readonly ScenarioSummary[]): string {
  const header = [
    'scenario',
    'order',
    'expired',
    'plain DELETE',
    'ours',
    'ours / plain',
    'target',
    '',
    'both warm',
    '',
    'our path',
    "plain DELETE's scan",
  ];
  const rows = summaries.map((summary) => {
    const ratio = summary.oursMs / summary.plainMs;
    const { warmRatio } = summary;
    return [
      scenarioName(summary.scenario),
      summary.scenario.order,
      count(summary.expired),
      ms(summary.plainMs),
      ms(summary.oursMs),
      ratio.toFixed(2),
      `≤ ${summary.target.toFixed(1)}`,
      ratio <= summary.target ? 'met' : 'MISSED',
      warmRatio === undefined ? '' : warmRatio.toFixed(2),
      warmRatio === undefined ? '' : warmRatio <= summary.target ? 'met' : 'MISSED',
      summary.ourPath,
      summary.plainScan,
    ];
  });
  return table(header, rows, [1, 10, 11]);
}

/**
 * A statement as the profile shows it: on one line, the `BEGIN` and `SET LOCAL` limits sent in
 * front of it shortened to `[BEGIN; limits]`, so that what it does is in view.
 */
function shownStatement(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const statement = line.replace(/^(BEGIN; )?(SET LOCAL [^;]*; )*/, '');
  const prefix = line.startsWith('BEGIN;')
    ? '[BEGIN; limits] '
    : statement === line
      ? ''
      : '[limits] ';
  return (prefix + statement).slice(0, 140);
}

/**
 * `--profile`: each statement our median run sent (one round trip each), with its time from
 * send to answer and the gap before it (time in Node), and the totals.
 */
function statementProfile(name: string, statements: readonly TimedStatement[]): string {
  let previous = statements[0]?.startedMs ?? 0;
  const rows = statements.map((statement, index) => {
    const gap = statement.startedMs - previous;
    previous = statement.endedMs;
    return [
      String(index + 1),
      ms(statement.endedMs - statement.startedMs),
      ms(gap),
      shownStatement(statement.text),
    ];
  });
  const inDatabase = statements.reduce((sum, s) => sum + s.endedMs - s.startedMs, 0);
  const first = statements[0]?.startedMs ?? 0;
  const last = statements.at(-1)?.endedMs ?? 0;
  return (
    `\n${name}, statement by statement (median run): ${statements.length} round trips, ` +
    `${ms(inDatabase)} waiting for answers of ${ms(last - first)}\n` +
    table(['#', 'answer', 'gap', 'statement'], rows, [3])
  );
}
