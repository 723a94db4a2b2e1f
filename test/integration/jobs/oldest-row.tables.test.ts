/**
 * How the oldest row is measured on each kind of table: a b-tree index (one probe), a BRIN
 * index or none (only the expired rows are read), a partitioned table (a probe per
 * partition), a `timestamp` column in a zone; and when it cannot be measured (a lock held,
 * row-level security that may hide rows), it says so rather than "nothing old".
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { measureOldestRow } from '../../../functions/retention/oldest-row.js';
import { useTestDatabase } from '../../support/test-database.js';
import { addDailyPartitions, makeLocationsPartitioned } from './partitioned-fixtures.js';

const settings = { limits: { statementTimeoutMs: 5_000, lockTimeoutMs: 100 } };
const day = 86_400;

describe('measuring the oldest row', () => {
  const db = useTestDatabase();
  let client: pg.Client;

  beforeEach(async () => {
    client = await db().connect();
    onTestFinished(() => client.end());
    await client.query(`
      DROP TABLE IF EXISTS fixes CASCADE;
      CREATE TABLE fixes (id bigserial, created_at timestamptz NOT NULL, noted_at timestamp NOT NULL)`);
  });

  /** `count` rows `startAgo` ago and after, a second apart (noted_at: the same instant in Bratislava). */
  async function insertFixes(count: number, startAgo: string): Promise<void> {
    await client.query(
      `INSERT INTO fixes (created_at, noted_at)
       SELECT t, t AT TIME ZONE 'Europe/Bratislava'
         FROM generate_series(1, $1::int) AS g,
              LATERAL (SELECT now() - $2::interval + g * interval '1 second' AS t) AS x`,
      [count, startAgo],
    );
  }

  /** The cutoff 30 days ago, as the cleanup computes it. */
  async function cutoff(): Promise<string> {
    const { rows } = await client.query<{ cutoff: string }>(
      `SELECT to_char((now() - interval '30 days') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cutoff`,
    );
    return rows[0]?.cutoff ?? '';
  }

  /** The plan of a statement of the probe's shape. */
  async function planOf(sql: string): Promise<string> {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  }

  it('with a b-tree index: one probe, the exact oldest row, expired or not', async () => {
    // Prepare
    await client.query('CREATE INDEX fixes_created_at ON fixes (created_at)');
    await insertFixes(500, '40 days');
    await client.query('ANALYZE fixes');
    const plan = await planOf('SELECT min(created_at) FROM fixes');

    // Act
    const measured = await measureOldestRow(
      client,
      { table: 'fixes', column: 'created_at' },
      await cutoff(),
      settings,
    );

    // Assess
    expect(plan).toMatch(/Index Only Scan using fixes_created_at/);
    expect(measured).toMatchObject({ measuredBy: 'index' });
    if (measured.measuredBy === 'not measured') throw new Error(measured.reason);
    expect(measured.ageSeconds).toBeGreaterThan(40 * day - 60);
    expect(measured.ageSeconds).toBeLessThanOrEqual(40 * day);
    expect(measured.overdueSeconds).toBeGreaterThan(10 * day - 60);
    expect(measured.overdueSeconds).toBeLessThanOrEqual(10 * day);
  });

  it('with a BRIN index only: the expired rows are read through it; none left is 0, with no age', async () => {
    // Prepare: 100,000 rows from 20 days ago (none expired), then one 35 days old
    await client.query('CREATE INDEX fixes_created_at_brin ON fixes USING brin (created_at)');
    await insertFixes(100_000, '20 days');
    const target = { table: 'fixes', column: 'created_at' };

    // Act
    const none = await measureOldestRow(client, target, await cutoff(), settings);
    await insertFixes(1, '35 days');
    const one = await measureOldestRow(client, target, await cutoff(), settings);

    // Assess
    expect(none).toEqual({ measuredBy: 'expired rows', overdueSeconds: 0 });
    expect(one).toMatchObject({ measuredBy: 'expired rows' });
    if (one.measuredBy === 'not measured') throw new Error(one.reason);
    expect(one.overdueSeconds).toBeGreaterThan(5 * day - 60);
    expect(one.ageSeconds).toBeGreaterThan(35 * day - 60);
    await client.query('ANALYZE fixes');
    expect(
      await planOf(
        `SELECT min(created_at) FROM fixes WHERE created_at < now() - interval '30 days'`,
      ),
    ).toMatch(/Bitmap Index Scan on fixes_created_at_brin/);
  });

  it('with no index: the same, by a scan bounded by the statement timeout', async () => {
    // Prepare
    await insertFixes(100, '31 days');

    // Act
    const measured = await measureOldestRow(
      client,
      { table: 'fixes', column: 'created_at' },
      await cutoff(),
      settings,
    );

    // Assess
    expect(measured).toMatchObject({ measuredBy: 'expired rows' });
    if (measured.measuredBy === 'not measured') throw new Error(measured.reason);
    expect(measured.overdueSeconds).toBeGreaterThan(day - 60);
  });

  it('a timestamp column: read in its declared zone', async () => {
    // Prepare: the same instants as wall-clock times in Bratislava
    await client.query('CREATE INDEX fixes_noted_at ON fixes (noted_at)');
    await insertFixes(10, '40 days');

    // Act
    const byInstant = await measureOldestRow(
      client,
      { table: 'fixes', column: 'created_at' },
      await cutoff(),
      settings,
    );
    const byWallTime = await measureOldestRow(
      client,
      { table: 'fixes', column: 'noted_at' },
      await cutoff(),
      { ...settings, columnTimeZone: 'Europe/Bratislava' },
    );

    // Assess: the same row, the same instant
    expect(byWallTime).toMatchObject({ measuredBy: 'index' });
    if (byWallTime.measuredBy === 'not measured' || byInstant.measuredBy === 'not measured') {
      throw new Error('not measured');
    }
    expect(byWallTime.oldest).toBe(byInstant.oldest);
    expect(Math.abs((byWallTime.ageSeconds ?? 0) - (byInstant.ageSeconds ?? 0))).toBeLessThan(2);
  });

  it('a lock held on the table: not measured, saying why (no number rather than a false one)', async () => {
    // Prepare
    await client.query('CREATE INDEX fixes_created_at ON fixes (created_at)');
    await insertFixes(10, '40 days');
    const holder = await db().connect();
    onTestFinished(() => holder.end());
    await holder.query('BEGIN; LOCK TABLE fixes IN ACCESS EXCLUSIVE MODE');

    // Act
    const measured = await measureOldestRow(
      client,
      { table: 'fixes', column: 'created_at' },
      await cutoff(),
      settings,
    );
    await holder.query('ROLLBACK');

    // Assess
    expect(measured).toEqual({
      measuredBy: 'not measured',
      reason: 'canceling statement due to lock timeout',
    });
  });

  it('row-level security that may hide rows from the role: not measured, naming the fix', async () => {
    // Prepare: a role with SELECT only, matched by no policy
    await insertFixes(10, '40 days');
    const role = `measure_${randomBytes(4).toString('hex')}`;
    await client.query(`CREATE ROLE ${role} LOGIN PASSWORD 'measure'`);
    await client.query(`GRANT SELECT ON fixes TO ${role}`);
    await client.query('ALTER TABLE fixes ENABLE ROW LEVEL SECURITY');
    onTestFinished(async () => {
      await client.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    });
    const url = new URL(db().url);
    url.username = role;
    url.password = 'measure';
    const asRole = new pg.Client({ connectionString: url.toString() });
    await asRole.connect();
    onTestFinished(() => asRole.end());

    // Act
    const measured = await measureOldestRow(
      asRole,
      { table: 'fixes', column: 'created_at' },
      await cutoff(),
      settings,
    );

    // Assess: the role sees no row, and yet nothing says "no row left"
    const { rows } = await asRole.query('SELECT count(*)::int AS n FROM fixes');
    expect(rows[0]).toEqual({ n: 0 });
    expect(measured).toMatchObject({ measuredBy: 'not measured' });
    if (measured.measuredBy !== 'not measured') throw new Error('measured');
    expect(measured.reason).toMatch(/row-level security on "public"."fixes" applies to the role/);
    expect(measured.reason).toMatch(/BYPASSRLS/);
  });
});

