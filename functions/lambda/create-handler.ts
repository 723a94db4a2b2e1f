import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type pg from 'pg';
import type { ClientConfig } from 'pg';
import { type Clock, systemClock } from '../clock.js';
import type { Env } from '../config/env.js';
import { boundStatements } from '../db/bounded-client.js';
import { readDatabaseLocation, readDatabaseUrl } from '../db/database-location.js';
import type { AuthTokenSigner } from '../db/iam-auth-token.js';
import {
  claimJob,
  claimsTable,
  claimsTableDdl,
  claimsTableGrant,
  releaseClaim,
} from '../db/job-claim.js';
import type { SecretSource } from '../db/rds-secret.js';
import { DatabaseSession } from '../db/session.js';
import { SqlState, sqlStateOf } from '../db/sqlstate.js';
import { assertWritable, ReadOnlyServerError } from '../db/writable-server.js';
import { Fault, MaintenanceError } from '../errors.js';
import { JobLog } from '../log-messages.js';
import { describeError, SkipRun } from '../runner/errors.js';
import { runMetrics } from '../runner/metric-names.js';
import { runJob } from '../runner/run-job.js';
import {
  type JobContext,
  type JobDefinition,
  type JobResult,
  Outcome,
  type RunRecord,
} from '../runner/types.js';
import { ColdStart } from './cold-start.js';
import { deadlineMargin } from './deadline.js';
import { InvalidEventError, parseJobEvent } from './event.js';

/**
 * What a handler is invoked with. In Lambda: Lambda's context, whose function name, ARN,
 * memory and request id Powertools adds to every log line. The local harness passes only
 * what it can tell truthfully: the remaining time, and a signal that aborts the run on
 * shutdown (Lambda never sets it); its log lines then carry no Lambda fields but `cold_start`.
 */
export type JobHandlerContext = Pick<Context, 'getRemainingTimeInMillis'> &
  Partial<Omit<Context, 'getRemainingTimeInMillis'>> & { readonly shutdownSignal?: AbortSignal };

/**
 * A job's Lambda entry point. Resolves with the run's record; rejects when the run failed.
 * Lambda only calls the function; the local harness and tests also use the two methods.
 */
export type JobHandler = ((event: unknown, context: JobHandlerContext) => Promise<RunRecord>) & {
  /**
   * Validates the job's configuration (and `DATABASE_URL`, when set) now; throws the
   * `ConfigError` a run would fail with.
   */
  checkConfig(): void;
  /** Ends the handler's database session, if one is open. */
  close(): Promise<void>;
  /**
   * The same job's handler (a new instance: its own session, its first run a cold start) with
   * `overrides` on top of this one's configuration: how the local harness points handlers at
   * its database without writing into `process.env`.
   */
  withEnv(overrides: Env): JobHandler;
};

/** Overrides for tests; production uses the defaults. */
export interface JobHandlerOptions {
  /**
   * Configuration source.
   * @default process.env
   */
  readonly env?: Env;
  /**
   * Time source.
   * @default systemClock
   */
  readonly clock?: Clock;
  /**
   * Parent logger (JSON lines on stdout).
   * @default - a Powertools Logger for the service
   */
  readonly logger?: Logger;
  /**
   * Metrics sink (embedded metric format on stdout).
   * @default - Powertools Metrics in the service's namespace
   */
  readonly metrics?: Metrics;
  /**
   * Where the database secret comes from when `DB_SECRET_ARN` is used.
   * @default - Secrets Manager
   */
  readonly secrets?: SecretSource;
  /**
   * TLS in AWS (a secret or IAM authentication).
   * @default - verified TLS (see `verifiedTls`)
   */
  readonly ssl?: ClientConfig['ssl'];
  /**
   * Signs each new connection's token with IAM authentication (`DB_AUTH=iam`).
   * @default - `@aws-sdk/rds-signer`, imported on the first token
   */
  readonly signer?: AuthTokenSigner;
}

/** The server takes no writes: checked before the run, or a write refused during it. */
function isReadOnly(error: unknown): boolean {
  return (
    error instanceof ReadOnlyServerError || sqlStateOf(error) === SqlState.ReadOnlySqlTransaction
  );
}

/**
 * A run ended `failed`; thrown so that Lambda counts the error, retries, then dead-letters. Its
 * fault is the run's error's (a setting or the table's check: the configuration).
 */
export class JobFailedError extends MaintenanceError {
  override readonly name = 'JobFailedError';
  override readonly fault: Fault;

  constructor(readonly record: RunRecord) {
    super(`${record.job} failed: ${record.error?.name}: ${record.error?.message}`, {
      cause: record.error,
    });
    this.fault = record.error?.fault ?? Fault.Run;
  }
}

/**
 * Builds the Lambda handler for a job: validates the event, sets the deadline from the
 * remaining time, reads the job's configuration, opens (or reuses) the database session,
 * checks that the server takes writes, claims the job (see `claimJob`), and runs the job
 * through the runner, with every statement it sends outside a transaction bounded (see
 * `boundStatements`). Nothing is set on the session itself: it may be a pooler's.
 */
