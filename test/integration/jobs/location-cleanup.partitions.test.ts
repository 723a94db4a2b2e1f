/**
 * The location cleanup on `locations` partitioned by day, as the scheduled job runs it: the
 * coming partitions made, the DEFAULT partition watched (its rows in the result, the log and the
 * `DefaultPartitionRows` metric), and a DEFAULT holding rows of a coming day breaking nothing.
 */
import { describe, expect, it } from 'vitest';
import { createLocationCleanup } from '../../../functions/jobs/location-cleanup/location-cleanup.js';
import { defaultCountStatement } from '../../../functions/retention/default-partition-watch.js';
import { queryLayout } from '../../../functions/retention/partition-layout.js';
import { documentedGrants, grant } from '../../support/job-role.js';
import { lambdaContext, scheduledEvent } from '../../support/lambda-context.js';
import { countRows, insertLocations, useJobTest } from './fixtures.js';
import {
  addDailyPartitions,
  dayPartition,
  makeLocationsPartitioned,
} from './partitioned-fixtures.js';

const start = Date.parse('2026-11-28T10:15:00.000Z');

describe('location-cleanup on a table partitioned by day', () => {
  const t = useJobTest('location-cleanup', start);

  /** `days` days from the database's today (UTC), as `YYYY-MM-DD`. */
  async function day(days: number): Promise<string> {
    const { rows } = await t.client.query<{ day: string }>(
      `SELECT to_char((now() AT TIME ZONE 'UTC')::date + $1::int, 'YYYY-MM-DD') AS day`,
      [days],
    );
    return rows[0]?.day as string;
  }

  /**
   * Day partitions from 40 days ago to today and a DEFAULT partition; 100 expired fixes (35
   * days old), 10 of today, and 3 of tomorrow's, which land in the DEFAULT (no partition yet),
   * as do 2 expired fixes older than every partition. The job's role has the documented grants
   * for dropping partitions and making them ahead.
   */
  async function prepare(premakeGrants = true): Promise<{ tomorrow: string }> {
    await makeLocationsPartitioned(t.client);
    const days = await addDailyPartitions(t.client, await day(-40), await day(0));
    await t.client.query('CREATE TABLE locations_default PARTITION OF locations DEFAULT');
    const role = t.role.name;
    await grant(t.client, [
      ...documentedGrants.dropPartitions(role, 'locations', [...days, 'locations_default']),
      ...(premakeGrants ? documentedGrants.premakePartitions(role, 'locations', 'public') : []),
    ]);
    await insertLocations(t.client, 100, `now() - interval '35 days' + g * interval '1 minute'`);
    await insertLocations(
      t.client,
      10,
      `date_trunc('day', now(), 'UTC') + g * interval '1 second'`,
    );
    await insertLocations(t.client, 2, `now() - interval '50 days' + g * interval '1 minute'`);
    await insertLocations(
      t.client,
      3,
      `date_trunc('day', now(), 'UTC') + interval '1 day 12 hours' + g * interval '1 minute'`,
    );
    await t.client.query('ANALYZE locations');
    return { tomorrow: await day(1) };
  }

  function cleanup() {
    const handler = t.handler(createLocationCleanup(), { LOCATION_CLEANUP_BATCH_SIZE: '100' });
    return (event: unknown = scheduledEvent(new Date(start))) =>
      handler(event, lambdaContext(t.clock, 300_000));
  }

  it('reports a DEFAULT partition holding tomorrow’s rows, makes the other coming days, and succeeds', async () => {
    // Prepare
    const { tomorrow } = await prepare();

    // Act
    const record = await cleanup()();

    // Assess: the run is complete (the DEFAULT's rows are not expired); tomorrow's partition is
    // not made, the 3 days after it are
    const blocked = `public.${dayPartition(tomorrow)}`;
    expect(record).toMatchObject({
      outcome: 'succeeded',
      result: { deleted: 102, complete: true },
    });
    const partitions = (record.result as { partitions: Record<string, unknown> }).partitions;
    expect(partitions).toMatchObject({
      premake: {
        ahead: 4,
        period: '1 day',
        notMade: [{ name: blocked, reason: 'default_holds_rows', rowsInDefault: 3 }],
      },
      defaultPartition: {
        partition: 'public.locations_default',
        rows: 3,
        expiredRows: 0,
        countedBy: 'index',
      },
    });
    expect((partitions.premake as { made: string[] }).made).toContain(
      `public.${dayPartition(await day(2))}`,
    );
    expect(await countRows(t.client, 'locations_default')).toBe(3);
    // ... in the log, the purge's finished line and the metric
    const [notMade] = t.output.logs('partition not made ahead');
    expect(notMade).toMatchObject({
      level: 'WARN',
      partition: blocked,
      reason: 'default_holds_rows',
      rowsInDefault: 3,
    });
    expect(t.output.logs('rows wait in the DEFAULT partition')).toEqual([
      expect.objectContaining({ level: 'WARN', partition: 'public.locations_default', rows: 3 }),
    ]);
    const [finished] = t.output.logs('expired rows deleted');
    expect(finished).toMatchObject({ partitions: { defaultPartition: { rows: 3 } } });
    expect(t.output.metrics()).toEqual(
      expect.arrayContaining([expect.objectContaining({ DefaultPartitionRows: 3 })]),
    );
  });

  it('in a dry run, lists the partitions it would make and counts the DEFAULT partition, changing nothing', async () => {
    // Prepare
    const { tomorrow } = await prepare();
    const before = await countRows(t.client, 'pg_inherits', `inhparent = 'locations'::regclass`);

    // Act
    const record = await cleanup()({ dryRun: true });

    // Assess: the 2 expired rows in the DEFAULT are counted too (a real run deletes them)
    expect(record).toMatchObject({
      outcome: 'succeeded',
      result: {
        dryRun: true,
        partitions: {
          premake: {
            made: [],
            notMade: [{ name: `public.${dayPartition(tomorrow)}`, rowsInDefault: 3 }],
          },
          defaultPartition: { rows: 5, expiredRows: 2 },
        },
      },
    });
    const { wouldMake } = (record.result as { partitions: { premake: { wouldMake: unknown[] } } })
      .partitions.premake;
    expect(wouldMake.length).toBeGreaterThanOrEqual(3);
    expect(await countRows(t.client, 'pg_inherits', `inhparent = 'locations'::regclass`)).toBe(
      before,
    );
  });

  it('without the grants for making partitions, warns once naming them and cleans as before', async () => {
    // Prepare: the role owns the partitions (to drop them), not the parent
    await prepare(false);

    // Act
    const record = await cleanup()();

    // Assess
    expect(record).toMatchObject({
      outcome: 'succeeded',
      result: { deleted: 102, complete: true, partitions: { premake: { made: [], notMade: [] } } },
    });
    const warnings = t.output.logs('partitions not made ahead');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.advice).toContain(
      `ALTER TABLE "public"."locations" OWNER TO ${t.role.name}; GRANT CREATE ON SCHEMA "public" TO ${t.role.name}`,
    );
    expect(warnings[0]?.advice).toContain(`GRANT postgres TO ${t.role.name}`);
    expect(warnings[0]?.reason).toContain(`neither owns public.locations`);
  });

  it('counts the DEFAULT partition on its index, not by a sequential scan', async () => {
    // Prepare: a DEFAULT of 5,000 rows, most before the cutoff, which a sequential scan reads
    // fastest by the planner's reckoning
    await makeLocationsPartitioned(t.client);
    await t.client.query('CREATE TABLE locations_default PARTITION OF locations DEFAULT');
    await insertLocations(t.client, 5_000, `now() - interval '40 days' + g * interval '1 minute'`);
    await t.client.query('ANALYZE locations_default');
    const found = await queryLayout(
      t.client,
      { table: 'locations', column: 'created_at' },
      undefined,
    );
    if (!found.layout) throw new Error('no layout');
    const explain = async (settings: string) => {
      await t.client.query(`BEGIN; ${settings}`);
      try {
        const { rows } = await t.client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN ${defaultCountStatement(found.layout, new Date(start - 30 * 86_400_000).toISOString())}`,
        );
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      } finally {
        await t.client.query('ROLLBACK');
      }
    };

    // Act
    const planned = await explain('SET LOCAL enable_seqscan = off');
    const unforced = await explain('');

    // Assess: as the watch runs it, both sides walk the index; left to itself, the planner scans
    expect(found.layout.defaultPartition).toMatchObject({ indexed: true });
    expect(planned).not.toContain('Seq Scan');
    expect(planned).toMatch(/Index (Only )?Scan/);
    expect(unforced).toContain('Seq Scan');
  });
});
