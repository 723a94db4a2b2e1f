import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureTraversable, resolveRunAs, serverOsUser } from '../../../dev-db/postgres-os-user.js';
import { discardingLogger, HarnessLog } from '../../../functions/log-messages.js';
import { createOwnedTempDir } from '../../support/owned-temp-dir.js';
import { recordingLogger } from '../../support/recording-logger.js';

// Only root runs the server as another OS user (PostgreSQL refuses root).
const runAs = await resolveRunAs(discardingLogger);

describe.skipIf(runAs === undefined)('ensureTraversable, as root', () => {
  let workDir: string;

  beforeEach(async () => {
    workDir = await createOwnedTempDir();
  });

  afterEach(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('adds "others may search" to a folder the server user cannot enter, logging each change, once', async () => {
    // Prepare: a 0700 folder, as mkdtemp makes them, owned by root
    const closed = path.join(workDir, 'closed');
    await mkdir(closed);
    await chmod(closed, 0o700);
    const inside = path.join(closed, 'data');
    await mkdir(inside, { mode: 0o755 });
    const logger = recordingLogger();

    // Act
    await ensureTraversable(inside, runAs as NonNullable<typeof runAs>, logger);
    await ensureTraversable(inside, runAs as NonNullable<typeof runAs>, logger);

    // Assess
    // the temp folder (0700 from mkdtemp) and the closed one; the open one untouched
    expect((await stat(closed)).mode & 0o777).toBe(0o701);
    expect((await stat(inside)).mode & 0o777).toBe(0o755);
    const changed = (dir: string) => ({
      level: 'info',
      message: HarnessLog.FolderMadeTraversable,
      fields: { path: dir, mode: '0701', user: serverOsUser },
    });
    expect(logger.lines()).toEqual([changed(workDir), changed(closed)]);
  });
});
