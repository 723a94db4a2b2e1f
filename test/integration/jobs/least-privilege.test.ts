/**
 * The jobs as the dedicated login a backend grants a cleanup job, not as the superuser: with
 * exactly the grants docs/deploy.md documents, a partitioned table's expired partitions are
 * dropped or detached as with the superuser; with less (SELECT, DELETE on the parent only),
 * every expired row still goes, through the parent, and the run says once what would let it
 * remove partitions whole.
 */
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { Env } from '../../../functions/config/env.js';
import { createLocationCleanup } from '../../../functions/jobs/location-cleanup/location-cleanup.js';
import { JobFailedError } from '../../../functions/lambda/create-handler.js';
import type { Notice } from '../../../functions/retention/batched-delete.js';
import { removePartition } from '../../../functions/retention/partition-removal.js';
import { resolveRetentionSettings } from '../../../functions/retention/settings.js';
import type { RunRecord } from '../../../functions/runner/types.js';
import { documentedGrants, grant } from '../../support/job-role.js';
import { lambdaContext, scheduledEvent } from '../../support/lambda-context.js';
import { deleteExpired, type RetentionTestOptions } from '../../support/retention.js';
import {
  countRows,
  type IndexKind,
  insertLocations,
  setLocationsIndex,
  useJobTest,
  useRetentionSessions,
} from './fixtures.js';
import {
  addDailyPartitions,
  grantPartitionsAsDocumented,
  makeLocationsPartitioned,
  partitionsOf,
} from './partitioned-fixtures.js';

const start = Date.parse('2026-11-28T10:15:00.000Z');

/**
 * Expired rows in days wholly before a 30-day cutoff, 15 s apart from 40 days ago: 50,000 (the
 * backlog of the issue, up to 31.3 days ago) where rows are deleted one by one, fewer where
 * whole partitions go.
 */
const backlog = 50_000;
/** Expired rows in the day that straddles the cutoff. */
const expiredInStraddlingDay = 20;
const freshRows = 100;

