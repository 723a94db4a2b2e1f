import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClientBase } from 'pg';
import { inTransaction } from './transaction.js';

/** The folder holding the numbered `.sql` migrations, applied in file-name order. */
export const migrationsDir = join(import.meta.dirname, 'migrations');

/** The table that records which migrations were applied. */
const historyTable = 'maintenance_jobs_migrations';

/** An arbitrary but fixed key: only one migrator runs at a time against a database. */
const migrationLockKey = 7_231_001;

/**
 * Applies every migration in `dir` that the database has not recorded yet, each in its own
 * transaction. Applying twice is a no-op, and two migrators at once apply each migration once.
 *
 * Each transaction takes a transaction-level advisory lock (`pg_advisory_xact_lock`) and checks
 * the history again under it: no session-level lock, which through a pooler in transaction mode
 * would be taken on one server connection and "released" on another, and stay held.
 *
 * @returns the file names applied by this call (empty when the schema was up to date).
 */
export async function migrate(client: ClientBase, dir = migrationsDir): Promise<string[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  const done = await inTransaction(client, async () => {
    await lockMigrations(client);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${historyTable} (
         name text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ name: string }>(`SELECT name FROM ${historyTable}`);
    return new Set(rows.map((row) => row.name));
  });
  const applied: string[] = [];
  for (const file of files.filter((name) => !done.has(name))) {
    const sql = await readFile(join(dir, file), 'utf8');
    const appliedNow = await inTransaction(client, async () => {
      await lockMigrations(client);
      const { rowCount } = await client.query(`SELECT FROM ${historyTable} WHERE name = $1`, [
        file,
      ]);
      // Another migrator applied it since the history was read.
      if (rowCount) return false;
      await client.query(sql);
      await client.query(`INSERT INTO ${historyTable} (name) VALUES ($1)`, [file]);
      return true;
    }).catch((error: unknown) => {
      throw new Error(`migration ${file} failed`, { cause: error });
    });
    if (appliedNow) applied.push(file);
  }
  return applied;
}

/** Waits for other migrators' transactions; held until this transaction ends. */
async function lockMigrations(client: ClientBase): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
}
