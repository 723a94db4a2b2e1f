/**
 * The table the partitions benchmark cleans: `locations` with 60 days of fixes, half of them
 * expired, either as the migrations create it (a plain table) or range-partitioned by
 * `created_at`, one partition per 24 hours, as the DDL in docs/retention.md makes it.
 *
 * Every row's `created_at` is computed from one fixed instant, the anchor (the bench's start),
 * so that both shapes hold the same rows. A 30-day cutoff taken at any time in the 3 hours
 * after the anchor falls in a 6-hour gap with no rows, so every method deletes exactly the same
 * rows whenever it runs, and the partition holding the cutoff still has rows on both sides.
 */
import type pg from 'pg';
import { createPartitionedLocations } from '../../dev-db/partition-locations.js';
import { migrate } from '../../functions/db/migrate.js';
import { vacuumAnalyze } from '../common/vacuum.js';

/** Hours with no rows on each side of `anchor − 30 days`. */
export const gapHours = 3;

/** The retention the rows are generated around, in hours (30 days, as the job counts them). */
const retentionHours = 30 * 24;

/**
 * Partitions before and after the one holding the cutoff: after it, through 4 days after the
 * anchor's, as the job keeps them ahead (`LOCATION_CLEANUP_PREMAKE`, 4): it has none to make.
 */
const expiredPartitions = 30;
const freshPartitions = 34;

/** How the table is built. */
export type TableShape = 'partitioned' | 'plain';

/**
 * When the primary key, the foreign key and the indexes are made: `after` the rows are in
 * (one sort per index, one check of the foreign key), or `before`, maintained row by row.
 */
export type KeysWhen = 'after' | 'before';

/** What was loaded. */
export interface LoadedLocations {
  /** Rows in all. */
  readonly rows: number;
  /** Rows older than `anchor − 30 days − gapHours`; the others are newer than the gap. */
  readonly expired: number;
  /** ISO 8601, UTC, microseconds: the instant every `created_at` is relative to. */
  readonly anchor: string;
  /** How long the load took (rows, keys, vacuum), milliseconds. */
  readonly loadMs: number;
  /** The partitions, for a partitioned table. */
  readonly partitions?: PartitionLayout;
}

/** The partitions of a partitioned `locations`, by their role in a cleanup. */
export interface PartitionLayout {
  /** Partitions in all. */
  readonly count: number;
  /** Those wholly before the cutoff: the job drops them. */
  readonly expired: readonly string[];
  /** The one holding the cutoff, and its rows on each side of it. */
  readonly straddling: {
    readonly name: string;
    readonly expiredRows: number;
    readonly freshRows: number;
  };
}

/** Options of {@link loadLocations}. */
export interface LoadOptions {
  readonly rows: number;
  /** The anchor (see {@link LoadedLocations.anchor}). */
  readonly anchor: string;
  readonly shape: TableShape;
  /** @default 'after' */
  readonly keys?: KeysWhen;
}

/**
 * Migrates an empty database and fills `locations` with `rows` fixes from 1,000 devices, in
 * `created_at` order as an application writes them, in one `INSERT ... SELECT` from
 * `generate_series`. Ends with `VACUUM ANALYZE` (which leaves `reltuples` exact, as the job
 * counts a dropped partition's rows from it); autovacuum is off for the table (each partition),
 * so that it cannot start in the middle of one method's run.
 */
export async function loadLocations(db: pg.Client, options: LoadOptions): Promise<LoadedLocations> {
  const started = performance.now();
  const { rows, anchor, shape } = options;
  const expired = Math.floor(rows / 2);
  await db.query(`SET TimeZone = 'UTC'`);
  await migrate(db);
  await db.query(
    `INSERT INTO devices (device_id, group_id)
     SELECT md5('device-' || d)::uuid, 'group-' || (d % 20) FROM generate_series(0, 999) AS d`,
  );
  const partitions = shape === 'partitioned' ? await makePartitioned(db, anchor) : undefined;
  if (shape === 'plain') {
    await db.query('ALTER TABLE locations SET (autovacuum_enabled = false)');
  }
  const restoreKeys = (options.keys ?? 'after') === 'after' ? await dropKeys(db) : async () => {};
  await db.query(
    `INSERT INTO locations (device_id, latitude, longitude, accuracy, altitude, bearing, speed,
                            provider, battery_level, network_type, captured_at, created_at)
     SELECT devices.ids[g % 1000 + 1],
            48.8 + (g % 997) / 5000.0, 2.3 + (g % 991) / 5000.0, 3 + g % 40, 35 + g % 20,
            g % 360, (g % 300) / 10.0, 'fused', 1 + g % 100, CASE WHEN g % 3 = 0 THEN 'cell' ELSE 'wifi' END,
            t.created_at - interval '2 seconds', t.created_at
       FROM (SELECT array_agg(md5('device-' || d)::uuid ORDER BY d) AS ids
               FROM generate_series(0, 999) AS d) AS devices,
            generate_series(1, $1::int) AS g,
            LATERAL (SELECT CASE WHEN g <= $2::int
              THEN $3::timestamptz - make_interval(hours => 2 * $4::int)
                   + make_interval(hours => $4::int - $5::int) * ((g - 1)::float8 / $2::int)
              ELSE $3::timestamptz - make_interval(hours => $4::int - $5::int)
                   + (make_interval(hours => $4::int - $5::int) - interval '1 minute')
                     * ((g - $2::int - 1)::float8 / greatest(1, $1::int - $2::int))
            END AS created_at) AS t`,
    [rows, expired, anchor, retentionHours, gapHours],
  );
  await restoreKeys();
  await vacuumAnalyze(db, ['devices', 'locations']);
  const layout = partitions ? await countStraddling(db, partitions, anchor) : undefined;
  return {
    rows,
    expired,
    anchor,
    loadMs: performance.now() - started,
    ...(layout ? { partitions: layout } : {}),
  };
}

