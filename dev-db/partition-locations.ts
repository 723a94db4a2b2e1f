/**
 * The demo database's `locations`, partitioned by day, as a backend team would do it (the
 * DDL in docs/retention.md): range-partitioned on `created_at`, the primary key including
 * `created_at`, the indexes on the parent, a partition per UTC day and a DEFAULT partition for
 * anything outside.
 * A plain `locations` is converted once, its rows kept.
 */
import type pg from 'pg';
import { inTransaction } from '../functions/db/transaction.js';

/** What {@link partitionLocationsByDay} did. */
export interface PartitioningReport {
  /** `locations` was a plain table, and is now partitioned (its rows moved). */
  readonly converted: boolean;
  /** Rows moved into the partitions. */
  readonly rowsMoved: number;
  /** Day partitions created now (names). */
  readonly created: readonly string[];
}

/** Days of partitions kept ahead of today, so that new fixes land in a day partition. */
const daysAhead = 7;

/**
 * Makes `locations` partitioned by day (converting a plain table, with a partition for each day
 * from `daysBack` days ago, and a DEFAULT partition), and keeps a week of days ahead.
 */
export async function partitionLocationsByDay(
  db: pg.Client,
  daysBack = 62,
): Promise<PartitioningReport> {
  return inTransaction(db, async () => {
    const { rows } = await db.query<{ kind: string }>(
      `SELECT relkind::text AS kind FROM pg_class WHERE oid = 'locations'::regclass`,
    );
    const converted = rows[0]?.kind === 'r';
    if (converted) {
      await createPartitionedLocations(db, 'locations_unpartitioned', { withDefault: true });
    }
    // Converting: the days the demo rows cover. Later: only days to come (expired days the
    // cleanup dropped are not made again; anything outside every day goes to DEFAULT).
    const created = await addDayPartitions(db, converted ? daysBack : 1);
    let rowsMoved = 0;
    if (converted) {
      const moved = await db.query(
        'INSERT INTO locations SELECT * FROM locations_unpartitioned ORDER BY created_at',
      );
      rowsMoved = moved.rowCount ?? 0;
      await db.query('DROP TABLE locations_unpartitioned');
      await db.query('ANALYZE locations');
    }
    return { converted, rowsMoved, created };
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

/** Creates the missing day partitions from `daysBack` days ago to a week ahead (UTC days). */
async function addDayPartitions(db: pg.Client, daysBack: number): Promise<string[]> {
  const { rows } = await db.query<{ name: string; day: string; next: string }>(
    `SELECT 'locations_p' || to_char(d, 'YYYYMMDD') AS name, to_char(d, 'YYYY-MM-DD') AS day,
            to_char(d + interval '1 day', 'YYYY-MM-DD') AS next
       FROM generate_series((now() AT TIME ZONE 'UTC')::date - $1::int,
                            (now() AT TIME ZONE 'UTC')::date + $2::int, interval '1 day') AS d
      WHERE to_regclass('locations_p' || to_char(d, 'YYYYMMDD')) IS NULL`,
    [daysBack, daysAhead],
  );
  for (const { name, day, next } of rows) {
    await db.query(
      `CREATE TABLE ${db.escapeIdentifier(name)} PARTITION OF locations
         FOR VALUES FROM ('${day} 00:00:00+00') TO ('${next} 00:00:00+00')`,
    );
  }
  return rows.map((row) => row.name);
}
