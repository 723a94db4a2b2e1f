import type pg from 'pg';
import { vacuumAnalyze } from '../common/vacuum.js';

/** How the rows lie on disk, relative to `created_at`. */
export type PhysicalOrder = 'sequential' | 'random' | 'mixed';

/** Every physical order, in the order the benchmark runs them. */
export const physicalOrders: readonly PhysicalOrder[] = ['sequential', 'random', 'mixed'];

/**
 * What is expired:
 * - `backlog`: half the rows, 31 to 60 days old; the rest 1 minute to 29 days old;
 * - `steady`: one hour's worth, 30 days 6 hours to 30 days 7 hours old (what an hourly run
 *   finds), the rest spread over the last 29 days and 18 hours.
 * Either way the cutoff (30 days ago, whenever the benchmark reads it) falls in a gap with no
 * rows, so that every method deletes exactly the same rows, whenever it runs.
 */
export type Layout = 'backlog' | 'steady';

/** How the generated table looks. */
export interface GeneratedLocations {
  /** Rows in all. */
  readonly rows: number;
  /** Rows older than the 30-day cutoff. */
  readonly expired: number;
  readonly order: PhysicalOrder;
  readonly layout: Layout;
}

/** Options of {@link loadLocations}. */
export interface LoadOptions {
  /**
   * How the rows lie on disk: in `created_at` order (a bulk load), in `random` order, or
   * `mixed`: every other row in time order and the others scattered at random (a table whose
   * freed space was reused by newer rows).
   * @default 'sequential'
   */
  readonly order?: PhysicalOrder;
  /** @default 'backlog' */
  readonly layout?: Layout;
}

/** The row order of each physical order, as an `ORDER BY` of `g` (the row's number). */
const orderBy: Readonly<Record<PhysicalOrder, string>> = {
  sequential: 'g',
  random: 'random()',
  mixed: 'CASE WHEN g % 2 = 0 THEN g ELSE random() * $1::int END',
};

/** `created_at` of row `g` of `$1` rows, `$2` of them expired. */
const createdAt: Readonly<Record<Layout, string>> = {
  backlog: `CASE WHEN g <= $2::int
      THEN now() - interval '60 days' + interval '29 days' * g / $2::int
      ELSE now() - interval '29 days' + (interval '29 days' - interval '1 minute') * (g - $2::int) / ($1::int - $2::int)
    END`,
  steady: `CASE WHEN g <= $2::int
      THEN now() - interval '30 days 7 hours' + interval '1 hour' * g / $2::int
      ELSE now() - interval '29 days 18 hours' + (interval '29 days 18 hours' - interval '1 minute') * (g - $2::int) / ($1::int - $2::int)
    END`,
};

/**
 * Fills `locations` (schema already migrated) with `rows` fixes from 1,000 devices.
 *
 * Generated in SQL (`generate_series`), in one statement, in the physical order asked for.
 * The table's secondary indexes and foreign keys are dropped first and re-created after, from
 * their own definitions, which is several times faster than maintaining them row by row. Ends
 * with `VACUUM ANALYZE`, as autovacuum would have left a table whose rows are days old;
 * autovacuum is then turned off for the table, so that it cannot start in the middle of one
 * method's run.
 */
export async function loadLocations(
  db: pg.Client,
  rows: number,
  options: LoadOptions = {},
): Promise<GeneratedLocations> {
  const order = options.order ?? 'sequential';
  const layout = options.layout ?? 'backlog';
  // The steady layout's expired hour holds as many rows as any hour of the 29 days 18 hours kept.
  const expired = layout === 'backlog' ? Math.floor(rows / 2) : Math.max(1, Math.floor(rows / 715));
  await db.query(
    `INSERT INTO devices (device_id, group_id)
     SELECT md5('device-' || d)::uuid, 'group-' || (d % 20) FROM generate_series(0, 999) AS d`,
  );
  const { rows: indexes } = await db.query<{ name: string; definition: string }>(
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename = 'locations'
        AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'locations'::regclass)`,
  );
  const { rows: foreignKeys } = await db.query<{ name: string; definition: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE conrelid = 'locations'::regclass AND contype = 'f'`,
  );
  for (const index of indexes) await db.query(`DROP INDEX ${db.escapeIdentifier(index.name)}`);
  for (const key of foreignKeys) {
    await db.query(`ALTER TABLE locations DROP CONSTRAINT ${db.escapeIdentifier(key.name)}`);
  }

  await db.query(
    `INSERT INTO locations (device_id, latitude, longitude, accuracy, altitude, bearing, speed,
                            provider, battery_level, network_type, captured_at, created_at)
     SELECT md5('device-' || (g % 1000))::uuid,
            48.8 + (g % 997) / 5000.0, 2.3 + (g % 991) / 5000.0, 3 + g % 40, 35 + g % 20,
            g % 360, (g % 300) / 10.0, 'fused', 1 + g % 100, CASE WHEN g % 3 = 0 THEN 'cell' ELSE 'wifi' END,
            t.created_at - interval '2 seconds', t.created_at
       FROM generate_series(1, $1::int) AS g,
            LATERAL (SELECT ${createdAt[layout]} AS created_at) AS t
      ORDER BY ${orderBy[order]}`,
    [rows, expired],
  );

  for (const index of indexes) await db.query(index.definition);
  for (const key of foreignKeys) {
    await db.query(
      `ALTER TABLE locations ADD CONSTRAINT ${db.escapeIdentifier(key.name)} ${key.definition}`,
    );
  }
  await vacuumAnalyze(db, ['devices', 'locations']);
  // Each method leaves the same dead rows; a vacuum starting in the middle of one run and not
  // another would only add noise to the comparison.
  await db.query('ALTER TABLE locations SET (autovacuum_enabled = false)');
  return { rows, expired, order, layout };
}
