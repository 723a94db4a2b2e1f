/**
 * How the CLI stops when its terminal or its output goes away: SIGHUP (the terminal closed)
 * and a closed stdout pipe (`npm run jobs -- run ... | head`) are stop requests like Ctrl-C,
 * so the embedded server is stopped, not left running.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearStaleServer, isAlive, readPostmasterPid } from '../../../dev-db/postgres-stale.js';
import { discardingLogger } from '../../../functions/log-messages.js';
import { createOwnedTempDir } from '../../support/owned-temp-dir.js';
import { cleanEnv, runCli, startCli } from './cli-process.js';

describe('the CLI stops the embedded server when its terminal or output goes away', () => {
  let dataRoot: string;
  let dataDir: string;

  beforeAll(async () => {
    dataRoot = await createOwnedTempDir();
    // One cluster for the file: the first test initialises and seeds it, later ones reuse it.
    dataDir = join(dataRoot, 'stops');
  });
  afterAll(async () => {
    await clearStaleServer(dataDir, 10_000, discardingLogger);
    await rm(dataRoot, { recursive: true, force: true });
  });

  it('names the running server’s database for psql (db), and treats SIGHUP (the terminal closed) as a stop request: graceful shutdown, server stopped, exit 0', async () => {
    // Prepare
    const cli = startCli(['start'], cleanEnv({ LOCAL_POSTGRES_DIR: dataDir }));
    await cli.waitFor(() => cli.logs('scheduler started').length === 1, 'the scheduler started');
    const server = await readPostmasterPid(dataDir);
    // While it runs, `db` gives a URL without the password, which is in the passfile it names.
    const db = await runCli(['db'], cleanEnv({ LOCAL_POSTGRES_DIR: dataDir }));
    const url = new URL(db.stdout.trim());
    const passfile = url.searchParams.get('passfile') ?? '';
    const password = (await readFile(passfile, 'utf8')).trim().split(':').at(-1);
    const psqlLike = new pg.Client({
      host: url.hostname,
      port: Number(url.port),
      user: url.username,
      database: url.pathname.slice(1),
      password,
    });
    await psqlLike.connect();
    const { rows } = await psqlLike.query<{ name: string }>('SELECT current_database() AS name');
    await psqlLike.end();

    // Act
    cli.child.kill('SIGHUP');
    const code = await cli.exited;

    // Assess
    expect(code).toBe(0);
    expect(cli.logs('shutting down')[0]).toMatchObject({ reason: 'SIGHUP' });
    expect(cli.logs('shut down')).toHaveLength(1);
    expect(server && (await isAlive(server.pid))).toBe(false);
    expect(db.code).toBe(0);
    expect(url.password).toBe('');
    expect(`${db.stdout}${db.stderr}`).not.toContain(password);
    expect(((await stat(passfile)).mode & 0o777).toString(8)).toBe('600');
    expect(rows[0]?.name).toBe('location_jobs');
  });

  it('treats a closed stdout pipe (`| head`) as a stop request: no EPIPE crash, server stopped', async () => {
    // Prepare
    const cli = startCli(
      ['run', 'location-cleanup', '--dry-run'],
      cleanEnv({ LOCAL_POSTGRES_DIR: dataDir }),
    );
    await cli.waitFor(() => cli.logs('schema migrated').length === 1, 'the schema was in');
    const server = await readPostmasterPid(dataDir);

    // Act: the reader goes away, as `head` does once it has its lines
    cli.child.stdout?.destroy();
    const code = await cli.exited;

    // Assess
    expect(cli.stderr()).not.toMatch(/Unhandled 'error' event|EPIPE/);
    expect(code).toBe(0);
    expect(server && (await isAlive(server.pid))).toBe(false);
    expect(await readPostmasterPid(dataDir)).toBeUndefined();
  });
});
