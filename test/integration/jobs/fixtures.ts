/**
 * Rows and runs for the job tests: locations and idempotency keys generated in SQL;
 * `useJobTest`, which gives each test file its database, clock, output and handlers; and
 * `useRetentionSessions`, which gives a block that calls the retention code directly its
 * database and sessions.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Env } from '../../../functions/config/env.js';
import { createJobHandler, type JobHandler } from '../../../functions/lambda/create-handler.js';
import type { JobDefinition, JobResult } from '../../../functions/runner/types.js';
import { type CapturedOutput, captureStdout } from '../../support/capture-output.js';
import type { JobRole } from '../../support/job-role.js';
import { type TestDatabase, useTestDatabase } from '../../support/test-database.js';
import { VirtualClock } from '../../support/virtual-clock.js';

/** The first device: every generated idempotency key belongs to it. */
export const deviceId = '00000000-0000-4000-8000-000000000001';

/**
 * Devices the generated locations are spread over (row `g` belongs to device `1 + g % 7`), so
 * that an index on `(device_id, created_at)` has more than one key to walk.
 */
export const deviceCount = 7;

/** The uuid of device `n` (1-based), as a SQL expression of `n`. */
const deviceUuid = (n: string) =>
  `('00000000-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;

/** Empties the tables the jobs touch (and the jobs' claims) and adds the devices. */
export async function resetTables(client: pg.Client): Promise<void> {
  await client.query(
    'TRUNCATE locations, idempotency_keys, devices, maintenance_job_claims RESTART IDENTITY CASCADE',
  );
  await client.query(
    `INSERT INTO devices (device_id, group_id)
     SELECT ${deviceUuid('n')}, 'test-group' FROM generate_series(1, ${deviceCount}) AS n`,
  );
}

/** The index `locations` has on `created_at`: each path's tests run on each kind. */
export type IndexKind = 'btree' | 'brin' | 'composite';

const indexDefinitions: Readonly<Record<IndexKind, string>> = {
  // The schema's own.
  btree: 'CREATE INDEX idx_locations_created_at ON locations (created_at)',
  // Small block ranges, so that the test tables (a few dozen pages) have several.
  brin: `CREATE INDEX idx_locations_created_at_brin ON locations USING brin (created_at)
           WITH (pages_per_range = 2)`,
  composite: 'CREATE INDEX idx_locations_device_created_at ON locations (device_id, created_at)',
};

/** A delete path, and the index `locations` has while it is taken. */
export interface PathCase {
  /** The path the run is told to take (`<PREFIX>_STRATEGY`); its result must name it. */
  readonly strategy: 'index' | 'brin' | 'heap';
  /** The only index on `created_at`. */
  readonly kind: IndexKind;
}

/**
 * Every path, on the index each follows: keyset batches on a b-tree that leads with
 * `created_at` and on `(device_id, created_at)`, the BRIN sweep, the heap sweep.
 */
export const pathCases: readonly PathCase[] = [
  { strategy: 'index', kind: 'btree' },
  { strategy: 'index', kind: 'composite' },
  { strategy: 'brin', kind: 'brin' },
  { strategy: 'heap', kind: 'btree' },
];

/** Every path case on rows stored in time order and shuffled: `[strategy, order, kind]`. */
export const pathOrderCases: readonly (readonly [
  PathCase['strategy'],
  PhysicalOrder,
  IndexKind,
])[] = pathCases.flatMap(({ strategy, kind }) =>
  (['sequential', 'random'] as const).map((order) => [strategy, order, kind] as const),
);

/**
 * Gives `locations` only the `kind` index on `created_at` (the schema's b-tree is dropped for
 * the others). `restoreLocationsIndex` puts the schema's back.
 */
export async function setLocationsIndex(client: pg.Client, kind: IndexKind): Promise<void> {
  await client.query(
    `DROP INDEX IF EXISTS idx_locations_created_at, idx_locations_created_at_brin,
       idx_locations_device_created_at`,
  );
  await client.query(indexDefinitions[kind]);
}

/** Puts back the schema's b-tree on `created_at`, alone. */
export function restoreLocationsIndex(client: pg.Client): Promise<void> {
  return setLocationsIndex(client, 'btree');
}

/**
 * Summarizes the block ranges of a BRIN index written since the last vacuum (as autovacuum
 * does), and analyzes the table: what a BRIN index narrows depends on both.
 */
export async function analyzeLocations(client: pg.Client): Promise<void> {
  await client.query('VACUUM ANALYZE locations');
}

/** How rows lie on disk: in the order of `g` (as a bulk load leaves them), or shuffled. */
export type PhysicalOrder = 'sequential' | 'random';

/**
 * Inserts `count` locations; `createdAt` is a SQL expression of `g` (1..count), e.g.
 * `now() - interval '40 days' + g * interval '1 second'`. With `order: 'random'` the rows are
 * written in random order, so that old and new rows share pages, as on a table months old.
 */
export async function insertLocations(
  client: pg.Client,
  count: number,
  createdAt: string,
  order: PhysicalOrder = 'sequential',
): Promise<void> {
  await client.query(
    `INSERT INTO locations (device_id, latitude, longitude, accuracy, captured_at, created_at)
     SELECT ${deviceUuid(`1 + g % ${deviceCount}`)}, 48.85, 2.35, 10, t.created_at, t.created_at
       FROM generate_series(1, $1::int) AS g, LATERAL (SELECT ${createdAt} AS created_at) AS t
      ORDER BY ${order === 'random' ? 'random()' : 'g'}`,
    [count],
  );
}

/** Inserts `count` idempotency keys; `expiresAt` is a SQL expression of `g` (1..count). */
export async function insertIdempotencyKeys(
  client: pg.Client,
  count: number,
  expiresAt: string,
  prefix = 'key',
): Promise<void> {
  await client.query(
    `INSERT INTO idempotency_keys (key_hash, device_id, response_body, expires_at)
     SELECT $3 || '-' || g, $1, '{"status":201}', ${expiresAt}
       FROM generate_series(1, $2::int) AS g`,
    [deviceId, count, prefix],
  );
}

/** Number of rows in `table` (optionally with a SQL condition). */
export async function countRows(client: pg.Client, table: string, where = 'true'): Promise<number> {
  const { rows } = await client.query<{ count: string }>(
    `SELECT count(*) AS count FROM ${table} WHERE ${where}`,
  );
  return Number(rows[0]?.count);
}

/** One job test file's parts: its database and, per test, a clock and captured output. */
export interface JobTest {
  /** The file's own database. */
  readonly db: () => TestDatabase;
  /**
   * A session on it for the test's own queries, as the superuser (tables are reset before each
   * test).
   */
  readonly client: pg.Client;
  /**
   * The jobs' least-privileged role, with the documented grants on the plain tables: the
   * handlers connect as it. (A test that rebuilds a table grants it again.)
   */
  readonly role: JobRole;
  /** This test's captured log and metric lines. */
  readonly output: CapturedOutput;
  /** This test's clock, at the file's start time. */
  readonly clock: VirtualClock;
  /**
   * The job's handler as Lambda would run it, on this test's clock, with `DATABASE_URL` set
   * (as the jobs' role; `env` may set another) and `env` added. Its database session stays open, as in a warm Lambda, until the test ends.
   */
  handler<Config, Result extends JobResult>(
    job: JobDefinition<Config, Result>,
    env?: Env,
  ): JobHandler;
}

/**
 * Sets up a job's integration tests: a database for the file, empty tables, a fresh clock
 * and captured output before each test, and the test's handlers closed after it.
 */
export function useJobTest(jobName: string, start: number): JobTest {
  const sessions = useSessions({ jobSession: false });
  const handlers: JobHandler[] = [];
  let output: CapturedOutput | undefined;
  let clock: VirtualClock | undefined;
  beforeEach(() => {
    output = captureStdout();
    clock = new VirtualClock(start);
  });
  afterEach(async () => {
    await Promise.all(handlers.splice(0).map((handler) => handler.close()));
    output?.restore();
  });
  return {
    db: sessions.db,
    get client() {
      return sessions.client;
    },
    get role() {
      return sessions.role;
    },
    get output() {
      return defined(output);
    },
    get clock() {
      return defined(clock);
    },
    handler(job, env = {}) {
      const handler = createJobHandler(jobName, job, {
        env: { DATABASE_URL: sessions.role.url, ...env },
        clock: defined(clock),
        logger: new Logger({ serviceName: 'test-jobs', logLevel: 'INFO' }),
        metrics: new Metrics({ namespace: 'TestJobs', serviceName: 'test-jobs' }),
      });
      handlers.push(handler);
      return handler;
    },
  };
}

/** Options of {@link useRetentionSessions}. */
export interface RetentionSessionsOptions {
  /**
   * The only index `locations` has on `created_at` while the block runs: set before its first
   * test, and the schema's b-tree put back after its last.
   * @default - the schema's b-tree, left as it is
   */
  readonly index?: IndexKind;
}

/** A block's database and its two sessions on it, for calling the retention code directly. */
export interface RetentionSessions {
  /** The block's own database. */
  readonly db: () => TestDatabase;
  /** The test's own session, as the superuser (tables are reset before each test). */
  readonly client: pg.Client;
  /** The jobs' least-privileged role, with the documented grants on the plain tables. */
  readonly role: JobRole;
  /** The job's session, as `role`. */
  readonly jobs: pg.Client;
}

/**
 * Sets up a block that calls the retention code directly: a database for the block, a
 * session as the superuser and one as the jobs' role (both open until the database is
 * dropped), `options.index` on `locations` for the block, and empty tables before each test.
 * Read its fields in hooks and tests, not where the block is declared: they are set in
 * `beforeAll`.
 */
export function useRetentionSessions(options: RetentionSessionsOptions = {}): RetentionSessions {
  const sessions = useSessions({ jobSession: true });
  if (options.index) useLocationsIndex(() => sessions.client, options.index);
  return sessions;
}

/**
 * Gives `locations` only the `kind` index on `created_at` while the enclosing block runs: set
 * before its first test, the schema's b-tree put back after its last.
 */
export function useLocationsIndex(client: () => pg.Client, kind: IndexKind): void {
  beforeAll(() => setLocationsIndex(client(), kind));
  afterAll(() => restoreLocationsIndex(client()));
}

/**
 * A database for the block, a session as the superuser, the jobs' role (and, with
 * `jobSession`, a session as it), and empty tables before each test: what
 * {@link useJobTest} and {@link useRetentionSessions} share.
 */
function useSessions(options: { readonly jobSession: boolean }): RetentionSessions {
  const db = useTestDatabase();
  let client: pg.Client | undefined;
  let role: JobRole | undefined;
  let jobs: pg.Client | undefined;
  beforeAll(async () => {
    client = await db().connect();
    role = await db().jobRole();
    if (options.jobSession) jobs = await db().connect(role);
  });
  beforeEach(() => resetTables(defined(client)));
  return {
    db,
    get client() {
      return defined(client);
    },
    get role() {
      return defined(role);
    },
    get jobs() {
      return defined(jobs);
    },
  };
}

function defined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('set up in beforeAll/beforeEach: use it inside a test');
  return value;
}
