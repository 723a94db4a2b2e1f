/**
 * Between batches, holds a purge back while the primary's standbys lag: a backlog deleted at
 * full speed writes WAL faster than a read replica may replay it (5 million rows are about
 * 300 MB), and the backend's reads on the replica go stale meanwhile. While a standby's
 * `replay_lag` passes the job's maximum, no new batch starts; the purge goes on once every
 * standby is back under it, or stops when the run's signal aborts (its deadline): the wait
 * counts against the run's time like a batch does.
 *
 * Cheap when there is nothing to wait for: it looks at the standbys at most once per
 * `checkIntervalMs` of the run's clock (a second by default) (one catalog query, none in a run shorter than that),
 * and not at all once it knows the job's role cannot read their lag.
 */
import type { ClientBase } from 'pg';
import type { Clock } from '../clock.js';
import type { TransactionLimits } from '../db/transaction.js';
import { JobLog } from '../log-messages.js';
import type { Notice } from './batch-runner.js';
import { readStandbyLag, type StandbyLag } from './standby-lag.js';

/** How often the standbys are looked at while the purge waits for them, on the run's clock. */
export const replicaLagPollMs = 1_000;

/** What a {@link ReplicaLagGate} needs. */
export interface ReplicaLagGateOptions {
  /** The run's session (the primary). */
  readonly db: ClientBase;
  /** The run's clock: the checks' spacing and the waits are on it. */
  readonly clock: Clock;
  /** The run's signal (its deadline, a shutdown): a wait ends when it aborts. */
  readonly signal: AbortSignal;
  /** No new batch starts while a standby lags more than this many seconds (≥ 1). */
  readonly maxLagSeconds: number;
  /** The variable that sets the maximum (`<PREFIX>_MAX_REPLICA_LAG_SECONDS`), for messages. */
  readonly variable: string;
  /** Limits of the lag query's transaction. */
  readonly limits: TransactionLimits;
  /**
   * The least time between two looks at the standbys while batches run, on `clock`: the first
   * look comes after the first batch that ends this long after the gate was made; 0 looks
   * after every batch (`replicaLagCheckIntervalMs` of the settings).
   */
  readonly checkIntervalMs: number;
  /**
   * Told when the purge pauses and resumes, and, once, when the lag cannot be read.
   * @default - nothing is told
   */
  readonly onNotice?: Notice;
}

/** Holds a purge's batches back while a standby lags; see the module's comment. */
export class ReplicaLagGate {
  readonly #options: ReplicaLagGateOptions;
  #lastCheck: number;
  #waitedMs = 0;
  #blind = false;
  #stoppedReason: string | undefined;

  constructor(options: ReplicaLagGateOptions) {
    this.#options = options;
    this.#lastCheck = options.clock.now();
  }

  /** How long the purge has waited for standbys so far, in milliseconds of the run's clock. */
  get waitedMs(): number {
    return this.#waitedMs;
  }

  /**
   * Why the purge stopped while it waited (its signal aborted then: the deadline, a shutdown),
   * naming the standby and its lag.
   * @default - undefined: no wait was cut off
   */
  get stoppedReason(): string | undefined {
    return this.#stoppedReason;
  }

  /**
   * Called between two batches. Returns at once unless a look at the standbys is due; when
   * one lags more than the maximum, waits (on the clock, looking again every
   * {@link replicaLagPollMs}) until none does or the signal aborts. Never throws: a
   * lag that cannot be read is warned about once, and the purge goes on unpaused.
   */
  async betweenBatches(): Promise<void> {
    const { clock, signal } = this.#options;
    if (this.#blind || signal.aborted) return;
    if (clock.now() - this.#lastCheck < this.#options.checkIntervalMs) return;
    let lagging = await this.#laggingStandby();
    if (!lagging) return;
    const pausedAt = clock.now();
    this.#notice(JobLog.ReplicaLagPause, 'warn', {
      ...lagFields(lagging),
      maxLagSeconds: this.#options.maxLagSeconds,
      setting: this.#options.variable,
    });
    let last: StandbyLag = lagging;
    while (lagging && !signal.aborted) {
      last = lagging;
      await pause(clock, replicaLagPollMs, signal);
      if (!signal.aborted) lagging = await this.#laggingStandby();
    }
    const waitedMs = clock.now() - pausedAt;
    this.#waitedMs += waitedMs;
    if (signal.aborted) {
      this.#stoppedReason =
        `${abortReason(signal)} while waiting for standby ${describeStandby(last)}, ` +
        `${formatSeconds(last.lagSeconds)} behind: more than ${this.#options.variable} (${this.#options.maxLagSeconds} s)`;
      return;
    }
    this.#notice(JobLog.ReplicaCaughtUp, 'info', { standby: last.standby, waitedMs });
  }

  /** The standby that lags the most past the maximum, if any; looks at them now. */
  async #laggingStandby(): Promise<StandbyLag | undefined> {
    const { db, limits, maxLagSeconds, variable } = this.#options;
    this.#lastCheck = this.#options.clock.now();
    let reading: Awaited<ReturnType<typeof readStandbyLag>>;
    try {
      reading = await readStandbyLag(db, limits);
    } catch (error) {
      this.#blind = true;
      this.#notice(JobLog.ReplicaLagUnreadable, 'warn', {
        reason: `reading the standbys' lag failed: ${error instanceof Error ? error.message : String(error)}`,
        consequence: `batches are not paused for standbys in this run (${variable})`,
      });
      return undefined;
    }
    if (reading.standbys.length === 0 && reading.hidden.length > 0) {
      this.#blind = true;
      this.#notice(JobLog.ReplicaLagUnreadable, 'warn', {
        standbys: reading.hidden,
        reason: `the role ${reading.role} may not read the standbys' lag in pg_stat_replication (every figure is NULL to it)`,
        consequence: `batches are not paused for standbys (${variable})`,
        fix: `GRANT pg_read_all_stats TO ${db.escapeIdentifier(reading.role)}`,
      });
      return undefined;
    }
    let worst: StandbyLag | undefined;
    for (const standby of reading.standbys) {
      if (standby.lagSeconds <= maxLagSeconds) continue;
      if (!worst || standby.lagSeconds > worst.lagSeconds) worst = standby;
    }
    return worst;
  }

  #notice(
    message: Parameters<Notice>[0],
    level: 'info' | 'warn',
    fields: Readonly<Record<string, unknown>>,
  ): void {
    this.#options.onNotice?.(message, fields, level);
  }
}

/** Resolves after `ms` on `clock`, or as soon as `signal` aborts. */
function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clock.clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function lagFields(standby: StandbyLag) {
  return {
    standby: standby.standby,
    ...(standby.clientAddr ? { clientAddr: standby.clientAddr } : {}),
    lagSeconds: Math.round(standby.lagSeconds * 1_000) / 1_000,
    bytesBehind: standby.bytesBehind,
  };
}

/** `replica-a (10.0.0.5)`. */
function describeStandby(standby: StandbyLag): string {
  return standby.clientAddr ? `${standby.standby} (${standby.clientAddr})` : standby.standby;
}

function formatSeconds(seconds: number): string {
  return `${seconds.toFixed(1)} s`;
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : String(reason ?? 'the run was stopped');
}
