import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../../functions/runner/types.js';
import { RunHistory } from '../../../../harness/history/run-history.js';

const start = Date.parse('2026-11-28T10:15:00.000Z');

/** The record of the `n`th run of `job`, started `n` minutes after 10:15. */
function record(job: string, n: number, fields: Partial<RunRecord> = {}): RunRecord {
  const startedAt = new Date(start + n * 60_000).toISOString();
  return {
    job,
    runId: `${job}-${n}`,
    trigger: 'schedule',
    scheduledTime: startedAt,
    startedAt,
    endedAt: startedAt,
    durationMs: 10 + n,
    outcome: 'succeeded',
    result: { deleted: n, batches: 1, complete: true },
    ...fields,
  };
}

describe('RunHistory', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'run-history-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads back what was written, newest first, one job or all', async () => {
    // Prepare
    const history = new RunHistory({ dir });

    // Act
    await history.append(record('location-cleanup', 1));
    await history.append(record('idempotency-key-purge', 2));
    await history.append(record('location-cleanup', 3));

    // Assess
    expect((await history.read({ limit: 10 })).map((entry) => entry.runId)).toEqual([
      'location-cleanup-3',
      'idempotency-key-purge-2',
      'location-cleanup-1',
    ]);
    expect(
      (await history.read({ job: 'location-cleanup', limit: 1 })).map((entry) => entry.runId),
    ).toEqual(['location-cleanup-3']);
    expect(await history.read({ job: 'never-ran', limit: 10 })).toEqual([]);
    expect((await history.read({ limit: 10 }))[0]).toEqual(record('location-cleanup', 3));
  });

  it('keeps the last maxPerJob runs of each job, in a file of that many lines', async () => {
    // Prepare
    const history = new RunHistory({ dir, maxPerJob: 5 });

    // Act
    for (let n = 1; n <= 8; n++) await history.append(record('location-cleanup', n));
    await history.append(record('idempotency-key-purge', 9));

    // Assess
    expect(
      (await history.read({ job: 'location-cleanup', limit: 100 })).map((entry) => entry.runId),
    ).toEqual([8, 7, 6, 5, 4].map((n) => `location-cleanup-${n}`));
    const lines = (await readFile(join(dir, 'location-cleanup.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(await history.read({ job: 'idempotency-key-purge', limit: 100 })).toHaveLength(1);
  });

  it('loses no run when two writers (a start and a run) write at once: each holds the file’s lock', async () => {
    // Prepare: two histories on one folder, as two processes would have
    const writers = [new RunHistory({ dir }), new RunHistory({ dir })];

    // Act
    await Promise.all(
      Array.from({ length: 20 }, (_, n) => writers[n % 2]?.append(record('location-cleanup', n))),
    );

    // Assess
    expect(
      (await writers[0]?.read({ job: 'location-cleanup', limit: 100 }))?.map((e) => e.runId).sort(),
    ).toEqual(Array.from({ length: 20 }, (_, n) => `location-cleanup-${n}`).sort());
  });

  it('keeps a failed run’s error and its causes, without their stacks', async () => {
    // Prepare
    const history = new RunHistory({ dir });

    // Act
    await history.append(
      record('location-cleanup', 1, {
        outcome: 'failed',
        result: undefined,
        error: {
          name: 'BatchFailedError',
          message: 'batch 1 failed',
          stack: 'BatchFailedError: batch 1 failed\n    at x',
          cause: { name: 'error', message: 'timeout', code: '57014', stack: 'error: timeout' },
        },
      }),
    );

    // Assess
    const [entry] = await history.read({ limit: 1 });
    expect(entry?.error).toEqual({
      name: 'BatchFailedError',
      message: 'batch 1 failed',
      cause: { name: 'error', message: 'timeout', code: '57014' },
    });
  });

  it('passes over a line it cannot read, and leaves no lock or temporary file behind', async () => {
    // Prepare
    const history = new RunHistory({ dir });
    await history.append(record('location-cleanup', 1));
    const file = join(dir, 'location-cleanup.jsonl');
    await import('node:fs/promises').then(({ appendFile }) => appendFile(file, 'not json\n'));

    // Act
    await history.append(record('location-cleanup', 2));

    // Assess
    expect(await history.read({ limit: 10 })).toHaveLength(2);
    expect(await history.jobs()).toEqual(['location-cleanup']);
    await expect(stat(`${file}.lock`)).rejects.toThrow(/ENOENT/);
  });
});
