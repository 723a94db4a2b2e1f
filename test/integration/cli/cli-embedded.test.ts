import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearStaleServer, isAlive, readPostmasterPid } from '../../../dev-db/postgres-stale.js';
import { discardingLogger } from '../../../functions/log-messages.js';
import { createOwnedTempDir } from '../../support/owned-temp-dir.js';
import { cleanEnv, runCli, startCli, testDemoLocationsPerDevice } from './cli-process.js';

// Each test starts embedded servers of its own (initdb, demo data): a file of their own, so
// that they run beside the other CLI tests rather than after them.
describe('npm start without DATABASE_URL (embedded PostgreSQL)', () => {
  let dataRoot: string;
  const dataDirs: string[] = [];

  /** A cluster folder of this test run's own (the CLI creates it). */
  function dataDir(name: string): string {
    const dir = join(dataRoot, name);
    dataDirs.push(dir);
    return dir;
  }

  beforeAll(async () => {
    // Owned by this process: a later test run stops servers left here if this one dies.
    dataRoot = await createOwnedTempDir();
  });
  afterAll(async () => {
    // A server left running by a failed test is stopped before its folder goes.
    for (const dir of dataDirs) await clearStaleServer(dir, 10_000, discardingLogger);
    await rm(dataRoot, { recursive: true, force: true });
  });

  it('starts its own server, seeds demo data once, runs the jobs, and stops cleanly twice in a row', async () => {
    // Prepare
    const env = cleanEnv({ LOCAL_POSTGRES_DIR: dataDir('clean-stops') });

    // Act: first start
    const first = startCli(['start', '--run-now'], env);
    await first.waitFor(() => first.logs('job finished').length === 2, 'both jobs finished');
    first.child.kill('SIGINT');
    const firstCode = await first.exited;
    // second start, on the same data
    const second = startCli(['start', '--run-now'], env);
    await second.waitFor(() => second.logs('job finished').length === 2, 'both jobs finished');
    second.child.kill('SIGTERM');
    const secondCode = await second.exited;

    // Assess
    expect([firstCode, secondCode]).toEqual([0, 0]);
    expect(first.logs('demo data written')).toHaveLength(1);
    // As many fixes per device as LOCAL_DEMO_LOCATIONS_PER_DEVICE (cleanEnv) says
    expect(first.logs('demo data written')[0]).toMatchObject({
      devices: 40,
      locations: 40 * testDemoLocationsPerDevice,
    });
    const [cleanup] = first.logs('job finished');
    expect(cleanup).toMatchObject({ job: expect.any(String), outcome: 'succeeded' });
    const firstDeleted = first.logs('job finished').find((line) => line.job === 'location-cleanup')
      ?.result as { deleted: number };
    expect(firstDeleted.deleted).toBeGreaterThan(0);
    expect(second.logs('demo data written')).toHaveLength(0);
    expect(second.logs('schema migrated')[0]).toMatchObject({ applied: [] });
    const secondDeleted = second
      .logs('job finished')
      .find((line) => line.job === 'location-cleanup')?.result as { deleted: number };
    // The same data, not a new seed: only fixes that crossed the 30-day line since the first
    // run's cutoff are due (40 devices with testDemoLocationsPerDevice fixes each over 60 days:
    // with 500, about one every 4 minutes).
    expect(secondDeleted.deleted).toBeLessThan(firstDeleted.deleted / 1_000);
  });

  it('--partitioned converts the demo locations to day partitions, rows kept, and the cleanup drops the expired ones', async () => {
    // Prepare: a demo database with a plain locations, as a first start leaves it
    const env = cleanEnv({ LOCAL_POSTGRES_DIR: dataDir('partitioned') });
    const plain = await runCli(['run', 'location-cleanup', '--dry-run'], env);
    const resultOf = (run: typeof plain) =>
      (run.logs('job finished')[0]?.result ?? {}) as Record<string, unknown>;
    const wouldDelete = resultOf(plain).wouldDelete as number;

    // Act
    const partitioned = await runCli(['run', 'location-cleanup', '--partitioned'], env);
    const again = await runCli(['run', 'location-cleanup', '--partitioned', '--dry-run'], env);

    // Assess
    expect([plain.code, partitioned.code, again.code]).toEqual([0, 0, 0]);
    const [converted] = partitioned.logs('locations partitioned by day');
    expect(converted).toMatchObject({
      converted: true,
      rowsMoved: 40 * testDemoLocationsPerDevice,
    });
    const result = resultOf(partitioned) as {
      deleted: number;
      strategy: string;
      partitions: { removal: string; removed: string[]; premake: { made: string[] } };
    };
    expect(result.strategy).toBe('partitions');
    expect(result.partitions.removed.length).toBeGreaterThanOrEqual(28);
    expect(result.partitions.removed.every((name) => /^public\.locations_p\d{8}$/.test(name))).toBe(
      true,
    );
    // The same rows as the dry run counted (a few more may have crossed the line since).
    expect(result.deleted).toBeGreaterThanOrEqual(wouldDelete);
    expect(result.deleted).toBeLessThan(wouldDelete + 100);
    expect(partitioned.logs('partition dropped')).toHaveLength(result.partitions.removed.length);
    // The conversion made partitions up to today; the run made the 4 days after it.
    expect(result.partitions.premake).toMatchObject({ ahead: 4, period: '1 day', notMade: [] });
    expect(result.partitions.premake.made).toHaveLength(4);
    expect(partitioned.logs('partition made ahead')).toHaveLength(4);
    // Converted once: the second start finds it partitioned, with nothing old left.
    expect(again.logs('locations partitioned by day')).toEqual([]);
    expect(resultOf(again).wouldDelete).toBeLessThan(100);
    expect(resultOf(again).partitions).toMatchObject({ premake: { made: [], wouldMake: [] } });
  });

  it('starts again after being killed (SIGKILL) on its first start, with demo data written once', async () => {
    // Prepare: killed once the schema is in, while the demo data may still be going in
    const dir = dataDir('killed');
    const env = cleanEnv({ LOCAL_POSTGRES_DIR: dir });
    const killed = startCli(['start'], env);
    await killed.waitFor(() => killed.logs('schema migrated').length === 1, 'the schema was in');
    killed.child.kill('SIGKILL');
    await killed.exited;
    const left = await readPostmasterPid(dir);

    // Act
    const next = startCli(['start', '--run-now'], env);
    await next.waitFor(() => next.logs('job finished').length === 2, 'both jobs finished');
    next.child.kill('SIGTERM');
    const code = await next.exited;

    // Assess
    expect(left && (await isAlive(left.pid))).toBe(false);
    expect(code).toBe(0);
    expect(next.logs('embedded PostgreSQL left behind')[0]).toMatchObject({
      detail: expect.stringContaining(`PID ${left?.pid}`),
    });
    expect(killed.logs('demo data written').length + next.logs('demo data written').length).toBe(1);
    const cleanup = next.logs('job finished').find((line) => line.job === 'location-cleanup');
    expect(cleanup).toMatchObject({ outcome: 'succeeded' });
    expect((cleanup?.result as { deleted?: number } | undefined)?.deleted).toBeGreaterThan(0);
  });
});
