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
    expect(firstRun).toEqual(['0001_initial.sql', '0002_job_claims.sql']);
    const { rows } = await client.query(
      'SELECT name FROM maintenance_jobs_migrations ORDER BY name',
    );
    expect(rows).toEqual([{ name: '0001_initial.sql' }, { name: '0002_job_claims.sql' }]);
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

  it('creates maintenance_job_claims, the overlap guard’s table', async () => {
    expect(await columnsOf(client, 'maintenance_job_claims')).toEqual([
      'job text not null',
      'run_id text not null',
      'claimed_at timestamp with time zone not null',
      'expires_at timestamp with time zone not null',
    ]);
    expect(await indexesOf(client, 'maintenance_job_claims')).toEqual({
      maintenance_job_claims_pkey: 'USING btree (job)',
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
    expect(rows[0].n).toBe(2);
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

describe('two migrators at once', () => {
  const db = useTestDatabase({ schema: false });

  it('apply each migration once, and leave no lock held on their sessions', async () => {
    // Prepare: a third session holds the migrators' lock, so that both wait for it together
    const holder = await db().connect();
    const first = await db().connect();
    const second = await db().connect();
    const observer = await db().connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock(7231001)');
    const pids = await Promise.all(
      [first, second].map(async (client) => {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        return rows[0]?.pid;
      }),
    );

    // Act
    const migrations = Promise.all([migrate(first), migrate(second)]);
    await waitUntil(async () => {
      const { rows } = await observer.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND NOT granted AND pid = ANY($1)`,
        [pids],
      );
      return rows[0]?.n === 2;
    });
    await holder.query('COMMIT');
    const [applied1, applied2] = await migrations;

    // Assess
    expect([...applied1, ...applied2].sort()).toEqual(['0001_initial.sql', '0002_job_claims.sql']);
    const { rows: locks } = await observer.query(
      `SELECT locktype, pid FROM pg_locks WHERE locktype = 'advisory'`,
    );
    expect(locks).toEqual([]);
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
      'maintenance_job_claims',
      'maintenance_jobs_migrations',
    ]);
  });
});

/** Polls a database condition (no timer involved) until it holds, at most 10,000 times. */
async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    if (await condition()) return;
  }
  throw new Error('the condition never held');
}
