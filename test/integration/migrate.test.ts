import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../functions/db/migrate.js';
import { useTestDatabase } from '../support/test-database.js';

async function columnsOf(client: pg.Client, table: string) {
  const { rows } = await client.query<{ name: string; type: string; nullable: 'YES' | 'NO' }>(
    `SELECT column_name AS name, data_type AS type, is_nullable AS nullable
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1
      ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((row) => `${row.name} ${row.type}${row.nullable === 'NO' ? ' not null' : ''}`);
}

async function indexesOf(client: pg.Client, table: string) {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT indexname AS name, indexdef AS definition
       FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1 ORDER BY indexname`,
    [table],
  );
  return Object.fromEntries(
    rows.map((row) => [row.name, row.definition.replace(/^.* USING /, 'USING ')]),
  );
}

describe('migrate on an empty database', () => {
  const db = useTestDatabase({ schema: false });
  let client: pg.Client;
  let firstRun: string[];

  beforeAll(async () => {
    client = await db().connect();
    firstRun = await migrate(client);
  });

  it('applies every migration and records it', async () => {
    // Assess
    expect(firstRun).toEqual(['0001_initial.sql']);
    const { rows } = await client.query('SELECT name FROM maintenance_jobs_migrations');
    expect(rows).toEqual([{ name: '0001_initial.sql' }]);
  });

  it('creates devices with its columns and indexes', async () => {
    expect(await columnsOf(client, 'devices')).toEqual([
      'device_id uuid not null',
      'group_id text not null',
      'display_name text',
      'platform text',
      'fcm_token text',
      'active boolean not null',
      'last_seen_at timestamp with time zone',
      'created_at timestamp with time zone not null',
      'updated_at timestamp with time zone not null',
    ]);
    expect(await indexesOf(client, 'devices')).toEqual({
      devices_pkey: 'USING btree (device_id)',
      idx_devices_group_id: 'USING btree (group_id) WHERE active',
    });
  });

  it('creates locations with its columns and indexes', async () => {
    expect(await columnsOf(client, 'locations')).toEqual([
      'id bigint not null',
      'device_id uuid not null',
      'latitude double precision not null',
      'longitude double precision not null',
      'accuracy real not null',
      'altitude double precision',
      'bearing real',
      'speed real',
      'provider text',
      'battery_level smallint',
      'network_type text',
      'captured_at timestamp with time zone not null',
      'created_at timestamp with time zone not null',
    ]);
    expect(await indexesOf(client, 'locations')).toEqual({
      locations_pkey: 'USING btree (id)',
      idx_locations_device_captured: 'USING btree (device_id, captured_at DESC)',
      idx_locations_created_at: 'USING btree (created_at)',
    });
  });

  it('creates idempotency_keys with its columns and indexes', async () => {
    expect(await columnsOf(client, 'idempotency_keys')).toEqual([
      'id bigint not null',
      'key_hash text not null',
      'device_id uuid not null',
      'response_body jsonb not null',
      'created_at timestamp with time zone not null',
      'expires_at timestamp with time zone not null',
    ]);
    expect(await indexesOf(client, 'idempotency_keys')).toEqual({
      idempotency_keys_pkey: 'USING btree (id)',
      idempotency_keys_key_hash_key: 'USING btree (key_hash)',
      idx_idempotency_keys_expires_at: 'USING btree (expires_at)',
    });
  });

  it('does nothing when applied again', async () => {
    // Act
    const secondRun = await migrate(client);

    // Assess
    expect(secondRun).toEqual([]);
    const { rows } = await client.query(
      'SELECT count(*)::int AS n FROM maintenance_jobs_migrations',
    );
    expect(rows[0].n).toBe(1);
  });

  it('deletes a device’s locations and idempotency keys with the device', async () => {
    // Prepare
    const deviceId = randomUUID();
    const otherDeviceId = randomUUID();
    await client.query(`INSERT INTO devices (device_id, group_id) VALUES ($1, 'g'), ($2, 'g')`, [
      deviceId,
      otherDeviceId,
    ]);
    await client.query(
      `INSERT INTO locations (device_id, latitude, longitude, accuracy, captured_at)
       SELECT d, 52.1, 4.3, 5, now() FROM unnest($1::uuid[]) AS d, generate_series(1, 3)`,
      [[deviceId, otherDeviceId]],
    );
    await client.query(
      `INSERT INTO idempotency_keys (key_hash, device_id, response_body, expires_at)
       VALUES ('k1', $1, '{}', now() + interval '1 day')`,
      [deviceId],
    );

    // Act
    await client.query('DELETE FROM devices WHERE device_id = $1', [deviceId]);

    // Assess
    const counts = await client.query<{ device_id: string; n: number }>(
      'SELECT device_id, count(*)::int AS n FROM locations GROUP BY device_id',
    );
    expect(counts.rows).toEqual([{ device_id: otherDeviceId, n: 3 }]);
    const keys = await client.query('SELECT count(*)::int AS n FROM idempotency_keys');
    expect(keys.rows[0].n).toBe(0);
  });
});

describe('the test template', () => {
  const db = useTestDatabase();

  it('is already migrated', async () => {
    // Prepare
    const client = await db().connect();

    // Act
    const applied = await migrate(client);

    // Assess
    expect(applied).toEqual([]);
    const { rows } = await client.query(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(rows.map((row) => row.table_name)).toEqual([
      'devices',
      'idempotency_keys',
      'locations',
      'maintenance_jobs_migrations',
    ]);
  });
});
