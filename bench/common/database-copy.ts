import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type pg from 'pg';

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
