/**
 * Rows the database refuses to delete (a foreign key that restricts, a trigger that raises)
 * are left and reported, and never block the rest; a table whose batches pass their statement
 * timeout (a cascade to a child table with no index) is cleaned in smaller batches.
 */
import type pg from 'pg';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIdempotencyKeyPurge } from '../../../functions/jobs/idempotency-key-purge/idempotency-key-purge.js';
import { createLocationCleanup } from '../../../functions/jobs/location-cleanup/location-cleanup.js';
import type { DeletePath, Notice } from '../../../functions/retention/batched-delete.js';
import { formatLogLine } from '../../../harness/output/human-lines.js';
import { lambdaContext, scheduledEvent } from '../../support/lambda-context.js';
import { deleteExpired, type RetentionTestOptions } from '../../support/retention.js';
import { useTestDatabase } from '../../support/test-database.js';
import {
  analyzeLocations,
  countRows,
  type IndexKind,
  insertIdempotencyKeys,
  insertLocations,
  resetTables,
  useJobTest,
  useLocationsIndex,
  useRetentionSessions,
} from './fixtures.js';
import {
  addDailyPartitions,
  grantPartitionsAsDocumented,
  makeLocationsPartitioned,
} from './partitioned-fixtures.js';

const start = Date.parse('2026-11-28T10:15:00.000Z');
const paths: DeletePath[] = ['index', 'heap'];

/** The locations cases: each path, the index path on both kinds of b-tree. */
const locationPaths: [DeletePath, IndexKind][] = [
  ['index', 'btree'],
  ['index', 'composite'],
  ['brin', 'brin'],
  ['heap', 'btree'],
];

/** Expired by 10 days and more, one a second: well before a 30-day retention's cutoff. */
const expired = `now() - interval '40 days' + g * interval '1 second'`;
/** Within the retention. */
const fresh = `now() - g * interval '1 minute'`;

/** The id of the `n`-th location by `created_at` (1-based). */
const nth = (n: number) =>
  `(SELECT id FROM locations ORDER BY created_at, id OFFSET ${n - 1} LIMIT 1)`;

/** The backend's own refusals: two foreign keys that restrict, and a legal hold (a trigger). */
const refusingSchema = `
  CREATE TABLE trips_started (start_location_id bigint REFERENCES locations (id) ON DELETE RESTRICT);
  CREATE INDEX ON trips_started (start_location_id);
  CREATE TABLE trips_ended (end_location_id bigint REFERENCES locations (id));
  CREATE INDEX ON trips_ended (end_location_id);
  CREATE TABLE legal_holds (location_id bigint PRIMARY KEY);
  CREATE FUNCTION refuse_held() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF EXISTS (SELECT 1 FROM legal_holds WHERE location_id = OLD.id) THEN
      RAISE EXCEPTION 'this fix is under legal hold';
    END IF;
    RETURN OLD;
  END $$;
  CREATE TRIGGER refuse_held BEFORE DELETE ON locations
    FOR EACH ROW EXECUTE FUNCTION refuse_held()`;

/**
 * The backend lets the jobs' role read its tables: the referencing ones (so that referenced rows
 * are left out up front) and the one its trigger reads (which runs as whoever deletes).
 */
const grantRefusingSchema = (role: string) =>
  `GRANT SELECT ON trips_started, trips_ended, legal_holds TO ${role}`;

const dropRefusingSchema = `
  DROP TABLE IF EXISTS trips_started, trips_ended, legal_holds, location_photos;
  DROP TRIGGER IF EXISTS refuse_held ON locations;
  DROP FUNCTION IF EXISTS refuse_held(), slow_photo()`;

/** Runs `act`, counting the statements (round trips) `client` sends meanwhile. */
async function countingStatements<T>(
  client: pg.Client,
  act: () => Promise<T>,
): Promise<{ value: T; statements: number }> {
  const query = client.query;
  let statements = 0;
  client.query = ((...args: Parameters<typeof query>) => {
    statements += 1;
    return query.apply(client, args);
  }) as typeof query;
  try {
    return { value: await act(), statements };
  } finally {
    client.query = query;
  }
}

