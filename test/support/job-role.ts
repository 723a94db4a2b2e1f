/**
 * The jobs' least-privileged login role, as docs/deploy.md ("The jobs' database role") tells a
 * backend team to create it: the statements below are the documented ones (a unit test checks
 * that the page shows each of them), so the tests run the jobs with exactly those grants, not
 * as the superuser.
 *
 * ```ts
 * const db = useTestDatabase();
 * it('...', async () => {
 *   const role = await db().jobRole();            // created once per database
 *   await grant(client, documentedGrants.dropPartitions(role.name, 'locations', partitions));
 *   // ... run the job with DATABASE_URL = role.url
 * });
 * ```
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';

/** A login role in the server of a test database. */
export interface JobRole {
  /** Its name: a plain lower-case identifier, safe to inline. */
  readonly name: string;
  /** A connection URL for the test database as this role. */
  readonly url: string;
}

/**
 * The statements docs/deploy.md documents, for the role `role` (a plain identifier) and the
 * table `table`.
 */
export const documentedGrants = {
  /** Both jobs on plain tables, and the claims table (the overlap guard). */
  tables: (role: string): string[] => [
    `GRANT SELECT, DELETE ON locations, idempotency_keys TO ${role}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON maintenance_job_claims TO ${role}`,
  ],
  /**
   * Optional: lets batches go around rows other sessions hold locked (`FOR UPDATE SKIP
   * LOCKED`, which PostgreSQL allows only to a role that may update); the job updates nothing.
   */
  lockRows: (role: string, table: string, column: string): string[] => [
    `GRANT UPDATE (${column}) ON ${table} TO ${role}`,
  ],
  /** A partitioned table whose expired partitions are dropped: each partition its own. */
  dropPartitions: (role: string, table: string, partitions: readonly string[]): string[] => [
    `GRANT SELECT, DELETE ON ${table} TO ${role}`,
    ...partitions.map((partition) => `ALTER TABLE ${partition} OWNER TO ${role}`),
  ],
  /** A partitioned table whose expired partitions are detached: the parent its own. */
  detachPartitions: (role: string, table: string, partitions: readonly string[]): string[] => [
    `ALTER TABLE ${table} OWNER TO ${role}`,
    ...partitions.map((partition) => `GRANT SELECT, DELETE ON ${partition} TO ${role}`),
  ],
  /**
   * Partitions made ahead by the job: the parent its own, and `CREATE` on the schema (the
   * partitions it makes are then its own too).
   */
  premakePartitions: (role: string, table: string, schema: string): string[] => [
    `ALTER TABLE ${table} OWNER TO ${role}`,
    `GRANT CREATE ON SCHEMA ${schema} TO ${role}`,
  ],
} as const;

/** Runs `statements` (as the superuser, on `client`). */
export async function grant(client: pg.Client, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await client.query(statement);
}

/** Options of {@link createJobRole}. */
export interface JobRoleOptions {
  /**
   * Role attributes after `LOGIN PASSWORD '...'` (e.g. `BYPASSRLS`).
   * @default '' - none
   */
  readonly attributes?: string;
  /**
   * The statements that grant it what it has, given its name.
   * @default documentedGrants.tables
   */
  readonly grants?: (role: string) => readonly string[];
}

/**
 * Creates a login role with a random name and password, by default with the documented grants
 * on the plain tables of the database `client` is connected to (`url`). Dropping it is the
 * caller's (`DROP OWNED BY` in that database, then `DROP ROLE`).
 */
export async function createJobRole(
  client: pg.Client,
  url: string,
  options: JobRoleOptions = {},
): Promise<JobRole> {
  const name = `jobs_${randomBytes(5).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await client.query(
    `CREATE ROLE ${name} LOGIN PASSWORD '${password}' ${options.attributes ?? ''}`,
  );
  await grant(client, (options.grants ?? documentedGrants.tables)(name));
  const asRole = new URL(url);
  asRole.username = name;
  asRole.password = password;
  return { name, url: asRole.toString() };
}
