import { join } from 'node:path';
import type pg from 'pg';
import { ConfigError, type Env, readInteger } from '../functions/config/env.js';
import { readDatabaseUrl } from '../functions/db/database-location.js';
import { migrate } from '../functions/db/migrate.js';
import { HarnessLog, type MessageLogger } from '../functions/log-messages.js';
import { redact } from '../functions/runner/redact.js';
import { partitionLocationsByDay } from './partition-locations.js';
import { requestedPostgresMajor } from './postgres-binaries.js';
import { type PostgresServer, startPostgresServer } from './postgres-server.js';
import { type DemoDataOptions, seedDemoData } from './seed.js';
import type { ServerOwner } from './server-owner.js';
import { withClient } from './with-client.js';

/** What the harness's own sessions show in `pg_stat_activity`. */
const harnessSession = 'local-harness';

/** Where `npm start` keeps its embedded cluster, unless `LOCAL_POSTGRES_DIR` says otherwise. */
const defaultDataDir = join(import.meta.dirname, '..', '.local', 'postgres');

/**
 * The embedded cluster's folder: `LOCAL_POSTGRES_DIR`, or `.local/postgres`, or with
 * `POSTGRES_VERSION=14` `.local/postgres-14` (a cluster runs on its own major version only).
 *
 * @throws {ConfigError} when `POSTGRES_VERSION` is not a major version
 */
export function localDataDir(env: Env): string {
  const given = env.LOCAL_POSTGRES_DIR?.trim();
  if (given) return given;
  const major = requestedPostgresMajor(env);
  return major === undefined ? defaultDataDir : `${defaultDataDir}-${major}`;
}

/** The variable that sets how many location fixes the demo data gives each device. */
export const demoLocationsVariable = 'LOCAL_DEMO_LOCATIONS_PER_DEVICE';

/**
 * How much demo data the harness writes: `LOCAL_DEMO_LOCATIONS_PER_DEVICE` fixes per device
 * (1 to 100,000; 5,000 when unset), the rest as {@link seedDemoData}'s defaults.
 *
 * @throws {ConfigError} naming the variable when it is empty, not a whole number or out of range
 */
export function demoDataOptions(env: Env): DemoDataOptions {
  return {
    locationsPerDevice: readInteger(env, demoLocationsVariable, {
      min: 1,
      max: 100_000,
      default: 5_000,
    }),
  };
}

/** The database the harness creates on its embedded server. */
export const localDatabaseName = 'location_jobs';

/** What {@link openLocalDatabase} needs. */
export interface LocalDatabaseOptions {
  /**
   * `DATABASE_URL` (use that database), `LOCAL_POSTGRES_DIR` (the embedded cluster's folder)
   * and `POSTGRES_VERSION` (the embedded server's major version).
   */
  readonly env: Env;
  /** Apply the schema migrations. Always done on the embedded database. */
  readonly migrate: boolean;
  /** Write demo data. Always done on an embedded database's first start. */
  readonly seed: boolean;
  /**
   * Partition the embedded database's `locations` by day (converting it once, rows kept).
   * Refused with `DATABASE_URL`: the backend owns that schema.
   * @default false
   */
  readonly partitioned?: boolean;
  /**
   * Start the embedded server, when none runs, so that it outlives this process (`db`): it
   * runs in the background until stopped (`stopServerOn`), and `close()` leaves it running.
   * @default false: the server this process starts stops with `close()`
   */
  readonly background?: boolean;
  /**
   * Where its progress goes (for the person at the terminal), the embedded server's start
   * included (see `PostgresServerOptions.logger`).
   */
  readonly logger: MessageLogger;
}

/** The database the local jobs use. */
export interface LocalDatabase {
  /** The connection URL (with credentials: never log it). */
  readonly url: string;
  /** Whether the database is the embedded one (not `DATABASE_URL`). */
  readonly embedded: boolean;
  /**
   * The embedded server.
   * @default - undefined with `DATABASE_URL`
   */
  readonly server?: {
    readonly pid: number;
    readonly port: number;
    readonly dataDir: string;
    /** Who stops it: this process, another one, or nobody (it runs in the background). */
    readonly owner: ServerOwner;
    /** It was already running: this process uses it and leaves it running. */
    readonly reused: boolean;
  };
  /**
   * Stops the embedded server (after the jobs' sessions are closed) when this process owns
   * it; leaves one running in the background or for another process; nothing for
   * `DATABASE_URL`.
   */
  close(): Promise<void>;
}

/**
 * With `DATABASE_URL`: that database as it is (the backend owns its schema), migrated or
 * seeded only when asked. Without: an embedded PostgreSQL kept under `.local/`, migrated,
 * and seeded with demo data on its first start.
 */
