/**
 * Who started the server running on a cluster folder, and so who stops it: a process that
 * stops it when it ends (`npm start`, `npm run jobs -- run`), or nobody, for a server left
 * running in the background (`npm run jobs -- db`, until `db --stop`). The record is kept in
 * `<dataDir>/server-owner.json` with the postmaster's PID, so that one about an earlier
 * server is not believed.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isAlive, isPostmasterOf, readPostmasterPid } from './postgres-stale.js';

/** Who stops the server. */
export type ServerOwner =
  /** The process `pid` stops it when it ends. */
  | { readonly kind: 'process'; readonly pid: number }
  /** It runs in the background until someone stops it. */
  | { readonly kind: 'background' };

/** The file in the cluster folder that says who owns its server. */
const ownerFile = 'server-owner.json';

interface OwnerRecord {
  readonly postmasterPid: number;
  readonly owner: ServerOwner;
}

/** Records that `owner` stops the server `postmasterPid`. */
export async function writeServerOwner(
  dataDir: string,
  postmasterPid: number,
  owner: ServerOwner,
): Promise<void> {
  const record: OwnerRecord = { postmasterPid, owner };
  await writeFile(path.join(dataDir, ownerFile), `${JSON.stringify(record)}\n`);
}

/** Forgets the owner (the server stopped). */
export async function removeServerOwner(dataDir: string): Promise<void> {
  await rm(path.join(dataDir, ownerFile), { force: true });
}

/** The owner recorded for the server `postmasterPid`, or `undefined` when none is. */
async function readServerOwner(
  dataDir: string,
  postmasterPid: number,
): Promise<ServerOwner | undefined> {
  try {
    const record = JSON.parse(
      await readFile(path.join(dataDir, ownerFile), 'utf8'),
    ) as Partial<OwnerRecord>;
    return record.postmasterPid === postmasterPid ? record.owner : undefined;
  } catch {
    return undefined;
  }
}

/** A server running on a cluster folder. */
export interface RunningServer {
  /** The postmaster's process id. */
  readonly pid: number;
  /** Its TCP port on 127.0.0.1, once it has written it. */
  readonly port: number | undefined;
  /**
   * Who stops it.
   * @default - undefined: no record (a server started before owners were recorded)
   */
  readonly owner?: ServerOwner;
  /**
   * Whether it runs on purpose: in the background, or for a process that still runs. A
   * server whose owning process is gone (killed) was left behind.
   */
  readonly inUse: boolean;
}

/** The server running on `dataDir`, or `undefined` when none is. */
export async function findRunningServer(dataDir: string): Promise<RunningServer | undefined> {
  const running = await readPostmasterPid(dataDir);
  if (!running || !(await isAlive(running.pid)) || !(await isPostmasterOf(running.pid, dataDir))) {
    return undefined;
  }
  const owner = await readServerOwner(dataDir, running.pid);
  const inUse = owner !== undefined && (owner.kind === 'background' || (await isAlive(owner.pid)));
  return { pid: running.pid, port: running.port, ...(owner ? { owner } : {}), inUse };
}