describe.each(locationPaths)(
  'location-cleanup with rows the database refuses, %s path, %s index',
  (strategy, kind) => {
    const t = useJobTest('location-cleanup', start);
    useLocationsIndex(() => t.client, kind);

    afterEach(() => t.client.query(dropRefusingSchema));

    function cleanup(options: RetentionTestOptions = {}) {
      const handler = t.handler(createLocationCleanup(options, options), {
        LOCATION_CLEANUP_STRATEGY: strategy,
        LOCATION_CLEANUP_BATCH_SIZE: '1000',
      });
      return handler(scheduledEvent(new Date(start)), lambdaContext(t.clock, 300_000));
    }

    it('leaves a referenced row (RESTRICT, NO ACTION) and a row a trigger refuses, deletes every other expired row, and reports them', async () => {
      // Prepare: 5,000 expired rows and 50 fresh ones, in time order and analyzed (the BRIN
      // path sweeps them from the first expired page); three expired rows refused, in three
      // different batches, and a fresh row referenced and held (untouched anyway)
      await insertLocations(t.client, 5_000, expired);
      await insertLocations(t.client, 50, fresh);
      await analyzeLocations(t.client);
      await t.client.query(refusingSchema);
      await t.client.query(grantRefusingSchema(t.role.name));
      await t.client.query(`
      INSERT INTO trips_started VALUES (${nth(1_234)}), (${nth(5_025)});
      INSERT INTO trips_ended VALUES (${nth(2_500)});
      INSERT INTO legal_holds VALUES (${nth(4_321)}), (${nth(5_030)})`);
      const { rows: ids } = await t.client.query<{ id: string }>(
        `SELECT unnest(ARRAY[${nth(1_234)}, ${nth(2_500)}, ${nth(4_321)}])::text AS id`,
      );
      const refusedIds = `(${ids.map((row) => row.id).join(', ')})`;

      // Act
      const record = await cleanup();

      // Assess
      const refused = [
        {
          table: 'locations',
          reason: 'trips_started_start_location_id_fkey',
          code: '23001',
          rows: 1,
          notIsolated: 0,
        },
        {
          table: 'locations',
          reason: 'trips_ended_end_location_id_fkey',
          code: '23503',
          rows: 1,
          notIsolated: 0,
        },
        {
          table: 'locations',
          reason: 'this fix is under legal hold',
          code: 'P0001',
          rows: 1,
          notIsolated: 0,
        },
      ];
      expect(record).toMatchObject({
        outcome: 'cut_short',
        result: { deleted: 4_997, refusedRows: 3, lockedRows: 0, complete: false },
      });
      expect((record.result as { refused: unknown[] }).refused).toEqual(
        expect.arrayContaining(refused.map((group) => expect.objectContaining(group))),
      );
      // Exactly the refused rows and the fresh ones are left.
      expect(await countRows(t.client, 'locations')).toBe(53);
      expect(await countRows(t.client, 'locations', `id IN ${refusedIds}`)).toBe(3);
      expect(
        await countRows(t.client, 'locations', `created_at > now() - interval '30 days'`),
      ).toBe(50);
      const warnings = t.output.logs('expired rows refused, left in place');
      expect(warnings).toHaveLength(3);
      expect(warnings.map((line) => line.level)).toEqual(['WARN', 'WARN', 'WARN']);
      expect(warnings).toEqual(
        expect.arrayContaining(refused.map((group) => expect.objectContaining(group))),
      );
      expect(t.output.metrics()).toEqual([
        expect.objectContaining({ RowsDeleted: 4_997, RowsRefused: 3, CutShort: 1 }),
      ]);
      expect(t.output.logs('expired rows deleted, refused rows left in place')[0]).toMatchObject({
        refusedRows: 3,
        deleted: 4_997,
      });
      const [finished] = t.output.logs('job finished');
      expect(formatLogLine(finished ?? {})).toContain('3 rows refused by the database left (');
      expect(formatLogLine(warnings[0] ?? {})).toMatch(
        /warning +1 expired row of locations left: (refused by \S+|the database said ".+") \(\w+\)$/,
      );
    });

    it('warns with the index to make for an unindexed ON DELETE CASCADE child, and deletes every expired row (and its photos) in smaller batches', async () => {
      // Prepare: each deleted photo takes 20 ms for certain (a trigger sleeps), so a batch of 50
      // rows or more passes the 1 s statement timeout for certain; the floor (2 rows) does not
      await insertLocations(t.client, 60, expired);
      await insertLocations(t.client, 10, fresh);
      await t.client.query(`
      CREATE TABLE location_photos (
        location_id bigint NOT NULL REFERENCES locations (id) ON DELETE CASCADE, photo text);
      INSERT INTO location_photos SELECT id, 'photo of ' || id FROM locations;
      CREATE FUNCTION slow_photo() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(0.02); RETURN OLD; END $$;
      CREATE TRIGGER slow_photo BEFORE DELETE ON location_photos
        FOR EACH ROW EXECUTE FUNCTION slow_photo()`);

      // Act
      const record = await cleanup({
        limits: { statementTimeoutMs: 1_000, lockTimeoutMs: 1_000 },
        minBatchSize: 2,
      });

      // Assess
      expect(record).toMatchObject({
        outcome: 'succeeded',
        result: { deleted: 60, complete: true, refusedRows: 0 },
      });
      const { settledBatchSize } = record.result as { settledBatchSize?: number };
      expect(settledBatchSize).toBeGreaterThanOrEqual(2);
      expect(settledBatchSize).toBeLessThan(50);
      expect(await countRows(t.client, 'locations')).toBe(10);
      // The cascade kept its meaning: the deleted rows' photos went with them, the others stay.
      expect(await countRows(t.client, 'location_photos')).toBe(10);
      expect(t.output.logs('foreign key without an index')).toEqual([
        expect.objectContaining({
          level: 'WARN',
          table: 'locations',
          constraint: 'location_photos_location_id_fkey',
          referencingTable: 'public.location_photos',
          onDelete: 'ON DELETE CASCADE',
          createIndex: 'CREATE INDEX CONCURRENTLY ON "public"."location_photos" ("location_id")',
        }),
      ]);
      const smaller = t.output.logs('batch timed out, retrying smaller');
      expect(smaller.length).toBeGreaterThan(0);
      expect(smaller.at(-1)).toMatchObject({ level: 'WARN', batchSize: settledBatchSize });
      expect(t.output.logs('expired rows deleted')[0]).toMatchObject({ settledBatchSize });
    });
  },
);