describe('location-cleanup as a least-privileged role, on a table partitioned by day', () => {
  const t = useJobTest('location-cleanup', start);

  /**
   * `locations` partitioned by UTC day, from 40 days ago to tomorrow (the cutoff comes from the
   * database's clock), with the expired and fresh rows; returns the names of the 10 days wholly
   * before the cutoff.
   */
  async function partitionedLocations(expiredInWholeDays = 5_000): Promise<string[]> {
    await makeLocationsPartitioned(t.client);
    const { rows } = await t.client.query<{ first: string; last: string; expired: string[] }>(
      `SELECT to_char(today - 40, 'YYYY-MM-DD') AS first, to_char(today + 1, 'YYYY-MM-DD') AS last,
              ARRAY(SELECT 'locations_p' || to_char(d, 'YYYYMMDD')
                      FROM generate_series(today - 40, today - 31, interval '1 day') AS d) AS expired
         FROM (SELECT (now() AT TIME ZONE 'UTC')::date AS today) AS t`,
    );
    const { first, last, expired } = rows[0] as { first: string; last: string; expired: string[] };
    await addDailyPartitions(t.client, first, last);
    await insertLocations(
      t.client,
      expiredInWholeDays,
      `now() - interval '40 days' + g * interval '15 seconds'`,
    );
    await insertLocations(
      t.client,
      expiredInStraddlingDay,
      `now() - interval '30 days' - g * interval '1 second'`,
    );
    await insertLocations(t.client, freshRows, `now() - g * interval '1 minute'`);
    await t.client.query('ANALYZE locations');
    return expired;
  }

  function cleanup(env: Env = {}) {
    const handler = t.handler(createLocationCleanup(), {
      LOCATION_CLEANUP_BATCH_SIZE: '5000',
      ...env,
    });
    return (dryRun = false): Promise<RunRecord> =>
      handler(
        dryRun ? { dryRun: true } : scheduledEvent(new Date(start)),
        lambdaContext(t.clock, 300_000),
      );
  }

  const rightsWarnings = () =>
    t.output.logs("partitions batch-deleted: the job's role may not remove them whole");

  it('with only SELECT, DELETE on the parent, deletes every expired row through the parent and warns once with what would let it drop partitions', async () => {
    // Prepare: what a backend grants at first (before this, the run failed with "permission
    // denied for table locations_p...", deleting nothing)
    const expired = await partitionedLocations(backlog);
    const expiredRows = backlog + expiredInStraddlingDay;
    await t.client.query(`GRANT SELECT, DELETE ON locations TO ${t.role.name}`);

    // Act
    const dryRun = await cleanup()(true);
    const record = await cleanup()();

    // Assess: every expired row gone, every partition still there
    expect(dryRun).toMatchObject({
      outcome: 'succeeded',
      result: { wouldDelete: expiredRows, partitions: { wouldRemove: [] } },
    });
    expect(record).toMatchObject({
      outcome: 'succeeded',
      result: {
        deleted: expiredRows,
        complete: true,
        strategy: 'partitions',
        partitions: { removed: [], rows: 0 },
        // Measured through the parent too
        oldestRow: { measuredBy: 'index', overdueSeconds: 0 },
      },
    });
    expect((record.result as { strategyReason: string }).strategyReason).toContain(
      'the rest through locations (index; the role may not reach every partition directly)',
    );
    expect(await countRows(t.client, 'locations')).toBe(freshRows);
    expect(await partitionsOf(t.client)).toEqual(expect.arrayContaining(expired));
    // One warning for the run, with the statements that would let it drop them whole
    const role = `"${t.role.name}"`;
    expect(rightsWarnings()).toEqual([
      expect.objectContaining({
        level: 'WARN',
        table: 'locations',
        role,
        partitions: expired.map((name) => `public.${name}`),
        deletedThrough: 'the parent',
        consequence: '10 expired partitions are batch-deleted row by row instead of dropped whole',
        fix: expired.slice(0, 5).map((name) => `ALTER TABLE "public"."${name}" OWNER TO ${role}`),
        // The other expired days' ownership, and a grant on the day straddling the cutoff
        moreFixes: 5 + 1,
      }),
    ]);
  });

  it('with the documented grants for dropping, drops the expired partitions as the superuser does', async () => {
    // Prepare: two identical tables in turn, one cleaned as the role, one as the superuser
    const expired = await partitionedLocations();
    await grantPartitionsAsDocumented(t.client, t.role.name, 'drop');

    const expiredRows = 5_000 + expiredInStraddlingDay;

    // Act
    const asRole = await cleanup()();
    await partitionedLocations();
    const asSuperuser = await cleanup({ DATABASE_URL: t.db().url })();

    // Assess
    for (const record of [asRole, asSuperuser]) {
      expect(record).toMatchObject({
        outcome: 'succeeded',
        result: {
          deleted: expiredRows,
          complete: true,
          partitions: {
            removal: 'drop',
            rows: 5_000,
            removed: expired.map((name) => `public.${name}`),
          },
        },
      });
    }
    expect(rightsWarnings()).toEqual([]);
    expect(await countRows(t.client, 'locations')).toBe(freshRows);
  });

  it('with the documented grants for detaching, detaches them, keeping their rows', async () => {
    // Prepare
    const expired = await partitionedLocations();
    await grantPartitionsAsDocumented(t.client, t.role.name, 'detach');

    const expiredRows = 5_000 + expiredInStraddlingDay;

    // Act
    const record = await cleanup({ LOCATION_CLEANUP_PARTITIONS: 'detach' })();

    // Assess
    expect(record).toMatchObject({
      outcome: 'succeeded',
      result: {
        deleted: expiredRows,
        complete: true,
        partitions: { removal: 'detach', removed: expired.map((name) => `public.${name}`) },
      },
    });
    expect(rightsWarnings()).toEqual([]);
    expect(await partitionsOf(t.client)).not.toContain(expired[0]);
    expect(await countRows(t.client, expired[0] as string)).toBeGreaterThan(0);
  });

  it('with the grants for dropping but asked to detach, batch-deletes and names the ownership detaching needs', async () => {
    // Prepare: each partition the role's own, but not the parent
    await partitionedLocations();
    await grantPartitionsAsDocumented(t.client, t.role.name, 'drop');

    const expiredRows = 5_000 + expiredInStraddlingDay;

    // Act
    const record = await cleanup({ LOCATION_CLEANUP_PARTITIONS: 'detach' })();

    // Assess: each expired partition batch-deleted directly (the role may read its own)
    expect(record).toMatchObject({
      outcome: 'succeeded',
      result: { deleted: expiredRows, complete: true, partitions: { removed: [] } },
    });
    expect(rightsWarnings()).toEqual([
      expect.objectContaining({
        deletedThrough: 'each partition',
        fix: [`ALTER TABLE "public"."locations" OWNER TO "${t.role.name}"`],
      }),
    ]);
    expect(await countRows(t.client, 'locations')).toBe(freshRows);
  });

  it('refuses up front, naming the GRANT, when the role may not delete from the table; a dry run needs SELECT only', async () => {
    // Prepare: a plain table, and a role that may only read it
    await insertLocations(t.client, 300, `now() - interval '40 days' + g * interval '1 minute'`);
    await t.client.query(`REVOKE DELETE ON locations FROM ${t.role.name}`);

    // Act
    const dryRun = await cleanup()(true);
    const run = await cleanup()().catch((error: unknown) => error);
    await grant(t.client, documentedGrants.tables(t.role.name));

    // Assess
    expect(dryRun).toMatchObject({ outcome: 'succeeded', result: { wouldDelete: 300 } });
    expect(run).toBeInstanceOf(JobFailedError);
    expect(t.output.logs('job finished')[1]).toMatchObject({
      outcome: 'failed',
      error: {
        name: 'TableCheckError',
        fault: 'configuration',
        message: `the role "${t.role.name}" may not read and delete the rows of "public"."locations": nothing deleted. Grant it: GRANT SELECT, DELETE ON "public"."locations" TO "${t.role.name}"`,
      },
    });
    expect(await countRows(t.client, 'locations')).toBe(300);
  });
});