export async function openLocalDatabase(options: LocalDatabaseOptions): Promise<LocalDatabase> {
  const external = readDatabaseUrl(options.env);
  // Checked before any server starts, seeding or not.
  const demoData = demoDataOptions(options.env);
  if (external && options.partitioned) {
    throw new ConfigError(
      'DATABASE_URL',
      '--partitioned changes the embedded demo database only; with DATABASE_URL the backend owns the schema (docs/retention.md, "Partitioned tables", has the DDL)',
    );
  }
  if (external) {
    await prepare(external, options.migrate, options.seed ? demoData : undefined, options.logger);
    options.logger.info(HarnessLog.DatabaseReady, { embedded: false, url: redact(external) });
    return { url: external, embedded: false, close: async () => undefined };
  }
  const dataDir = localDataDir(options.env);
  options.logger.info(HarnessLog.StartingEmbeddedPostgres, { dataDir });
  const server = await startPostgresServer({
    dataDir,
    persistent: true,
    version: requestedPostgresMajor(options.env),
    // A server that `db` left running, or that another `start` or `run` uses, is shared.
    reuse: true,
    background: options.background ?? false,
    // What it clears up, initialises or changes on the machine; its output at debug level.
    logger: options.logger,
  });
  if (server.reused) {
    options.logger.info(HarnessLog.EmbeddedPostgresAlreadyRunning, {
      pid: server.pid,
      port: server.port,
      ...(server.owner.kind === 'process'
        ? { startedBy: 'process', ownerPid: server.owner.pid }
        : { startedBy: 'background' }),
    });
  }
  try {
    const url = await ensureDatabase(server);
    await withClient(
      url,
      async (db) => {
        options.logger.info(HarnessLog.SchemaMigrated, { applied: await migrate(db) });
        if (options.partitioned) {
          const report = await partitionLocationsByDay(db);
          if (report.converted) {
            options.logger.info(HarnessLog.LocationsPartitioned, {
              converted: report.converted,
              rowsMoved: report.rowsMoved,
              partitionsCreated: report.created.length,
            });
          }
        }
        if (options.seed)
          options.logger.info(HarnessLog.DemoDataWritten, {
            ...(await seedDemoData(db, demoData)),
          });
        else await seedIfEmpty(db, demoData, options.logger);
        options.logger.info(HarnessLog.DatabaseReady, {
          embedded: true,
          url: redact(url),
          serverVersion: await serverMajorVersion(db),
          dataDir: server.dataDir,
        });
      },
      harnessSession,
    );
    return {
      url,
      embedded: true,
      server: {
        pid: server.pid,
        port: server.port,
        dataDir: server.dataDir,
        owner: server.owner,
        reused: server.reused,
      },
      // A background server is left running; a shared one's stop() leaves it running.
      close: () => (server.owner.kind === 'background' ? Promise.resolve() : server.stop()),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** `18` for PostgreSQL 18.4. */
async function serverMajorVersion(db: pg.Client): Promise<string> {
  const { rows } = await db.query<{ version: string }>(
    "SELECT current_setting('server_version_num')::int / 10000 AS version",
  );
  return String(rows[0]?.version ?? '?');
}

/** Held while one process checks for and writes the demo data, so that two never both do. */
const seedLockKey = 0x5eed_da7a;

/**
 * Writes demo data when the database has no devices: a first start (or one killed
 * mid-seed). Two processes sharing a server (`start` and `db`) may both get here at once: the
 * second waits for the first's data, sees it, and writes none.
 */
async function seedIfEmpty(
  db: pg.Client,
  demoData: DemoDataOptions,
  logger: MessageLogger,
): Promise<void> {
  await db.query('SELECT pg_advisory_lock($1)', [seedLockKey]);
  try {
    if (await hasNoDevices(db))
      logger.info(HarnessLog.DemoDataWritten, { ...(await seedDemoData(db, demoData)) });
  } finally {
    await db.query('SELECT pg_advisory_unlock($1)', [seedLockKey]);
  }
}

async function hasNoDevices(db: pg.Client): Promise<boolean> {
  const { rows } = await db.query<{ empty: boolean }>(
    'SELECT NOT EXISTS (SELECT 1 FROM devices) AS empty',
  );
  return rows[0]?.empty ?? true;
}

async function ensureDatabase(server: PostgresServer): Promise<string> {
  await withClient(
    server.url,
    async (admin) => {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        localDatabaseName,
      ]);
      if (!rowCount)
        await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(localDatabaseName)}`);
    },
    harnessSession,
  );
  const url = new URL(server.url);
  url.pathname = `/${localDatabaseName}`;
  return url.toString();
}

/** Migrates and/or seeds (`demoData` given), each only when asked. */
async function prepare(
  url: string,
  shouldMigrate: boolean,
  demoData: DemoDataOptions | undefined,
  logger: MessageLogger,
): Promise<void> {
  if (!shouldMigrate && !demoData) return;
  await withClient(
    url,
    async (db) => {
      if (shouldMigrate) logger.info(HarnessLog.SchemaMigrated, { applied: await migrate(db) });
      if (demoData)
        logger.info(HarnessLog.DemoDataWritten, { ...(await seedDemoData(db, demoData)) });
    },
    harnessSession,
  );
}
