/**
 * The demo database's `locations`, partitioned by day, as a backend team would do it (the
 * DDL in docs/retention.md): range-partitioned on `created_at`, the primary key including
 * `created_at`, the indexes on the parent, a partition per UTC day and a DEFAULT partition for
 * anything outside.
 * A plain `locations` is converted once, its rows kept, with partitions up to today: the days to
 * come are made by the cleanup itself, each run (`LOCATION_CLEANUP_PREMAKE` days ahead), as it
 * makes them in a backend's database.
 */
import type pg from 'pg';
import { inTransaction } from '../functions/db/transaction.js';

/** What {@link partitionLocationsByDay} did. */
export interface PartitioningReport {
  /** `locations` was a plain table, and is now partitioned (its rows moved); else nothing changed. */
  readonly converted: boolean;
  /** Rows moved into the partitions. */
  readonly rowsMoved: number;
  /** Day partitions created now (names). */
  readonly created: readonly string[];
}

/**
 * Makes a plain `locations` partitioned by day: a partition for each day from `daysBack` days
 * ago to today, and a DEFAULT partition. One already partitioned is left as it is.
 */
export async function partitionLocationsByDay(
  db: pg.Client,
  daysBack = 62,
): Promise<PartitioningReport> {
  return inTransaction(db, async () => {
    const { rows } = await db.query<{ kind: string }>(
      `SELECT relkind::text AS kind FROM pg_class WHERE oid = 'locations'::regclass`,
    );
    if (rows[0]?.kind !== 'r') return { converted: false, rowsMoved: 0, created: [] };
    await createPartitionedLocations(db, 'locations_unpartitioned', { withDefault: true });
    // The days the demo rows cover, to today; the cleanup makes the days to come.
    const created = await addDayPartitions(db, daysBack);
    const moved = await db.query(
      'INSERT INTO locations SELECT * FROM locations_unpartitioned ORDER BY created_at',
    );
    await db.query('DROP TABLE locations_unpartitioned');
    await db.query('ANALYZE locations');
    return { converted: true, rowsMoved: moved.rowCount ?? 0, created };
  });
}

/**
 * The DDL in docs/retention.md: the migrated plain `locations` renamed to `renamedTo` (its indexes with it,
 * its rows kept there), and a `locations` with the same columns, defaults and checks in its
 * place, range-partitioned by `created_at`, with its keys and indexes on the parent. It has no
 * partition yet, except a DEFAULT one when `withDefault` asks for it.
 */
export async function createPartitionedLocations(
  db: pg.Client,
  renamedTo: string,
  { withDefault }: { readonly withDefault: boolean },
): Promise<void> {
  const old = (name: string) => db.escapeIdentifier(`${renamedTo}_${name}`);
  await db.query(`
    ALTER TABLE locations RENAME TO ${db.escapeIdentifier(renamedTo)};
    ALTER INDEX locations_pkey RENAME TO ${old('pkey')};
    ALTER INDEX idx_locations_device_captured RENAME TO ${old('device_captured')};
    ALTER INDEX idx_locations_created_at RENAME TO ${old('created_at')};
    CREATE TABLE locations (
      LIKE ${db.escapeIdentifier(renamedTo)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
      PRIMARY KEY (id, created_at),
      FOREIGN KEY (device_id) REFERENCES devices (device_id) ON DELETE CASCADE
    ) PARTITION BY RANGE (created_at);
    ALTER SEQUENCE locations_id_seq OWNED BY locations.id;
    CREATE INDEX idx_locations_device_captured ON locations (device_id, captured_at DESC);
    CREATE INDEX idx_locations_created_at ON locations (created_at)`);
  if (withDefault) await db.query('CREATE TABLE locations_default PARTITION OF locations DEFAULT');
}

/** Creates a partition for each day from `daysBack` days ago to today (UTC days). */
async function addDayPartitions(db: pg.Client, daysBack: number): Promise<string[]> {
  const { rows } = await db.query<{ name: string; day: string; next: string }>(
    `SELECT 'locations_p' || to_char(d, 'YYYYMMDD') AS name, to_char(d, 'YYYY-MM-DD') AS day,
            to_char(d + interval '1 day', 'YYYY-MM-DD') AS next
       FROM generate_series((now() AT TIME ZONE 'UTC')::date - $1::int,
                            (now() AT TIME ZONE 'UTC')::date, interval '1 day') AS d`,
    [daysBack],
  );
  for (const { name, day, next } of rows) {
    await db.query(
      `CREATE TABLE ${db.escapeIdentifier(name)} PARTITION OF locations
         FOR VALUES FROM ('${day} 00:00:00+00') TO ('${next} 00:00:00+00')`,
    );
  }
  return rows.map((row) => row.name);
}
