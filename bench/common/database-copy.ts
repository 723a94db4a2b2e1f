import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { startWriter, type Writer } from './writer.js';

const execFileAsync = promisify(execFile);

/** `url` with its database replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/**
 * Creates `<template>_copy` from the loaded `template` and returns its URL; drop it with
 * `DROP DATABASE ... WITH (FORCE)` after the run. On a server on this machine, the copy's files
 * are flushed first: they are dirty in the OS's cache, and their write-back would otherwise
 * overlap the run (the throw-away server runs with fsync off).
 */
export async function copyDatabase(
  admin: pg.Client,
  adminUrl: string,
  template: string,
  local: boolean,
): Promise<{ readonly name: string; readonly url: string }> {
  const name = `${template}_copy`;
  // A file copy (PostgreSQL 15+) is much faster than the default WAL-logged one.
  const fileCopy =
    Number((await admin.query('SHOW server_version_num')).rows[0]?.server_version_num) >= 150_000;
  await admin.query(
    `CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE ${admin.escapeIdentifier(template)}${fileCopy ? ' STRATEGY FILE_COPY' : ''}`,
  );
  if (local) await execFileAsync('sync');
  return { name, url: withDatabase(adminUrl, name) };
}

/** Where a measured run happens: a session on a fresh copy, and the writer inserting beside it. */
export interface CopyUnderWrites {
  /** A session on the copy, named as the job's (`location-cleanup`). */
  readonly db: pg.Client;
  /** The application's inserts, started on a device of the copy; the run stops it. */
  readonly writer: Writer;
}

/**
 * Copies `template` ({@link copyDatabase}), opens a session on the copy, starts the writer
 * (bench/cleanup/writer.ts) on one of its devices, and runs `use`; then closes the session and
 * drops the copy, whether `use` succeeded or not.
 */
export async function onCopyUnderWrites<T>(
  from: {
    readonly admin: pg.Client;
    readonly adminUrl: string;
    readonly template: string;
    readonly local: boolean;
    /**
     * The URL the session connects to, for the copy's URL (e.g. through PgBouncer).
     * @default - the copy's URL itself
     */
    readonly connectVia?: (url: string) => string;
  },
  use: (copy: CopyUnderWrites) => Promise<T>,
): Promise<T> {
  const { admin } = from;
  const copy = await copyDatabase(admin, from.adminUrl, from.template, from.local);
  const db = new pg.Client({
    connectionString: from.connectVia ? from.connectVia(copy.url) : copy.url,
    application_name: 'location-cleanup',
  });
  try {
    await db.connect();
    const device = (await db.query<{ id: string }>('SELECT device_id AS id FROM devices LIMIT 1'))
      .rows[0]?.id as string;
    return await use({ db, writer: await startWriter(copy.url, device) });
  } finally {
    await db.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(copy.name)} WITH (FORCE)`);
  }
}
