import type { Logger } from '@aws-lambda-powertools/logger';
import type { MetricUnit } from '@aws-lambda-powertools/metrics/types';
import type { ClientBase } from 'pg';
import type { Clock } from '../clock.js';
import type { Env } from '../config/env.js';
import type { Fault } from '../errors.js';

/** What started a run: a schedule (EventBridge or the local harness) or a person. */
export type Trigger = 'schedule' | 'manual';

/** How a run ended. */
export const Outcome = {
  /** The job did all its work. */
  Succeeded: 'succeeded',
  /** The job threw; `error` holds the details. */
  Failed: 'failed',
  /** Another run of the same job held its claim; nothing was done. */
  Skipped: 'skipped',
  /** The deadline (or a shutdown) stopped the job between units of work; the next run goes on. */
  CutShort: 'cut_short',
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** A job's JSON summary of what it did. */
export interface JobResult {
  /** `false` when the job stopped early at its deadline; the run is then `cut_short`. */
  readonly complete?: boolean;
  readonly [key: string]: unknown;
}

/** A metric a job reports about its own work (e.g. rows deleted). */
export interface JobMetrics {
  add(name: string, unit: MetricUnit, value: number): void;
}

/** Everything one run of a job gets from the runner. */
export interface JobContext {
  /** The job's catalogue name. */
  readonly jobName: string;
  /** Unique id of this run; on every log line of the run. */
  readonly runId: string;
  /** When the run was meant to start (the schedule's fire time, or now for a manual run). */
  readonly scheduledTime: Date;
  /** When `signal` aborts unless something else aborts it first. */
  readonly deadline: Date;
  /** What started the run. */
  readonly trigger: Trigger;
  /** Report what would be done and change nothing. */
  readonly dryRun: boolean;
  /**
   * Aborts at the deadline or on shutdown. Check it between units of work, finish the unit
   * in progress, and return a result with `complete: false`.
   */
  readonly signal: AbortSignal;
  /** A logger that carries `job` and `runId` on every line. */
  readonly logger: Logger;
  /** The job's own metrics, published with the run's. */
  readonly metrics: JobMetrics;
  /** The clock to read time from. */
  readonly clock: Clock;
}

/** What a job needs besides its context: its validated configuration and a database session. */
export interface JobDependencies<Config> {
  readonly config: Config;
  /** A connected session, owned by the caller: never end it. */
  readonly db: ClientBase;
}

/**
 * A job's logic, independent of where it runs (Lambda or the local harness).
 *
 * @typeParam Config - the job's own settings, read from the environment by `readConfig`.
 */
export interface JobDefinition<Config = unknown, Result extends JobResult = JobResult> {
  /** Reads and validates the job's settings. Throws a `ConfigError` before any work is done. */
  readConfig(env: Env): Config;
  /** Does the work. Must be safe to run twice (EventBridge may deliver an event twice). */
  run(ctx: JobContext, deps: JobDependencies<Config>): Promise<Result>;
}

/** A thrown value, reduced to what a log line needs. */
export interface ErrorDetails {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly cause?: ErrorDetails;
  /** PostgreSQL's SQLSTATE, or a Node.js error code such as `ECONNREFUSED`. */
  readonly code?: string;
  /**
   * `configuration` when a setting or the checked table is at fault (fix it and run again).
   * @default - absent: the run's fault
   */
  readonly fault?: Fault;
}

/** The record of one run: what the `job finished` log line says. */
export interface RunRecord {
  readonly job: string;
  readonly runId: string;
  readonly trigger: Trigger;
  readonly scheduledTime: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationMs: number;
  readonly outcome: Outcome;
  readonly result?: JobResult;
  readonly error?: ErrorDetails;
  /** Why the run was skipped. */
  readonly reason?: string;
}
