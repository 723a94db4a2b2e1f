import { beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../../functions/config/env.js';
import { claimJob } from '../../../functions/db/job-claim.js';
import { createIdempotencyKeyPurge } from '../../../functions/jobs/idempotency-key-purge/idempotency-key-purge.js';
import { JobFailedError } from '../../../functions/lambda/create-handler.js';
import { lambdaContext, scheduledEvent } from '../../support/lambda-context.js';
import type { RetentionTestOptions } from '../../support/retention.js';
import { countRows, insertIdempotencyKeys, useJobTest } from './fixtures.js';

const start = Date.parse('2026-11-29T03:30:00.000Z');
const job = 'idempotency-key-purge';

describe.each(['index', 'heap'])('idempotency-key-purge, %s path', (strategy) => {
  const t = useJobTest(job, start);

  beforeEach(async () => {
    // 2,500 expired keys, a dense band 1 ms apart around now, 300 keys still valid.
    await insertIdempotencyKeys(
      t.client,
      2_500,
      `now() - interval '1 day' - g * interval '1 minute'`,
      'old',
    );
    await insertIdempotencyKeys(t.client, 4_000, `now() + (g - 2000) * interval '1 ms'`, 'band');
    await insertIdempotencyKeys(t.client, 300, `now() + g * interval '1 hour'`, 'valid');
  });

  function purge(env: Env = {}, options: RetentionTestOptions = {}) {
    const handler = t.handler(createIdempotencyKeyPurge(options, options), {
      IDEMPOTENCY_KEY_PURGE_BATCH_SIZE: '1000',
      IDEMPOTENCY_KEY_PURGE_STRATEGY: strategy,
      ...env,
    });
    return (event: unknown = scheduledEvent(new Date(t.clock.now()))) =>
      handler(event, lambdaContext(t.clock, 300_000));
  }

  it('deletes exactly the keys that expired before the database’s now', async () => {
    // Prepare
    await t.client.query('CREATE TEMP TABLE seeded AS SELECT id, expires_at FROM idempotency_keys');

    // Act
    const record = await purge()();

    // Assess
    const result = record.result as { cutoff: string; deleted: number };
    const expired = await countRows(t.client, 'seeded', `expires_at < '${result.cutoff}'`);
    expect(record).toMatchObject({
      outcome: 'succeeded',
      result: { deleted: expired, complete: true, dryRun: false },
    });
    expect(expired).toBeGreaterThanOrEqual(2_500);
    expect(await countRows(t.client, 'idempotency_keys', `expires_at < '${result.cutoff}'`)).toBe(
      0,
    );
    expect(await countRows(t.client, 'idempotency_keys')).toBe(6_800 - expired);
    expect(t.output.metrics()).toEqual([
      expect.objectContaining({ job, RowsDeleted: expired, Succeeded: 1 }),
    ]);
    expect(t.output.logs('expired rows deleted')).toEqual([
      expect.objectContaining({ table: 'idempotency_keys', deleted: expired }),
    ]);
  });

  it('counts in a dry run and deletes nothing', async () => {
    // Act
    const record = await purge()({ dryRun: true });

    // Assess
    const result = record.result as { cutoff: string; wouldDelete: number };
    expect(result).toMatchObject({ dryRun: true, deleted: 0, batches: 0, complete: true });
    expect(result.wouldDelete).toBe(
      await countRows(t.client, 'idempotency_keys', `expires_at < '${result.cutoff}'`),
    );
    expect(await countRows(t.client, 'idempotency_keys')).toBe(6_800);
  });

  it('stops at the deadline after the batch in progress; the next run finishes the rest', async () => {
    // Prepare
    let interrupt = true;
    const run = purge(
      {},
      {
        onBatch: () => {
          if (interrupt) t.clock.advance(280_000);
        },
      },
    );

    // Act
    const first = await run();
    interrupt = false;
    const second = await run();

    // Assess
    expect(first).toMatchObject({
      outcome: 'cut_short',
      result: { batches: 1, complete: false, strategy },
    });
    expect((first.result as { deleted: number }).deleted).toBeGreaterThan(0);
    expect(second).toMatchObject({ outcome: 'succeeded', result: { complete: true } });
    expect(await countRows(t.client, 'idempotency_keys', `key_hash LIKE 'old-%'`)).toBe(0);
    expect(await countRows(t.client, 'idempotency_keys', `key_hash LIKE 'valid-%'`)).toBe(300);
  });

  it('is skipped, deleting nothing, while another run holds its claim', async () => {
    // Prepare
    const other = await t.db().connect();
    const claim = await claimJob(other, {
      job,
      runId: 'other-run',
      now: t.clock.now(),
      expiresAt: t.clock.now() + 60_000,
    });

    // Act
    const record = await purge()();
    await other.query('DELETE FROM maintenance_job_claims');

    // Assess
    expect(claim).toEqual({ kind: 'claimed' });
    expect(record).toMatchObject({
      outcome: 'skipped',
      reason: 'another run of this job holds its claim until 2026-11-29T03:31:00.000Z',
    });
    expect(await countRows(t.client, 'idempotency_keys')).toBe(6_800);
  });

  it.each(['99', '100001', 'ten', ''])(
    'refuses IDEMPOTENCY_KEY_PURGE_BATCH_SIZE=%j and deletes nothing',
    async (raw) => {
      // Act
      const failure = await purge({ IDEMPOTENCY_KEY_PURGE_BATCH_SIZE: raw })().catch(
        (error: unknown) => error,
      );

      // Assess
      expect(failure).toBeInstanceOf(JobFailedError);
      expect(t.output.logs('job finished')[0]).toMatchObject({
        outcome: 'failed',
        error: {
          name: 'ConfigError',
          message: `IDEMPOTENCY_KEY_PURGE_BATCH_SIZE must be a whole number from 100 to 100000, got ${JSON.stringify(raw)}`,
        },
      });
      expect(await countRows(t.client, 'idempotency_keys')).toBe(6_800);
    },
  );
});
