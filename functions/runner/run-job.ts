import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Clock } from '../clock.js';
import { JobLog } from '../log-messages.js';
import { DeadlineReached, describeError, SkipRun } from './errors.js';
import { runMetrics } from './metric-names.js';
import { type JobContext, type JobResult, Outcome, type RunRecord, type Trigger } from './types.js';

/** One run to carry out. */
export interface RunRequest {
  /** The job's catalogue name. */
  readonly job: string;
  /** The work. Throw `SkipRun` to end as `skipped`. */
  readonly work: (ctx: JobContext) => Promise<JobResult>;
  /** What started the run. */
  readonly trigger: Trigger;
  /**
   * When the run was meant to start.
   * @default - the start time
   */
  readonly scheduledTime?: Date;
  /** When the job's signal aborts (epoch milliseconds). */
  readonly deadline: number;
  /**
   * Aborts the run from outside (e.g. a shutdown); joined with the deadline.
   * @default - only the deadline aborts
   */
  readonly signal?: AbortSignal;
  /**
   * Report what would be done and change nothing.
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * Extra keys for the `job started` line (e.g. the triggering event's id).
   * @default - none
   */
  readonly details?: Readonly<Record<string, unknown>>;
  /**
   * Keys for every line of the run, next to `job` and `runId` (e.g. `cold_start`, which a
   * Powertools child logger would otherwise report as true on every run).
   * @default - none
   */
  readonly logKeys?: Readonly<Record<string, unknown>>;
}

/** What the runner is built from. */
export interface RunnerDependencies {
  readonly clock: Clock;
  /** The parent logger; each run gets a child carrying `job` and `runId`. */
  readonly logger: Logger;
  /** Where run metrics go; published once at the end of every run. */
  readonly metrics: Metrics;
  /**
   * Makes run ids.
   * @default crypto.randomUUID
   */
  readonly newRunId?: () => string;
}

/**
 * Runs a job once and never throws: logs one `job started` and exactly one `job finished`
 * line, publishes the run's metrics, and returns the record of the run.
 */
export async function runJob(request: RunRequest, deps: RunnerDependencies): Promise<RunRecord> {
  const { clock, metrics } = deps;
  const runId = (deps.newRunId ?? randomUUID)();
  const logger = deps.logger.createChild({
    persistentKeys: { ...request.logKeys, job: request.job, runId },
  });
  const startedMs = clock.now();
  const scheduledTime = request.scheduledTime ?? new Date(startedMs);
  const deadline = startDeadline(clock, request.deadline, request.signal);

  logger.info(JobLog.JobStarted, {
    scheduledTime: scheduledTime.toISOString(),
    startedAt: iso(startedMs),
    deadline: iso(request.deadline),
    trigger: request.trigger,
    dryRun: request.dryRun ?? false,
    ...request.details,
  });

  const ctx: JobContext = {
    jobName: request.job,
    runId,
    scheduledTime,
    deadline: new Date(request.deadline),
    trigger: request.trigger,
    dryRun: request.dryRun ?? false,
    signal: deadline.signal,
    logger,
    clock,
    metrics: { add: (name, unit, value) => metrics.addMetric(name, unit, value) },
  };

  let ending: RunEnding;
  try {
    const result = await request.work(ctx);
    ending = { outcome: result.complete === false ? Outcome.CutShort : Outcome.Succeeded, result };
  } catch (thrown) {
    ending = classify(thrown, deadline.signal);
  } finally {
    deadline.dispose();
  }

  const endedMs = clock.now();
  const record: RunRecord = {
    job: request.job,
    runId,
    trigger: request.trigger,
    scheduledTime: scheduledTime.toISOString(),
    startedAt: iso(startedMs),
    endedAt: iso(endedMs),
    durationMs: endedMs - startedMs,
    ...ending,
  };
  const { job: _job, runId: _runId, ...fields } = record;
  if (record.outcome === Outcome.Failed) logger.error(JobLog.JobFinished, fields);
  else logger.info(JobLog.JobFinished, fields);
  publishRunMetrics(metrics, record);
  return record;
}

type RunEnding = Pick<RunRecord, 'outcome' | 'result' | 'error' | 'reason'>;

function classify(thrown: unknown, signal: AbortSignal): RunEnding {
  if (thrown instanceof SkipRun) return { outcome: Outcome.Skipped, reason: thrown.message };
  if (signal.aborted && thrown === signal.reason) {
    return { outcome: Outcome.CutShort, reason: describeError(thrown).message };
  }
  return { outcome: Outcome.Failed, error: describeError(thrown) };
}

function startDeadline(clock: Clock, deadline: number, external?: AbortSignal) {
  const controller = new AbortController();
  const timer = clock.setTimeout(
    () => controller.abort(new DeadlineReached(`deadline ${iso(deadline)} reached`)),
    Math.max(0, deadline - clock.now()),
  );
  const signal = external ? AbortSignal.any([controller.signal, external]) : controller.signal;
  return { signal, dispose: () => clock.clearTimeout(timer) };
}

function publishRunMetrics(metrics: Metrics, record: RunRecord): void {
  const outcomeMetric = {
    [Outcome.Succeeded]: runMetrics.succeeded,
    [Outcome.CutShort]: runMetrics.cutShort,
    [Outcome.Skipped]: runMetrics.skipped,
    [Outcome.Failed]: runMetrics.failures,
  }[record.outcome];
  metrics.addDimension(runMetrics.jobDimension, record.job);
  metrics.addMetric(runMetrics.runs, MetricUnit.Count, 1);
  metrics.addMetric(outcomeMetric, MetricUnit.Count, 1);
  metrics.addMetric(runMetrics.duration, MetricUnit.Milliseconds, record.durationMs);
  metrics.publishStoredMetrics();
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
