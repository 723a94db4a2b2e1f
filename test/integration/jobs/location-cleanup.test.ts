import { describe, expect, it } from 'vitest';
import type { Env } from '../../../functions/config/env.js';
import { createLocationCleanup } from '../../../functions/jobs/location-cleanup/location-cleanup.js';
import { lambdaContext, scheduledEvent } from '../../support/lambda-context.js';
import type { RetentionTestOptions } from '../../support/retention.js';
import {
  analyzeLocations,
  countRows,
  insertLocations,
  pathOrderCases,
  useJobTest,
  useLocationsIndex,
} from './fixtures.js';

const start = Date.parse('2026-11-28T10:15:00.000Z');

/**
 * Every case runs on each path, on rows stored in time order and shuffled, the index path on a
 * b-tree that leads with `created_at` and on one that has it second.
 */
describe.each(pathOrderCases)(
  'location-cleanup, %s path, rows in %s order, %s index',
  (strategy, order, kind) => {
    const t = useJobTest('location-cleanup', start);
    useLocationsIndex(() => t.client, kind);
    const insert = (count: number, createdAt: string) =>
      insertLocations(t.client, count, createdAt, order);

    function cleanup(env: Env = {}, options: RetentionTestOptions = {}) {
      const handler = t.handler(createLocationCleanup(options, options), {
        LOCATION_CLEANUP_STRATEGY: strategy,
        ...env,
      });
      return (event: unknown = scheduledEvent(new Date(start))) =>
        handler(event, lambdaContext(t.clock, 300_000));
    }

    async function databaseNow(): Promise<Date> {
      const { rows } = await t.client.query<{ now: Date }>('SELECT clock_timestamp() AS now');
      return rows[0]?.now as Date;
    }

    it('deletes exactly the rows older than the retention, by the database t.clock', async () => {
      // Prepare: old rows, a dense band 1 ms apart around the cutoff, fresh rows
      await insert(5_000, `now() - interval '60 days' + g * interval '1 minute'`);
      await insert(20_000, `now() - interval '30 days' + (g - 10000) * interval '1 ms'`);
      await insert(1_000, `now() - g * interval '1 second'`);
      await t.client.query('CREATE TEMP TABLE seeded AS SELECT id, created_at FROM locations');
      const before = await databaseNow();

      // Act
      const record = await cleanup({ LOCATION_CLEANUP_BATCH_SIZE: '1000' })();

      // Assess
      const after = await databaseNow();
      const result = record.result as { cutoff: string; deleted: number };
      const cutoffMs = Date.parse(result.cutoff);
      expect(cutoffMs).toBeGreaterThanOrEqual(before.getTime() - 30 * 86_400_000);
      expect(cutoffMs).toBeLessThanOrEqual(after.getTime() - 30 * 86_400_000);
      const older = await countRows(t.client, 'seeded', `created_at < '${result.cutoff}'`);
      expect(record).toMatchObject({
        outcome: 'succeeded',
        result: { deleted: older, retentionDays: 30, complete: true, dryRun: false },
      });
      expect(older).toBeGreaterThan(5_000);
      // What is left is exactly the seeded rows at or after the cutoff.
      expect(await countRows(t.client, 'locations', `created_at < '${result.cutoff}'`)).toBe(0);
      const { rows } = await t.client.query<{ missing: string }>(
        `SELECT count(*) AS missing FROM seeded s
        WHERE s.created_at >= $1 AND NOT EXISTS (SELECT 1 FROM locations l WHERE l.id = s.id)`,
        [result.cutoff],
      );
      expect(Number(rows[0]?.missing)).toBe(0);
      expect(await countRows(t.client, 'locations')).toBe(26_000 - older);
    });

    it('reports its result, logs the deleted count and publishes RowsDeleted', async () => {
      // Prepare
      await insert(2_500, `now() - interval '31 days' - g * interval '1 second'`);
      await insert(10, `now() - g * interval '1 second'`);

      // Act
      const record = await cleanup({ LOCATION_CLEANUP_BATCH_SIZE: '1000' })();

      // Assess
      const [finished] = t.output.logs('job finished');
      expect(finished).toMatchObject({
        job: 'location-cleanup',
        outcome: 'succeeded',
        result: {
          deleted: 2_500,
          batches: expect.any(Number),
          cutoff: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
          retentionDays: 30,
          complete: true,
          dryRun: false,
          strategy,
          strategyReason: `the strategy setting says ${strategy}`,
          lockedRows: 0,
        },
      });
      if (strategy === 'index' && kind === 'btree')
        expect(finished?.result).toMatchObject({ batches: 3 });
      expect(t.output.logs('expired rows deleted')).toEqual([
        expect.objectContaining({
          job: 'location-cleanup',
          runId: record.runId,
          table: 'locations',
          deleted: 2_500,
          batches: (record.result as { batches: number }).batches,
          strategy,
          cutoff: (record.result as { cutoff: string }).cutoff,
        }),
      ]);
      expect(t.output.metrics()).toEqual([
        expect.objectContaining({ job: 'location-cleanup', RowsDeleted: 2_500, Succeeded: 1 }),
      ]);
      expect(await countRows(t.client, 'locations')).toBe(10);
    });

    it('succeeds on an empty table', async () => {
      const record = await cleanup()();

      expect(record).toMatchObject({
        outcome: 'succeeded',
        result: { deleted: 0, batches: strategy === 'index' ? 1 : 0, complete: true },
      });
    });

    it('deletes a group of rows with one timestamp, larger than a batch, exactly once', async () => {
      // Prepare
      await insert(2_345, `timestamptz '2020-01-01T00:00:00.5Z'`);
      await insert(300, `timestamptz '2020-01-01T00:00:00.5Z' + g * interval '1 us'`);
      await insert(7, 'now()');

      // Act
      const record = await cleanup({ LOCATION_CLEANUP_BATCH_SIZE: '100' })();

      // Assess
      expect(record.result).toMatchObject({ deleted: 2_645, complete: true });
      expect(await countRows(t.client, 'locations')).toBe(7);
    });

    it('reads the backend’s own PM__LIMITS__LOCATION_RETENTION_DAYS', async () => {
      // Prepare
      await insert(40, `now() - interval '7 days' - g * interval '1 minute'`);
      await insert(60, `now() - interval '7 days' + g * interval '1 minute'`);

      // Act
      const record = await cleanup({ PM__LIMITS__LOCATION_RETENTION_DAYS: '7' })();

      // Assess
      expect(record.result).toMatchObject({ deleted: 40, retentionDays: 7 });
      expect(await countRows(t.client, 'locations')).toBe(60);
    });

    it('keeps rows inserted while it runs; what was back-dated meanwhile goes by the next run at the latest', async () => {
      // Prepare: a writer inserting fresh fixes in a loop, and more rows after the first batches
      await insert(5_000, `now() - interval '45 days' + g * interval '1 second'`);
      // Statistics of these rows: with an earlier test's histogram (TRUNCATE keeps it) the heap
      // path's first range can cover the table, so its final check rounds, not its sweep, meet
      // the back-dated rows of batches 1-10, one more each round, and it stops cut short.
      await analyzeLocations(t.client);
      const writer = await t.db().connect();
      let running = true;
      let written = 0;
      let backDated = 0;
      const writing = (async () => {
        while (running) {
          await insertLocations(writer, 1, 'now()');
          written += 1;
        }
      })();
      const run = cleanup(
        { LOCATION_CLEANUP_BATCH_SIZE: '100' },
        {
          onBatch: async ({ batches }) => {
            if (!running || batches > 10) return;
            // An hour inside the retention: it stays fresh for the whole test on any machine.
            await insertLocations(t.client, 1, `now() - interval '30 days' + interval '1 hour'`);
            await insertLocations(t.client, 1, `now() - interval '50 days'`);
            backDated += 1;
          },
        },
      );

      // Act
      const first = await run();
      running = false;
      await writing;
      const second = await run();

      // Assess
      const deleted = (record: typeof first) => (record.result as { deleted: number }).deleted;
      expect(first).toMatchObject({ outcome: 'succeeded', result: { complete: true } });
      expect(deleted(first)).toBeGreaterThanOrEqual(5_000);
      // Nothing newer than the cutoff was touched: every fresh row is still there.
      expect(
        await countRows(t.client, 'locations', `created_at > now() - interval '30 days'`),
      ).toBe(written + backDated);
      // Every expired row went, the back-dated ones by the first run or the second.
      expect(deleted(first) + deleted(second)).toBe(5_000 + backDated);
      expect(second).toMatchObject({ outcome: 'succeeded', result: { complete: true } });
      expect(
        await countRows(t.client, 'locations', `created_at < now() - interval '30 days'`),
      ).toBe(0);
    });

    it('counts in a dry run and deletes nothing', async () => {
      // Prepare
      await insert(1_234, `now() - interval '40 days' + g * interval '1 second'`);
      await insert(66, `now() - g * interval '1 second'`);

      // Act
      const record = await cleanup()({ dryRun: true });

      // Assess
      expect(t.output.logs('job started')[0]).toMatchObject({ dryRun: true, trigger: 'manual' });
      expect(record).toMatchObject({
        outcome: 'succeeded',
        result: {
          dryRun: true,
          wouldDelete: 1_234,
          deleted: 0,
          batches: 0,
          retentionDays: 30,
          complete: true,
        },
      });
      expect(t.output.logs('dry run: rows that would be deleted')).toEqual([
        expect.objectContaining({ table: 'locations', wouldDelete: 1_234 }),
      ]);
      expect(await countRows(t.client, 'locations')).toBe(1_300);
    });

    it('logs a progress line every 10 s of a long run', async () => {
      // Prepare: each batch takes 4 s on the run's clock. The statistics are this test's rows':
      // the histogram an earlier test left (TRUNCATE keeps it) may put every row after the
      // cutoff, and the heap path would then size its first range to cover the whole table.
      await insert(1_000, `now() - interval '40 days' + g * interval '1 second'`);
      await analyzeLocations(t.client);
      const run = cleanup(
        { LOCATION_CLEANUP_BATCH_SIZE: '100' },
        { onBatch: () => t.clock.advance(4_000) },
      );

      // Act
      const record = await run();

      // Assess: a line after every third batch (12 s), with the totals so far
      const { batches } = record.result as { batches: number };
      const progress = t.output.logs('deleting expired rows');
      expect(batches).toBeGreaterThanOrEqual(6);
      expect(progress.map((line) => line.batches)).toEqual(
        Array.from({ length: Math.floor(batches / 3) }, (_, index) => 3 * (index + 1)),
      );
      const deleted = progress.map((line) => line.deleted as number);
      expect(deleted).toEqual([...deleted].sort((a, b) => a - b));
      expect(deleted.at(-1)).toBeLessThanOrEqual(1_000);
      expect(progress[0]).toMatchObject({ job: 'location-cleanup', table: 'locations' });
      if (strategy === 'index' && kind === 'btree')
        expect(deleted.slice(0, 3)).toEqual([300, 600, 900]);
    });
  },
);