describe.each(locationPaths)(
  'deleteInBatches with refused rows: what it costs, %s path, %s index',
  (strategy, kind) => {
    const t = useRetentionSessions({ index: kind });
    const cutoff = '2026-10-29T10:15:00.000000Z';
    const old = `timestamptz '2026-09-01T00:00:00Z' + g * interval '1 second'`;
    const notices: [string, Readonly<Record<string, unknown>>][] = [];
    const onNotice: Notice = (message, fields) => void notices.push([message, fields]);

    beforeEach(async () => {
      notices.length = 0;
      await t.client.query(dropRefusingSchema);
    });

    function deleteOld(on: pg.Client = t.jobs, options: RetentionTestOptions = {}) {
      return deleteExpired(on, { table: 'locations', column: 'created_at' }, cutoff, {
        batchSize: 100,
        strategy,
        onNotice,
        ...options,
      });
    }

    /** The same 2,000 expired rows (and 20 fresh), before each measured run. */
    async function seed(): Promise<void> {
      await resetTables(t.client);
      await insertLocations(t.client, 2_000, old);
      await insertLocations(t.client, 20, `timestamptz '${cutoff}' + g * interval '1 ms'`);
      await t.client.query('ANALYZE locations');
    }

    it('a row left out up front (a foreign key references it) costs one statement per run, none per batch', async () => {
      // Prepare: a run with nothing referenced, for comparison
      await seed();
      const plain = await countingStatements(t.jobs, () => deleteOld());
      await seed();
      await t.client.query(refusingSchema);
      await t.client.query(grantRefusingSchema(t.role.name));
      await t.client.query(`INSERT INTO trips_started VALUES (${nth(777)})`);

      // Act
      const referenced = await countingStatements(t.jobs, () => deleteOld());

      // Assess
      expect(plain.value).toMatchObject({ deleted: 2_000, refusedRows: 0, complete: true });
      expect(referenced.value).toMatchObject({ deleted: 1_999, refusedRows: 1, complete: false });
      const perBatch = strategy === 'index' ? 2 : 3;
      // Only the one count of the rows left out, at the end (its limits and the count sent as
      // one round trip).
      expect(referenced.statements - plain.statements).toBe(
        1 + perBatch * (referenced.value.batches - plain.value.batches),
      );
      expect(Math.abs(referenced.value.batches - plain.value.batches)).toBeLessThanOrEqual(1);
      expect(await countRows(t.client, 'locations')).toBe(21);
    });

    it('one refused row in a batch of 1,000 costs O(log n) more statements, not one per row', async () => {
      // Prepare
      await seed();
      const plain = await countingStatements(t.jobs, () => deleteOld(t.jobs, { batchSize: 1_000 }));
      await seed();
      await t.client.query(refusingSchema);
      await t.client.query(grantRefusingSchema(t.role.name));
      await t.client.query(`INSERT INTO legal_holds VALUES (${nth(1_500)})`);

      // Act
      const held = await countingStatements(t.jobs, () => deleteOld(t.jobs, { batchSize: 1_000 }));

      // Assess
      expect(held.value).toMatchObject({
        deleted: 1_999,
        refusedRows: 1,
        refused: [{ reason: 'this fix is under legal hold', code: 'P0001', rows: 1 }],
      });
      const extra = held.statements - plain.statements;
      expect(extra).toBeGreaterThan(0);
      // About 5 round trips per halving (a median, a half that goes, a half that fails).
      expect(extra).toBeLessThanOrEqual(6 * Math.ceil(Math.log2(1_000)) + 10);
      expect(await countRows(t.client, 'locations')).toBe(21);
    });

    it('narrows down a foreign key it cannot read up front (the role may not read the referencing table)', async () => {
      // Prepare: the job's role has the documented grants on locations, none on trips_ended
      await seed();
      await t.client.query(`
      CREATE TABLE trips_ended (end_location_id bigint REFERENCES locations (id));
      INSERT INTO trips_ended VALUES (${nth(10)}), (${nth(1_010)})`);

      // Act
      const result = await deleteOld();

      // Assess
      expect(result).toMatchObject({
        deleted: 1_998,
        refusedRows: 2,
        complete: false,
        refused: [{ reason: 'trips_ended_end_location_id_fkey', code: '23503', rows: 2 }],
      });
      expect(await countRows(t.client, 'locations')).toBe(22);
    });
  },
);

