/**
 * Which path a batched delete takes, and the heap sweep's own guarantees: rows moved by
 * updates during the sweep, and a table without an index.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type TimedStatement, timedClient } from '../../../bench/partitions/statement-timer.js';
import { deleteExpired, type RetentionTestOptions } from '../../support/retention.js';
import {
  analyzeLocations,
  countRows,
  insertLocations,
  restoreLocationsIndex,
  setLocationsIndex,
  useRetentionSessions,
} from './fixtures.js';

const locations = { table: 'locations', column: 'created_at' };
/** The BRIN path's query that lists the stretches of pages holding expired rows. */
const listsStretches = (sql: string) => sql.includes('sum(starts) OVER');
/** The page ranges `[first, end)` that the sweep's batches deleted from, in order. */
const sweptRanges = (sent: readonly string[]) =>
  sent.flatMap((sql) => {
    const range = /ctid >= '\((\d+),0\)'::tid AND ctid < '\((\d+),0\)'::tid/.exec(sql);
    return range ? [[Number(range[1]), Number(range[2])] as const] : [];
  });
const cutoff = '2026-10-29T10:15:00.000000Z';
/** `g` minutes before the cutoff (expired) or after it (kept), by sign. */
const minutesFromCutoff = (expression: string) =>
  `timestamptz '${cutoff}' + (${expression}) * interval '1 minute'`;

