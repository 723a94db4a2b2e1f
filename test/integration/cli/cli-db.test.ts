/**
 * `db` with nothing running: it starts the embedded PostgreSQL in the background, for the
 * psql that takes its URL; `run` and `start` use that server and leave it running; `db --stop`
 * stops it; a server that a running `start` started is left to it.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearStaleServer, isAlive, readPostmasterPid } from '../../../dev-db/postgres-stale.js';
import { discardingLogger } from '../../../functions/log-messages.js';
import { createOwnedTempDir } from '../../support/owned-temp-dir.js';
import { cleanEnv, runCli, startCli } from './cli-process.js';

/** Connects as psql does with the `db` URL: the password from the passfile it names. */
async function connectLikePsql(dbUrl: string): Promise<pg.Client> {
  const url = new URL(dbUrl);
  const passfile = url.searchParams.get('passfile') ?? '';
  const password = (await readFile(passfile, 'utf8')).trim().split(':').at(-1);
  const client = new pg.Client({
    host: url.hostname,
    port: Number(url.port),
    user: url.username,
    database: url.pathname.slice(1),
    password,
  });
  await client.connect();
  return client;
}

describe('db with nothing running', () => {
  let dataRoot: string;
  let dataDir: string;
  const env = () => cleanEnv({ LOCAL_POSTGRES_DIR: dataDir });

  beforeAll(async () => {
    // Owned by this process: a later test run stops a server left here if this one dies.
    dataRoot = await createOwnedTempDir();
    dataDir = join(dataRoot, 'db');
  });
  afterAll(async () => {
    await clearStaleServer(dataDir, 10_000, discardingLogger);
    await rm(dataRoot, { recursive: true, force: true });
  });

  it('starts the embedded PostgreSQL in the background, prepared as run does, and names it for psql; run uses it and leaves it running; db --stop stops it', async () => {
    // Act: db on a folder with no cluster, then a run while a psql-like session is open
    const db = await runCli(['db'], env());
    const server = await readPostmasterPid(dataDir);
    const psql = await connectLikePsql(db.stdout.trim());
    const seeded = await psql.query<{ devices: number; database: string }>(
      'SELECT count(*)::int AS devices, current_database() AS database FROM devices',
    );
    const again = await runCli(['db'], env());
    const run = await runCli(['run', 'location-cleanup', '--dry-run'], env());
    const afterRun = await psql.query<{ one: number }>('SELECT 1 AS one');
    await psql.end();
    const stop = await runCli(['db', '--stop'], env());
    const stopAgain = await runCli(['db', '--stop'], env());

    // Assess: db exited, its server runs on
    expect(db.code).toBe(0);
    expect(db.stderr).toContain('demo data written');
    expect(db.stderr).toContain(
      'started now, in the background: it keeps running after this command until npm run jobs -- db --stop',
    );
    expect(new URL(db.stdout.trim()).password).toBe('');
    expect(seeded.rows[0]).toEqual({ devices: 40, database: 'location_jobs' });
    // the second db finds it, and says how it stops
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(db.stdout);
    expect(again.stderr).toContain('running in the background; npm run jobs -- db --stop stops it');
    expect(again.stderr).not.toContain('demo data written');
    // run used it and left it, and the open session, alone
    expect(run.code).toBe(0);
    expect(run.logs('embedded PostgreSQL already running')[0]).toMatchObject({
      pid: server?.pid,
      startedBy: 'background',
    });
    expect(run.logs('embedded PostgreSQL left behind')).toEqual([]);
    expect(run.logs('demo data written')).toEqual([]);
    expect(afterRun.rows).toEqual([{ one: 1 }]);
    // db --stop stopped it; once stopped, there is nothing to stop
    expect(stop.code).toBe(0);
    expect(stop.stderr).toContain(`stopped the embedded PostgreSQL (PID ${server?.pid}`);
    expect(await isAlive(server?.pid ?? 0)).toBe(false);
    expect(await readPostmasterPid(dataDir)).toBeUndefined();
    expect(stopAgain.code).toBe(0);
    expect(stopAgain.stderr).toContain('is not running: nothing to stop');
  }, 120_000);

  it('while start runs: db names its server, run shares it, db --stop leaves it to start, which stops it', async () => {
    // Prepare: the cluster of the test above, stopped
    const start = startCli(['start'], env());
    await start.waitFor(
      () => start.logs('scheduler started').length === 1,
      'the scheduler started',
    );
    const server = await readPostmasterPid(dataDir);

    // Act
    const db = await runCli(['db'], env());
    const run = await runCli(['run', 'location-cleanup', '--dry-run'], env());
    const stop = await runCli(['db', '--stop'], env());
    const aliveAfterAll = await isAlive(server?.pid ?? 0);
    start.child.kill('SIGTERM');
    const code = await start.exited;

    // Assess
    expect(db.code).toBe(0);
    expect(db.stderr).toContain(`started by PID ${start.child.pid}`);
    expect(run.code).toBe(0);
    expect(run.logs('embedded PostgreSQL already running')[0]).toMatchObject({
      pid: server?.pid,
      startedBy: 'process',
      ownerPid: start.child.pid,
    });
    expect(stop.code).toBe(1);
    expect(stop.stderr).toContain(`was started by PID ${start.child.pid}`);
    expect(aliveAfterAll).toBe(true);
    expect(code).toBe(0);
    expect(await isAlive(server?.pid ?? 0)).toBe(false);
  }, 120_000);
});
