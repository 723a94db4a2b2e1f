import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BenchReport, renderResults } from '../../../bench/common/results-file.js';

const machine = {
  cores: 2,
  cpu: 'AMD EPYC',
  memoryBytes: 8 * 2 ** 30,
  os: 'linux x64',
  load: 1.5,
  node: 'v24.1.0',
};

describe('a benchmark results file', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the date, the machine, the flags and the printed tables', () => {
    // Act
    const text = renderResults({
      name: 'cleanup',
      about: 'How fast the cleanup deletes.',
      date: new Date('2027-03-01T12:34:56Z'),
      machine: { ...machine, postgres: '18.4, embedded' },
      flags: ['--rows', '200000'],
      targetsMet: false,
      printed: 'method  wall\n------  ----\nours    1 s\n',
    });

    // Assess
    expect(text).toContain('# Benchmark `cleanup`: latest run');
    expect(text).toContain('- date: 2027-03-01 12:34 UTC');
    expect(text).toContain(
      '- machine: 2 cores (AMD EPYC), 8.0 GiB, linux x64; load average 1.50 at the end',
    );
    expect(text).toContain('- Node.js: v24.1.0');
    expect(text).toContain('- PostgreSQL: 18.4, embedded');
    expect(text).toContain('- flags: `--rows 200000`');
    expect(text).toContain('- targets: at least one MISSED');
    expect(text).toContain('```text\nmethod  wall\n------  ----\nours    1 s\n```\n');
  });

  it('says when a benchmark uses no database and was run with the defaults', () => {
    const text = renderResults({
      name: 'scheduler',
      about: 'A simulated year.',
      date: new Date('2027-03-01T00:00:00Z'),
      machine,
      flags: [],
      targetsMet: true,
      printed: 'x',
    });

    expect(text).toContain('- PostgreSQL: not used');
    expect(text).toContain('- flags: none (defaults)');
    expect(text).toContain('- targets: all met');
  });

  it('is written by the report with what the run printed', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'bench-results-'));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const report = new BenchReport('demo', 'A demo.');
    report.usesPostgres('18.4, from DATABASE_URL');

    try {
      // Act
      report.print('first', 'line');
      report.print('second line');
      const file = await report.save([], true, dir);

      // Assess
      expect(file).toBe(join(dir, 'demo.md'));
      const text = await readFile(file, 'utf8');
      expect(text).toContain('```text\nfirst line\nsecond line\n```');
      expect(text).toContain('- PostgreSQL: 18.4, from DATABASE_URL');
      expect(console.log).toHaveBeenCalledWith('first line');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
