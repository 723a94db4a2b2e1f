/**
 * A benchmark's latest figures, in one file that each run rewrites: `bench/results/<name>.md`,
 * with the date, the machine and the tables the run printed. No history in the file: git keeps
 * it (`git log -p bench/results/<name>.md`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, platform, totalmem } from 'node:os';
import { join } from 'node:path';

/** Where the results files live. */
export const resultsDir = join(import.meta.dirname, '..', 'results');

/** What a results file says about the machine a run was on. */
export interface Machine {
  /** Cores Node.js may use. */
  readonly cores: number;
  /** The CPU's model name, as the OS reports it. */
  readonly cpu: string;
  /** Total memory, bytes. */
  readonly memoryBytes: number;
  /** `linux x64`. */
  readonly os: string;
  /** The 1-minute load average when the run ended: how busy the (possibly shared) machine was. */
  readonly load: number;
  /** `v24.1.0`. */
  readonly node: string;
  /**
   * The server the run measured, e.g. `18.4, embedded, throw-away (fsync off)`.
   * @default - the benchmark uses no database
   */
  readonly postgres?: string;
}

/** This machine, with the PostgreSQL a run used (if any). */
export function thisMachine(postgres?: string): Machine {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() || 'unknown CPU',
    memoryBytes: totalmem(),
    os: `${platform()} ${process.arch}`,
    load: loadavg()[0] ?? 0,
    node: process.version,
    ...(postgres ? { postgres } : {}),
  };
}

/** One run's results file. */
export interface Results {
  /** The benchmark's name: `npm run bench -- <name>`. */
  readonly name: string;
  /** What it measures, one sentence. */
  readonly about: string;
  /** When the run ended. */
  readonly date: Date;
  readonly machine: Machine;
  /** The flags the run was given (`--rows 200000`); none means the defaults. */
  readonly flags: readonly string[];
  /** Whether every target was met. */
  readonly targetsMet: boolean;
  /** What the run printed: its tables. */
  readonly printed: string;
}

/** The results file's Markdown. */
export function renderResults(results: Results): string {
  const { machine } = results;
  const memory = `${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB`;
  const flags = results.flags.length > 0 ? `\`${results.flags.join(' ')}\`` : 'none (defaults)';
  return [
    `# Benchmark \`${results.name}\`: latest run`,
    '',
    `${results.about}`,
    '',
    `Rewritten by \`npm run bench -- ${results.name}\` at the end of each run (\`bench/common/results-file.ts\`); earlier runs are in git: \`git log -p bench/results/${results.name}.md\`.`,
    '',
    `- date: ${results.date.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- machine: ${machine.cores} cores (${machine.cpu}), ${memory}, ${machine.os}; load average ${machine.load.toFixed(2)} at the end`,
    `- Node.js: ${machine.node}`,
    `- PostgreSQL: ${machine.postgres ?? 'not used'}`,
    `- flags: ${flags}`,
    `- targets: ${results.targetsMet ? 'all met' : 'at least one MISSED'}`,
    '',
    '```text',
    results.printed.trimEnd(),
    '```',
    '',
  ].join('\n');
}

/**
 * What a benchmark prints, kept for its results file: `print` writes a line to stdout as
 * `console.log` does and keeps it; `save` writes the file.
 */
export class BenchReport {
  readonly #lines: string[] = [];
  #postgres: string | undefined;

  constructor(
    /** The benchmark's name: `npm run bench -- <name>`. */
    readonly name: string,
    /** What it measures, one sentence, the file's first line. */
    readonly about: string,
  ) {}

  /** Prints a line (or several, joined with spaces as `console.log` does) and keeps it. */
  print(...parts: unknown[]): void {
    const line = parts.map(String).join(' ');
    console.log(line);
    this.#lines.push(line);
  }

  /** The PostgreSQL server the run measures, for the machine line. */
  usesPostgres(description: string): void {
    this.#postgres = description;
  }

  /**
   * Writes `bench/results/<name>.md`.
   *
   * @returns the file's path.
   */
  async save(flags: readonly string[], targetsMet: boolean, dir = resultsDir): Promise<string> {
    const file = join(dir, `${this.name}.md`);
    await mkdir(dir, { recursive: true });
    await writeFile(
      file,
      renderResults({
        name: this.name,
        about: this.about,
        date: new Date(),
        machine: thisMachine(this.#postgres),
        flags,
        targetsMet,
        printed: this.#lines.join('\n'),
      }),
    );
    console.log(`results written to ${file}`);
    return file;
  }
}