describe('deleteInBatches chooses its path from the statistics', () => {
  const t = useRetentionSessions();

  async function loadAndAnalyze(expired: number, kept: number, order: 'sequential' | 'random') {
    await insertLocations(t.client, expired + kept, minutesFromCutoff(`g - ${expired} - 1`), order);
    await t.client.query('ANALYZE locations');
  }

  it('sweeps the heap for a large backlog on a mixed table', async () => {
    // Prepare: half of 40,000 rows expired, stored in random order
    await loadAndAnalyze(20_000, 20_000, 'random');

    // Act
    const result = await deleteExpired(t.jobs, locations, cutoff, { batchSize: 1_000 });

    // Assess
    expect(result).toMatchObject({ deleted: 20_000, complete: true, strategy: 'heap' });
    expect(result.strategyReason).toMatch(
      /^about [\d,]+ expired rows, correlation -?0\.\d\d: index batches would visit about [\d,]+ pages, more than the table's [\d,]+; one DELETE would use a Seq Scan$/,
    );
    expect(await countRows(t.client, 'locations')).toBe(20_000);
  });

  it('walks the index for a small slice of a mixed table (the hourly run)', async () => {
    // Prepare: 40 of 40,000 rows expired
    await loadAndAnalyze(40, 39_960, 'random');

    // Act
    const result = await deleteExpired(t.jobs, locations, cutoff, { batchSize: 1_000 });

    // Assess
    expect(result).toMatchObject({ deleted: 40, complete: true, strategy: 'index' });
    expect(result.strategyReason).toMatch(/index batches visit about [\d,]+ of the table's/);
  });

  it('cuts an index batch to the rows it can delete within its page bound, for rows in no order', async () => {
    // Prepare: 3,000 expired rows scattered over a table of more pages than one batch may
    // visit; the index path forced
    await loadAndAnalyze(3_000, 37_000, 'random');
    const deletedPerBatch: number[] = [];

    // Act
    const result = await deleteExpired(t.jobs, locations, cutoff, {
      batchSize: 10_000,
      maxPagesPerBatch: 100,
      strategy: 'index',
      onBatch: ({ batchDeleted }) => void deletedPerBatch.push(batchDeleted),
    });

    // Assess: each batch visits about a page per row, so it takes at most 100 rows
    expect(result).toMatchObject({ deleted: 3_000, complete: true, strategy: 'index' });
    expect(deletedPerBatch.length).toBeGreaterThanOrEqual(30);
    expect(Math.max(...deletedPerBatch)).toBeLessThanOrEqual(100);
    expect(await countRows(t.client, 'locations')).toBe(37_000);
  });

  it('keeps whole batches on the index when the rows lie in time order', async () => {
    // Prepare
    await loadAndAnalyze(20_000, 20_000, 'sequential');

    // Act
    const result = await deleteExpired(t.jobs, locations, cutoff, {
      batchSize: 10_000,
      maxPagesPerBatch: 200,
      strategy: 'index',
    });

    // Assess: 10,000 rows in time order share about 100 pages
    expect(result).toMatchObject({ deleted: 20_000, complete: true, batches: 2 });
  });

  it('walks the index for a large backlog stored in time order', async () => {
    // Prepare
    await loadAndAnalyze(20_000, 20_000, 'sequential');

    // Act
    const result = await deleteExpired(t.jobs, locations, cutoff, { batchSize: 1_000 });

    // Assess
    expect(result).toMatchObject({ deleted: 20_000, complete: true, strategy: 'index' });
    expect(result.strategyReason).toContain('correlation 1.00');
  });
});

const sweeps = [
  ['heap', 'btree'],
  ['brin', 'brin'],
] as const;

describe.each(sweeps)('the %s sweep (%s index)', (strategy, kind) => {
  const t = useRetentionSessions({ index: kind });

  function sweep(options: RetentionTestOptions = {}) {
    return deleteExpired(t.jobs, locations, cutoff, {
      batchSize: 200,
      strategy,
      ...options,
    });
  }

  it('still deletes, in the same run, expired rows that an update moved during the sweep', async () => {
    // Prepare: after the first batch, the backend updates expired rows the sweep has not
    // reached yet; the new versions land where the sweep no longer looks (the end of the heap)
    await insertLocations(t.client, 5_000, minutesFromCutoff('-g'), 'random');
    await insertLocations(t.client, 100, minutesFromCutoff('g'), 'random');
    const updater = await t.db().connect();
    let moved: { before: string; after: string }[] = [];
    const onBatch = async ({ batches }: { batches: number }) => {
      if (batches !== 1) return;
      const { rows } = await updater.query<{ id: string; before: string }>(
        `SELECT id, ctid::text AS before FROM locations
          WHERE created_at < $1 ORDER BY ctid DESC LIMIT 50`,
        [cutoff],
      );
      const { rows: after } = await updater.query<{ id: string; after: string }>(
        `UPDATE locations SET captured_at = captured_at + interval '1 second', accuracy = 11
          WHERE id = ANY ($1::bigint[]) RETURNING id, ctid::text AS after`,
        [rows.map((row) => row.id)],
      );
      moved = rows.map((row) => ({
        before: row.before,
        after: after.find((updated) => updated.id === row.id)?.after ?? '',
      }));
    };

    // Act
    const result = await sweep({ onBatch });

    // Assess
    expect(moved).toHaveLength(50);
    expect(moved.every((row) => row.after !== row.before)).toBe(true);
    expect(result).toMatchObject({ deleted: 5_000, complete: true, strategy });
    expect(await countRows(t.client, 'locations', `created_at < '${cutoff}'`)).toBe(0);
    expect(await countRows(t.client, 'locations')).toBe(100);
  });
});

describe('a table without an index on the column', () => {
  const t = useRetentionSessions();

  it('sweeps a table without an index on the column, and names the index to create', async () => {
    // Prepare
    await t.client.query('DROP INDEX idx_locations_created_at');
    await insertLocations(t.client, 3_000, minutesFromCutoff('g - 2001'), 'random');
    const notices: [string, Readonly<Record<string, unknown>>][] = [];

    // Act
    const result = await deleteExpired(t.jobs, locations, cutoff, {
      batchSize: 1_000,
      strategy: 'index',
      onNotice: (message, fields) => void notices.push([message, fields]),
    });
    await t.client.query('CREATE INDEX idx_locations_created_at ON locations (created_at)');

    // Assess
    expect(result).toMatchObject({ deleted: 2_000, complete: true, strategy: 'heap' });
    expect(result.strategyReason).toBe(
      'the strategy setting says index, but no b-tree index has created_at; no index on created_at can find the expired rows: sweeping the heap, each page once',
    );
    expect(notices).toEqual([
      [
        'no index on the cleanup column',
        expect.objectContaining({
          table: 'locations',
          createIndex: 'CREATE INDEX CONCURRENTLY ON "public"."locations" ("created_at")',
        }),
      ],
    ]);
    expect(await countRows(t.client, 'locations')).toBe(1_000);
  });
});

describe('deleteInBatches follows the index the table has', () => {
  const t = useRetentionSessions();
  // Its tests set the index they need.
  afterAll(() => restoreLocationsIndex(t.client));

  async function load(expired: number, kept: number, order: 'sequential' | 'random') {
    await insertLocations(t.client, expired + kept, minutesFromCutoff(`g - ${expired} - 1`), order);
    await analyzeLocations(t.client);
  }

  /** The last page holding a row `where` says. */
  async function lastPageOf(where: string): Promise<number> {
    const { rows } = await t.client.query<{ page: number }>(
      `SELECT max((ctid::text::point)[0])::int AS page FROM locations WHERE ${where}`,
    );
    return rows[0]?.page ?? -1;
  }

  function run() {
    const notices: [string, Readonly<Record<string, unknown>>][] = [];
    const result = deleteExpired(t.jobs, locations, cutoff, {
      batchSize: 1_000,
      onNotice: (message, fields) => void notices.push([message, fields]),
    });
    return { result, notices };
  }

  it('sweeps only the pages a BRIN index points to, on a table in time order, and warns of nothing', async () => {
    // Prepare: the hourly slice, 40 of 40,000 rows, a BRIN index only
    await setLocationsIndex(t.client, 'brin');
    await load(40, 39_960, 'sequential');

    // Act
    const { result, notices } = run();

    // Assess
    expect(await result).toMatchObject({ deleted: 40, complete: true, strategy: 'brin' });
    expect((await result).strategyReason).toMatch(
      /^about [\d,]+ expired rows, correlation 1\.00: sweeping the pages the BRIN index idx_locations_created_at_brin points to from the first expired one until they end \(about 2 of [\d,]+\), then checking through it; one DELETE would use a Bitmap Heap Scan on idx_locations_created_at_brin$/,
    );
    expect(notices).toEqual([]);
    expect(await countRows(t.client, 'locations')).toBe(39_960);
  });

  it('sweeps a backlog in time order from its first expired page, and stops where the expired rows end', async () => {
    // Prepare: half of 40,000 rows expired, in time order, a BRIN index only
    await setLocationsIndex(t.client, 'brin');
    await load(20_000, 20_000, 'sequential');
    const lastExpiredPage = await lastPageOf(`created_at < '${cutoff}'`);
    const statements: TimedStatement[] = [];

    // Act
    const result = await deleteExpired(timedClient(t.jobs, statements), locations, cutoff, {
      batchSize: 1_000,
    });
    const sent = statements.map((statement) => statement.text);

    // Assess: no query listed the stretches first, and one range alone began past the expired
    // rows' last page (where the sweep saw none left)
    expect(result).toMatchObject({ deleted: 20_000, complete: true, strategy: 'brin' });
    expect(result.strategyReason).toContain(
      'sweeping the pages the BRIN index idx_locations_created_at_brin points to from the first expired one until they end',
    );
    expect(result.batches).toBeGreaterThanOrEqual(15);
    expect(sent.filter(listsStretches)).toEqual([]);
    const ranges = sweptRanges(sent);
    expect(ranges[0]?.[0]).toBe(0);
    expect(ranges.filter(([first]) => first > lastExpiredPage)).toHaveLength(1);
    expect(await countRows(t.client, 'locations')).toBe(20_000);
  });

  it('finds, in the same run, the expired rows that lie past a gap where the sweep from the first page stopped', async () => {
    // Prepare: in time order (correlation 0.97) but for 8,000 newer rows written among the
    // expired ones, three quarters of the way: the sweep from the first page stops at them
    await setLocationsIndex(t.client, 'brin');
    await insertLocations(t.client, 30_000, minutesFromCutoff('g - 40001'));
    await insertLocations(t.client, 8_000, minutesFromCutoff('g'));
    await insertLocations(t.client, 10_000, minutesFromCutoff('g - 10001'));
    await insertLocations(t.client, 20_000, minutesFromCutoff('g + 8000'));
    await analyzeLocations(t.client);
    const statements: TimedStatement[] = [];

    // Act
    const result = await deleteExpired(timedClient(t.jobs, statements), locations, cutoff, {
      batchSize: 1_000,
      strategy: 'brin',
    });
    const sent = statements.map((statement) => statement.text);

    // Assess: the sweep began at the first page and stopped at the gap; the final check found
    // the 10,000 past it, and the stretches they lie in were swept (not deleted a batch at a
    // time by the check, which gives up after five rounds)
    expect(result).toMatchObject({ deleted: 40_000, complete: true, strategy: 'brin' });
    expect(sweptRanges(sent)[0]?.[0]).toBe(0);
    expect(sent.filter(listsStretches)).toHaveLength(1);
    expect(await countRows(t.client, 'locations', `created_at < '${cutoff}'`)).toBe(0);
    expect(await countRows(t.client, 'locations')).toBe(28_000);
  });

  it('sweeps the heap when a BRIN index cannot narrow it (rows in no order), and says which index would', async () => {
    // Prepare: a BRIN index with its default block ranges (128 pages: the whole test table)
    await setLocationsIndex(t.client, 'brin');
    await t.client.query(`DROP INDEX idx_locations_created_at_brin;
      CREATE INDEX idx_locations_created_at_brin ON locations USING brin (created_at)`);
    await load(40, 39_960, 'random');

    // Act
    const { result, notices } = run();

    // Assess
    expect(await result).toMatchObject({ deleted: 40, complete: true, strategy: 'heap' });
    expect((await result).strategyReason).toContain(
      'the BRIN index idx_locations_created_at_brin would not narrow the sweep',
    );
    expect(notices).toEqual([
      [
        'another index would make the cleanup cheaper',
        expect.objectContaining({
          table: 'locations',
          path: 'heap',
          reason: expect.stringMatching(
            /^the heap is not in created_at order \(correlation -?0\.\d\d\)/,
          ),
          createIndex: 'CREATE INDEX CONCURRENTLY ON "public"."locations" ("created_at")',
        }),
      ],
    ]);
    expect(await countRows(t.client, 'locations')).toBe(39_960);
  });

  it('walks a (device_id, created_at) index for the hourly slice', async () => {
    // Prepare
    await setLocationsIndex(t.client, 'composite');
    await load(40, 39_960, 'random');
    const { rows } = await t.client.query<{ skip: boolean }>(
      `SELECT current_setting('server_version_num')::int >= 180000 AS skip`,
    );

    // Act
    const { result, notices } = run();

    // Assess: without skip scan (before PostgreSQL 18), it says which index reads less
    expect(await result).toMatchObject({ deleted: 40, complete: true, strategy: 'index' });
    expect((await result).strategyReason).toContain(
      'keyset batches on idx_locations_device_created_at (device_id, created_at) in "device_id" order',
    );
    expect(notices.map(([message]) => message)).toEqual(
      rows[0]?.skip ? [] : ['another index would make the cleanup cheaper'],
    );
    expect(await countRows(t.client, 'locations')).toBe(39_960);
  });
});
