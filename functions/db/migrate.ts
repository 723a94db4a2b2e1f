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
 * transaction, under an advisory lock. Applying twice is a no-op.
 *
 * @returns the file names applied by this call (empty when the schema was up to date).
 */
export async function migrate(client: ClientBase, dir = migrationsDir): Promise<string[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  await client.query('SELECT pg_advisory_lock($1)', [migrationLockKey]);
  try {
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${historyTable} (
         name text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ name: string }>(`SELECT name FROM ${historyTable}`);
    const done = new Set(rows.map((row) => row.name));
    const applied: string[] = [];
    for (const file of files.filter((name) => !done.has(name))) {
      const sql = await readFile(join(dir, file), 'utf8');
      await inTransaction(client, async () => {
        await client.query(sql);
        await client.query(`INSERT INTO ${historyTable} (name) VALUES ($1)`, [file]);
      }).catch((error: unknown) => {
        throw new Error(`migration ${file} failed`, { cause: error });
      });
      applied.push(file);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [migrationLockKey]);
  }
}
