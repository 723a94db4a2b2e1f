/**
 * Real standbys, started with the embedded server's binaries (there is no `pg_basebackup`
 * among them): a copy of a cleanly stopped primary's data folder with `standby.signal`.
 *
 * - {@link startStandby}: a standby with no primary. It stays in recovery and serves read-only
 *   sessions: `pg_is_in_recovery()` is true, and every transaction is read-only, as on a read
 *   replica or a former primary after a failover.
 * - {@link startStreamingStandby}: a primary and a standby that streams from it (physical
 *   replication, as an RDS read replica), whose replay can be paused so that it lags for
 *   certain.
 */
import { execFile } from 'node:child_process';
import { chown, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../dev-db/free-port.js';
import { loadPostgresBinaries, requestedPostgresMajor } from '../../dev-db/postgres-binaries.js';
import {
  type PostgresServer,
  passwordFile,
  startPostgresServer,
  superuser,
} from '../../dev-db/postgres-server.js';
import { serverRunAs, startChildServer } from './child-server.js';

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
  const { standbyDir } = await makePrimaryAndCopy(dir);
  return startStandbyServer(standbyDir, {});
}

/** A primary and a standby streaming from it. */
export interface StreamingStandby {
  /** The primary (its `url` is the superuser's). */
  readonly primary: PostgresServer;
  /** The standby: the superuser's URL. */
  readonly standbyUrl: string;
  /** The standby's `application_name`, as `pg_stat_replication` on the primary shows it. */
  readonly name: string;
  /** Pauses the standby's replay (`pg_wal_replay_pause()`); resolves once it is paused. */
  pauseReplay(): Promise<void>;
  /** Resumes it (`pg_wal_replay_resume()`). */
  resumeReplay(): Promise<void>;
  /**
   * Resolves once the primary's `pg_stat_replication` row for the standby satisfies `condition`
   * (SQL over its columns, e.g. `replay_lag > interval '1 second'`).
   *
   * @throws {Error} when it does not within `attempts` polls (50 ms apart, on the server)
   */
  waitOnPrimary(condition: string, attempts?: number): Promise<void>;
  /** Resolves once the standby has replayed everything the primary has written. */
  caughtUp(): Promise<void>;
  /** Stops the standby, then the primary. */
  stop(): Promise<void>;
}

/** The standby's `application_name`. */
const standbyName = 'replica-a';

/**
 * Starts a primary in `dir/primary` and a standby in `dir/standby` that streams from it
 * (`primary_conninfo` as the superuser, who has `REPLICATION`; initdb's `pg_hba.conf` lets
 * replication connections in from 127.0.0.1), and resolves once the primary sees it streaming.
 * The standby reports its replay position every second (`wal_receiver_status_interval = 1`),
 * so that the primary's `replay_lag` follows within a second.
 */
export async function startStreamingStandby(dir: string): Promise<StreamingStandby> {
  const { primaryDir, standbyDir } = await makePrimaryAndCopy(dir);
  const primary = await startPostgresServer({ dataDir: primaryDir, persistent: true });
  let standby: Standby | undefined;
  try {
    const password = (await readFile(path.join(primaryDir, passwordFile), 'utf8')).trim();
    const conninfo = [
      'host=127.0.0.1',
      `port=${primary.port}`,
      `user=${superuser}`,
      `password=${password}`,
      `application_name=${standbyName}`,
    ].join(' ');
    standby = await startStandbyServer(standbyDir, {
      primary_conninfo: conninfo,
      wal_receiver_status_interval: '1',
    });
    const pair = streamingStandby(primary, standby);
    await pair.waitOnPrimary(`state = 'streaming'`);
    return pair;
  } catch (error) {
    await standby?.stop();
    await primary.stop();
    throw error;
  }
}

function streamingStandby(primary: PostgresServer, standby: Standby): StreamingStandby {
  const onStandby = (sql: string) => withClient(standby.url, (client) => client.query(sql));
  const waitOnPrimary = (condition: string, attempts = 600) =>
    withClient(primary.url, async (client) => {
      for (let attempt = 0; attempt < attempts; attempt++) {
        // Each poll is its own transaction: pg_stat_activity is read afresh.
        const { rows } = await client.query<{ met: boolean | null }>(
          `SELECT (SELECT ${condition} FROM pg_stat_replication WHERE application_name = $1) AS met,
                  pg_sleep(0.05)`,
          [standbyName],
        );
        if (rows[0]?.met === true) return;
      }
      throw new Error(`the standby did not come to ${condition} within ${attempts} polls`);
    });
  return {
    primary,
    standbyUrl: standby.url,
    name: standbyName,
    async pauseReplay() {
      await onStandby('SELECT pg_wal_replay_pause()');
      await withClient(standby.url, async (client) => {
        for (let attempt = 0; attempt < 600; attempt++) {
          const { rows } = await client.query<{ paused: boolean }>(
            `SELECT pg_get_wal_replay_pause_state() = 'paused' AS paused, pg_sleep(0.05)`,
          );
          if (rows[0]?.paused) return;
        }
        throw new Error('the standby did not pause its replay');
      });
    },
    async resumeReplay() {
      await onStandby('SELECT pg_wal_replay_resume()');
    },
    waitOnPrimary,
    caughtUp: () => waitOnPrimary('replay_lsn >= pg_current_wal_lsn()'),
    async stop() {
      await standby.stop();
      await primary.stop();
    },
  };
}

/**
 * Makes a primary in `dir/primary` (initdb, start, stop) and copies its folder to
 * `dir/standby` with `standby.signal`.
 */
async function makePrimaryAndCopy(dir: string) {
  const primaryDir = path.join(dir, 'primary');
  const standbyDir = path.join(dir, 'standby');
  const primary = await startPostgresServer({ dataDir: primaryDir, persistent: true });
  await primary.stop();
  await execFileAsync('cp', ['-a', primaryDir, standbyDir]);
  const signal = path.join(standbyDir, 'standby.signal');
  await writeFile(signal, '');
  const runAs = await serverRunAs();
  if (runAs) await chown(signal, runAs.uid, runAs.gid);
  return { primaryDir, standbyDir };
}

/**
 * Starts the standby on `standbyDir` with the binaries of the version the tests run
 * (`POSTGRES_VERSION`), with `settings` on its command line.
 */
async function startStandbyServer(
  standbyDir: string,
  settings: Readonly<Record<string, string>>,
): Promise<Standby> {
  const { postgres } = await loadPostgresBinaries(requestedPostgresMajor(process.env));
  const port = await freePort();
  const all = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    logging_collector: 'off',
    hot_standby: 'on',
    ...settings,
  };
  const server = await startChildServer({
    command: postgres,
    args: [
      ...['-D', standbyDir, '-p', String(port)],
      ...Object.entries(all).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
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

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
