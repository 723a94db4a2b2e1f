/**
 * Partitions made ahead: a table range-partitioned by the cleanup's column gains its coming
 * partitions, in its own period and names; a DEFAULT partition holding rows of a coming range
 * is reported, and two runs at once make each partition once.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { Notice } from '../../../functions/retention/batch-runner.js';
import {
  type PartitionUpkeep,
  partitionUpkeep,
  type UpkeepOptions,
} from '../../../functions/retention/partition-upkeep.js';
import {
  type RetentionOverrides,
  resolveRetentionSettings,
} from '../../../functions/retention/settings.js';
import { useTestDatabase } from '../../support/test-database.js';
import { countRows, insertLocations, resetTables } from './fixtures.js';
import {
  addDailyPartitions,
  dayPartition,
  makeLocationsPartitioned,
  partitionsOf,
} from './partitioned-fixtures.js';

const locations = { table: 'locations', column: 'created_at' };
/** The run's clock: Oct 29, 10:15 UTC. */
const now = '2026-10-29T10:15:00Z';

describe('partitions made ahead', () => {
  const db = useTestDatabase();
  let client: pg.Client;
  const notices: [string, Readonly<Record<string, unknown>>, string | undefined][] = [];
  const onNotice: Notice = (message, fields, level) => void notices.push([message, fields, level]);

  beforeAll(async () => {
    client = await db().connect();
  });
  beforeEach(async () => {
    notices.length = 0;
    await resetTables(client);
    await makeLocationsPartitioned(client);
  });

  function upkeep(
    overrides: RetentionOverrides = {},
    options: Partial<UpkeepOptions> = {},
    on: pg.ClientBase = client,
  ): Promise<PartitionUpkeep> {
    return partitionUpkeep(on, locations, resolveRetentionSettings(overrides), {
      dryRun: false,
      now,
      onNotice,
      ...options,
    });
  }

  /** Each partition's bound, as PostgreSQL prints it (in UTC). */
  async function bounds(parent = 'locations'): Promise<Record<string, string>> {
    await client.query(`SET TimeZone = 'UTC'`);
    const { rows } = await client.query<{ name: string; bound: string }>(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = $1::regclass`,
      [parent],
    );
    return Object.fromEntries(rows.map((row) => [row.name, row.bound]));
  }

  function messages(): string[] {
    return notices.map(([message]) => message);
  }

  it('gives a table with partitions only up to today the coming ones, each once', async () => {
    // Prepare: day partitions up to today (Oct 29), no DEFAULT
    await addDailyPartitions(client, '2026-10-20', '2026-10-29');

    // Act
    const first = await upkeep();
    const second = await upkeep();

    // Assess: the 4 days after today, in the table's own names and day ranges
    const coming = ['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02'];
    expect(first.premake).toEqual({
      ahead: 4,
      period: '1 day',
      made: coming.map((day) => `public.${dayPartition(day)}`),
      notMade: [],
    });
    expect(await bounds()).toMatchObject({
      locations_p20261030:
        "FOR VALUES FROM ('2026-10-30 00:00:00+00') TO ('2026-10-31 00:00:00+00')",
      locations_p20261102:
        "FOR VALUES FROM ('2026-11-02 00:00:00+00') TO ('2026-11-03 00:00:00+00')",
    });
    expect(await partitionsOf(client)).toHaveLength(14);
    expect(second.premake).toMatchObject({ made: [], notMade: [] });
    expect(messages().filter((message) => message === 'partition made ahead')).toHaveLength(4);
    // A fix of the last coming day lands in its partition, with the parent's indexes and keys
    await insertLocations(client, 1, `timestamptz '2026-11-02T23:59:59Z'`);
    expect(await countRows(client, dayPartition('2026-11-02'))).toBe(1);
    // ... and the same constraints and indexes as a partition made by hand (PARTITION OF)
    const shape = async (partition: string) =>
      (
        await client.query<{ shape: string[] }>(
          `SELECT ARRAY(SELECT contype::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1::regclass
                  UNION ALL SELECT replace(pg_get_indexdef(indexrelid), $2, 'P') FROM pg_index WHERE indrelid = $1::regclass
                  ORDER BY 1) AS shape`,
          [partition, partition],
        )
      ).rows[0]?.shape;
    const made = await shape(dayPartition('2026-11-02'));
    expect(made).toHaveLength((await shape(dayPartition('2026-10-29')))?.length ?? -1);
    expect(made).toEqual(
      (await shape(dayPartition('2026-10-29')))?.map((line) =>
        line.replace(dayPartition('2026-10-29'), 'P'),
      ),
    );
  });

  it('makes the current period too when it is missing, and none of the past', async () => {
    // Prepare: the last partition is Oct 27's; today is Oct 29
    await addDailyPartitions(client, '2026-10-20', '2026-10-27');

    // Act
    const { premake } = await upkeep({ premake: 2 });

    // Assess: Oct 29 (today) and 2 more; not Oct 28, which is over
    expect(premake?.made).toEqual(
      ['2026-10-29', '2026-10-30', '2026-10-31'].map((day) => `public.${dayPartition(day)}`),
    );
    expect(await partitionsOf(client)).not.toContain(dayPartition('2026-10-28'));
  });

  it('lists in a dry run what it would make, and makes nothing', async () => {
    // Prepare
    await addDailyPartitions(client, '2026-10-25', '2026-10-29');

    // Act
    const { premake } = await upkeep({ premake: 2 }, { dryRun: true });

    // Assess
    expect(premake).toEqual({
      ahead: 2,
      period: '1 day',
      made: [],
      notMade: [],
      wouldMake: [
        {
          name: `public.${dayPartition('2026-10-30')}`,
          from: '2026-10-30 00:00:00+00',
          to: '2026-10-31 00:00:00+00',
        },
        {
          name: `public.${dayPartition('2026-10-31')}`,
          from: '2026-10-31 00:00:00+00',
          to: '2026-11-01 00:00:00+00',
        },
      ],
    });
    expect(await partitionsOf(client)).toHaveLength(5);
  });

  it('makes none with premake 0, and reads nothing more', async () => {
    await addDailyPartitions(client, '2026-10-25', '2026-10-29');

    const { premake } = await upkeep({ premake: 0 });

    expect(premake).toBeUndefined();
    expect(await partitionsOf(client)).toHaveLength(5);
  });

  it.each([
    {
      scheme: "pg_partman 4's daily names (YYYY_MM_DD)",
      partitions: [
        ['locations_2026_10_28', '2026-10-28', '2026-10-29'],
        ['locations_2026_10_29', '2026-10-29', '2026-10-30'],
      ],
      period: '1 day',
      made: ['locations_2026_10_30', 'locations_2026_10_31'],
      from: '2026-10-31 00:00:00+00',
    },
    {
      scheme: "pg_partman 5's monthly names (YYYYMMDD)",
      partitions: [
        ['locations_p20260901', '2026-09-01', '2026-10-01'],
        ['locations_p20261001', '2026-10-01', '2026-11-01'],
      ],
      period: '1 month',
      made: ['locations_p20261101', 'locations_p20261201'],
      from: '2026-12-01 00:00:00+00',
    },
    {
      scheme: 'six-hour partitions (YYYYMMDD_HH24MI)',
      partitions: [
        ['fixes_20261029_0000', '2026-10-29 00:00', '2026-10-29 06:00'],
        ['fixes_20261029_0600', '2026-10-29 06:00', '2026-10-29 12:00'],
      ],
      period: '6 hours',
      made: ['fixes_20261029_1200', 'fixes_20261029_1800'],
      from: '2026-10-29 18:00:00+00',
    },
    {
      scheme: 'ISO weeks (IYYY"w"IW)',
      partitions: [
        ['locations_2026w43', '2026-10-19', '2026-10-26'],
        ['locations_2026w44', '2026-10-26', '2026-11-02'],
      ],
      period: '7 days',
      made: ['locations_2026w45', 'locations_2026w46'],
      from: '2026-11-09 00:00:00+00',
    },
    {
      scheme: 'no scheme it can read: the default, <table>_p<YYYYMMDD>',
      partitions: [
        ['old_days', '2026-10-27', '2026-10-29'],
        ['this_week', '2026-10-29', '2026-10-31'],
      ],
      period: '2 days',
      made: ['locations_p20261031', 'locations_p20261102'],
      from: '2026-11-02 00:00:00+00',
    },
  ])('follows $scheme', async ({ partitions, period, made, from }) => {
    // Prepare
    for (const [name, lower, upper] of partitions) {
      await client.query(
        `CREATE TABLE ${name} PARTITION OF locations FOR VALUES FROM ('${lower}+00') TO ('${upper}+00')`,
      );
    }

    // Act
    const { premake } = await upkeep({ premake: 2 });

    // Assess: the current period is covered already; the next two are made
    expect(premake).toMatchObject({ period, made: made.map((name) => `public.${name}`) });
    expect((await bounds())[made[1] as string]).toContain(`FROM ('${from}')`);
  });

  it('counts days at local midnight in the database time zone, across a clock change', async () => {
    // Prepare: the database's zone is Bratislava's, and days are cut at its midnight; clocks go
    // back on Sunday Oct 25, 2026 (that day lasts 25 hours)
    await client.query(
      `ALTER DATABASE ${client.escapeIdentifier(db().name)} SET TimeZone = 'Europe/Bratislava'`,
    );
    onTestFinished(async () => {
      await client.query(`ALTER DATABASE ${client.escapeIdentifier(db().name)} RESET TimeZone`);
    });
    const local = await db().connect();
    for (const day of ['22', '23']) {
      await local.query(
        `CREATE TABLE locations_p202610${day} PARTITION OF locations
           FOR VALUES FROM ('2026-10-${day} 00:00') TO ('2026-10-${day} 00:00'::timestamp + interval '1 day')`,
      );
    }

    // Act
    const { premake } = await upkeep({ premake: 3 }, { now: '2026-10-23T12:00:00Z' }, local);

    // Assess: Oct 25 runs from 22:00 UTC (+02) to 23:00 UTC the next day (+01)
    expect(premake).toMatchObject({
      period: '1 day (Europe/Bratislava)',
      made: ['24', '25', '26'].map((day) => `public.locations_p202610${day}`),
    });
    expect((await bounds()).locations_p20261025).toBe(
      "FOR VALUES FROM ('2026-10-24 22:00:00+00') TO ('2026-10-25 23:00:00+00')",
    );
  });

  it('counts a timestamp column’s periods on its wall-clock values', async () => {
    // Prepare: a table of wall-clock times written in Bratislava's zone
    await client.query(`
      DROP TABLE IF EXISTS fixes;
      CREATE TABLE fixes (id bigserial, at timestamp NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
      CREATE TABLE fixes_2026_10_28 PARTITION OF fixes FOR VALUES FROM ('2026-10-28') TO ('2026-10-29');
      CREATE TABLE fixes_2026_10_29 PARTITION OF fixes FOR VALUES FROM ('2026-10-29') TO ('2026-10-30')`);

    // Act: 01:30 on Oct 30 in Bratislava is Oct 29, 23:30 UTC
    const { premake } = await partitionUpkeep(
      client,
      { table: 'fixes', column: 'at' },
      resolveRetentionSettings({ premake: 1, columnTimeZone: 'Europe/Bratislava' }),
      { dryRun: false, now: '2026-10-30 01:30:00', onNotice },
    );

    // Assess: Oct 30 (today there) and Oct 31, and nothing to warn about
    expect(messages()).toEqual(['partition made ahead', 'partition made ahead']);
    expect(premake).toMatchObject({
      period: '1 day',
      made: ['public.fixes_2026_10_30', 'public.fixes_2026_10_31'],
    });
    expect((await bounds('fixes')).fixes_2026_10_31).toBe(
      "FOR VALUES FROM ('2026-10-31 00:00:00') TO ('2026-11-01 00:00:00')",
    );
  });

  it('makes none when the latest partition is partitioned itself, and says why', async () => {
    await client.query(`
      DROP TABLE IF EXISTS trips;
      CREATE TABLE trips (device int NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);
      CREATE TABLE trips_p20261029 PARTITION OF trips
        FOR VALUES FROM ('2026-10-29 00:00+00') TO ('2026-10-30 00:00+00') PARTITION BY HASH (device);
      CREATE TABLE trips_p20261029_h0 PARTITION OF trips_p20261029 FOR VALUES WITH (MODULUS 1, REMAINDER 0)`);

    const { premake } = await partitionUpkeep(
      client,
      { table: 'trips', column: 'at' },
      resolveRetentionSettings(),
      { dryRun: false, now, onNotice },
    );

    expect(premake?.skipped).toContain('public.trips_p20261029 is partitioned itself');
    expect(messages()).toEqual(['partitions not made ahead']);
  });

  it('does not make a partition whose range has rows in the DEFAULT, says so, and makes the others', async () => {
    // Prepare: partitions up to today, and 3 of tomorrow's fixes already in the DEFAULT
    await addDailyPartitions(client, '2026-10-25', '2026-10-29');
    await client.query('CREATE TABLE locations_default PARTITION OF locations DEFAULT');
    await insertLocations(
      client,
      3,
      `timestamptz '2026-10-30T12:00:00Z' + g * interval '1 minute'`,
    );

    // Act
    const run = await upkeep({ premake: 3 });
    const watched = await run.watch('2026-09-29T10:15:00Z');

    // Assess
    const tomorrow = `public.${dayPartition('2026-10-30')}`;
    expect(run.premake).toMatchObject({
      made: ['2026-10-31', '2026-11-01'].map((day) => `public.${dayPartition(day)}`),
      notMade: [
        {
          name: tomorrow,
          from: '2026-10-30 00:00:00+00',
          to: '2026-10-31 00:00:00+00',
          reason: 'default_holds_rows',
          rowsInDefault: 3,
        },
      ],
    });
    const warning = notices.find(([message]) => message === 'partition not made ahead');
    expect(warning?.[1]).toMatchObject({
      partition: tomorrow,
      from: '2026-10-30 00:00:00+00',
      to: '2026-10-31 00:00:00+00',
      rowsInDefault: 3,
    });
    expect(watched).toEqual({
      partition: 'public.locations_default',
      rows: 3,
      expiredRows: 0,
      countedBy: 'index',
    });
    expect(messages()).toContain('rows wait in the DEFAULT partition');
    expect(await countRows(client, 'locations_default')).toBe(3);
  });

  it('leaves a partition whose lock is held for the next run, and goes on', async () => {
    // Prepare: the backend holds the DEFAULT partition (attaching one must lock it)
    await addDailyPartitions(client, '2026-10-25', '2026-10-29');
    await client.query('CREATE TABLE locations_default PARTITION OF locations DEFAULT');
    const backend = await db().connect();
    await backend.query('BEGIN');
    await backend.query('LOCK TABLE locations_default IN ACCESS SHARE MODE');
    onTestFinished(async () => {
      await backend.query('ROLLBACK');
    });

    // Act
    const { premake } = await upkeep({ premake: 2 });

    // Assess: the first waits 50 ms and gives up; so do the others, up to three tries
    expect(premake?.made).toEqual([]);
    expect(premake?.notMade.map((entry) => entry.reason)).toEqual(['lock_timeout', 'lock_timeout']);
    await backend.query('ROLLBACK');
    expect((await upkeep({ premake: 2 })).premake?.made).toHaveLength(2);
  });

  it('makes each partition once when two runs make them at once', async () => {
    // Prepare: both runs plan the same partitions, then queue behind a lock a third session
    // holds on the parent, so that they make them at the same time once it is released
    await addDailyPartitions(client, '2026-10-25', '2026-10-29');
    const [a, b, blocker] = [await db().connect(), await db().connect(), await db().connect()];
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE locations IN SHARE UPDATE EXCLUSIVE MODE');
    const patient = { partitionLimits: { statementTimeoutMs: 30_000, lockTimeoutMs: 30_000 } };
    const runs = [upkeep(patient, {}, a), upkeep(patient, {}, b)];
    await waitForLockWaiters(client, 2);

    // Act
    await blocker.query('COMMIT');
    const [first, second] = await Promise.all(runs);

    // Assess
    const made = [...(first?.premake?.made ?? []), ...(second?.premake?.made ?? [])];
    expect(made.sort()).toEqual(
      ['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02'].map(
        (day) => `public.${dayPartition(day)}`,
      ),
    );
    expect([...(first?.premake?.notMade ?? []), ...(second?.premake?.notMade ?? [])]).toEqual([]);
    expect(await partitionsOf(client)).toHaveLength(9);
  });

  it.each([
    [
      'of different lengths',
      [
        ['2026-10-27', '2026-10-28'],
        ['2026-10-28', '2026-10-30'],
      ],
      'differ in length',
    ],
    ['one reaching MAXVALUE', [['2026-10-27', 'MAXVALUE']], 'reaches MAXVALUE'],
  ])('makes none, and says why, when the partitions are %s', async (_case, ranges, reason) => {
    for (const [index, [lower, upper]] of ranges.entries()) {
      const to = upper === 'MAXVALUE' ? 'MAXVALUE' : `'${upper}+00'`;
      await client.query(
        `CREATE TABLE locations_part${index} PARTITION OF locations FOR VALUES FROM ('${lower}+00') TO (${to})`,
      );
    }

    const { premake } = await upkeep();

    expect(premake?.made).toEqual([]);
    expect(premake?.skipped).toContain(reason);
    expect(messages()).toEqual(['partitions not made ahead']);
  });

  describe('as a role that is not the owner', () => {
    /**
     * `locations` given to an owner role of its own (which may create tables in the schema), and
     * a login with SELECT and DELETE on it, a member of the owner role or not; both dropped
     * after the test, the table given back first.
     */
    async function jobSession(
      member: boolean,
    ): Promise<{ owner: string; role: string; session: pg.Client }> {
      const suffix = randomBytes(4).toString('hex');
      const [owner, role] = [`owner_${suffix}`, `premake_${suffix}`];
      const password = randomBytes(12).toString('hex');
      await client.query(`CREATE ROLE ${owner}; GRANT CREATE ON SCHEMA public TO ${owner}`);
      await client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      onTestFinished(async () => {
        for (const name of [role, owner]) {
          await client.query(`REASSIGN OWNED BY ${name} TO CURRENT_USER; DROP OWNED BY ${name}`);
          await client.query(`DROP ROLE ${name}`);
        }
      });
      await client.query(`ALTER TABLE locations OWNER TO ${owner}`);
      await client.query(`GRANT SELECT, DELETE ON locations TO ${role}`);
      if (member) await client.query(`GRANT ${owner} TO ${role}`);
      const url = new URL(db().url);
      url.username = role;
      url.password = password;
      const session = new pg.Client({ connectionString: url.toString() });
      await session.connect();
      onTestFinished(async () => {
        await session.end();
      });
      return { owner, role, session };
    }

    it('makes none, and names the grant, when the role cannot act as the owner', async () => {
      // Prepare
      await addDailyPartitions(client, '2026-10-25', '2026-10-29');
      const { owner, role, session } = await jobSession(false);

      // Act
      const { premake } = await upkeep({}, {}, session);

      // Assess: one warning with the GRANT to run; the run itself is not failed
      expect(premake?.made).toEqual([]);
      expect(premake?.skipped).toContain(
        `the job's role ${role} neither owns public.locations nor can SET ROLE to its owner ${owner}`,
      );
      expect(messages()).toEqual(['partitions not made ahead']);
      expect(notices[0]?.[1].advice).toContain(`GRANT ${owner} TO ${role}`);
      expect(await partitionsOf(client)).toHaveLength(5);
    });

    it('says the DEFAULT partition was not counted, and the grant that lets it, when the role may not read it', async () => {
      // Prepare
      await addDailyPartitions(client, '2026-10-25', '2026-10-29');
      await client.query('CREATE TABLE locations_default PARTITION OF locations DEFAULT');
      const { role, session } = await jobSession(false);

      // Act
      const run = await upkeep({ premake: 0 }, {}, session);
      const watched = await run.watch('2026-09-29T10:15:00Z');

      // Assess
      expect(watched).toEqual({
        partition: 'public.locations_default',
        rows: null,
        notCounted: `permission denied for table locations_default (to count it: GRANT SELECT ON "public"."locations_default" TO ${role})`,
      });
      expect(messages()).toEqual(['DEFAULT partition not counted']);
    });

    it('makes them as the owner when the role is a member of the owner role', async () => {
      // Prepare
      await addDailyPartitions(client, '2026-10-25', '2026-10-29');
      const { owner, session } = await jobSession(true);

      // Act
      const { premake } = await upkeep({ premake: 1 }, {}, session);

      // Assess: the partition belongs to the table's owner, as the others would
      expect(premake?.made).toEqual([`public.${dayPartition('2026-10-30')}`]);
      const { rows } = await client.query<{ owner: string }>(
        `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'locations_p20261030'::regclass`,
      );
      expect(rows[0]?.owner).toBe(owner);
    });
  });
});

/**
 * Waits until `count` sessions wait for a lock (polling pg_locks, no fixed sleep), and fails
 * after 2,000 polls (at least 20 s): the sessions never waited.
 */
async function waitForLockWaiters(client: pg.Client, count: number): Promise<void> {
  for (let poll = 0; poll < 2_000; poll++) {
    const { rows } = await client.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    if ((rows[0]?.waiting ?? 0) >= count) return;
    await client.query('SELECT pg_sleep(0.01)');
  }
  throw new Error(`${count} sessions never waited for a lock`);
}
