/**
 * Temp folders for test clusters that a later run can clean up. Vitest exits on Ctrl-C
 * without running global teardown, and a killed worker never reaches its `afterEach`: the
 * servers they started keep running. Each folder records the PID of the Node process that
 * made it; the next run stops the servers in folders whose owner is gone, and deletes them.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clearStaleServer, isAlive } from '../../dev-db/postgres-stale.js';
import { discardingLogger } from '../../functions/log-messages.js';

const prefix = 'vitest-postgres-';
const ownerFile = 'owner.pid';

/** A new folder under `os.tmpdir()` owned by this process. */
export async function createOwnedTempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await writeFile(path.join(dir, ownerFile), String(process.pid));
  return dir;
}

/** Stops the servers in, and deletes, the folders whose owning process has exited. */
export async function sweepAbandonedTempDirs(): Promise<void> {
  const names = (await readdir(tmpdir())).filter((name) => name.startsWith(prefix));
  for (const name of names) {
    const dir = path.join(tmpdir(), name);
    const owner = await readFile(path.join(dir, ownerFile), 'utf8').then(
      (text) => Number.parseInt(text, 10),
      () => undefined,
    );
    if (owner !== undefined && Number.isInteger(owner) && (await isAlive(owner))) continue;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.filter((each) => each.isDirectory())) {
      await clearStaleServer(path.join(dir, entry.name), 10_000, discardingLogger);
    }
    await rm(dir, { recursive: true, force: true });
  }
}
