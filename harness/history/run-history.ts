/**
 * The local run history: the record of every run that `start` and `run` made, the last
 * `maxPerJob` of each job, in `.local/history/<job>.jsonl` (one run record per line, oldest
 * first). Both commands may write at the same time (a `start` in one terminal, a `run` in
 * another): each write holds the job file's lock (proper-lockfile) while it appends and trims.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import type { Env } from '../../functions/config/env.js';
import type { ErrorDetails, RunRecord } from '../../functions/runner/types.js';

/** Where the history is kept unless `LOCAL_HISTORY_DIR` says otherwise. */
const defaultHistoryDir = join(import.meta.dirname, '..', '..', '.local', 'history');

/** The history folder for this environment: `LOCAL_HISTORY_DIR`, or `.local/history`. */
export function historyDir(env: Env): string {
  return env.LOCAL_HISTORY_DIR?.trim() || defaultHistoryDir;
}

/** A run as the history keeps it: its record, errors without their stacks. */
export type HistoryEntry = Omit<RunRecord, 'error'> & { readonly error?: ErrorSummary };

/** An error without its stack (the log line has it), its causes likewise. */
export interface ErrorSummary {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly cause?: ErrorSummary;
}

/** What a {@link RunHistory} is built from. */
export interface RunHistoryOptions {
  /** The folder holding one `<job>.jsonl` file per job. */
  readonly dir: string;
  /**
   * How many runs of each job are kept; older ones are dropped as new ones come.
   * @default 1_000
   */
  readonly maxPerJob?: number;
}

/** Options of {@link RunHistory.read}. */
export interface HistoryQuery {
  /**
   * Only this job's runs.
   * @default - every job's
   */
  readonly job?: string;
  /** The most runs returned. */
  readonly limit: number;
}

/** The local run history (see the module's comment). */
export class RunHistory {
  readonly dir: string;
  readonly maxPerJob: number;

  constructor(options: RunHistoryOptions) {
    this.dir = options.dir;
    this.maxPerJob = options.maxPerJob ?? 1_000;
  }

  /** Writes of this process, one after the other per job (the lock is for other processes). */
  readonly #writes = new Map<string, Promise<void>>();

  /** Adds a run's record, dropping the job's oldest beyond `maxPerJob`. */
  append(record: RunRecord): Promise<void> {
    const previous = this.#writes.get(record.job) ?? Promise.resolve();
    const write = previous.then(() => this.#append(record));
    const settled = write.catch(() => undefined);
    this.#writes.set(record.job, settled);
    void settled.then(() => {
      if (this.#writes.get(record.job) === settled) this.#writes.delete(record.job);
    });
    return write;
  }

  async #append(record: RunRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.#file(record.job);
    const release = await lockfile.lock(file, {
      realpath: false,
      stale: 10_000,
      retries: { retries: 50, minTimeout: 5, maxTimeout: 100 },
    });
    try {
      const kept = [...(await readLines(file)), JSON.stringify(toEntry(record))].slice(
        -this.maxPerJob,
      );
      // Written aside and renamed over: a reader sees the old file or the new one, never half.
      const next = `${file}.${process.pid}.tmp`;
      await writeFile(next, `${kept.join('\n')}\n`);
      await rename(next, file);
    } finally {
      await release();
    }
  }

  /** Runs newest first (by start time): one job's, or every job's. */
  async read(query: HistoryQuery): Promise<HistoryEntry[]> {
    const jobs = query.job === undefined ? await this.jobs() : [query.job];
    const entries = (
      await Promise.all(jobs.map(async (job) => parseLines(await readLines(this.#file(job)))))
    ).flat();
    return entries
      .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))
      .slice(0, query.limit);
  }

  /** The jobs that have a history. */
  async jobs(): Promise<string[]> {
    const names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    return names.filter((name) => name.endsWith('.jsonl')).map((name) => name.slice(0, -6));
  }

  #file(job: string): string {
    return join(this.dir, `${job}.jsonl`);
  }
}

async function readLines(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Each line a run; a line that does not parse (written by hand?) is passed over. */
function parseLines(lines: readonly string[]): HistoryEntry[] {
  return lines.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as HistoryEntry;
      return typeof entry.startedAt === 'string' && typeof entry.outcome === 'string'
        ? [entry]
        : [];
    } catch {
      return [];
    }
  });
}

function toEntry(record: RunRecord): HistoryEntry {
  const { error, ...rest } = record;
  return error ? { ...rest, error: summary(error) } : rest;
}

function summary(error: ErrorDetails): ErrorSummary {
  return {
    name: error.name,
    message: error.message,
    ...(error.code ? { code: error.code } : {}),
    ...(error.cause ? { cause: summary(error.cause) } : {}),
  };
}
