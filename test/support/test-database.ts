/**
 * A database of its own for each test file, on the server that global-setup.ts provides, so
 * files run in parallel without seeing each other's rows.
 *
 * ```ts
 * const db = useTestDatabase();
 * it('...', async () => {
 *   const client = await db().connect();
 *   // ... (clients still open are closed by drop())
 * });
 * ```
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { databaseUrl } from './database-url.js';
import { createJobRole, type JobRole } from './job-role.js';

/** Options of {@link createTestDatabase}. */
export interface TestDatabaseOptions {
  /**
   * Clone the template with every migration applied; false for an empty database.
   * @default true
   */
  readonly schema?: boolean;
}

/** A database that exists until {@link TestDatabase.drop}. */
export interface TestDatabase {
  /** The database's (unique) name. */
  readonly name: string;
  /** A connection URL for it, as the superuser. */
  readonly url: string;
  /**
   * A connected client, as the superuser or as `role`; any still open are ended by `drop()`.
   */
  connect(role?: JobRole): Promise<pg.Client>;
  /**
   * The jobs' least-privileged login role, with the documented grants on this database's
   * tables (see job-role.ts): created on the first call, dropped by `drop()`.
   */
  jobRole(): Promise<JobRole>;
  /** Ends this object's clients and drops the database, cutting any other session. */
  drop(): Promise<void>;
}

/** Creates a uniquely named database: a clone of the migrated template, or empty. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const template = options.schema === false ? 'template0' : inject('postgresTemplateDatabase');
  await asAdmin(adminUrl, (admin) =>
    admin.query(
      `CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE ${admin.escapeIdentifier(template)}`,
    ),
  );
  const url = databaseUrl(adminUrl, name);
  const clients = new Set<pg.Client>();
  let dropping: Promise<void> | undefined;
  let role: Promise<JobRole> | undefined;
  return {
    name,
    url,
    async connect(role?: JobRole) {
      const client = new pg.Client({ connectionString: role?.url ?? url });
      await client.connect();
      clients.add(client);
      return client;
    },
    jobRole() {
      role ??= (async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          return await createJobRole(client, url);
        } finally {
          await client.end();
        }
      })();
      return role;
    },
    drop() {
      dropping ??= (async () => {
        await Promise.all([...clients].map((client) => client.end().catch(() => undefined)));
        await asAdmin(adminUrl, async (admin) => {
          await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
          // Its objects and grants went with the database.
          const created = await role?.catch(() => undefined);
          if (created) await admin.query(`DROP ROLE IF EXISTS ${created.name}`);
        });
      })();
      return dropping;
    },
  };
}

/**
 * Creates a database for this test file before its tests and drops it after them; returns
 * a getter for it.
 */
export function useTestDatabase(options: TestDatabaseOptions = {}): () => TestDatabase {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(options);
  });
  afterAll(() => database?.drop());
  return () => {
    if (!database) throw new Error('the test database is created in beforeAll: use it in a test');
    return database;
  };
}

async function asAdmin(url: string, use: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await use(client);
  } finally {
    await client.end();
  }
}
