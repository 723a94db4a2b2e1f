/**
 * Runs once per `vitest run`: makes a PostgreSQL server available to the test files, with a
 * template database holding the migrated schema that each file clones (see test-database.ts).
 *
 * - `DATABASE_URL` set: that server is used (the role needs CREATEDB); nothing is started,
 *   and the template is dropped in teardown.
 * - otherwise: a throw-away server in a fresh folder under `os.tmpdir()`, stopped and
 *   deleted in teardown (or, after a Ctrl-C, by the next run: see owned-temp-dir.ts).
 *
 * `POSTGRES_VERSION=14` runs that major version's embedded server instead of the default (18);
 * with `DATABASE_URL`, it is checked against that server's version.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { postgresVersionVariable, requestedPostgresMajor } from '../../dev-db/postgres-binaries.js';
import { startPostgresServer } from '../../dev-db/postgres-server.js';
import { withClient } from '../../dev-db/with-client.js';
import { migrate } from '../../functions/db/migrate.js';
import { databaseUrl } from './database-url.js';
import { createOwnedTempDir, sweepAbandonedTempDirs } from './owned-temp-dir.js';
import { prebuildTypeScript } from './prebuilt-ts/prebuild.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** A superuser (or CREATEDB) connection URL to the test server's `postgres` database. */
    postgresAdminUrl: string;
    /** The database, with every migration applied, that test databases are cloned from. */
    postgresTemplateDatabase: string;
    /** The module a test's child Node process imports to run the project's TypeScript. */
    typeScriptLoader: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = `test_template_${randomBytes(4).toString('hex')}`;
  const { adminUrl, stop } = await provideServer(template);
  try {
    await checkVersion(adminUrl);
    await createTemplate(adminUrl, template);
  } catch (error) {
    await stop();
    throw error;
  }
  // Transpiled once here rather than by tsx in each of the ~50 processes the tests start.
  const codeDir = await createOwnedTempDir();
  const loader = await prebuildTypeScript(path.join(codeDir, 'code'));
  project.provide('postgresAdminUrl', adminUrl);
  project.provide('postgresTemplateDatabase', template);
  project.provide('typeScriptLoader', loader);
  return async () => {
    await rm(codeDir, { recursive: true, force: true });
    await stop();
  };
}

async function provideServer(template: string) {
  const external = process.env.DATABASE_URL;
  if (external) {
    const stop = () =>
      withClient(external, async (admin) => {
        const name = admin.escapeIdentifier(template);
        await admin.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE false`).catch(() => undefined);
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    return { adminUrl: external, stop };
  }

  await sweepAbandonedTempDirs();
  const runDir = await createOwnedTempDir();
  const server = await startPostgresServer({
    dataDir: path.join(runDir, 'data'),
    persistent: false,
    // A hang guard (usually under a second): generous, as on a busy machine start-up is slow.
    startTimeoutMs: 300_000,
  });
  // Vitest exits on Ctrl-C without calling teardown: at least ask the server to shut down.
  const onExit = () => {
    try {
      process.kill(server.pid, 'SIGINT');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', onExit);
  await turnAutovacuumOff(server.url);
  const stop = async () => {
    process.off('exit', onExit);
    await server.stop();
    await rm(runDir, { recursive: true, force: true });
  };
  return { adminUrl: server.url, stop };
}

/**
 * Turns autovacuum off on the throw-away server (never on a `DATABASE_URL` server: not ours to
 * configure). The test files' tables are small and rewritten in bursts, so autovacuum would
 * vacuum and analyse them at moments that depend on the machine's speed: a table's statistics,
 * and so a plan or the heap path's range sizes, would differ from run to run (stale statistics
 * after a TRUNCATE once made a three-batch sweep one batch), and its workers take CPU from the
 * tests. A test that needs statistics runs ANALYZE itself. Returns once a new session sees it.
 */
async function turnAutovacuumOff(adminUrl: string): Promise<void> {
  await withClient(adminUrl, async (admin) => {
    await admin.query('ALTER SYSTEM SET autovacuum = off');
    await admin.query('SELECT pg_reload_conf()');
  });
  // The postmaster rereads its configuration on the signal pg_reload_conf() sends; sessions
  // started after that see the new value. A few connections at most.
  for (let attempt = 1; ; attempt++) {
    const setting = await withClient(adminUrl, async (admin) => {
      const { rows } = await admin.query<{ autovacuum: string }>('SHOW autovacuum');
      return rows[0]?.autovacuum;
    });
    if (setting === 'off') return;
    if (attempt === 1000) throw new Error(`autovacuum is still ${setting} after a reload`);
  }
}

/**
 * Says which PostgreSQL the tests run on, and fails when it is not the one `POSTGRES_VERSION`
 * asks for (a `DATABASE_URL` server of another version).
 */
async function checkVersion(adminUrl: string): Promise<void> {
  const requested = requestedPostgresMajor(process.env);
  const { version, major } = await withClient(adminUrl, async (admin) => {
    const { rows } = await admin.query<{ version: string; major: number }>(
      `SELECT current_setting('server_version') AS version,
              current_setting('server_version_num')::int / 10000 AS major`,
    );
    return rows[0] as { version: string; major: number };
  });
  if (requested !== undefined && major !== requested) {
    throw new Error(
      `${postgresVersionVariable}=${requested}, but the test server (DATABASE_URL) runs PostgreSQL ${version}`,
    );
  }
  console.log(`database tests on PostgreSQL ${version}`);
}

/** Creates `name`, migrates it, and closes it to connections so it can be cloned at once. */
async function createTemplate(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (admin) =>
    admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`),
  );
  await withClient(databaseUrl(adminUrl, name), (client) => migrate(client));
  await withClient(adminUrl, (admin) =>
    admin.query(
      `ALTER DATABASE ${admin.escapeIdentifier(name)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`,
    ),
  );
}
