import type pg from 'pg';

/**
 * `VACUUM ANALYZE` of `tables` as autovacuum leaves a table whose rows are days old: hint bits
 * set, and every page all-visible in the visibility map (so index-only scans skip the heap).
 *
 * VACUUM sets neither on rows whose commit is not yet on disk, and on a server with
 * `synchronous_commit = off` (the throw-away one) the commits just before it may not be (a
 * commit's LSN is shared by its 32 neighbours in the commit log): a run on such a table would
 * read the heap where a vacuumed table needs no heap at all. So one synchronous commit first
 * (`pg_current_xact_id()` takes a transaction id, which commits), which flushes all before it.
 */
export async function vacuumAnalyze(db: pg.Client, tables: readonly string[]): Promise<void> {
  await db.query('SET synchronous_commit = on');
  await db.query('SELECT pg_current_xact_id()');
  await db.query(`VACUUM ANALYZE ${tables.map((table) => db.escapeIdentifier(table)).join(', ')}`);
}
