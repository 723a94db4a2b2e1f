import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type LocalDatabase,
  localDatabaseName,
  localDataDir,
  openLocalDatabase,
} from '../../dev-db/local-database.js';
import { stopServerOn, superuser } from '../../dev-db/postgres-server.js';
import type { Env } from '../../functions/config/env.js';
import { readDatabaseUrl } from '../../functions/db/database-location.js';
import { ExitCode } from '../../functions/errors.js';
import { HarnessLog, type LogMessage } from '../../functions/log-messages.js';
import { redact } from '../../functions/runner/redact.js';
import { humanLineLogger } from '../../harness/output/human-line-logger.js';

/** The file, in the cluster folder (mode 0600), that the `db` URL's `passfile` names. */
const pgpassFile = 'pgpass';

/** The command that stops a server `db` left running. */
export const stopCommand = 'npm run jobs -- db --stop';

/** Where the jobs' database is, for a person with psql. */
export interface DatabaseWhereabouts {
  /** A URL psql takes, with no password in it. */
  readonly url: string;
  /** Lines for the person: which database, where the password is, how the server stops. */
  readonly notes: readonly string[];
}

/**
 * A URL that psql takes for the database the local jobs use. With `DATABASE_URL`: that URL,
 * its password masked. Otherwise the embedded PostgreSQL's: `postgres://postgres@127.0.0.1:
 * <port>/location_jobs?passfile=<cluster>/pgpass`, the password in that file (mode 0600,
 * libpq's passfile format) rather than in the URL, so that it never shows on a screen or in a
 * shell history. When the embedded server is not running, it is started, in the background
 * (it outlives this command, for the psql that takes the URL, until {@link stopDatabase}),
 * and its database prepared as `run` does on a first start: schema, and demo data if empty.
 *
 * @param progress - receives a line for people for each step of a start (demo data written)
 */
export async function locateDatabase(
  env: Env,
  progress: (line: string) => void,
): Promise<DatabaseWhereabouts> {
  const external = readDatabaseUrl(env);
  if (external) return { url: redact(external), notes: ['DATABASE_URL (password masked)'] };
  const quiet = new Set<LogMessage>([
    HarnessLog.StartingEmbeddedPostgres,
    HarnessLog.EmbeddedPostgresAlreadyRunning,
    HarnessLog.DatabaseReady,
  ]);
  const database = await openLocalDatabase({
    env,
    migrate: true,
    seed: false,
    background: true,
    logger: humanLineLogger(progress, quiet),
  });
  const { server } = database;
  if (!server) throw new Error('the embedded database reported no server');
  const passfile = await writePassfile(localDataDir(env), database);
  const url = new URL(`postgres://${superuser}@127.0.0.1:${server.port}/${localDatabaseName}`);
  url.searchParams.set('passfile', passfile);
  const owner =
    server.owner.kind === 'process'
      ? `started by PID ${server.owner.pid} (npm start or npm run jobs -- run), it stops when that process ends`
      : server.reused
        ? `running in the background; ${stopCommand} stops it`
        : `started now, in the background: it keeps running after this command until ${stopCommand}`;
  return {
    url: url.toString(),
    notes: [
      `embedded PostgreSQL, PID ${server.pid}, data in ${server.dataDir}; the password is in ${passfile}`,
      owner,
    ],
  };
}

/** Writes the password of `database` to the passfile the URL names; returns its path. */
async function writePassfile(dataDir: string, database: LocalDatabase): Promise<string> {
  const password = decodeURIComponent(new URL(database.url).password);
  const passfile = join(dataDir, pgpassFile);
  // hostname:port:database:username:password, with ':' and '\' escaped (libpq's format).
  const pgpassField = (field: string) => field.replace(/[\\:]/g, '\\$&');
  await writeFile(passfile, `127.0.0.1:*:*:${superuser}:${pgpassField(password)}\n`, {
    mode: 0o600,
  });
  // libpq ignores a password file that others may read; writeFile keeps an existing mode.
  await chmod(passfile, 0o600);
  return passfile;
}

/**
 * `db --stop`: stops the embedded PostgreSQL that `db` left running in the background (or
 * that a killed process left behind). One that a running `start` or `run` started is theirs
 * to stop: it is left running, exit 1.
 *
 * @param progress - receives a line for people if the server has to be killed
 */
export async function stopDatabase(
  env: Env,
  progress: (line: string) => void,
): Promise<{ code: number; message: string }> {
  const dataDir = localDataDir(env);
  const stopped = await stopServerOn(dataDir, { logger: humanLineLogger(progress) });
  switch (stopped.outcome) {
    case 'stopped':
      return {
        code: ExitCode.Ok,
        message: `stopped the embedded PostgreSQL (PID ${stopped.pid}, port ${stopped.port}, data in ${dataDir}); any session still open on it was closed`,
      };
    case 'not running':
      return {
        code: ExitCode.Ok,
        message: `the embedded PostgreSQL (${dataDir}) is not running: nothing to stop`,
      };
    case 'owned':
      return {
        code: ExitCode.Failed,
        message: `error: the embedded PostgreSQL (PID ${stopped.pid}, data in ${dataDir}) was started by PID ${stopped.ownerPid} (npm start or npm run jobs -- run), which stops it when it ends: stop that process instead`,
      };
  }
}
