import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localDatabaseName, localDataDir } from '../../dev-db/local-database.js';
import { passwordFile, superuser } from '../../dev-db/postgres-server.js';
import { isAlive, readPostmasterPid } from '../../dev-db/postgres-stale.js';
import type { Env } from '../../functions/config/env.js';
import { readDatabaseUrl } from '../../functions/db/connection-config.js';
import { redact } from '../../functions/runner/redact.js';

/** The file, in the cluster folder (mode 0600), that the `db` URL's `passfile` names. */
const pgpassFile = 'pgpass';

/** Where the jobs' database is, for a person with psql. */
export type DatabaseWhereabouts =
  | { readonly running: true; readonly url: string; readonly note: string }
  | { readonly running: false; readonly note: string };

/**
 * A URL that psql takes for the database the local jobs use. For the embedded PostgreSQL
 * (while `start` or `run` has it running): `postgres://postgres@127.0.0.1:<port>/location_jobs
 * ?passfile=<cluster>/pgpass`, the password in that file (mode 0600, libpq's passfile format)
 * rather than in the URL, so that it never shows on a screen or in a shell history. With
 * `DATABASE_URL`: that URL, its password masked.
 */
export async function locateDatabase(env: Env): Promise<DatabaseWhereabouts> {
  const external = readDatabaseUrl(env);
  if (external) {
    return { running: true, url: redact(external), note: 'DATABASE_URL (password masked)' };
  }
  const dataDir = localDataDir(env);
  const server = await readPostmasterPid(dataDir);
  if (!server?.port || !(await isAlive(server.pid))) {
    return {
      running: false,
      note: `the embedded PostgreSQL (${dataDir}) is not running: it runs while npm start or npm run jobs -- run does`,
    };
  }
  const password = (await readFile(join(dataDir, passwordFile), 'utf8')).trim();
  const passfile = join(dataDir, pgpassFile);
  // hostname:port:database:username:password, with ':' and '\' escaped (libpq's format).
  const pgpassField = (field: string) => field.replace(/[\\:]/g, '\\$&');
  await writeFile(passfile, `127.0.0.1:*:*:${superuser}:${pgpassField(password)}\n`, {
    mode: 0o600,
  });
  // libpq ignores a password file that others may read; writeFile keeps an existing mode.
  await chmod(passfile, 0o600);
  const url = new URL(`postgres://${superuser}@127.0.0.1:${server.port}/${localDatabaseName}`);
  url.searchParams.set('passfile', passfile);
  return {
    running: true,
    url: url.toString(),
    note: `embedded PostgreSQL, PID ${server.pid}; the password is in ${passfile}`,
  };
}
