import { rm } from 'node:fs/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createJobHandler, type JobHandler } from '../../../functions/lambda/create-handler.js';
import type { JobDefinition } from '../../../functions/runner/types.js';
import { type CapturedOutput, captureStdout } from '../../support/capture-output.js';
import { lambdaContext } from '../../support/lambda-context.js';
import { createOwnedTempDir } from '../../support/owned-temp-dir.js';
import { startStandby } from '../../support/standby.js';
import { useTestDatabase } from '../../support/test-database.js';
import { VirtualClock } from '../../support/virtual-clock.js';

const db = useTestDatabase();

/** A job that records each run's backend; it writes nothing, so only the check can stop it. */
function probe(pids: number[]): JobDefinition<unknown, { pid: number }> {
  return {
    readConfig: () => ({}),
    run: async (_ctx, { db: session }) => {
      const { rows } = await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const pid = rows[0]?.pid ?? 0;
      pids.push(pid);
      return { pid };
    },
  };
}

describe('a server that takes no writes', () => {
  let output: CapturedOutput;
  let clock: VirtualClock;
  let handlers: JobHandler[];

  beforeEach(() => {
    output = captureStdout();
    clock = new VirtualClock(Date.parse('2026-11-28T10:15:00Z'));
    handlers = [];
  });
  afterEach(async () => {
    await Promise.all(handlers.map((handler) => handler.close()));
    output.restore();
  });

  function handlerFor(url: string, pids: number[] = []): JobHandler {
    const handler = createJobHandler('probe-job', probe(pids), {
      env: { DATABASE_URL: url },
      clock,
      logger: new Logger({ serviceName: 'test' }),
      metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    });
    handlers.push(handler);
    return handler;
  }

  it('fails a run on a read-only database before any work, drops the connection, and connects afresh next time', async () => {
    // Prepare: what a standby looks like to a client's transactions, set for new sessions
    const admin = new pg.Client({ connectionString: inject('postgresAdminUrl') });
    await admin.connect();
    const name = admin.escapeIdentifier(db().name);
    const pids: number[] = [];
    const handler = handlerFor(db().url, pids);
    try {
      await admin.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);

      // Act: a run while the database is read-only, then one after it is writable again
      const failed = await handler({}, lambdaContext(clock)).catch((error: unknown) => error);
      // The backend leaves pg_stat_activity a moment after the client has gone: poll for it.
      const gone = await pollUntil(async () => {
        const left = await admin.query(
          `SELECT FROM pg_stat_activity WHERE datname = $1 AND application_name = 'probe-job'`,
          [db().name],
        );
        return left.rowCount === 0;
      });
      await admin.query(`ALTER DATABASE ${name} RESET default_transaction_read_only`);
      const next = await handler({}, lambdaContext(clock));

      // Assess: the kept session would still be read-only; the next run had a new one
      expect(failed).toMatchObject({ name: 'JobFailedError' });
      expect(output.logs('job finished')[0]).toMatchObject({
        outcome: 'failed',
        error: {
          name: 'ReadOnlyServerError',
          message: expect.stringContaining('transactions on this database are read-only'),
        },
      });
      expect(pids).toHaveLength(1);
      expect(gone).toBe(true);
      expect(next.outcome).toBe('succeeded');
      const claims = await (await db().connect()).query('SELECT FROM maintenance_job_claims');
      expect(claims.rowCount).toBe(0);
    } finally {
      await admin.query(`ALTER DATABASE ${name} RESET default_transaction_read_only`);
      await admin.end();
    }
  });

  // A cluster made with fsync on (its folder must survive the primary's stop), then copied.
  it('fails a run on a real standby, naming it, before any work', {
    timeout: 120_000,
  }, async () => {
    // Prepare: a primary stopped cleanly, its copy started as a standby
    const dir = await createOwnedTempDir();
    const standby = await startStandby(dir);
    const pids: number[] = [];
    try {
      // Act
      const failed = await handlerFor(standby.url, pids)({}, lambdaContext(clock)).catch(
        (error: unknown) => error,
      );

      // Assess
      expect(failed).toMatchObject({ name: 'JobFailedError' });
      expect(output.logs('job finished')[0]).toMatchObject({
        outcome: 'failed',
        error: {
          name: 'ReadOnlyServerError',
          message: expect.stringMatching(/^the database server is a standby \(pg_is_in_recovery/),
        },
      });
      expect(pids).toEqual([]);
    } finally {
      await standby.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Polls a database condition (no timer involved), at most 10,000 times; whether it held. */
async function pollUntil(condition: () => Promise<boolean>): Promise<boolean> {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    if (await condition()) return true;
  }
  return false;
}