/**
 * Replaces the migrated `locations` with the same columns and checks, range-partitioned by
 * `created_at` (primary key `(id, created_at)`, the indexes on the parent), and creates its
 * partitions: 24 hours each, the one holding `anchor − 30 days` centred on it (to the hour),
 * 30 wholly before it (back past the oldest row, 60 days old) and 34 after it (through 4 days
 * after the anchor's, as the job makes them ahead).
 */
async function makePartitioned(db: pg.Client, anchor: string): Promise<PartitionLayout> {
  await createPartitionedLocations(db, 'locations_migrated', { withDefault: false });
  await db.query('DROP TABLE locations_migrated');
  const { rows } = await db.query<{ name: string; from: string; to: string }>(
    `WITH centre AS (
       SELECT date_trunc('hour', $1::timestamptz - make_interval(hours => $2::int), 'UTC')
              - interval '12 hours' AS start)
     SELECT 'locations_p' || to_char(p.start AT TIME ZONE 'UTC', 'YYYYMMDD"_"HH24"h"') AS name,
            p.start::text AS from, (p.start + interval '24 hours')::text AS to
       FROM centre, generate_series(-$3::int, $4::int) AS k,
            LATERAL (SELECT centre.start + make_interval(hours => 24 * k) AS start) AS p
      ORDER BY k`,
    [anchor, retentionHours, expiredPartitions, freshPartitions],
  );
  for (const partition of rows) {
    await db.query(
      `CREATE TABLE ${db.escapeIdentifier(partition.name)} PARTITION OF locations
         FOR VALUES FROM (${db.escapeLiteral(partition.from)}) TO (${db.escapeLiteral(partition.to)})
         WITH (autovacuum_enabled = false)`,
    );
  }
  const straddling = rows[expiredPartitions]?.name as string;
  return {
    count: rows.length,
    expired: rows.slice(0, expiredPartitions).map((partition) => partition.name),
    straddling: { name: straddling, expiredRows: 0, freshRows: 0 },
  };
}

/**
 * Drops the table's primary key, foreign keys and other indexes (on a partitioned table, the
 * parent's, and with them every partition's); returns what re-creates them from their own
 * definitions.
 */
async function dropKeys(db: pg.Client): Promise<() => Promise<void>> {
  const { rows: constraints } = await db.query<{ name: string; type: string; definition: string }>(
    `SELECT conname AS name, contype::text AS type, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE conrelid = 'locations'::regclass AND contype IN ('p', 'f')
      ORDER BY contype DESC`,
  );
  const { rows: indexes } = await db.query<{ name: string; definition: string }>(
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename = 'locations'
        AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'locations'::regclass)`,
  );
  for (const key of [...constraints].reverse()) {
    await db.query(`ALTER TABLE locations DROP CONSTRAINT ${db.escapeIdentifier(key.name)}`);
  }
  for (const index of indexes) await db.query(`DROP INDEX ${db.escapeIdentifier(index.name)}`);
  return async () => {
    const add = (key: { name: string; definition: string }) =>
      db.query(
        `ALTER TABLE locations ADD CONSTRAINT ${db.escapeIdentifier(key.name)} ${key.definition}`,
      );
    for (const key of constraints.filter((constraint) => constraint.type === 'p')) await add(key);
    // A partitioned parent's index is listed `ON ONLY` the parent; without ONLY, it is built on
    // every partition too.
    for (const index of indexes) await db.query(index.definition.replace(' ON ONLY ', ' ON '));
    for (const key of constraints.filter((constraint) => constraint.type === 'f')) await add(key);
  };
}

async function countStraddling(
  db: pg.Client,
  layout: PartitionLayout,
  anchor: string,
): Promise<PartitionLayout> {
  const { name } = layout.straddling;
  const { rows } = await db.query<{ expired: string; fresh: string }>(
    `SELECT count(*) FILTER (WHERE created_at < $1::timestamptz - make_interval(hours => $2::int)) AS expired,
            count(*) FILTER (WHERE created_at >= $1::timestamptz - make_interval(hours => $2::int)) AS fresh
       FROM ${db.escapeIdentifier(name)}`,
    [anchor, retentionHours],
  );
  return {
    ...layout,
    straddling: { name, expiredRows: Number(rows[0]?.expired), freshRows: Number(rows[0]?.fresh) },
  };
}
