import { describe, expect, it, onTestFinished } from 'vitest';
import { createIdempotencyKeyPurge } from '../../../functions/jobs/idempotency-key-purge/idempotency-key-purge.js';
import { createLocationCleanup } from '../../../functions/jobs/location-cleanup/location-cleanup.js';
import { JobFailedError } from '../../../functions/lambda/create-handler.js';
import { createJobRole } from '../../support/job-role.js';
import { lambdaContext, scheduledEvent } from '../../support/lambda-context.js';
import {
  analyzeLocations,
  countRows,
  insertIdempotencyKeys,
  insertLocations,
  pathCases,
  useJobTest,
  useLocationsIndex,
} from './fixtures.js';

const start = Date.parse('2026-11-28T10:15:00.000Z');

/**
 * Row-level security on the cleaned table, with the job running as a dedicated login that is
 * neither the owner nor `BYPASSRLS`: rows its policies hide must never be reported as gone.
 */
describe('the jobs under row-level security', () => {
  const t = useJobTest('location-cleanup', start);

  /**
   * A login with SELECT and DELETE on both tables (not the owner, no BYPASSRLS, no grant on the
   * claims table), dropped after the test; returns its name and a `DATABASE_URL` for it.
   */
  async function jobRole(attributes = ''): Promise<{ role: string; url: string }> {
    const { name: role, url } = await createJobRole(t.client, t.db().url, {
      attributes,
      grants: (name) => [`GRANT SELECT, DELETE ON locations, idempotency_keys TO ${name}`],
    });
    onTestFinished(async () => {
      await t.client.query(`DROP OWNED BY ${role}`);
      await t.client.query(`DROP ROLE ${role}`);
    });
    return { role, url };
  }

  async function enableRowSecurity(table: string): Promise<void> {
    await t.client.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
    onTestFinished(async () => {
      await t.client.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    });
  }

  function cleanup(url: string, dryRun = false, strategy = 'auto') {
    const handler = t.handler(createLocationCleanup(), {
      DATABASE_URL: url,
      LOCATION_CLEANUP_BATCH_SIZE: '1000',
      LOCATION_CLEANUP_STRATEGY: strategy,
    });
    const event = dryRun ? { dryRun: true } : scheduledEvent(new Date(start));
    return () => handler(event, lambdaContext(t.clock, 300_000));
  }

  function finishedLines() {
    return t.output.logs('job finished');
  }

  it('refuses, saying why and how to fix it, when no policy lets the role see the rows', async () => {
    // Prepare: 2,000 expired rows and 10 fresh ones, invisible to the job's role
    await insertLocations(t.client, 2_000, `now() - interval '40 days' + g * interval '1 second'`);
    await insertLocations(t.client, 10, 'now()');
    await enableRowSecurity('locations');
    const { role, url } = await jobRole();

    // Act: a dry run, then a real run
    const dryRun = await cleanup(url, true)().catch((error: unknown) => error);
    const run = await cleanup(url)().catch((error: unknown) => error);

    // Assess: both refused, nothing reported as gone, every row still there
    expect(dryRun).toBeInstanceOf(JobFailedError);
    expect(run).toBeInstanceOf(JobFailedError);
    const [dryLine, runLine] = finishedLines();
    for (const line of [dryLine, runLine]) {
      expect(line).toMatchObject({ outcome: 'failed', error: { name: 'TableCheckError' } });
      const message = (line as { error: { message: string } }).error.message;
      expect(message).toContain(
        `row-level security on "public"."locations" applies to the role ${role}`,
      );
      expect(message).toContain('no policy lets it see any row');
      expect(message).toContain(`ALTER ROLE "${role}" BYPASSRLS`);
      expect(message).toContain(`FOR ALL TO "${role}" USING (true)`);
    }
    expect(await countRows(t.client, 'locations')).toBe(2_010);
  });

  it('refuses when a tenant policy would hide some rows from the role', async () => {
    // Prepare: the role sees only one device's rows
    await insertLocations(t.client, 2_000, `now() - interval '40 days' + g * interval '1 second'`);
    await enableRowSecurity('locations');
    const { role, url } = await jobRole();
    await t.client.query(
      `CREATE POLICY tenant ON locations FOR ALL TO ${role}
         USING (device_id = '00000000-0000-4000-8000-0000000000ff')`,
    );

    // Act
    const run = await cleanup(url)().catch((error: unknown) => error);

    // Assess
    expect(run).toBeInstanceOf(JobFailedError);
    expect(finishedLines()[0]).toMatchObject({
      outcome: 'failed',
      error: {
        name: 'TableCheckError',
        message: expect.stringContaining('its policies (tenant) may hide some'),
      },
    });
    expect(await countRows(t.client, 'locations')).toBe(2_000);
  });

  it('refuses when a restrictive policy filters, even beside one that sees every row', async () => {
    // Prepare
    await insertLocations(t.client, 500, `now() - interval '40 days' + g * interval '1 second'`);
    await enableRowSecurity('locations');
    const { role, url } = await jobRole();
    await t.client.query(`CREATE POLICY everything ON locations FOR ALL TO ${role} USING (true)`);
    await t.client.query(
      `CREATE POLICY recent_only ON locations AS RESTRICTIVE FOR SELECT TO ${role}
         USING (created_at > now() - interval '1 day')`,
    );

    // Act
    const run = await cleanup(url)().catch((error: unknown) => error);

    // Assess
    expect(run).toBeInstanceOf(JobFailedError);
    expect(finishedLines()[0]).toMatchObject({
      error: {
        message: expect.stringContaining('the restrictive policy recent_only may hide some'),
      },
    });
    expect(await countRows(t.client, 'locations')).toBe(500);
  });

  /** The runs that delete, on every path: each sees and deletes through the policies. */
  for (const { strategy, kind } of pathCases) {
    describe(`${strategy} path, ${kind} index`, () => {
      useLocationsIndex(() => t.client, kind);

      /** 2,000 expired rows and 10 fresh ones, analyzed, with row security enabled. */
      async function seedWithRowSecurity(): Promise<void> {
        await insertLocations(
          t.client,
          2_000,
          `now() - interval '40 days' + g * interval '1 second'`,
        );
        await insertLocations(t.client, 10, 'now()');
        await analyzeLocations(t.client);
        await enableRowSecurity('locations');
      }

      it('deletes exactly the expired rows when a policy lets the role see and delete every row', async () => {
        // Prepare
        await seedWithRowSecurity();
        const { role, url } = await jobRole();
        await t.client.query(
          `CREATE POLICY retention_cleanup ON locations FOR SELECT TO ${role} USING (true)`,
        );
        await t.client.query(
          `CREATE POLICY retention_delete ON locations FOR DELETE TO ${role} USING (true)`,
        );

        // Act
        const record = await cleanup(url, false, strategy)();

        // Assess
        expect(record).toMatchObject({
          outcome: 'succeeded',
          result: { deleted: 2_000, complete: true, strategy },
        });
        expect(await countRows(t.client, 'locations')).toBe(10);
      });

      it('deletes exactly the expired rows when the role has BYPASSRLS', async () => {
        // Prepare: RLS enabled and forced, no policy at all
        await seedWithRowSecurity();
        await t.client.query('ALTER TABLE locations FORCE ROW LEVEL SECURITY');
        onTestFinished(async () => {
          await t.client.query('ALTER TABLE locations NO FORCE ROW LEVEL SECURITY');
        });
        const { url } = await jobRole('BYPASSRLS');

        // Act
        const record = await cleanup(url, false, strategy)();

        // Assess
        expect(record).toMatchObject({
          outcome: 'succeeded',
          result: { deleted: 2_000, complete: true, strategy },
        });
        expect(await countRows(t.client, 'locations')).toBe(10);
        // The role has no grant on the claims table: the run went on without the overlap guard
        expect(
          t.output.logs('job claims table not writable, running without the overlap guard'),
        ).toEqual([
          expect.objectContaining({
            level: 'WARN',
            fix: "GRANT SELECT, INSERT, UPDATE, DELETE ON maintenance_job_claims TO <the job's role>",
          }),
        ]);
      });
    });
  }

  it('the idempotency-key purge refuses the same way', async () => {
    // Prepare
    await insertIdempotencyKeys(t.client, 300, `now() - interval '1 hour'`);
    await enableRowSecurity('idempotency_keys');
    const { role, url } = await jobRole();

    // Act
    const handler = t.handler(createIdempotencyKeyPurge(), { DATABASE_URL: url });
    const run = await handler(
      scheduledEvent(new Date(start)),
      lambdaContext(t.clock, 300_000),
    ).catch((error: unknown) => error);

    // Assess
    expect(run).toBeInstanceOf(JobFailedError);
    expect(finishedLines()[0]).toMatchObject({
      outcome: 'failed',
      error: {
        name: 'TableCheckError',
        message: expect.stringContaining(`applies to the role ${role}`),
      },
    });
    expect(await countRows(t.client, 'idempotency_keys')).toBe(300);
  });
});
