/**
 * What an hourly cleanup run of a plain table sends, statement by statement: the cutoff and the
 * table's check in one round trip, no partition-layout query, and no second check of the table
 * to measure the oldest row left. A run's fixed cost is most of the hourly run's time.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { benchContext } from '../../../bench/common/bench-context.js';
import { type TimedStatement, timedClient } from '../../../bench/partitions/statement-timer.js';
import { readLocationCleanupConfig } from '../../../functions/jobs/location-cleanup/config.js';
import { createLocationCleanup } from '../../../functions/jobs/location-cleanup/location-cleanup.js';
import {
  analyzeLocations,
  countRows,
  type IndexKind,
  insertLocations,
  type JobTest,
  useJobTest,
  useLocationsIndex,
} from './fixtures.js';

const start = Date.parse('2026-11-28T10:15:00.000Z');

/**
 * Inserts `rows` locations created at `createdAt` (a SQL expression of `g`), analyzes them,
 * and runs the hourly cleanup as the job's role, every statement it sends recorded.
 */
async function runRecorded(t: JobTest, rows: number, createdAt: string) {
  await insertLocations(t.client, rows, createdAt);
  await analyzeLocations(t.client);
  const expired = await countRows(t.client, 'locations', `created_at < now() - interval '30 days'`);
  const jobs = await t.db().connect(t.role);
  onTestFinished(() => jobs.end());
  const statements: TimedStatement[] = [];
  const result = await createLocationCleanup().run(benchContext(), {
    config: readLocationCleanupConfig({}),
    db: timedClient(jobs, statements),
  });
  return { expired, result, sent: statements.map((statement) => statement.text) };
}

/** The table's check (the profile query), the partition layout's query, the clock's. */
const isProfile = (sql: string) => sql.includes('row_security_active');
const isLayout = (sql: string) => sql.includes('pg_partitioned_table');
const isClock = (sql: string) => sql.includes('make_interval');

describe.each<IndexKind>(['btree', 'brin'])('an hourly run of a plain table, %s index', (kind) => {
  const t = useJobTest('location-cleanup', start);
  useLocationsIndex(() => t.client, kind);

  it('checks the table once, with the cutoff, and reads no partition layout', async () => {
    // Prepare, act: an hour of expired rows in a month of rows, as the job's role sees them
    const { expired, result, sent } = await runRecorded(
      t,
      2_000,
      `now() - interval '31 days' + g * interval '20 minutes'`,
    );

    // Assess: every expired row went, and the run's first round trip held the clock and the check
    expect(result).toMatchObject({ deleted: expired, complete: true });
    expect(expired).toBeGreaterThan(0);
    expect(sent.filter(isLayout)).toEqual([]);
    expect(sent.filter(isProfile)).toHaveLength(1);
    expect(isProfile(sent[0] ?? '') && isClock(sent[0] ?? '')).toBe(true);
    expect(sent.filter(isClock)).toHaveLength(1);
    // The oldest row was measured: by the b-tree's probe (one round trip), or, through a BRIN
    // index after a complete run, with nothing to read at all.
    expect(result.oldestRow).toMatchObject({ overdueSeconds: 0 });
    const afterLastBatch = sent.slice(sent.findLastIndex((sql) => /\bDELETE\b/.test(sql)) + 1);
    const probes = afterLastBatch.filter((sql) => sql.includes('AS oldest_row'));
    expect(probes).toHaveLength(kind === 'btree' ? 1 : 0);
  });
});

describe('an hourly run through a BRIN index, on a table in time order', () => {
  const t = useJobTest('location-cleanup', start);
  useLocationsIndex(() => t.client, 'brin');

  it('sweeps one range from the first expired page, without listing the stretches of pages first', async () => {
    // Prepare, act: a row a minute for 30 days and an hour, the first hour's expired, in time
    // order (more pages than one batch's range, so that a second range could follow the first)
    const { expired, result, sent } = await runRecorded(
      t,
      43_260,
      `now() - interval '30 days 1 hour' + g * interval '1 minute'`,
    );

    // Assess: the range that held the hour's rows reached past where they end and held far
    // fewer than a batch: the sweep ended there, with no empty range read after it
    expect(expired).toBeGreaterThanOrEqual(60);
    expect(result).toMatchObject({ deleted: expired, complete: true, strategy: 'brin' });
    expect(sent.filter((sql) => sql.includes('sum(starts) OVER'))).toEqual([]);
    expect(sent.filter((sql) => /\bDELETE FROM\b.*\bctid >= /s.test(sql))).toHaveLength(1);
    expect(await countRows(t.client, 'locations')).toBe(43_260 - expired);
  });
});
