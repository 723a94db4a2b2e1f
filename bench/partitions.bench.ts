/**
 * `npm run bench -- partitions [--rows N] [--keys-before]`: on a `locations` partitioned by
 * day with 60 days of fixes (default 10,000,000 rows), half of them expired, how the location
 * cleanup (which drops the expired partitions and batch-deletes the one straddling the cutoff)
 * compares with one plain `DELETE` of the same rows, and with the same job on a plain table
 * holding the same rows. More rows say where the job's time goes: the job set to detach
 * partitions instead of dropping them (no files to remove), the straddling partition's
 * batched delete alone (what dropping partitions cannot save), and the same DROP TABLEs issued
 * by hand. The target is the job against those last two together: the floor, since a DROP
 * TABLE's COMMIT removes the partition's files, which no method avoids. Each method runs on its own
 * copy of the loaded database while a second connection inserts single rows; the job's
 * statements are timed from its session (partition DDL, batches, the rest).
 *
 * The two databases (partitioned, plain) load at once, one per core. The primary key, foreign
 * key and indexes are created after the rows (at 2,000,000 rows: 29 s for both loads, against
 * 42 s with them created first and maintained row by row); `--keys-before` does the latter.
 *
 * Uses `DATABASE_URL` (a role that may create databases) when set; otherwise starts a
 * throw-away embedded PostgreSQL and stops it at the end. Exits with 1 when a target is missed.
 */
import { randomBytes } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import pg from 'pg';
import { type PostgresServer, startPostgresServer } from '../dev-db/postgres-server.js';
import { databaseTime } from '../functions/db/database-time.js';
import { count, ms } from './cleanup/stats.js';
import { copyDatabase, onCopyUnderWrites, withDatabase } from './common/database-copy.js';
import { BenchReport } from './common/results-file.js';
import { readRows } from './common/rows-flag.js';
import {
  gapHours,
  type KeysWhen,
  type LoadedLocations,
  loadLocations,
  type TableShape,
} from './partitions/load.js';
import { type Method, methods } from './partitions/methods.js';
import { bytes, type Outcome, report } from './partitions/report.js';
import { measureUpkeepCost, type UpkeepCost } from './partitions/upkeep-cost.js';

const defaultRows = 10_000_000;

/** Disk a row takes in one database (heap and three indexes), with room to spare. */
const bytesPerRow = 300;

/** The server, and the two loaded databases that every run copies. */
interface Setup {
  readonly admin: pg.Client;
  readonly adminUrl: string;
  readonly templates: Readonly<Record<TableShape, string>>;
  /** The same rows in both; the partitioned one's layout. */
  readonly loaded: LoadedLocations;
  /** The server runs on this machine (the embedded one): its dirty pages can be flushed. */
  readonly local: boolean;
}