describe('a partitioned table with rows the database refuses', () => {
  const db = useTestDatabase();
  let client: pg.Client;
  const cutoff = '2026-10-29T10:15:00.000000Z';
  /** 24 rows a day, from Oct 20 to Nov 1; 9 days and 10 hours of them expired. */
  const hourly = `timestamptz '2026-10-20T00:15:30Z' + (g - 1) * interval '1 hour'`;
  const expiredRows = 9 * 24 + 10;
  const notices: [string, Readonly<Record<string, unknown>>][] = [];

  beforeAll(async () => {
    client = await db().connect();
  });
  beforeEach(async () => {
    notices.length = 0;
    await client.query('DROP TABLE IF EXISTS trips; DROP FUNCTION IF EXISTS refuse_held() CASCADE');
    await resetTables(client);
    await makeLocationsPartitioned(client);
    await addDailyPartitions(client, '2026-10-20', '2026-11-01');
    await grantPartitionsAsDocumented(client, (await db().jobRole()).name, 'drop');
  });

  it.each(paths)(
    'leaves rows a two-column foreign key references and a row a trigger refuses, in a dropped day and the straddling one (%s path)',
    async (strategy) => {
      // Prepare: a trip references a row of Oct 22 (so that day cannot be dropped) and one of
      // Oct 29 (the straddling day); a trigger refuses another row of Oct 29
      await insertLocations(client, 13 * 24, hourly);
      await client.query(`
        CREATE TABLE trips (
          location_id bigint, location_created_at timestamptz,
          FOREIGN KEY (location_id, location_created_at) REFERENCES locations (id, created_at)
            ON DELETE RESTRICT);
        INSERT INTO trips SELECT id, created_at FROM locations
          WHERE created_at IN ('2026-10-22T05:15:30Z', '2026-10-29T03:15:30Z');
        CREATE FUNCTION refuse_held() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.created_at = '2026-10-29T07:15:30Z' THEN RAISE EXCEPTION 'under legal hold'; END IF;
          RETURN OLD;
        END $$;
        CREATE TRIGGER refuse_held BEFORE DELETE ON locations
          FOR EACH ROW EXECUTE FUNCTION refuse_held()`);
      const role = await db().jobRole();
      await client.query(`GRANT SELECT ON trips TO ${role.name}`);

      // Act
      const result = await deleteExpired(
        await db().connect(role),
        { table: 'locations', column: 'created_at' },
        cutoff,
        {
          batchSize: 100,
          strategy,
          onNotice: (message, fields) => void notices.push([message, fields]),
        },
      );

      // Assess
      expect(result).toMatchObject({
        deleted: expiredRows - 3,
        refusedRows: 3,
        complete: false,
        strategy: 'partitions',
      });
      expect(result.refused).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            table: 'public.locations_p20261022',
            reason: 'trips_location_id_location_created_at_fkey',
            code: '23001',
            rows: 1,
          }),
          expect.objectContaining({
            table: 'public.locations_p20261029',
            reason: 'trips_location_id_location_created_at_fkey',
            code: '23001',
            rows: 1,
          }),
          expect.objectContaining({
            table: 'public.locations_p20261029',
            reason: 'under legal hold',
            code: 'P0001',
            rows: 1,
          }),
        ]),
      );
      expect(await countRows(client, 'locations', `created_at < '${cutoff}'`)).toBe(3);
      expect(await countRows(client, 'locations', `created_at >= '${cutoff}'`)).toBe(
        13 * 24 - expiredRows,
      );
      // The key on trips has no index: said once, though each partition has its own clone.
      expect(notices.filter(([message]) => message === 'foreign key without an index')).toEqual([
        [
          'foreign key without an index',
          expect.objectContaining({
            constraint: 'trips_location_id_location_created_at_fkey',
            createIndex:
              'CREATE INDEX CONCURRENTLY ON "public"."trips" ("location_id", "location_created_at")',
          }),
        ],
      ]);
    },
  );
});