/**
 * The parent's index on `created_at` (a partitioned index, on every partition): keyset batches
 * through the parent walk a b-tree that leads with it or has it second; with only a BRIN index,
 * each batch's bound is found by sorting the expired rows. (Through the parent there is no heap
 * to sweep: the path is always keyset batches.)
 */
const parentIndexes: readonly IndexKind[] = ['btree', 'composite', 'brin'];

describe.each(parentIndexes)(
  'deleteInBatches through the parent, as a role with SELECT, DELETE on the parent only, %s index',
  (kind) => {
    const t = useRetentionSessions();
    const locations = { table: 'locations', column: 'created_at' };
    /** Oct 29, 10:15 UTC: the Oct 20-28 partitions are wholly expired, Oct 29 straddles. */
    const cutoff = '2026-10-29T10:15:00.000000Z';
    /** 24 rows a day (one an hour), from Oct 20 to Nov 1: 9 days and 10 hours expired. */
    const hourly = `timestamptz '2026-10-20T00:15:30Z' + (g - 1) * interval '1 hour'`;
    const hours = 13 * 24;
    const expiredRows = 9 * 24 + 10;
    const notices: [string, Readonly<Record<string, unknown>>][] = [];
    const onNotice: Notice = (message, fields) => void notices.push([message, fields]);

    beforeEach(async () => {
      notices.length = 0;
      await t.client.query('DROP FUNCTION IF EXISTS refuse_held() CASCADE');
      await makeLocationsPartitioned(t.client);
      await setLocationsIndex(t.client, kind);
      await addDailyPartitions(t.client, '2026-10-20', '2026-11-01');
      await t.client.query(`GRANT SELECT, DELETE ON locations TO ${t.role.name}`);
      await insertLocations(t.client, hours, hourly);
    });

    /** A run that went through the parent, in keyset batches. */
    async function clean(options: RetentionTestOptions = {}) {
      const result = await deleteExpired(t.jobs, locations, cutoff, {
        batchSize: 100,
        onNotice,
        ...options,
      });
      expect(result.partitions?.batchDeleted).toContainEqual(
        expect.objectContaining({ name: 'locations', strategy: 'index', throughParent: true }),
      );
      return result;
    }

    it('narrows a refused row down within its partition, and deletes a group of equal keys larger than a batch once', async () => {
      // Prepare: 150 more rows of Oct 24 share one timestamp (a group larger than a batch; their
      // tuple ids repeat those of other days' rows), and a trigger refuses a row of Oct 22
      await insertLocations(t.client, 150, `timestamptz '2026-10-24T12:00:00Z'`);
      await t.client.query(`
      CREATE FUNCTION refuse_held() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.created_at = '2026-10-22T05:15:30Z' THEN RAISE EXCEPTION 'under legal hold'; END IF;
        RETURN OLD;
      END $$;
      CREATE TRIGGER refuse_held BEFORE DELETE ON locations
        FOR EACH ROW EXECUTE FUNCTION refuse_held()`);

      // Act
      const result = await clean();

      // Assess: exactly the refused row and the fresh ones are left
      expect(result).toMatchObject({
        deleted: expiredRows + 150 - 1,
        refusedRows: 1,
        complete: false,
        refused: [{ table: 'locations', reason: 'under legal hold', code: 'P0001', rows: 1 }],
        partitions: {
          removed: [],
          batchDeleted: [{ name: 'locations', strategy: 'index', throughParent: true }],
        },
      });
      expect(await countRows(t.client, 'locations', `created_at < '${cutoff}'`)).toBe(1);
      expect(await countRows(t.client, 'locations')).toBe(hours - expiredRows + 1);
    });

    it('without the right to lock rows, leaves the batch around a locked row; with it, goes around the row', async () => {
      // Prepare: another session holds a row of Oct 23 FOR UPDATE
      const locker = await t.db().connect();
      onTestFinished(() => locker.end());
      await locker.query('BEGIN');
      await locker.query(
        `SELECT id FROM locations WHERE created_at = '2026-10-23T07:15:30Z' FOR UPDATE`,
      );
      const limits = { statementTimeoutMs: 120_000, lockTimeoutMs: 50 };

      // Act
      const withoutLocks = await clean({ limits });
      await grant(t.client, documentedGrants.lockRows(t.role.name, 'locations', 'created_at'));
      onTestFinished(async () => {
        await t.client.query(`REVOKE UPDATE (created_at) ON locations FROM ${t.role.name}`);
      });
      const withLocks = await clean({ limits });
      const leftLocked = await countRows(t.client, 'locations', `created_at < '${cutoff}'`);
      await locker.query('ROLLBACK');

      // Assess: without the right, the batch around the row is left whole (100 rows in time order;
      // on the composite index, batches follow the devices, and that batch may be smaller); with
      // it, only the row
      const batch = withoutLocks.lockedRows ?? 0;
      expect(withoutLocks).toMatchObject({ complete: false });
      if (kind !== 'composite') expect(batch).toBe(100);
      expect(batch).toBeGreaterThan(1);
      expect(batch).toBeLessThanOrEqual(100);
      expect(withoutLocks.deleted).toBe(expiredRows - batch);
      expect(withLocks).toMatchObject({ deleted: batch - 1, lockedRows: 1, complete: false });
      expect(leftLocked).toBe(1);
    });

    it('goes through the parent when a partition it was to batch-delete turns out denied mid-run (42501)', async () => {
      // Prepare: the role owns every partition (the documented grants), and gives up its rights on
      // the straddling day right after the first drop, queued on its own session
      await grantPartitionsAsDocumented(t.client, t.role.name, 'drop');
      let revoked = false;
      const revokeOnFirstDrop: Notice = (message, fields, level) => {
        onNotice(message, fields, level);
        if (message !== 'partition dropped' || revoked) return;
        revoked = true;
        void t.jobs.query(`REVOKE ALL ON locations_p20261029 FROM ${t.role.name}`);
      };

      // Act
      const result = await clean({ onNotice: revokeOnFirstDrop });

      // Assess: the expired days dropped, the rest through the parent, one warning naming the grant
      expect(revoked).toBe(true);
      expect(result).toMatchObject({
        deleted: expiredRows,
        complete: true,
        partitions: { batchDeleted: [{ name: 'locations', deleted: 10, throughParent: true }] },
      });
      expect(result.partitions?.removed).toHaveLength(9);
      expect(notices.filter(([message]) => message.startsWith('partitions batch-deleted'))).toEqual(
        [
          [
            "partitions batch-deleted: the job's role may not remove them whole",
            expect.objectContaining({
              deletedThrough: 'the parent',
              fix: [`GRANT SELECT, DELETE ON "public"."locations_p20261029" TO "${t.role.name}"`],
            }),
          ],
        ],
      );
      expect(await countRows(t.client, 'locations', `created_at < '${cutoff}'`)).toBe(0);
    });

    if (kind !== 'btree') return;
    it('a DROP the role turns out not to be allowed (42501) keeps the partition, for its rows to be batch-deleted', async () => {
      // Prepare: the Oct 20 partition, not the role's own
      const { rows } = await t.client.query<{ oid: number; parent: number }>(
        `SELECT 'locations_p20261020'::regclass::oid::int AS oid, 'locations'::regclass::oid::int AS parent`,
      );
      const { oid, parent } = rows[0] as { oid: number; parent: number };

      // Act
      const outcome = await removePartition(
        t.jobs,
        {
          oid,
          name: 'public.locations_p20261020',
          quotedName: '"public"."locations_p20261020"',
          parentOid: parent,
          parentQuotedName: '"public"."locations"',
          kind: 'table',
          isDefault: false,
          estimatedRows: 24,
        },
        resolveRetentionSettings(),
      );

      // Assess
      expect(outcome).toEqual({ removed: false, reason: 'denied' });
      expect(await partitionsOf(t.client)).toContain('locations_p20261020');
    });
  },
);