export default async function partitionsBench(flags: string[]): Promise<void> {
  const rows = readRows(flags, defaultRows);
  const keys: KeysWhen = flags.includes('--keys-before') ? 'before' : 'after';
  const server: PostgresServer | undefined = process.env.DATABASE_URL
    ? undefined
    : await startPostgresServer();
  const adminUrl = server?.url ?? (process.env.DATABASE_URL as string);
  const admin = new pg.Client({ connectionString: adminUrl });
  const prefix = `bench_partitions_${randomBytes(4).toString('hex')}`;
  const templates = { partitioned: `${prefix}_partitioned`, plain: `${prefix}_plain` };
  const out = new BenchReport(
    'partitions',
    "The location cleanup on `locations` partitioned by day (60 days, half expired) against one plain `DELETE` of the same rows and the job on a plain table, each on its own copy while a second connection inserts single rows; the job's time by kind of statement; and the job against its floor, the same DROP TABLEs issued by hand plus the straddling partition's batches alone (target: at most 1.2x).",
  );
  let missed = false;
  try {
    if (server) await checkDisk(server.dataDir, rows);
    await admin.connect();
    const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]
      ?.server_version;
    const where = server
      ? 'embedded, throw-away (fsync and full_page_writes off)'
      : 'from DATABASE_URL';
    out.usesPostgres(`${version}, ${where}`);
    out.print(`PostgreSQL ${version}, ${where}`);
    const anchor = await databaseTime(admin);
    const loadStarted = performance.now();
    // The two loads share nothing: one on each core.
    const [partitioned, plain] = await Promise.all(
      (['partitioned', 'plain'] as const).map((shape) =>
        createTemplate(admin, adminUrl, templates[shape], { rows, anchor, shape, keys }),
      ),
    );
    const loaded = partitioned as LoadedLocations;
    const layout = loaded.partitions;
    if (!layout || plain?.expired !== loaded.expired) throw new Error('the two loads differ');
    out.print(
      `loaded ${count(rows)} locations (${count(loaded.expired)} expired) twice, at once, ` +
        `keys created ${keys} the rows: partitioned in ${ms(loaded.loadMs)}, plain in ` +
        `${ms(plain.loadMs)} (${ms(performance.now() - loadStarted)} in all). ` +
        `${layout.count} partitions of 24 hours: ${layout.expired.length} wholly expired, ` +
        `${layout.straddling.name} holding the cutoff (${count(layout.straddling.expiredRows)} ` +
        `expired rows, ${count(layout.straddling.freshRows)} not; no rows within ${gapHours} h ` +
        'of the cutoff). Each method runs on its own copy while a second connection inserts ' +
        'single rows in a loop; the table shows the median run.\n',
    );
    const setup: Setup = { admin, adminUrl, templates, loaded, local: server !== undefined };
    // Rounds, so that a burst of noise on the machine hits one run of each, not all of one.
    const runs = new Map<Method, Outcome[]>(methods.map((method) => [method, []]));
    for (let round = 1; round <= Math.max(...methods.map((m) => m.runs)); round++) {
      for (const method of methods.filter((candidate) => candidate.runs >= round)) {
        runs.get(method)?.push(await measure(setup, method));
      }
    }
    const upkeep = await measureUpkeep(setup);
    const reported = report(runs, loaded, defaultRows, upkeep);
    missed = reported.missed;
    out.print(reported.text);
  } finally {
    for (const name of Object.values(templates)) {
      await admin
        .query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`)
        .catch(() => undefined);
    }
    await admin.end().catch(() => undefined);
    await server?.stop();
  }
  await out.save(flags, !missed);
  if (missed) process.exitCode = 1;
}

/** Two loaded databases and one copy at a time must fit. */
async function checkDisk(dataDir: string, rows: number): Promise<void> {
  const disk = await statfs(dataDir);
  const free = disk.bavail * disk.bsize;
  const needed = 3 * rows * bytesPerRow;
  if (free < needed) {
    throw new Error(
      `${count(rows)} rows need about ${bytes(needed)} of disk (two loaded databases and a copy); ${dataDir} has ${bytes(free)} free`,
    );
  }
}

async function createTemplate(
  admin: pg.Client,
  adminUrl: string,
  name: string,
  options: Parameters<typeof loadLocations>[1],
): Promise<LoadedLocations> {
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  const db = new pg.Client({ connectionString: withDatabase(adminUrl, name) });
  await db.connect();
  try {
    return await loadLocations(db, options);
  } finally {
    await db.end();
  }
}

async function measure(setup: Setup, method: Method): Promise<Outcome> {
  const { admin, loaded } = setup;
  const from = { ...setup, template: setup.templates[method.table] };
  return onCopyUnderWrites(from, async ({ db, writer }) => {
    const walBefore = await walPosition(admin);
    const started = performance.now();
    const settled = await method.run(db, loaded).then(
      (run) => ({ run, wallMs: performance.now() - started }),
      (error: unknown) => ({ error }),
    );
    const walAfter = await walPosition(admin);
    const writerReport = await writer.stop();
    if ('error' in settled) throw settled.error;
    const walBytes = Number(
      (
        await admin.query<{ bytes: string }>('SELECT pg_wal_lsn_diff($1, $2)::text AS bytes', [
          walAfter,
          walBefore,
        ])
      ).rows[0]?.bytes,
    );
    const outcome: Outcome = { method, walBytes, writer: writerReport, ...settled };
    await verify(db, outcome, loaded);
    return outcome;
  });
}

/** Partition upkeep on the steady run, on a copy of the partitioned table (upkeep-cost.ts). */
async function measureUpkeep(setup: Setup): Promise<UpkeepCost> {
  const { admin, adminUrl } = setup;
  const copy = await copyDatabase(admin, adminUrl, setup.templates.partitioned, setup.local);
  const db = new pg.Client({ connectionString: copy.url, application_name: 'location-cleanup' });
  try {
    await db.connect();
    return await measureUpkeepCost(db);
  } finally {
    await db.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(copy.name)} WITH (FORCE)`);
  }
}

/**
 * Where WAL is being inserted: `pg_current_wal_insert_lsn()`, not `pg_current_wal_lsn()` (where
 * it has been written), which lags by up to `wal_writer_delay` when commits do not wait for the
 * WAL (the throw-away server's `synchronous_commit = off`): a short run would show no WAL at all.
 */
async function walPosition(admin: pg.Client): Promise<string> {
  const { rows } = await admin.query<{ lsn: string }>(
    'SELECT pg_current_wal_insert_lsn()::text AS lsn',
  );
  return rows[0]?.lsn as string;
}

/**
 * Exactly the method's rows went, and nothing else: the expired rows it did not have to delete
 * stay, as do the recent half and the writer's rows; the partitions it must remove are gone and
 * the others are there; and the cutoff is still in the gap, so the counts are exact.
 */
async function verify(db: pg.Client, outcome: Outcome, loaded: LoadedLocations): Promise<void> {
  const { method, run, writer } = outcome;
  const { rows } = await db.query<{
    expired: string;
    total: string;
    partitions: string;
    in_gap: boolean;
  }>(
    `SELECT count(*) FILTER (WHERE created_at < now() - make_interval(hours => 720)) AS expired,
            count(*) AS total,
            (SELECT count(*) FROM pg_inherits WHERE inhparent = 'locations'::regclass) AS partitions,
            now() < $1::timestamptz + make_interval(hours => $2::int) AS in_gap
       FROM locations`,
    [loaded.anchor, gapHours],
  );
  const row = rows[0];
  const expected = method.expectedDeleted(loaded);
  const expiredLeft = Number(row?.expired);
  const total = Number(row?.total);
  const partitions = Number(row?.partitions);
  const expectedTotal = loaded.rows - expected + writer.inserts;
  const expectedPartitions =
    method.table === 'partitioned'
      ? (loaded.partitions?.count ?? 0) - method.expectedRemoved(loaded)
      : 0;
  if (!row?.in_gap) {
    throw new Error(
      `the run ended more than ${gapHours} h after the load: the cutoff has left the gap, counts are no longer exact`,
    );
  }
  if (
    run.deleted !== expected ||
    expiredLeft !== loaded.expired - expected ||
    total !== expectedTotal ||
    partitions !== expectedPartitions
  ) {
    throw new Error(
      `${method.name} deleted ${run.deleted} of ${expected} rows (${expiredLeft} expired rows ` +
        `left, expected ${loaded.expired - expected}; ${total} rows in all, expected ` +
        `${expectedTotal}; ${partitions} partitions, expected ${expectedPartitions})`,
    );
  }
}
