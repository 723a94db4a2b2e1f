/** `history`, `status` and `db` (with DATABASE_URL; without: cli-db.test.ts) as a person runs them, with real CLI processes. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../../dev-db/seed.js';
import { formatCount } from '../../../harness/output/format-values.js';
import { useTestDatabase } from '../../support/test-database.js';
import { cleanEnv, runCli, startCli } from './cli-process.js';

const db = useTestDatabase();

describe('run history and status, through the CLI', () => {
  let historyDir: string;
  let client: pg.Client;

  beforeAll(async () => {
    client = await db().connect();
    await seedDemoData(client, { devices: 2, locationsPerDevice: 200, idempotencyKeys: 20 });
  });
  beforeEach(async () => {
    historyDir = await mkdtemp(join(tmpdir(), 'cli-history-'));
  });
  afterEach(() => rm(historyDir, { recursive: true, force: true }));

  const env = () => cleanEnv({ DATABASE_URL: db().url, LOCAL_HISTORY_DIR: historyDir });

  it('run records its run: history shows it, newest first, with the result’s counts', async () => {
    // Prepare
    const dry = await runCli(['run', 'location-cleanup', '--dry-run'], env());
    const real = await runCli(['run', 'location-cleanup'], env());

    // Act
    const json = await runCli(['history', '--json'], env());
    const table = await runCli(['history', 'location-cleanup', '--limit', '1'], env());

    // Assess
    expect([dry.code, real.code, json.code, table.code]).toEqual([0, 0, 0, 0]);
    const entries = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const finished = real.logs('job finished')[0] as Record<string, unknown>;
    expect(entries.map((entry) => entry.runId)).toEqual([
      finished.runId,
      dry.logs('job finished')[0]?.runId,
    ]);
    expect(entries[0]).toMatchObject({
      trigger: 'manual',
      outcome: 'succeeded',
      result: finished.result,
    });
    const rows = table.stdout.trim().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[2]?.split(/ {2,}/).slice(1, 4)).toEqual([
      'location-cleanup',
      'manual',
      'succeeded',
    ]);
    expect(rows[2]).toContain(
      `deleted ${formatCount((finished.result as { deleted: number }).deleted)} rows`,
    );
  });

  it('start records its runs, and status shows each job’s last run', async () => {
    // Prepare
    const cli = startCli(['start', '--run-now'], env());
    await cli.waitFor(() => cli.logs('job finished').length === 2, 'both jobs finished');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);

    // Act
    const history = await runCli(['history', '--json'], env());
    const status = await runCli(['status'], env());

    // Assess
    const entries = history.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { job: string; trigger: string; outcome: string });
    expect(entries.map((entry) => [entry.job, entry.trigger, entry.outcome]).sort()).toEqual([
      ['idempotency-key-purge', 'schedule', 'succeeded'],
      ['location-cleanup', 'schedule', 'succeeded'],
    ]);
    for (const job of ['location-cleanup', 'idempotency-key-purge']) {
      const row = status.stdout.split('\n').find((line) => line.startsWith(`${job} `));
      // Ages in any unit: how long after the runs `status` comes depends on the machine.
      expect(row?.split(/ {2,}/).slice(2)).toEqual([
        'active',
        expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\dZ \((in .+|now)\)$/),
        expect.stringMatching(/\((just now|\d+ (s|min|h) ago)\) succeeded$/),
        expect.stringMatching(/\((just now|\d+ (s|min|h) ago)\)$/),
        // the oldest row left, as the run measured it
        job === 'location-cleanup'
          ? expect.stringMatching(/^\d+ d( \d+ h)? \(retention 30 d\)$/)
          : 'none past the cutoff',
      ]);
    }
  });

  it('logs a local run with cold_start and no made-up Lambda fields', async () => {
    // Act
    const { code, logs } = await runCli(['run', 'idempotency-key-purge', '--dry-run'], env());

    // Assess
    expect(code).toBe(0);
    const started = logs('job started')[0] ?? {};
    expect(started.cold_start).toBe(true);
    expect(Object.keys(started).filter((key) => key.startsWith('function_'))).toEqual([]);
  });

  it('db with DATABASE_URL: that URL, its password masked', async () => {
    // Act
    const { code, stdout } = await runCli(
      ['db'],
      cleanEnv({ DATABASE_URL: 'postgres://jobs:Pa55word@db.internal:5432/pm' }),
    );

    // Assess
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('postgres://jobs:***@db.internal:5432/pm');
  });
});