export function createJobHandler<Config, Result extends JobResult>(
  jobName: string,
  job: JobDefinition<Config, Result>,
  options: JobHandlerOptions = {},
): JobHandler {
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  // POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE, when set, win over these.
  const serviceName = env.POWERTOOLS_SERVICE_NAME || runMetrics.serviceName;
  const logger = options.logger ?? new Logger({ serviceName });
  const metrics =
    options.metrics ??
    new Metrics({
      namespace: env.POWERTOOLS_METRICS_NAMESPACE || runMetrics.namespace,
      serviceName,
    });
  let session: DatabaseSession | undefined;
  const coldStarts = new ColdStart(env);

  async function handler(event: unknown, context: JobHandlerContext): Promise<RunRecord> {
    // Fields the context lacks (all of Lambda's, locally) are left out of the log lines.
    logger.addContext(context as Context);
    const coldStart = coldStarts.nextInvocation();
    let invocation: ReturnType<typeof parseJobEvent>;
    try {
      invocation = parseJobEvent(event);
    } catch (error) {
      if (error instanceof InvalidEventError) {
        logger.error(JobLog.EventRejected, { job: jobName, error: describeError(error) });
      }
      throw error;
    }

    const remainingMs = context.getRemainingTimeInMillis();
    // Lambda stops the run here at the latest: the claim lapses then.
    const hardEnd = clock.now() + remainingMs;
    const record = await runJob(
      {
        job: jobName,
        trigger: invocation.trigger,
        ...(invocation.trigger === 'schedule'
          ? { scheduledTime: invocation.scheduledTime, details: invocation.details }
          : {}),
        deadline: hardEnd - deadlineMargin(remainingMs),
        dryRun: invocation.dryRun,
        logKeys: { cold_start: coldStart },
        ...(context.shutdownSignal ? { signal: context.shutdownSignal } : {}),
        work: async (ctx) => {
          const config = job.readConfig(env);
          session ??= new DatabaseSession({
            location: readDatabaseLocation(env),
            applicationName: jobName,
            logger,
            ...(options.secrets ? { secrets: options.secrets } : {}),
            ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
            ...(options.signer ? { signer: options.signer } : {}),
          });
          const db = await session.client();
          try {
            await assertWritable(db);
            return await claimed(ctx, db, hardEnd, () =>
              job.run(ctx, { config, db: boundStatements(db) }),
            );
          } catch (error) {
            // A standby (or a read-only database): the next run connects afresh.
            if (isReadOnly(error)) await session?.close();
            throw error;
          }
        },
      },
      { clock, logger, metrics },
    );
    if (record.outcome === Outcome.Failed) throw new JobFailedError(record);
    return record;
  }

  /**
   * Runs `work` holding the job's claim until `expiresAt`, and releases it after; ends the run
   * `skipped` while another run's claim is live.
   */
  async function claimed<T>(
    ctx: JobContext,
    db: pg.Client,
    expiresAt: number,
    work: () => Promise<T>,
  ): Promise<T> {
    const claim = await claimJob(db, {
      job: jobName,
      runId: ctx.runId,
      now: clock.now(),
      expiresAt,
    });
    if (claim.kind === 'held') {
      throw new SkipRun(
        `another run of this job holds its claim${claim.until ? ` until ${claim.until}` : ''}`,
      );
    }
    if (claim.kind === 'unavailable') {
      // Safe to go on: every job must be safe to run twice at once (EventBridge may deliver an
      // event twice; the purges delete and count each row once), and reserved concurrency 1
      // keeps Lambda from running two anyway. Refusing would leave expired rows in place.
      const consequence = 'two runs of this job may overlap; each row is still deleted once';
      if (claim.reason === 'missing') {
        ctx.logger.warn(JobLog.ClaimTableMissing, {
          table: claimsTable,
          consequence,
          fix: `${claimsTableDdl}; or: npm run jobs -- run ${jobName} --migrate`,
        });
      } else {
        ctx.logger.warn(JobLog.ClaimTableDenied, {
          table: claimsTable,
          consequence,
          fix: `${claimsTableGrant} <the job's role>`,
        });
      }
      return work();
    }
    if (claim.takenOver) {
      ctx.logger.warn(JobLog.ClaimTakenOver, {
        previousRunId: claim.takenOver.runId,
        expiredAt: claim.takenOver.expiredAt,
        reason: 'that run ended without releasing its claim (it crashed or was killed)',
      });
    }
    try {
      return await work();
    } finally {
      await release(ctx, db, expiresAt);
    }
  }

  /**
   * Deletes the run's claim. When its connection failed (often why the run failed), once more
   * on a new one: otherwise Lambda's retry, a minute later, would be skipped until the claim
   * expires. If that fails too, the claim lapses at `expiresAt`.
   */
  async function release(ctx: JobContext, db: pg.Client, expiresAt: number): Promise<void> {
    try {
      await releaseClaim(db, jobName, ctx.runId);
    } catch {
      try {
        await session?.close();
        const fresh = await session?.client();
        if (fresh) await releaseClaim(fresh, jobName, ctx.runId);
      } catch (error) {
        ctx.logger.warn(JobLog.ClaimNotReleased, {
          expiresAt: new Date(expiresAt).toISOString(),
          error: describeError(error),
        });
      }
    }
  }

  return Object.assign(handler, {
    checkConfig: () => {
      readDatabaseUrl(env);
      job.readConfig(env);
    },
    close: async () => {
      await session?.close();
      session = undefined;
    },
    withEnv: (overrides: Env) =>
      createJobHandler(jobName, job, { ...options, env: { ...env, ...overrides } }),
  });
}