describe('measuring the oldest row of a partitioned table', () => {
  const db = useTestDatabase();
  let client: pg.Client;

  beforeEach(async () => {
    client = await db().connect();
    onTestFinished(() => client.end());
    await client.query(
      `INSERT INTO devices (device_id, group_id) VALUES ('00000000-0000-4000-8000-000000000001', 'g')
       ON CONFLICT DO NOTHING`,
    );
    await makeLocationsPartitioned(client);
    const { rows } = await client.query<{ first: string; last: string }>(
      `SELECT to_char(now() - interval '40 days', 'YYYY-MM-DD') AS first,
              to_char(now() + interval '1 day', 'YYYY-MM-DD') AS last`,
    );
    await addDailyPartitions(client, rows[0]?.first ?? '', rows[0]?.last ?? '');
    await client.query('CREATE TABLE locations_default PARTITION OF locations DEFAULT');
  });

  async function insertAt(ago: string): Promise<void> {
    await client.query(
      `INSERT INTO locations (device_id, latitude, longitude, accuracy, captured_at, created_at)
       VALUES ('00000000-0000-4000-8000-000000000001', 0, 0, 1, now() - $1::interval, now() - $1::interval)`,
      [ago],
    );
  }

  const cutoff = async () =>
    (
      await client.query<{ cutoff: string }>(
        `SELECT to_char((now() - interval '30 days') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cutoff`,
      )
    ).rows[0]?.cutoff ?? '';

  it('with an index on every partition: a probe of each, the oldest over all of them (the DEFAULT too)', async () => {
    // Prepare: rows in day partitions, and an old one in the DEFAULT (older than every range)
    await insertAt('10 days');
    await insertAt('35 days');
    await insertAt('400 days');

    // Act
    const measured = await measureOldestRow(
      client,
      { table: 'locations', column: 'created_at' },
      await cutoff(),
      settings,
    );

    // Assess
    expect(measured).toMatchObject({ measuredBy: 'index' });
    if (measured.measuredBy === 'not measured') throw new Error(measured.reason);
    expect(measured.ageSeconds).toBeGreaterThan(400 * day - 60);
    expect(measured.overdueSeconds).toBeGreaterThan(370 * day - 60);
  });

  it('without an index on every partition: only the expired rows are read', async () => {
    // Prepare: the parent's index dropped, one partition's own index made (not every one)
    await client.query('DROP INDEX idx_locations_created_at');
    const { rows } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'locations'::regclass ORDER BY c.relname LIMIT 1`,
    );
    await client.query(`CREATE INDEX ON ${rows[0]?.name} (created_at)`);
    await insertAt('10 days');

    // Act
    const measured = await measureOldestRow(
      client,
      { table: 'locations', column: 'created_at' },
      await cutoff(),
      settings,
    );

    // Assess
    expect(measured).toEqual({ measuredBy: 'expired rows', overdueSeconds: 0 });
  });
});
