import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { typeScriptNodeOptions } from '../../support/node-typescript.js';

const root = join(import.meta.dirname, '..', '..', '..');

/** The run history of this test process's CLIs, unless a test gives its own: never the repo's. */
const throwawayHistoryDir = mkdtempSync(join(tmpdir(), 'cli-history-'));
process.once('exit', () => rmSync(throwawayHistoryDir, { recursive: true, force: true }));

/** A running CLI process, its output parsed as it arrives. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** JSON lines printed so far (stdout, then stderr: Powertools prints errors there), optionally with this `message`. */
  logs(message?: string): Record<string, unknown>[];
  /** Resolves once `predicate` holds for the output (checked on each chunk). */
  waitFor(predicate: () => boolean, what: string): Promise<void>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/**
 * Starts `node cli/cli.ts <args>` in the project root, as `npm run jobs` does (with the run's
 * transpiled code instead of tsx: see node-typescript.ts).
 */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [...typeScriptNodeOptions(), 'cli/cli.ts', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    notify();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    notify();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => resolve(code)),
  );
  const logs = (message?: string) =>
    `${out}\n${err}`
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => message === undefined || line.message === message);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs,
    exited,
    waitFor: (predicate, what) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (predicate()) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        void exited.then(() => {
          if (waiters.delete(check)) {
            reject(new Error(`the CLI exited before ${what}:\n${out}\n${err}`));
          }
        });
        check();
      }),
  };
}

/** Runs the CLI to completion. */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv) {
  const cli = startCli(args, env);
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr(), logs: cli.logs };
}

/**
 * Demo data the CLIs write on an embedded database: a tenth of the default (500 fixes per
 * device, 20,000 in all), plenty for the jobs to have work, and the embedded-CLI tests spend
 * seconds less on each seed and each run.
 */
export const testDemoLocationsPerDevice = 500;

/**
 * The test process's environment without any database or job settings of the developer's,
 * with a throw-away run history folder (`LOCAL_HISTORY_DIR`) and a tenth of the demo data
 * (`LOCAL_DEMO_LOCATIONS_PER_DEVICE`), unless `extra` says otherwise.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      !/^(DATABASE_URL|DB_SECRET_ARN|LOCATION_|PM__|IDEMPOTENCY_|LOCAL_|POWERTOOLS_|AWS_)/.test(key)
    ) {
      env[key] = value;
    }
  }
  return {
    ...env,
    LOCAL_HISTORY_DIR: throwawayHistoryDir,
    LOCAL_DEMO_LOCATIONS_PER_DEVICE: String(testDemoLocationsPerDevice),
    ...extra,
  };
}
