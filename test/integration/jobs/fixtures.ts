/**
 * Rows and runs for the job tests: locations and idempotency keys generated in SQL, handlers
 * wired to a test database, and what the captured output says about a run.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type pg from 'pg';
import type { Env } from '../../../functions/config/env.js';
import { createJobHandler, type JobHandler } from '../../../functions/lambda/create-handler.js';
import type { JobDefinition, JobResult } from '../../../functions/runner/types.js';
import type { VirtualClock } from '../../../functions/virtual-clock.js';

/** The device every generated row belongs to. */
export const deviceId = '00000000-0000-4000-8000-000000000001';

/** Empties the tables the jobs touch and adds the device. */
export async function resetTables(client: pg.Client): Promise<void> {
  await client.query('TRUNCATE locations, idempotency_keys, devices RESTART IDENTITY CASCADE');
  await client.query(`INSERT INTO devices (device_id, group_id) VALUES ($1, 'test-group')`, [
    deviceId,
  ]);
}

/**
 * Inserts `count` locations; `createdAt` is a SQL expression of `g` (1..count), e.g.
 * `now() - interval '40 days' + g * interval '1 second'`.
 */
export async function insertLocations(
  client: pg.Client,
  count: number,
  createdAt: string,
): Promise<void> {
  await client.query(
    `INSERT INTO locations (device_id, latitude, longitude, accuracy, captured_at, created_at)
     SELECT $1, 48.85, 2.35, 10, t.created_at, t.created_at
       FROM generate_series(1, $2::int) AS g, LATERAL (SELECT ${createdAt} AS created_at) AS t`,
    [deviceId, count],
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

/** What a test handler is built from. */
export interface TestHandlerOptions {
  readonly clock: VirtualClock;
  /** `DATABASE_URL` and the job's variables. */
  readonly env: Env;
}

const loggers: Logger[] = [];

/**
 * A job's handler as Lambda would run it, with the test's clock and environment. Its
 * database session stays open, as in a warm Lambda, until the test database is dropped.
 */
export function testHandler<Config, Result extends JobResult>(
  name: string,
  job: JobDefinition<Config, Result>,
  { clock, env }: TestHandlerOptions,
): JobHandler {
  const logger = new Logger({ serviceName: 'test-jobs', logLevel: 'INFO' });
  loggers.push(logger);
  return createJobHandler(name, job, {
    env,
    clock,
    logger,
    metrics: new Metrics({ namespace: 'TestJobs', serviceName: 'test-jobs' }),
  });
}

/**
 * Silences the handlers made so far: their sessions log "database connection lost" when the
 * test database is dropped after the tests, outside any captured output.
 */
export function silenceHandlers(): void {
  for (const logger of loggers.splice(0)) logger.setLogLevel('SILENT');
}

/**
 * Ends the sessions that earlier tests' handlers left open on this database (warm Lambda
 * instances), waiting until they are gone.
 */
export async function endJobSessions(client: pg.Client, jobName: string): Promise<void> {
  await client.query(
    `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = $1`,
    [jobName],
  );
}