describe.each(paths)(
  'idempotency-key-purge with keys the database refuses, %s path',
  (strategy) => {
    const t = useJobTest('idempotency-key-purge', Date.parse('2026-11-29T03:30:00.000Z'));

    afterEach(() =>
      t.client.query(
        'DROP TABLE IF EXISTS key_replays; DROP FUNCTION IF EXISTS keep_key() CASCADE',
      ),
    );

    it('leaves a key another table references and one a trigger keeps, and deletes every other expired key', async () => {
      // Prepare
      await insertIdempotencyKeys(
        t.client,
        2_500,
        `now() - interval '1 day' - g * interval '1 minute'`,
        'old',
      );
      await insertIdempotencyKeys(t.client, 30, `now() + g * interval '1 hour'`, 'valid');
      await t.client.query(`
      CREATE TABLE key_replays (key_id bigint REFERENCES idempotency_keys (id));
      INSERT INTO key_replays SELECT id FROM idempotency_keys WHERE key_hash = 'old-700';
      CREATE FUNCTION keep_key() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.key_hash = 'old-1900' THEN RAISE EXCEPTION 'key kept for an audit'; END IF;
        RETURN OLD;
      END $$;
      CREATE TRIGGER keep_key BEFORE DELETE ON idempotency_keys
        FOR EACH ROW EXECUTE FUNCTION keep_key()`);
      const handler = t.handler(createIdempotencyKeyPurge(), {
        IDEMPOTENCY_KEY_PURGE_BATCH_SIZE: '1000',
        IDEMPOTENCY_KEY_PURGE_STRATEGY: strategy,
      });

      // Act
      const record = await handler(
        scheduledEvent(new Date(t.clock.now())),
        lambdaContext(t.clock, 300_000),
      );

      // Assess
      expect(record).toMatchObject({
        outcome: 'cut_short',
        result: { deleted: 2_498, refusedRows: 2, complete: false },
      });
      expect((record.result as { refused: unknown[] }).refused).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ reason: 'key_replays_key_id_fkey', code: '23503', rows: 1 }),
          expect.objectContaining({ reason: 'key kept for an audit', code: 'P0001', rows: 1 }),
        ]),
      );
      expect(await countRows(t.client, 'idempotency_keys')).toBe(32);
      expect(t.output.metrics()).toEqual([expect.objectContaining({ RowsRefused: 2 })]);
    });
  },
);
