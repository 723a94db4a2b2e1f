import type { ClientBase } from 'pg';
import { inTransaction } from '../functions/db/transaction.js';

/** How much demo data {@link seedDemoData} writes. */
export interface DemoDataOptions {
  /**
   * Devices, spread over 5 groups.
   * @default 40
   */
  readonly devices?: number;
  /**
   * Location fixes per device, stored at random times over the last 60 days (so with the
   * default 30-day retention about half of them are due for deletion).
   * @default 5_000
   */
  readonly locationsPerDevice?: number;
  /**
   * Idempotency keys, created over the last 3 days with a 24-hour lifetime (about two thirds
   * of them expired).
   * @default 2_000
   */
  readonly idempotencyKeys?: number;
}

/** What {@link seedDemoData} wrote. */
export interface DemoDataSummary {
  readonly devices: number;
  readonly locations: number;
  readonly idempotencyKeys: number;
}

/**
 * Writes demo devices, locations and idempotency keys, generated in SQL (nothing row by row
 * from Node), in one transaction, so the jobs have visible work on a fresh local database.
 */
export async function seedDemoData(
  db: ClientBase,
  options: DemoDataOptions = {},
): Promise<DemoDataSummary> {
  const devices = options.devices ?? 40;
  const perDevice = options.locationsPerDevice ?? 5_000;
  const keys = options.idempotencyKeys ?? 2_000;
  return inTransaction(db, async () => {
    const inserted = await db.query<{ device_id: string }>(
      // Only the columns the jobs' tables are known to share with the backend's schema.
      `INSERT INTO devices (device_id, group_id, last_seen_at)
       SELECT gen_random_uuid(), 'demo-group-' || (n % 5), now() - random() * interval '1 hour'
       FROM generate_series(1, $1::int) AS n
       RETURNING device_id`,
      [devices],
    );
    const deviceIds = inserted.rows.map((row) => row.device_id);
    const locations = await db.query(
      `INSERT INTO locations (device_id, latitude, longitude, accuracy, altitude, bearing, speed,
                              provider, battery_level, network_type, captured_at, created_at)
       SELECT device_id, 48.80 + random() * 0.1, 2.30 + random() * 0.1, 3 + random() * 30,
              30 + random() * 40, random() * 359, random() * 20, 'fused',
              (5 + random() * 95)::smallint,
              (ARRAY['wifi', 'lte', '5g'])[1 + floor(random() * 3)::int],
              stored_at - random() * interval '30 seconds', stored_at
       FROM unnest($1::uuid[]) AS device_id,
            -- The WHERE ties the subquery to each device, so it is computed per device, not once.
            LATERAL (SELECT now() - random() * interval '60 days' AS stored_at
                     FROM generate_series(1, $2::int) AS n
                     WHERE device_id IS NOT NULL) AS fix`,
      [deviceIds, perDevice],
    );
    const idempotency = await db.query(
      `INSERT INTO idempotency_keys (key_hash, device_id, response_body, created_at, expires_at)
       SELECT md5(random()::text || n), ($1::uuid[])[1 + n % cardinality($1::uuid[])],
              jsonb_build_object('status', 201), created, created + interval '24 hours'
       FROM generate_series(1, $2::int) AS n,
            LATERAL (SELECT now() - random() * interval '3 days' AS created WHERE n IS NOT NULL) AS c`,
      [deviceIds, keys],
    );
    return {
      devices: deviceIds.length,
      locations: locations.rowCount ?? 0,
      idempotencyKeys: idempotency.rowCount ?? 0,
    };
  });
}
