/**
 * The batched delete's guarantees, on each path (keyset batches on a b-tree that leads with the
 * column or has it second, the sweep of the pages a BRIN index points to, and the heap sweep)
 * and on tables whose rows lie on disk in time order or shuffled.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  BatchFailedError,
  type BatchProgress,
  countOlderThan,
} from '../../../functions/retention/batched-delete.js';
import { resolveRetentionSettings } from '../../../functions/retention/settings.js';
import { documentedGrants, grant } from '../../support/job-role.js';
import { deleteExpired, type RetentionTestOptions } from '../../support/retention.js';
import { useTestDatabase } from '../../support/test-database.js';
import {
  countRows,
  insertLocations,
  pathOrderCases,
  resetTables,
  useRetentionSessions,
} from './fixtures.js';

const locations = { table: 'locations', column: 'created_at' };
const cutoff = '2026-10-29T10:15:00.000000Z';
/** `g` seconds after a base well before the cutoff. */
const secondsAfterBase = `timestamptz '2026-09-01T00:00:00Z' + g * interval '1 second'`;

describe.each(pathOrderCases)(
  'deleteInBatches, %s path, rows in %s order, %s index',
  (strategy, order, kind) => {
    const t = useRetentionSessions({ index: kind });

    /**
     * The delete, on the table analyzed first, as autovacuum leaves it: with statistics, the
     * BRIN path sweeps a table in time order from its first expired page, and one in any other
     * order by the stretches of pages it lists (without, it cannot tell the two apart).
     */
    async function deleteOld(options: RetentionTestOptions = {}) {
      await t.client.query('ANALYZE locations');
      return deleteExpired(t.jobs, locations, cutoff, { batchSize: 100, strategy, ...options });
    }

    /** Grants the role the optional right to lock rows, for this test. */
    async function grantLockRows(): Promise<void> {
      const { name } = t.role;
      await grant(t.client, documentedGrants.lockRows(name, 'locations', 'created_at'));
      onTestFinished(async () => {
        await t.client.query(`REVOKE UPDATE (created_at) ON locations FROM ${name}`);
      });
    }

    it('deletes exactly the rows before the cutoff, to the microsecond', async () => {
      // Prepare
      await insertLocations(t.client, 1_000, secondsAfterBase, order);
      await insertLocations(
        t.client,
        3,
        `timestamptz '${cutoff}' + (g - 2) * interval '1 microsecond'`,
        order,
      );

      // Act
      const result = await deleteOld();

      // Assess
      expect(result).toMatchObject({ deleted: 1_001, complete: true, strategy, lockedRows: 0 });
      const { rows } = await t.client.query<{ at: string }>(
        `SELECT to_char(created_at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') AS at
         FROM locations ORDER BY created_at`,
      );
      expect(rows.map((row) => row.at)).toEqual(['10:15:00.000000', '10:15:00.000001']);
    });

    it('deletes nothing, and completes, when every row is newer than the cutoff', async () => {
      // Prepare
      await insertLocations(t.client, 500, `timestamptz '${cutoff}' + g * interval '1 ms'`, order);

      // Act
      const result = await deleteOld();

      // Assess
      expect(result).toMatchObject({ deleted: 0, complete: true });
      expect(await countRows(t.client, 'locations')).toBe(500);
    });

    it('completes on an empty table', async () => {
      expect(await deleteOld()).toMatchObject({ deleted: 0, complete: true, strategy });
    });

    it.each([99, 100, 101, 250, 2_500])(
      'deletes a group of %i rows with the same timestamp exactly once',
      async (groupSize) => {
        // Prepare: rows before, inside and after the group, and rows to keep
        const tie = `timestamptz '2026-10-01T12:00:00.123456Z'`;
        await insertLocations(t.client, 150, `${tie} - g * interval '1 ms'`, order);
        await insertLocations(t.client, groupSize, tie, order);
        await insertLocations(t.client, 150, `${tie} + g * interval '1 ms'`, order);
        await insertLocations(t.client, 40, `timestamptz '${cutoff}' + g * interval '1 ms'`, order);
        const batches: BatchProgress[] = [];

        // Act
        const result = await deleteOld({ onBatch: (progress) => void batches.push(progress) });

        // Assess
        expect(result).toMatchObject({ deleted: 300 + groupSize, complete: true });
        expect(await countRows(t.client, 'locations')).toBe(40);
        expect(batches.reduce((sum, batch) => sum + batch.batchDeleted, 0)).toBe(300 + groupSize);
        expect(batches.at(-1)).toEqual({
          batches: result.batches,
          deleted: result.deleted,
          batchDeleted: expect.any(Number),
        });
        // The index path never exceeds the batch size; a heap range aims at it.
        if (strategy === 'index') {
          expect(Math.max(...batches.map((batch) => batch.batchDeleted))).toBeLessThanOrEqual(100);
        }
      },
    );

    it('stops between batches once the signal aborts, and a second call finishes the rest', async () => {
      // Prepare: analyzed, so that a heap range's size does not depend on what autovacuum last
      // saw of the table (once, in a full run under load, one range covered the whole table)
      await insertLocations(t.client, 3_000, secondsAfterBase, order);
      await t.client.query('ANALYZE locations');
      const controller = new AbortController();

      // Act
      const first = await deleteOld({
        signal: controller.signal,
        onBatch: ({ batches }) => {
          if (batches === 3) controller.abort();
        },
      });
      const afterFirst = await countRows(t.client, 'locations');
      const second = await deleteOld();

      // Assess
      expect(first).toMatchObject({ batches: 3, complete: false });
      expect(first.deleted).toBeGreaterThan(0);
      expect(afterFirst).toBe(3_000 - first.deleted);
      expect(second).toMatchObject({ deleted: afterFirst, complete: true });
      expect(await countRows(t.client, 'locations')).toBe(0);
    });

    it('starts no batch when the signal has already aborted', async () => {
      // Prepare
      await insertLocations(t.client, 10, secondsAfterBase, order);

      // Act
      const result = await deleteOld({ signal: AbortSignal.abort() });

      // Assess
      expect(result).toMatchObject({ deleted: 0, batches: 0, complete: false });
      expect(await countRows(t.client, 'locations')).toBe(10);
    });

    it('is safe to run twice at the same time: every row is deleted and counted once', async () => {
      // Prepare
      await insertLocations(
        t.client,
        20_000,
        `timestamptz '2026-09-01T00:00:00Z' + g * interval '250 ms'`,
        order,
      );
      await insertLocations(t.client, 25, `timestamptz '${cutoff}' + g * interval '1 ms'`, order);
      await t.client.query('ANALYZE locations');
      const other = await t.db().connect(t.role);
      // Each run waits for the rows the other's batch holds until that batch commits, however
      // long a busy machine makes it: the default 1 s lock timeout would race that batch (and a
      // run that timed out would go around the rows and end incomplete).
      const limits = { statementTimeoutMs: 120_000, lockTimeoutMs: 120_000 };

      // Act
      const [mine, theirs] = await Promise.all([
        deleteOld({ batchSize: 500, limits }),
        deleteExpired(other, locations, cutoff, { batchSize: 700, strategy, limits }),
      ]);

      // Assess
      expect(mine.deleted + theirs.deleted).toBe(20_000);
      expect(mine.complete && theirs.complete).toBe(true);
      expect(await countRows(t.client, 'locations')).toBe(25);
    });

    it('leaves rows that another session has locked, reports them, and deletes the rest', async () => {
      // Prepare: another session holds two expired rows FOR UPDATE, as the backend may; the
      // role may lock rows, to go around them
      await grantLockRows();
      await insertLocations(t.client, 1_000, secondsAfterBase, order);
      await insertLocations(t.client, 5, `timestamptz '${cutoff}' + g * interval '1 ms'`, order);
      const locker = await t.db().connect();
      // Ended whatever happens, so that no lock is left to hold up the next test's set-up.
      onTestFinished(() => locker.end());
      await locker.query('BEGIN');
      const { rows: locked } = await locker.query<{ id: string }>(
        `SELECT id FROM locations WHERE created_at IN (
         timestamptz '2026-09-01T00:00:00Z' + interval '150 seconds',
         timestamptz '2026-09-01T00:00:00Z' + interval '777 seconds')
       FOR UPDATE`,
      );

      // Act: the 50 ms lock timeout fires on the locked rows, which stay locked throughout; the
      // statement timeout only guards against a hang
      const result = await deleteOld({
        limits: { statementTimeoutMs: 120_000, lockTimeoutMs: 50 },
      });
      const left = await countRows(t.client, 'locations');
      await locker.query('ROLLBACK');
      const next = await deleteOld();

      // Assess
      expect(locked).toHaveLength(2);
      expect(result).toMatchObject({ deleted: 998, lockedRows: 2, complete: false });
      expect(left).toBe(7);
      expect(next).toMatchObject({ deleted: 2, lockedRows: 0, complete: true });
      expect(await countRows(t.client, 'locations')).toBe(5);
    });

    it('without the right to lock rows, leaves the rows around a locked one for the next run, and deletes the rest', async () => {
      // Prepare: another session holds three expired rows FOR UPDATE; the role has only the
      // documented SELECT, DELETE (no UPDATE: no FOR UPDATE SKIP LOCKED)
      await insertLocations(t.client, 1_000, secondsAfterBase, order);
      await insertLocations(t.client, 5, `timestamptz '${cutoff}' + g * interval '1 ms'`, order);
      const locker = await t.db().connect();
      onTestFinished(() => locker.end());
      await locker.query('BEGIN');
      await locker.query(
        `SELECT id FROM locations WHERE created_at IN (
         timestamptz '2026-09-01T00:00:00Z' + interval '150 seconds',
         timestamptz '2026-09-01T00:00:00Z' + interval '450 seconds',
         timestamptz '2026-09-01T00:00:00Z' + interval '777 seconds')
       FOR UPDATE`,
      );

      // Act
      const result = await deleteOld({
        limits: { statementTimeoutMs: 120_000, lockTimeoutMs: 50 },
      });
      const lockedLeft = await countRows(
        t.client,
        'locations',
        `created_at - timestamptz '2026-09-01T00:00:00Z' IN (interval '150 s', interval '450 s', interval '777 s')`,
      );
      await locker.query('ROLLBACK');
      const next = await deleteOld();

      // Assess: no permission error; the locked rows and some rows around them left, counted
      expect(result.complete).toBe(false);
      expect(result.deleted + (result.lockedRows ?? 0)).toBe(1_000);
      expect(result.lockedRows).toBeGreaterThanOrEqual(3);
      // The index path leaves one batch around each locked row; the heap path the range of pages
      // around each (or, when one range covered the table, all of it)
      if (strategy === 'index' && kind === 'btree') {
        expect(result).toMatchObject({ deleted: 700, lockedRows: 300 });
      }
      expect(lockedLeft).toBe(3);
      expect(next).toMatchObject({ deleted: result.lockedRows, lockedRows: 0, complete: true });
      expect(await countRows(t.client, 'locations')).toBe(5);
    });

    it('rolls a failed batch back whole and keeps the batches before it', async () => {
      // Prepare: the backend's own trigger makes one row's delete slower than any statement
      // timeout (a sleep the timeout cancels), and batches may not be cut below their size
      await insertLocations(t.client, 1_000, secondsAfterBase, order);
      await t.client.query(`
      CREATE FUNCTION slow_one() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.created_at = timestamptz '2026-09-01T00:00:00Z' + interval '850 seconds' THEN
          PERFORM pg_sleep(60);
        END IF;
        RETURN OLD;
      END $$;
      CREATE TRIGGER slow_one BEFORE DELETE ON locations FOR EACH ROW EXECUTE FUNCTION slow_one()`);
      const batches: BatchProgress[] = [];

      // Act
      const failure = await deleteOld({
        limits: { statementTimeoutMs: 200, lockTimeoutMs: 1_000 },
        minBatchSize: 100,
        onBatch: (progress) => void batches.push(progress),
      }).catch((error: unknown) => error);
      const left = await countRows(t.client, 'locations');
      await t.client.query('DROP TRIGGER slow_one ON locations; DROP FUNCTION slow_one()');

      // Assess
      expect(failure).toBeInstanceOf(BatchFailedError);
      const committed = batches.at(-1) ?? { batches: 0, deleted: 0 };
      expect(failure).toMatchObject({
        message: `deleting from locations: batch ${committed.batches + 1} failed and was rolled back (the ${committed.deleted} rows deleted by the batches before it stay deleted)`,
        progress: { batches: committed.batches, deleted: committed.deleted },
        outcomeUnknown: false,
        cause: { code: '57014' },
      });
      // Exactly the committed batches' rows are gone: the failed one left none missing.
      expect(left).toBe(1_000 - committed.deleted);
      // The session is usable: not left in the failed transaction.
      expect(await deleteOld()).toMatchObject({ deleted: left, complete: true });
    });

    it('rejects a batch size below 1', async () => {
      await expect(deleteOld({ batchSize: 0 })).rejects.toThrow(
        'batchSize must be a whole number ≥ 1, got 0',
      );
    });
  },
);

describe('countOlderThan', () => {
  const db = useTestDatabase();

  it('counts the rows a delete would remove and removes none', async () => {
    // Prepare
    const client = await db().connect();
    await resetTables(client);
    await insertLocations(client, 700, secondsAfterBase, 'random');
    await insertLocations(client, 30, `timestamptz '${cutoff}' + (g - 1) * interval '1 ms'`);

    // Act
    const counted = await countOlderThan(
      await db().connect(await db().jobRole()),
      locations,
      cutoff,
      resolveRetentionSettings(),
    );

    // Assess
    expect(counted).toEqual({
      cutoff,
      deleted: 0,
      batches: 0,
      complete: true,
      dryRun: true,
      wouldDelete: 700,
    });
    expect(await countRows(client, 'locations')).toBe(730);
  });
});
