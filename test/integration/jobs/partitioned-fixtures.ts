/**
 * `locations` as a backend team partitions it: by range of `created_at`, one partition a day
 * (the primary key includes `created_at`), with the DDL in docs/retention.md.
 */
import type pg from 'pg';
import { documentedGrants, grant } from '../../support/job-role.js';

/**
 * Replaces `locations` with a table range-partitioned by `created_at`, with no partitions yet
 * (tables a detaching test left behind, `locations_*`, are dropped too).
 */
export async function makeLocationsPartitioned(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT quote_ident(relname) AS name FROM pg_class
      WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace
        AND relname LIKE 'locations\\_%' AND NOT relispartition`,
  );
  for (const { name } of rows) await client.query(`DROP TABLE IF EXISTS ${name} CASCADE`);
  await client.query(`
    DROP TABLE IF EXISTS locations;
    CREATE TABLE locations (
      id bigserial,
      device_id uuid NOT NULL REFERENCES devices (device_id) ON DELETE CASCADE,
      latitude double precision NOT NULL,
      longitude double precision NOT NULL,
      accuracy real NOT NULL,
      altitude double precision, bearing real, speed real, provider text,
      battery_level smallint, network_type text,
      captured_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (id, created_at)
    ) PARTITION BY RANGE (created_at);
    CREATE INDEX idx_locations_created_at ON locations (created_at);
    CREATE INDEX idx_locations_device_captured ON locations (device_id, captured_at DESC)`);
}

/** `2026-10-20` → `locations_p20261020`. */
export function dayPartition(day: string, parent = 'locations'): string {
  return `${parent}_p${day.replaceAll('-', '')}`;
}

/** One partition per UTC day from `first` to `last` (inclusive, `YYYY-MM-DD`). */
export async function addDailyPartitions(
  client: pg.Client,
  first: string,
  last: string,
  parent = 'locations',
): Promise<string[]> {
  const { rows } = await client.query<{ day: string; next: string }>(
    `SELECT to_char(d, 'YYYY-MM-DD') AS day, to_char(d + interval '1 day', 'YYYY-MM-DD') AS next
       FROM generate_series($1::date, $2::date, interval '1 day') AS d`,
    [first, last],
  );
  for (const { day, next } of rows) {
    await client.query(
      `CREATE TABLE ${dayPartition(day, parent)} PARTITION OF ${parent}
         FOR VALUES FROM ('${day} 00:00:00+00') TO ('${next} 00:00:00+00')`,
    );
  }
  return rows.map(({ day }) => dayPartition(day, parent));
}

/** The partitions of `parent` now, by name. */
export async function partitionsOf(client: pg.Client, parent = 'locations'): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = $1::regclass ORDER BY c.relname`,
    [parent],
  );
  return rows.map((row) => row.name);
}

/**
 * Gives the jobs' role what docs/deploy.md documents for a partitioned table whose expired
 * partitions are dropped (each partition its own) or detached (the parent its own), on every
 * partition `parent` has now (sub-partitions included).
 */
export async function grantPartitionsAsDocumented(
  client: pg.Client,
  role: string,
  removal: 'drop' | 'detach',
  parent = 'locations',
): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT t.relid::regclass::text AS name FROM pg_partition_tree($1::regclass) AS t
      WHERE t.parentrelid IS NOT NULL ORDER BY t.level, t.relid::regclass::text`,
    [parent],
  );
  const partitions = rows.map((row) => row.name);
  await grant(
    client,
    removal === 'drop'
      ? documentedGrants.dropPartitions(role, parent, partitions)
      : documentedGrants.detachPartitions(role, parent, partitions),
  );
}
