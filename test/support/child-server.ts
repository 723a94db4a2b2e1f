/**
 * A server program run as a child of the test process (a standby PostgreSQL, PgBouncer), as
 * the `postgres` OS user when the tests run as root (neither runs as root), until `stop()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type RunAs, resolveRunAs } from '../../dev-db/postgres-os-user.js';
import { discardingLogger } from '../../functions/log-messages.js';

/** What to run, and the line it prints once it serves. */
export interface ChildServerOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Printed (stdout or stderr) once the server accepts connections. */
  readonly readyLine: string | RegExp;
  /** @default 30_000 */
  readonly startTimeoutMs?: number;
}

/** A running child server. */
export interface ChildServer {
  readonly pid: number;
  /** Its output so far, for a failure's message. */
  readonly output: readonly string[];
  /** SIGINT, then SIGKILL after 10 s; resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

/** The ids to run servers as: the `postgres` OS user when this process is root. */
export function serverRunAs(): Promise<RunAs | undefined> {
  return resolveRunAs(discardingLogger);
}

/**
 * Starts `command` and resolves once it printed its ready line; rejects with its output if it
 * exits first, or when `startTimeoutMs` passes (a bound on a broken start, not a wait).
 */
export async function startChildServer(options: ChildServerOptions): Promise<ChildServer> {
  const runAs = await serverRunAs();
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  });
  const output: string[] = [];
  const exited = new Promise<string>((resolve) => {
    child.once('close', (code, signal) => resolve(`exited (code ${code}, signal ${signal})`));
    child.once('error', (error) => resolve(`could not start: ${error.message}`));
  });
  const ready = new Promise<void>((resolve) => {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        const matches =
          typeof options.readyLine === 'string'
            ? line.includes(options.readyLine)
            : options.readyLine.test(line);
        if (matches) resolve();
      });
    }
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('did not start in time'), options.startTimeoutMs ?? 30_000);
  });
  const failure = await Promise.race([ready.then(() => undefined), exited, timedOut]);
  clearTimeout(timer);
  let stopping: Promise<void> | undefined;
  const server: ChildServer = {
    pid: child.pid ?? -1,
    output,
    stop: () => {
      stopping ??= stopChild(child, exited);
      return stopping;
    },
  };
  if (failure !== undefined) {
    await server.stop();
    throw new Error(`${options.command} ${failure}:\n${output.join('\n')}`);
  }
  return server;
}

async function stopChild(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 10_000);
  });
  await Promise.race([exited, killed]);
  await exited;
  clearTimeout(timer);
}
