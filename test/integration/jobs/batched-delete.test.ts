import type pg from 'pg';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BatchFailedError,
  type BatchProgress,
  countOlderThan,
  deleteInBatches,
} from '../../../functions/db/batched-delete.js';
import { useTestDatabase } from '../../support/test-database.js';
import { countRows, insertLocations, resetTables } from './fixtures.js';

const locations = { table: 'locations', column: 'created_at' };
const cutoff = '2026-10-29T10:15:00.000000Z';
/** `g` seconds after a base well before the cutoff. */
const secondsAfterBase = `timestamptz '2026-09-01T00:00:00Z' + g * interval '1 second'`;

describe('deleteInBatches', () => {
  const db = useTestDatabase();
  let client: pg.Client;

  beforeAll(async () => {
    client = await db().connect();
  });
  beforeEach(() => resetTables(client));

  function deleteOld(options: Partial<Parameters<typeof deleteInBatches>[2]> = {}) {
    return deleteInBatches(client, locations, { cutoff, batchSize: 100, ...options });
  }

  it('deletes exactly the rows before the cutoff, to the microsecond', async () => {
    // Prepare
    await insertLocations(client, 1_000, secondsAfterBase);
    await insertLocations(
      client,
      3,
      `timestamptz '${cutoff}' + (g - 2) * interval '1 microsecond'`,
    );

    // Act
    const result = await deleteOld();

    // Assess
    expect(result).toEqual({ deleted: 1_001, batches: 11, complete: true });
    const { rows } = await client.query<{ at: string }>(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') AS at
         FROM locations ORDER BY created_at`,
    );
    expect(rows.map((row) => row.at)).toEqual(['10:15:00.000000', '10:15:00.000001']);
  });

  it('does one empty batch on an empty table', async () => {
    expect(await deleteOld()).toEqual({ deleted: 0, batches: 1, complete: true });
  });

  it('deletes nothing when every row is newer than the cutoff', async () => {
    // Prepare
    await insertLocations(client, 500, `timestamptz '${cutoff}' + g * interval '1 ms'`);

    // Act
    const result = await deleteOld();

    // Assess
    expect(result).toEqual({ deleted: 0, batches: 1, complete: true });
    expect(await countRows(client, 'locations')).toBe(500);
  });

  it.each([99, 100, 101, 250, 2_500])(
    'deletes a group of %i rows with the same timestamp exactly once, in batches of at most 100',
    async (groupSize) => {
      // Prepare: rows before, inside and after the group, and rows to keep
      const tie = `timestamptz '2026-10-01T12:00:00.123456Z'`;
      await insertLocations(client, 150, `${tie} - g * interval '1 ms'`);
      await insertLocations(client, groupSize, tie);
      await insertLocations(client, 150, `${tie} + g * interval '1 ms'`);
      await insertLocations(client, 40, `timestamptz '${cutoff}' + g * interval '1 ms'`);
      const batches: BatchProgress[] = [];

      // Act
      const result = await deleteOld({ onBatch: (progress) => void batches.push(progress) });

      // Assess
      expect(result).toMatchObject({ deleted: 300 + groupSize, complete: true });
      expect(await countRows(client, 'locations')).toBe(40);
      expect(Math.max(...batches.map((batch) => batch.batchDeleted))).toBeLessThanOrEqual(100);
      expect(batches.reduce((sum, batch) => sum + batch.batchDeleted, 0)).toBe(300 + groupSize);
      expect(batches.at(-1)).toEqual({
        batches: result.batches,
        deleted: result.deleted,
        batchDeleted: expect.any(Number),
      });
    },
  );

  it('stops between batches once the signal aborts, and a second call finishes the rest', async () => {
    // Prepare
    await insertLocations(client, 1_000, secondsAfterBase);
    const controller = new AbortController();

    // Act
    const first = await deleteOld({
      signal: controller.signal,
      onBatch: ({ batches }) => {
        if (batches === 3) controller.abort();
      },
    });
    const afterFirst = await countRows(client, 'locations');
    const second = await deleteOld();

    // Assess
    expect(first).toEqual({ deleted: 300, batches: 3, complete: false });
    expect(afterFirst).toBe(700);
    expect(second).toEqual({ deleted: 700, batches: 7, complete: true });
    expect(await countRows(client, 'locations')).toBe(0);
  });

  it('starts no batch when the signal has already aborted', async () => {
    // Prepare
    await insertLocations(client, 10, secondsAfterBase);

    // Act
    const result = await deleteOld({ signal: AbortSignal.abort() });

    // Assess
    expect(result).toEqual({ deleted: 0, batches: 0, complete: false });
    expect(await countRows(client, 'locations')).toBe(10);
  });

  it('is safe to run twice at the same time: every row is deleted and counted once', async () => {
    // Prepare
    await insertLocations(
      client,
      20_000,
      `timestamptz '2026-09-01T00:00:00Z' + g * interval '250 ms'`,
    );
    await insertLocations(client, 25, `timestamptz '${cutoff}' + g * interval '1 ms'`);
    const other = await db().connect();

    // Act
    const [mine, theirs] = await Promise.all([
      deleteOld({ batchSize: 500 }),
      deleteInBatches(other, locations, { cutoff, batchSize: 700 }),
    ]);

    // Assess
    expect(mine.deleted + theirs.deleted).toBe(20_000);
    expect(mine.complete && theirs.complete).toBe(true);
    expect(await countRows(client, 'locations')).toBe(25);
  });

  it('rolls a failed batch back whole and keeps the batches before it', async () => {
    // Prepare: another session locks a row in the middle of the second batch
    await insertLocations(client, 1_000, secondsAfterBase);
    const locker = await db().connect();
    await locker.query('BEGIN');
    await locker.query(
      `SELECT 1 FROM locations WHERE created_at = timestamptz '2026-09-01T00:00:00Z' + interval '150 seconds' FOR UPDATE`,
    );

    // Act
    const failure = await deleteOld({
      limits: { statementTimeoutMs: 5_000, lockTimeoutMs: 100 },
    }).catch((error: unknown) => error);
    await locker.query('ROLLBACK');

    // Assess
    expect(failure).toBeInstanceOf(BatchFailedError);
    expect(failure).toMatchObject({
      message:
        'deleting from locations: batch 2 failed and was rolled back (the 100 rows deleted by the batches before it stay deleted)',
      progress: { batches: 1, deleted: 100 },
      cause: { code: '55P03' },
    });
    // Rows 101..149 were deleted before the batch waited for row 150: they are back.
    expect(await countRows(client, 'locations')).toBe(900);
    // The session is usable: not left in the failed transaction.
    await expect(client.query('SELECT 1 AS ok')).resolves.toMatchObject({ rows: [{ ok: 1 }] });
    expect(await deleteOld()).toEqual({ deleted: 900, batches: 9, complete: true });
  });

  it('rejects a batch size below 1', async () => {
    await expect(deleteOld({ batchSize: 0 })).rejects.toThrow(
      'batchSize must be a whole number ≥ 1, got 0',
    );
  });
});

describe('countOlderThan', () => {
  const db = useTestDatabase();

  it('counts the rows a delete would remove and removes none', async () => {
    // Prepare
    const client = await db().connect();
    await resetTables(client);
    await insertLocations(client, 700, secondsAfterBase);
    await insertLocations(client, 30, `timestamptz '${cutoff}' + (g - 1) * interval '1 ms'`);

    // Act
    const count = await countOlderThan(client, locations, cutoff);

    // Assess
    expect(count).toBe(700);
    expect(await countRows(client, 'locations')).toBe(730);
  });
});
