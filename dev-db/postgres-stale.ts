import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { HarnessLog, type MessageLogger } from '../functions/log-messages.js';

const execFileAsync = promisify(execFile);

/** How often a process that was told to stop is checked. */
const pollIntervalMs = 50;

/** What a running server writes to `postmaster.pid` (the lines this module needs). */
export interface PostmasterPid {
  /** Line 1: the postmaster's process id. */
  readonly pid: number;
  /** Line 4: the TCP port it listens on. */
  readonly port: number | undefined;
  /**
   * Line 8: `starting`, `ready` (it accepts connections), `stopping` or `standby`, as
   * `pg_ctl` reads it.
   * @default - undefined while the server has not written it yet
   */
  readonly status?: string;
}

/** Reads `<dataDir>/postmaster.pid`, or `undefined` when there is none. */
export async function readPostmasterPid(dataDir: string): Promise<PostmasterPid | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  const status = lines[7]?.trim();
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, port: Number.isInteger(port) ? port : undefined, ...(status ? { status } : {}) };
}

/**
 * Stops a server that a previous process left running on `dataDir` (the Node process was
 * killed before it could stop it), or removes the pid file such a server left behind when it
 * died too. A fast shutdown (SIGINT) first; SIGKILL if it has not exited after `timeoutMs`.
 *
 * A live process that is not a postgres serving `dataDir` (its id was reused) is left alone;
 * only the stale pid file is removed.
 *
 * What was cleared is logged (`embedded PostgreSQL left behind`).
 *
 * @returns what was cleared up, in a sentence, or `undefined` when nothing was left behind.
 */
export async function clearStaleServer(
  dataDir: string,
  timeoutMs: number,
  logger: MessageLogger,
): Promise<string | undefined> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const stale = await readPostmasterPid(dataDir);
  if (!stale) return undefined;
  const { pid, port } = stale;
  if (!(await isAlive(pid)) || !(await isPostmasterOf(pid, dataDir))) {
    await rm(pidFile, { force: true });
    const detail = `removed a stale postmaster.pid (PID ${pid} is not a running server on this folder)`;
    logger.info(HarnessLog.EmbeddedPostgresLeftBehind, {
      dataDir,
      pid,
      cleared: 'pid file removed',
      detail,
    });
    return detail;
  }
  await stopPostmaster(dataDir, pid, timeoutMs, logger);
  const detail = `stopped a PostgreSQL server left running on this folder (PID ${pid}, port ${port})`;
  logger.info(HarnessLog.EmbeddedPostgresLeftBehind, {
    dataDir,
    pid,
    ...(port !== undefined ? { port } : {}),
    cleared: 'server stopped',
    detail,
  });
  return detail;
}

/**
 * Stops the server `pid` running on `dataDir` that this process did not start (it is not
 * its child): a fast shutdown (SIGINT: open sessions are cut, transactions rolled back), then
 * SIGKILL if it has not exited after `timeoutMs`; then removes the pid file a killed server
 * leaves.
 */
export async function stopPostmaster(
  dataDir: string,
  pid: number,
  timeoutMs: number,
  logger: MessageLogger,
): Promise<void> {
  signal(pid, 'SIGINT');
  if (!(await waitForExit(pid, timeoutMs))) {
    logger.warn(HarnessLog.EmbeddedPostgresKilled, { dataDir, pid, timeoutMs });
    signal(pid, 'SIGKILL');
    if (!(await waitForExit(pid, timeoutMs))) {
      throw new Error(
        `a PostgreSQL server running on ${dataDir} (PID ${pid}) did not exit after SIGKILL`,
      );
    }
  }
  // A server that exited cleanly removed it; a killed one did not.
  await rm(path.join(dataDir, 'postmaster.pid'), { force: true });
}

/** Whether `pid` runs; a zombie (exited, not yet reaped by its new parent) does not. */
export async function isAlive(pid: number): Promise<boolean> {
  if (process.platform === 'linux') {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls until `pid` has exited; `false` when it still runs after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await delay(pollIntervalMs);
  }
  return true;
}

/** Whether `pid` is a `postgres` process started with `-D <dataDir>`. */
export async function isPostmasterOf(pid: number, dataDir: string): Promise<boolean> {
  const args = await commandLine(pid);
  if (!args || path.basename(args[0] ?? '') !== 'postgres') return false;
  const flag = args.indexOf('-D');
  const dir = flag >= 0 ? args[flag + 1] : undefined;
  return dir !== undefined && path.resolve(dir) === path.resolve(dataDir);
}

async function commandLine(pid: number): Promise<string[] | undefined> {
  try {
    if (process.platform === 'linux') {
      const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      return raw.split('\0').filter((arg) => arg !== '');
    }
    // No /proc (macOS): `ps` prints the arguments joined by spaces, good enough here.
    const { stdout } = await execFileAsync('ps', ['-p', String(pid), '-o', 'args=']);
    return stdout.trim().split(/\s+/);
  } catch {
    return undefined;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
