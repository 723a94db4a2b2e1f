import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLocalStatus, localStatus } from '../../../cli/commands/status.js';
import { defineCatalogue } from '../../../functions/catalogue/index.js';
import { Schedule } from '../../../functions/schedule/schedule.js';
import { RunHistory } from '../../../harness/history/run-history.js';
import { runRecord } from '../../support/run-records.js';
import { VirtualClock } from '../../support/virtual-clock.js';

const entries = defineCatalogue(
  ['paused-job', 'never-run-job', 'failing-job', 'healthy-job'].map((name) => ({
    name,
    description: `${name}.`,
    schedule: Schedule.hourly({ minute: 15 }),
    timeoutSeconds: 60,
    enabled: name !== 'paused-job',
  })),
);

describe('jobs status (local)', () => {
  let dir: string;
  let history: RunHistory;
  let clock: VirtualClock;

  beforeEach(async () => {
    // 2026-11-28 12:00 UTC
    clock = new VirtualClock(Date.parse('2026-11-28T12:00:00.000Z'));
    dir = await mkdtemp(join(tmpdir(), 'status-'));
    history = new RunHistory({ dir });
    await history.append(runRecord('paused-job', '2026-11-27T09:15:00.000Z'));
    await history.append(runRecord('failing-job', '2026-11-28T10:15:00.000Z'));
    await history.append(
      runRecord('failing-job', '2026-11-28T11:15:00.000Z', {
        outcome: 'failed',
        result: undefined,
        error: { name: 'Error', message: 'boom' },
      }),
    );
    await history.append(runRecord('healthy-job', '2026-11-28T11:15:00.000Z'));
    // a dry run afterwards: the last run, but not the last successful one
    await history.append(
      runRecord('healthy-job', '2026-11-28T11:50:00.000Z', {
        trigger: 'manual',
        result: { deleted: 0, batches: 0, complete: true, dryRun: true, wouldDelete: 3 },
      }),
    );
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('gives each job’s schedule, paused or not, next run, last run and last successful run', async () => {
    // Act
    const statuses = await localStatus(entries, history, clock.now());

    // Assess
    expect(
      statuses.map((s) => [
        s.job,
        s.paused,
        s.nextRun,
        s.lastRun?.startedAt,
        s.lastRun?.outcome,
        s.lastSuccess?.startedAt,
      ]),
    ).toEqual([
      [
        'paused-job',
        true,
        undefined,
        '2026-11-27T09:15:00.000Z',
        'succeeded',
        '2026-11-27T09:15:00.000Z',
      ],
      ['never-run-job', false, '2026-11-28T12:15:00.000Z', undefined, undefined, undefined],
      [
        'failing-job',
        false,
        '2026-11-28T12:15:00.000Z',
        '2026-11-28T11:15:00.000Z',
        'failed',
        '2026-11-28T10:15:00.000Z',
      ],
      [
        'healthy-job',
        false,
        '2026-11-28T12:15:00.000Z',
        '2026-11-28T11:50:00.000Z',
        'succeeded',
        '2026-11-28T11:15:00.000Z',
      ],
    ]);
  });

  it('as one table, with ages from the clock', async () => {
    // Act
    const table = formatLocalStatus(await localStatus(entries, history, clock.now()), clock.now());

    // Assess
    const rows = table.split('\n');
    expect(rows[0]?.split(/ {2,}/)).toEqual([
      'job',
      'schedule',
      'state',
      'next run (UTC)',
      'last run',
      'last successful run',
      'oldest row left',
    ]);
    const cells = (job: string) => rows.find((row) => row.startsWith(`${job} `))?.split(/ {2,}/);
    expect(cells('paused-job')).toEqual([
      'paused-job',
      'cron(15 * * * ? *)',
      'paused',
      '-',
      '2026-11-27 09:15Z (26 h ago) succeeded',
      '2026-11-27 09:15Z (26 h ago)',
      '-',
    ]);
    expect(cells('never-run-job')?.slice(2)).toEqual([
      'active',
      '2026-11-28 12:15Z (in 15 min)',
      'never',
      'never',
      '-',
    ]);
    expect(cells('failing-job')?.slice(4)).toEqual([
      '2026-11-28 11:15Z (45 min ago) failed',
      '2026-11-28 10:15Z (1 h ago)',
      '-',
    ]);
    // two days on, the ages follow the clock
    clock.jump(2 * 86_400_000);
    const later = formatLocalStatus(await localStatus(entries, history, clock.now()), clock.now());
    expect(later).toContain('2026-11-28 10:15Z (2 d ago)');
  });

  it('gives a zoned job’s schedule with its zone', async () => {
    // Arrange
    const zoned = defineCatalogue([
      {
        name: 'zoned-job',
        description: 'zoned-job.',
        schedule: Schedule.daily({ hour: 3, minute: 30, timeZone: 'Europe/Bratislava' }),
        timeoutSeconds: 60,
      },
    ]);

    // Act
    const [status] = await localStatus(zoned, history, clock.now());

    // Assess
    expect(status?.schedule).toBe('cron(30 3 * * ? *) in Europe/Bratislava');
  });

  it('gives the oldest row left as last measured, against the retention and the alarm’s slack', async () => {
    // Prepare: three purge jobs (retention: slack 2 h); the cleanup's measuring run was cut
    // short with a row 10 days past the cutoff, and a failed run (no result) came after it
    const purges = defineCatalogue(
      ['cleanup-job', 'keys-job', 'fresh-job'].map((name) => ({
        name,
        description: `${name}.`,
        schedule: Schedule.hourly({ minute: 15 }),
        timeoutSeconds: 60,
        retention: {},
      })),
    );
    const measured = (overdueSeconds: number, ageSeconds: number, retentionDays?: number) => ({
      deleted: 200,
      batches: 2,
      complete: overdueSeconds === 0,
      dryRun: false,
      ...(retentionDays === undefined ? {} : { retentionDays }),
      oldestRow: {
        measuredBy: 'index',
        oldest: '2026-10-19T10:00:00.000000Z',
        ageSeconds,
        overdueSeconds,
      },
    });
    await history.append(
      runRecord('cleanup-job', '2026-11-28T10:15:00.000Z', {
        outcome: 'cut_short',
        result: measured(867_600, 3_459_600, 30),
      }),
    );
    await history.append(
      runRecord('cleanup-job', '2026-11-28T11:15:00.000Z', {
        outcome: 'failed',
        result: undefined,
        error: { name: 'BatchFailedError', message: 'batch 1 failed' },
      }),
    );
    await history.append(
      runRecord('keys-job', '2026-11-28T11:15:00.000Z', { result: measured(0, -600) }),
    );
    await history.append(
      runRecord('fresh-job', '2026-11-28T11:15:00.000Z', { result: measured(0, 3_720, 30) }),
    );

    // Act
    const statuses = await localStatus(purges, history, clock.now());
    const table = formatLocalStatus(statuses, clock.now());

    // Assess
    expect(statuses[0]).toMatchObject({
      job: 'cleanup-job',
      retentionSlackSeconds: 7_200,
      oldestRow: {
        startedAt: '2026-11-28T10:15:00.000Z',
        retentionDays: 30,
        oldestRow: { overdueSeconds: 867_600 },
      },
    });
    const cell = (job: string) =>
      table
        .split('\n')
        .find((row) => row.startsWith(`${job} `))
        ?.split(/ {2,}/)
        .at(-1);
    expect(cell('cleanup-job')).toBe(
      '40 d 1 h (retention 30 d): 10 d 1 h past the cutoff, BREACHED (as of 2026-11-28 10:15Z)',
    );
    expect(cell('keys-job')).toBe('none past the cutoff');
    expect(cell('fresh-job')).toBe('1 h 2 min (retention 30 d)');
  });
});
