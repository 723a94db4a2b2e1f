import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../../../harness/output/human-lines.js';

const at = '2026-11-28T10:15:00.812Z';
const run = { job: 'location-cleanup', runId: 'r-1', service: 'location-maintenance-jobs' };
const finished = (fields: Record<string, unknown>) =>
  formatLogLine({ level: 'INFO', message: 'job finished', timestamp: at, ...run, ...fields });

/** The line's columns: two or more spaces apart. */
const columns = (line: string | undefined) => line?.split(/ {2,}/);

describe('lines for people', () => {
  it('a succeeded run: time (UTC), job, outcome, duration, the result’s counts', () => {
    const line = finished({
      outcome: 'succeeded',
      durationMs: 812,
      result: { deleted: 100_356, batches: 11, complete: true, dryRun: false },
    });
    expect(columns(line)).toEqual([
      '10:15:00',
      'location-cleanup',
      'succeeded',
      '812 ms',
      'deleted 100,356 rows in 11 batches',
    ]);
  });

  it('the path a run took, partitions removed and rows left locked', () => {
    const swept = finished({
      outcome: 'succeeded',
      durationMs: 1_204,
      result: { deleted: 1_000_000, batches: 101, strategy: 'heap', complete: true },
    });
    const partitioned = finished({
      outcome: 'cut_short',
      durationMs: 95,
      result: {
        deleted: 5_083_000,
        batches: 9,
        strategy: 'partitions',
        partitions: {
          removal: 'drop',
          removed: ['public.locations_p20261101', 'public.locations_p20261102'],
        },
        lockedRows: 2,
        complete: false,
      },
    });
    const dryRun = finished({
      outcome: 'succeeded',
      durationMs: 12,
      result: {
        dryRun: true,
        wouldDelete: 7,
        partitions: { removal: 'drop', removed: [], wouldRemove: ['public.locations_p1'] },
      },
    });

    expect(columns(swept)?.at(-1)).toBe('deleted 1,000,000 rows in 101 batches (heap path)');
    expect(columns(partitioned)?.at(-1)).toBe(
      'deleted 5,083,000 rows in 9 batches, 2 partitions dropped; 2 rows locked by other sessions left for the next run',
    );
    expect(columns(dryRun)?.at(-1)).toBe('dry run: would delete 7 rows, 1 partition to remove');
  });

  it('partitions detached, by the result’s partitions.removal', () => {
    const line = finished({
      outcome: 'succeeded',
      durationMs: 40,
      result: {
        deleted: 48,
        batches: 0,
        strategy: 'partitions',
        partitions: { removal: 'detach', removed: ['public.locations_p1', 'public.locations_p2'] },
        complete: true,
      },
    });
    expect(columns(line)?.at(-1)).toBe('deleted 48 rows in 0 batches, 2 partitions detached');
  });

  it('rows refused by the database and batches cut down after timeouts, in the finished line', () => {
    const line = finished({
      outcome: 'cut_short',
      durationMs: 1_480,
      result: {
        deleted: 19_997,
        batches: 22,
        strategy: 'index',
        complete: false,
        refusedRows: 3,
        refused: [
          { table: 'locations', reason: 'trips_start_location_fkey', code: '23001', rows: 2 },
          { table: 'locations', reason: 'this fix is under legal hold', code: 'P0001', rows: 1 },
        ],
        settledBatchSize: 625,
      },
    });
    expect(columns(line)?.at(-1)).toBe(
      'deleted 19,997 rows in 22 batches (index path); batches cut to 625 rows after statement timeouts; ' +
        '3 rows refused by the database left (trips_start_location_fkey, this fix is under legal hold)',
    );
  });

  it('the warnings of a cleanup: refused rows, a foreign key without an index, a batch cut down', () => {
    const warn = (message: string, fields: Record<string, unknown>) =>
      columns(formatLogLine({ level: 'WARN', message, timestamp: at, ...run, ...fields }))?.slice(
        2,
      );
    expect(
      warn('expired rows refused, left in place', {
        table: 'locations',
        reason: 'trips_start_location_fkey',
        code: '23001',
        rows: 2,
      }),
    ).toEqual([
      'warning',
      '2 expired rows of locations left: refused by trips_start_location_fkey (23001)',
    ]);
    expect(
      warn('expired rows refused, left in place', {
        table: 'locations',
        reason: 'this fix is under legal hold',
        code: 'P0001',
        rows: 1,
      }),
    ).toEqual([
      'warning',
      '1 expired row of locations left: the database said "this fix is under legal hold" (P0001)',
    ]);
    expect(
      warn('foreign key without an index', {
        table: 'locations',
        constraint: 'location_photos_location_id_fkey',
        referencingTable: 'public.location_photos',
        columns: 'location_id',
        createIndex: 'CREATE INDEX CONCURRENTLY ON "public"."location_photos" ("location_id")',
      }),
    ).toEqual([
      'warning',
      'foreign key location_photos_location_id_fkey has no index on public.location_photos (location_id): ' +
        'each deleted row of locations scans it; run CREATE INDEX CONCURRENTLY ON "public"."location_photos" ("location_id")',
    ]);
    expect(
      warn('batch timed out, retrying smaller', {
        table: 'locations',
        statementTimeoutMs: 5_000,
        previousBatchSize: 10_000,
        batchSize: 5_000,
      }),
    ).toEqual([
      'warning',
      'a batch of 10,000 rows of locations passed its 5.0 s statement timeout: retrying with 5,000',
    ]);
    expect(
      warn("partitions batch-deleted: the job's role may not remove them whole", {
        table: 'locations',
        role: '"maintenance_jobs"',
        partitions: ['public.locations_p20261004', 'public.locations_p20261005'],
        deletedThrough: 'the parent',
        consequence: '2 expired partitions are batch-deleted row by row instead of dropped whole',
        fix: [
          'ALTER TABLE "public"."locations_p20261004" OWNER TO "maintenance_jobs"',
          'ALTER TABLE "public"."locations_p20261005" OWNER TO "maintenance_jobs"',
        ],
        moreFixes: 3,
      }),
    ).toEqual([
      'warning',
      '2 expired partitions are batch-deleted row by row instead of dropped whole (deleted through the parent); ' +
        'to remove them whole, run ALTER TABLE "public"."locations_p20261004" OWNER TO "maintenance_jobs" and 4 more alike',
    ]);
  });

  it('a partition dropped', () => {
    const line = formatLogLine({
      level: 'INFO',
      message: 'partition dropped',
      timestamp: at,
      ...run,
      partition: 'public.locations_p20261101',
      rows: 166_667,
      rowsCountedBy: 'statistics',
    });
    expect(columns(line)?.slice(2)).toEqual([
      'dropped partition public.locations_p20261101 (166,667 rows, by statistics)',
    ]);
  });

  it('partition upkeep: partitions made ahead, one not made, rows waiting in the DEFAULT', () => {
    const line = (message: string, level: string, fields: Record<string, unknown>) =>
      columns(
        formatLogLine({ level, message, timestamp: at, ...run, table: 'locations', ...fields }),
      )?.slice(2);
    const range = { from: '2026-11-29 00:00:00+00', to: '2026-11-30 00:00:00+00' };

    expect(
      line('partition made ahead', 'INFO', { partition: 'public.locations_p20261129', ...range }),
    ).toEqual([
      'made partition public.locations_p20261129 ahead, from 2026-11-29 00:00:00+00 to 2026-11-30 00:00:00+00',
    ]);
    expect(
      line('partition not made ahead', 'WARN', {
        partition: 'public.locations_p20261129',
        ...range,
        reason: 'default_holds_rows',
        rowsInDefault: 3,
        advice: 'move them',
      }),
    ).toEqual([
      'warning',
      'partition public.locations_p20261129 (from 2026-11-29 00:00:00+00 to 2026-11-30 00:00:00+00) not made: the DEFAULT partition holds 3 rows of its range; move them',
    ]);
    expect(
      line('partition not made ahead', 'WARN', {
        partition: 'public.locations_p20261129',
        ...range,
        reason: 'lock_timeout',
        advice: 'the next run tries again',
      })?.[1],
    ).toContain('not made: a lock was not granted in time; the next run tries again');
    expect(
      line('partitions not made ahead', 'WARN', {
        reason: 'the job’s role cleanup neither owns public.locations',
        advice: 'GRANT app TO cleanup',
      }),
    ).toEqual([
      'warning',
      'no partitions of locations made ahead: the job’s role cleanup neither owns public.locations; GRANT app TO cleanup',
    ]);
    expect(
      line('rows wait in the DEFAULT partition', 'WARN', {
        partition: 'public.locations_default',
        rows: 1_203,
        expiredRows: 3,
        countedBy: 'index',
      }),
    ).toEqual([
      'warning',
      '1,203 rows of locations wait in the DEFAULT partition public.locations_default (3 of them expired): they stay there until they expire, and block their partitions',
    ]);
    expect(
      line('DEFAULT partition not counted', 'WARN', {
        partition: 'public.locations_default',
        reason: 'canceling statement due to statement timeout',
      }),
    ).toEqual([
      'warning',
      'the DEFAULT partition public.locations_default was not counted: canceling statement due to statement timeout',
    ]);
  });

  it('partition upkeep in the finished line: made ahead, not made, the DEFAULT’s rows; a dry run’s to make', () => {
    const real = finished({
      outcome: 'succeeded',
      durationMs: 40,
      result: {
        deleted: 10,
        batches: 1,
        strategy: 'partitions',
        complete: true,
        partitions: {
          removal: 'drop',
          removed: [],
          premake: { ahead: 4, made: ['a', 'b', 'c'], notMade: [{ name: 'd' }] },
          defaultPartition: { partition: 'public.locations_default', rows: 3, expiredRows: 0 },
        },
      },
    });
    const dryRun = finished({
      outcome: 'succeeded',
      durationMs: 12,
      result: {
        dryRun: true,
        wouldDelete: 0,
        partitions: {
          removal: 'drop',
          removed: [],
          premake: { ahead: 4, made: [], wouldMake: [{ name: 'a' }], notMade: [] },
          defaultPartition: { partition: 'public.locations_default', rows: 0, expiredRows: 0 },
        },
      },
    });

    expect(columns(real)?.at(-1)).toBe(
      'deleted 10 rows in 1 batch; 3 partitions made ahead; 1 coming partition not made; 3 rows wait in the DEFAULT partition public.locations_default',
    );
    expect(columns(dryRun)?.at(-1)).toBe(
      'dry run: would delete 0 rows; would make 1 partition ahead',
    );
  });

  it('a dry run: what would be deleted', () => {
    const line = finished({
      outcome: 'succeeded',
      durationMs: 44,
      result: { deleted: 0, batches: 0, dryRun: true, wouldDelete: 100_333, complete: true },
    });
    expect(columns(line)?.slice(2)).toEqual([
      'succeeded',
      '44 ms',
      'dry run: would delete 100,333 rows',
    ]);
  });

  it('a failed run: the error’s name and message, and its causes with their codes', () => {
    const line = finished({
      level: 'ERROR',
      outcome: 'failed',
      durationMs: 5_012,
      error: {
        name: 'BatchFailedError',
        message: 'deleting from locations: batch 3 failed and was rolled back',
        stack: 'BatchFailedError: ...\n    at deleteInBatches',
        cause: {
          name: 'error',
          message: 'canceling statement due to statement timeout',
          code: '57014',
        },
      },
    });
    expect(columns(line)?.slice(2)).toEqual([
      'failed',
      '5.0 s',
      'BatchFailedError: deleting from locations: batch 3 failed and was rolled back; cause: error: canceling statement due to statement timeout (57014)',
    ]);
    expect(line).not.toContain('at deleteInBatches');
  });

  it('a skipped run: its reason', () => {
    const line = finished({
      outcome: 'skipped',
      durationMs: 3,
      reason: 'another run of this job holds its claim until 2026-11-28T10:20:00.000Z',
    });
    expect(columns(line)?.slice(2)).toEqual([
      'skipped',
      '3 ms',
      'another run of this job holds its claim until 2026-11-28T10:20:00.000Z',
    ]);
  });

  it('a run cut short: what it did, that the next run goes on, and why it stopped', () => {
    const line = finished({
      outcome: 'cut_short',
      durationMs: 270_000,
      result: { deleted: 50_000, batches: 5, complete: false, dryRun: false },
      reason: 'deadline 2026-11-28T10:19:30.000Z reached',
    });
    expect(columns(line)?.slice(2)).toEqual([
      'cut short',
      '4 min 30 s',
      'deleted 50,000 rows in 5 batches; stopped early, the next run goes on; deadline 2026-11-28T10:19:30.000Z reached',
    ]);
  });

  it('a run that waited for a lagging standby: how long, and why it stopped while waiting', () => {
    const line = finished({
      outcome: 'cut_short',
      durationMs: 270_000,
      result: {
        deleted: 10_000,
        batches: 1,
        complete: false,
        replicaWaitMs: 268_500,
        stoppedReason:
          'deadline 2026-11-28T10:19:30.000Z reached while waiting for standby replica-a (10.0.0.5), 75.2 s behind: more than LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS (60 s)',
      },
    });
    expect(columns(line)?.at(-1)).toBe(
      'deleted 10,000 rows in 1 batch; waited 4 min 29 s for lagging standbys; stopped: deadline 2026-11-28T10:19:30.000Z reached while waiting for standby replica-a (10.0.0.5), 75.2 s behind: more than LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS (60 s)',
    );
  });

  it('a standby lagging: the pause names it and its lag; the resume, how long; no GRANT, the fix', () => {
    const line = (fields: Record<string, unknown>) =>
      columns(formatLogLine({ timestamp: at, ...run, ...fields }))?.slice(2);
    expect(
      line({
        level: 'WARN',
        message: 'standby lagging, batches paused',
        standby: 'replica-a',
        clientAddr: '10.0.0.5',
        lagSeconds: 75.234,
        bytesBehind: 31_457_280,
        maxLagSeconds: 60,
        setting: 'LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS',
      }),
    ).toEqual([
      'waiting',
      'standby replica-a (10.0.0.5) is 75.2 s behind (more than LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS, 60 s): batches paused until it catches up',
    ]);
    expect(
      line({
        message: 'standbys caught up, batches resumed',
        standby: 'replica-a',
        waitedMs: 12_000,
      }),
    ).toEqual(['standbys caught up after 12.0 s: batches resumed']);
    expect(
      line({
        level: 'WARN',
        message: 'standby lag unreadable, batches not paused for standbys',
        reason: 'the role cleanup may not read the standbys’ lag',
        fix: 'GRANT pg_read_all_stats TO "cleanup"',
      }),
    ).toEqual([
      'warning',
      'standby lag unreadable, batches not paused for standbys: the role cleanup may not read the standbys’ lag; run GRANT pg_read_all_stats TO "cleanup"',
    ]);
  });

  it('a run started: scheduled for when, or by hand and dry', () => {
    const started = (fields: Record<string, unknown>) =>
      columns(formatLogLine({ message: 'job started', timestamp: at, ...run, ...fields }));
    expect(
      started({ trigger: 'schedule', scheduledTime: '2026-11-28T10:15:00.000Z', dryRun: false }),
    ).toEqual(['10:15:00', 'location-cleanup', 'started', 'scheduled for 10:15:00']);
    expect(started({ trigger: 'manual', dryRun: true })?.[3]).toBe('manual run, dry run');
  });

  it('progress of a long run; the purge’s own totals are left to the finished line', () => {
    const progress = formatLogLine({
      message: 'deleting expired rows',
      timestamp: '2026-11-28T10:15:10.000Z',
      ...run,
      table: 'locations',
      deleted: 40_000,
      batches: 4,
    });
    expect(columns(progress)).toEqual([
      '10:15:10',
      'location-cleanup',
      'progress',
      'deleted 40,000 rows so far in 4 batches',
    ]);
    for (const message of [
      'expired rows deleted',
      'expired rows deleted, stopped early',
      'expired rows deleted, locked rows left for the next run',
      'dry run: rows that would be deleted',
    ]) {
      expect(formatLogLine({ message, timestamp: at, ...run })).toBeUndefined();
    }
  });

  it('pads the job column so that the events line up', () => {
    const line = formatLogLine(
      { message: 'job started', timestamp: at, ...run, trigger: 'manual' },
      { jobWidth: 21 },
    );
    expect(line?.indexOf('started')).toBe('10:15:00  '.length + 21 + 2);
  });

  it('the database line: the embedded server’s version and URL, as given (masked upstream)', () => {
    const line = formatLogLine({
      message: 'database ready',
      timestamp: at,
      embedded: true,
      url: 'postgres://postgres:***@127.0.0.1:54321/location_jobs',
      serverVersion: '18',
    });
    expect(line).toBe(
      '10:15:00  embedded PostgreSQL 18 at postgres://postgres:***@127.0.0.1:54321/location_jobs (psql: npm run jobs -- db)',
    );
  });

  it('a server already running: who started it, and what stops it', () => {
    const line = (fields: Record<string, unknown>) =>
      formatLogLine({ message: 'embedded PostgreSQL already running', timestamp: at, ...fields });
    expect(line({ pid: 41, port: 5433, startedBy: 'background' })).toBe(
      '10:15:00  using the embedded PostgreSQL running in the background (PID 41): it keeps running (npm run jobs -- db --stop stops it)',
    );
    expect(line({ pid: 41, port: 5433, startedBy: 'process', ownerPid: 7 })).toBe(
      '10:15:00  using the embedded PostgreSQL that PID 7 started (PID 41): it stops when that process ends',
    );
  });

  it('what starting the embedded server does to the machine, and its own output', () => {
    const line = (message: string, fields: Record<string, unknown>, level = 'INFO') =>
      formatLogLine({ level, message, timestamp: at, service: 'local-harness', ...fields });
    expect(line('initialising a PostgreSQL cluster', { dataDir: '/srv/pg' })).toBe(
      '10:15:00  initialising a PostgreSQL cluster in /srv/pg',
    );
    expect(line('creating the OS user to run PostgreSQL as', { user: 'postgres' })).toBe(
      '10:15:00  running as root: creating the "postgres" OS user to run PostgreSQL as',
    );
    expect(
      line('folder made traversable for PostgreSQL', {
        path: '/tmp/x',
        mode: '0701',
        user: 'postgres',
      }),
    ).toBe('10:15:00  made /tmp/x traversable for the "postgres" OS user (mode 0701)');
    expect(
      line('embedded PostgreSQL left behind', {
        pid: 41,
        cleared: 'server stopped',
        detail: 'stopped a PostgreSQL server left running on this folder (PID 41, port 5433)',
      }),
    ).toBe(
      '10:15:00  embedded PostgreSQL left behind by an earlier run: stopped a PostgreSQL server left running on this folder (PID 41, port 5433)',
    );
    expect(
      columns(line('embedded PostgreSQL killed', { pid: 41, timeoutMs: 10_000 }, 'WARN')),
    ).toEqual([
      '10:15:00',
      'warning',
      'the embedded PostgreSQL (PID 41) did not stop within 10.0 s: killed it',
    ]);
    expect(
      line('embedded PostgreSQL output', { program: 'postgres', line: 'LOG:  ready' }, 'DEBUG'),
    ).toBe('10:15:00  postgres: LOG:  ready');
    expect(line('port taken, trying another', { port: 5433, attempt: 1 }, 'DEBUG')).toBe(
      '10:15:00  port 5433 was taken before the server could bind it: trying another',
    );
  });

  it('the warning of pause --aws: what the next deploy puts back, and how to keep the change', () => {
    const line = formatLogLine({
      level: 'WARN',
      message: 'trigger changed by hand until the next deploy',
      timestamp: at,
      job: 'location-cleanup',
      stackName: 'LocationMaintenanceJobs',
      paused: true,
      deployedPaused: false,
      keep: 'to keep it paused, deploy with -c pausedJobs=location-cleanup',
    });
    expect(columns(line)).toEqual([
      '10:15:00',
      'location-cleanup',
      'warning',
      'the next deploy restores what the catalogue and context say (this stack was deployed with location-cleanup enabled); to keep it paused, deploy with -c pausedJobs=location-cleanup',
    ]);
  });

  it('the scheduler’s lines: started with next fires, a skipped fire, missed fires, shutdown', () => {
    expect(
      formatLogLine({
        message: 'scheduler started',
        timestamp: at,
        jobs: [{ job: 'location-cleanup', nextRun: '2026-11-28T11:15:00.000Z' }],
      }),
    ).toBe('10:15:00  scheduler started: location-cleanup next at 11:15:00 (UTC); Ctrl-C stops');
    expect(
      columns(
        formatLogLine({
          message: 'fire skipped',
          timestamp: at,
          job: 'location-cleanup',
          scheduledTime: '2026-11-28T10:15:00.000Z',
          reason: 'the previous run is still running',
        }),
      ),
    ).toEqual([
      '10:15:00',
      'location-cleanup',
      'skipped',
      'fire of 10:15:00: the previous run is still running',
    ]);
    expect(
      formatLogLine({
        message: 'missed fires',
        timestamp: at,
        job: 'location-cleanup',
        missed: 3,
        firstMissed: '2026-11-28T07:15:00.000Z',
        reason: 'the machine slept',
      }),
    ).toContain('missed     3 fires, from 07:15:00: the machine slept');
    expect(
      formatLogLine({
        message: 'shutting down',
        timestamp: at,
        reason: 'SIGHUP',
        timeoutMs: 30_000,
      }),
    ).toBe('10:15:00  shutting down (SIGHUP): waiting up to 30.0 s for running jobs');
  });

  it('a metrics record: its metrics by name, durations in time units', () => {
    const line = formatLogLine({
      _aws: {
        Timestamp: Date.parse(at),
        CloudWatchMetrics: [
          {
            Namespace: 'LocationMaintenanceJobs',
            Dimensions: [['service', 'job']],
            Metrics: [
              { Name: 'Runs', Unit: 'Count' },
              { Name: 'Duration', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      job: 'location-cleanup',
      Runs: 1,
      Duration: 812,
    });
    expect(columns(line)).toEqual([
      '10:15:00',
      'location-cleanup',
      'metrics',
      'Runs 1, Duration 812 ms',
    ]);
  });

  it('any other line: its level when not INFO, its message and plain fields, none of Powertools’ own', () => {
    const line = formatLogLine({
      level: 'WARN',
      message: 'database connection lost',
      timestamp: at,
      sampling_rate: 0,
      cold_start: true,
      ...run,
      attempt: 2,
      error: { name: 'Error', message: 'Connection terminated' },
    });
    expect(columns(line)).toEqual([
      '10:15:00',
      'location-cleanup',
      'warning',
      'database connection lost',
      'attempt 2',
    ]);
  });
});

describe('the oldest row left, in the finished line', () => {
  const note = (result: Record<string, unknown>) =>
    columns(finished({ outcome: 'succeeded', durationMs: 5, result }))?.at(-1);

  it('against the retention: within it, or how far past the cutoff', () => {
    expect(
      note({
        deleted: 10,
        batches: 1,
        retentionDays: 30,
        oldestRow: { measuredBy: 'index', ageSeconds: 3_720, overdueSeconds: 0 },
      }),
    ).toBe('deleted 10 rows in 1 batch; oldest row 1 h 2 min old, within the 30 d retention');
    expect(
      note({
        deleted: 200,
        batches: 2,
        complete: false,
        retentionDays: 30,
        oldestRow: { measuredBy: 'index', ageSeconds: 3_459_600, overdueSeconds: 867_600 },
      }),
    ).toBe(
      'deleted 200 rows in 2 batches; stopped early, the next run goes on; oldest row left 40 d 1 h old, 10 d 1 h past the cutoff (retention 30 d)',
    );
  });

  it('a purge (no retention in days), no row left, or not measured', () => {
    expect(
      note({ deleted: 3, oldestRow: { measuredBy: 'index', ageSeconds: -600, overdueSeconds: 0 } }),
    ).toBe('deleted 3 rows; no row past the cutoff left');
    expect(note({ deleted: 3, oldestRow: { measuredBy: 'index', overdueSeconds: 0 } })).toBe(
      'deleted 3 rows; no row left',
    );
    expect(note({ deleted: 3, oldestRow: { measuredBy: 'expired rows', overdueSeconds: 0 } })).toBe(
      'deleted 3 rows; no row past the cutoff left',
    );
    expect(
      note({
        deleted: 0,
        oldestRow: {
          measuredBy: 'not measured',
          reason: 'canceling statement due to lock timeout',
        },
      }),
    ).toBe('deleted 0 rows; oldest row not measured (canceling statement due to lock timeout)');
  });

  it('the metrics line shows seconds as a span, and the warning when not measured', () => {
    const metrics = formatLogLine({
      _aws: {
        Timestamp: Date.parse(at),
        CloudWatchMetrics: [{ Metrics: [{ Name: 'OldestRowOverdue', Unit: 'Seconds' }] }],
      },
      job: 'location-cleanup',
      OldestRowOverdue: 7_260,
    });
    expect(columns(metrics)?.at(-1)).toBe('OldestRowOverdue 2 h 1 min');
    const warning = formatLogLine({
      level: 'WARN',
      message: 'oldest row not measured',
      timestamp: at,
      ...run,
      table: 'locations',
      reason: 'canceling statement due to lock timeout',
    });
    expect(columns(warning)?.slice(2)).toEqual([
      'warning',
      'the oldest row left in locations was not measured: canceling statement due to lock timeout',
    ]);
  });
});
