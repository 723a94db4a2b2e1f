import { Logger } from '@aws-lambda-powertools/logger';
import type { CatalogueEntry } from '../functions/catalogue/index.js';
import { type Clock, systemClock } from '../functions/clock.js';
import { JobFailedError, type JobHandler } from '../functions/lambda/create-handler.js';
import { HarnessLog, type MessageLogger } from '../functions/log-messages.js';
import { describeError } from '../functions/runner/errors.js';
import { localContext } from './local-context.js';
import { type CancelTimer, setLongTimeout } from './long-timer.js';
import { triggerPayloadFor } from './trigger-payload.js';

/** A catalogued job and the Lambda handler that runs it. */
export interface LocalJob {
  readonly entry: CatalogueEntry;
  readonly handler: JobHandler;
}

/** Where a {@link Scheduler} is in its life. */
export const SchedulerState = {
  Created: 'created',
  Running: 'running',
  Stopping: 'stopping',
  Stopped: 'stopped',
} as const;
export type SchedulerState = (typeof SchedulerState)[keyof typeof SchedulerState];

/** What a {@link Scheduler} is built from. */
export interface SchedulerOptions {
  /** The jobs to run, each on its catalogue schedule. */
  readonly jobs: readonly LocalJob[];
  /**
   * Time source.
   * @default systemClock
   */
  readonly clock?: Clock;
  /**
   * Where the scheduler's own lines go (the runs log through their handlers).
   * @default - a Powertools Logger, service `local-harness`
   */
  readonly logger?: MessageLogger;
}

/** Options of {@link Scheduler.stop}. */
export interface StopOptions {
  /**
   * How long to wait for running jobs after aborting their signals.
   * @default 30_000
   */
  readonly timeoutMs?: number;
}

/** How a stop went: the jobs that were running when it began, by how they ended. */
export interface StopReport {
  /** Finished within the timeout. */
  readonly settled: readonly string[];
  /** Still running when the timeout passed. */
  readonly abandoned: readonly string[];
}

/** The reason a running job's signal aborts when the scheduler stops. */
export class ShutdownRequested extends Error {
  override readonly name = 'ShutdownRequested';
}

/** Fires missed in one stretch that are looked at, at most (a fast rate after a long sleep). */
const maxMissedFiresCounted = 100_000;

interface Slot {
  readonly job: LocalJob;
  next?: number;
  cancelTimer?: CancelTimer;
  run?: Promise<void>;
  abort?: AbortController;
}

/**
 * Runs catalogued jobs on one machine with the cloud's semantics: each fire invokes the
 * job's Lambda handler in its own async task with what its AWS trigger sends (a rule's
 * Scheduled Event, or a Scheduler schedule's input for a zoned job; a flexible window's job
 * runs at the window's start); a job still running at
 * its next fire is skipped; fires missed while the process could not run are run once; a
 * failed run is logged and the next fire runs normally.
 */
export class Scheduler {
  readonly #clock: Clock;
  readonly #logger: MessageLogger;
  readonly #slots: Map<string, Slot>;
  #state: SchedulerState = SchedulerState.Created;
  #anchor = 0;
  #stopping: Promise<StopReport> | undefined;

  constructor(options: SchedulerOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? new Logger({ serviceName: 'local-harness' });
    this.#slots = new Map(options.jobs.map((job) => [job.entry.name, { job }]));
  }

  /** Where the scheduler is in its life. */
  get state(): SchedulerState {
    return this.#state;
  }

  /** Schedules every job's next fire; `rate()` schedules count from now. */
  start(): void {
    if (this.#state !== SchedulerState.Created) {
      throw new Error(`the scheduler can start once; it is ${this.#state}`);
    }
    this.#state = SchedulerState.Running;
    this.#anchor = this.#clock.now();
    for (const slot of this.#slots.values()) this.#arm(slot, this.#anchor);
    this.#logger.info(HarnessLog.SchedulerStarted, {
      jobs: [...this.#slots.values()].map((slot) => ({
        job: slot.job.entry.name,
        schedule: slot.job.entry.schedule.expression,
        timeZone: slot.job.entry.schedule.timeZone,
        nextRun: iso(slot.next),
      })),
    });
  }

  /** Fires jobs now (all, or those named), as if their schedule had fired. */
  fireNow(names: readonly string[] = [...this.#slots.keys()]): void {
    if (this.#state !== SchedulerState.Running) return;
    for (const name of names) {
      const slot = this.#slots.get(name);
      if (!slot) throw new Error(`unknown job ${JSON.stringify(name)}`);
      this.#fire(slot, this.#clock.now());
    }
  }

  /** Each job's next fire time (epoch ms), `undefined` when its schedule has ended. */
  nextFires(): ReadonlyMap<string, number | undefined> {
    return new Map([...this.#slots].map(([name, slot]) => [name, slot.next]));
  }

  /** The jobs running now. */
  running(): string[] {
    return [...this.#slots].filter(([, slot]) => slot.run).map(([name]) => name);
  }

  /** Resolves when no job is running (runs started meanwhile included). */
  async idle(): Promise<void> {
    for (let runs = this.#runs(); runs.length > 0; runs = this.#runs()) await Promise.all(runs);
  }

  /**
   * Schedules nothing new, aborts the signals of running jobs and waits for them, up to
   * `timeoutMs`. Calling it again returns the same stop.
   */
  stop(options: StopOptions = {}): Promise<StopReport> {
    this.#stopping ??= this.#stop(options.timeoutMs ?? 30_000);
    return this.#stopping;
  }

  async #stop(timeoutMs: number): Promise<StopReport> {
    this.#state = SchedulerState.Stopping;
    const running = [...this.#slots.values()].filter((slot) => slot.run);
    this.#logger.info(HarnessLog.SchedulerStopping, {
      running: running.map((slot) => slot.job.entry.name),
      timeoutMs,
    });
    const settled: string[] = [];
    for (const slot of this.#slots.values()) slot.cancelTimer?.();
    for (const slot of running) {
      slot.abort?.abort(new ShutdownRequested('the local scheduler is stopping'));
      slot.run?.then(() => settled.push(slot.job.entry.name));
    }
    let cancelTimeout: CancelTimer | undefined;
    await Promise.race([
      Promise.all(running.map((slot) => slot.run)),
      new Promise<void>((resolve) => {
        cancelTimeout = setLongTimeout(this.#clock, resolve, timeoutMs);
      }),
    ]);
    cancelTimeout?.();
    // Let `then` callbacks of runs that settled on the same turn record themselves.
    await Promise.resolve();
    const abandoned = running
      .map((slot) => slot.job.entry.name)
      .filter((name) => !settled.includes(name));
    this.#state = SchedulerState.Stopped;
    const report = { settled, abandoned };
    if (abandoned.length > 0) this.#logger.error(HarnessLog.SchedulerAbandoning, { ...report });
    else this.#logger.info(HarnessLog.SchedulerStopped, { ...report });
    return report;
  }

  /** Sets the timer for the job's first fire strictly after `after`. */
  #arm(slot: Slot, after: number): void {
    const { entry } = slot.job;
    slot.next = entry.schedule.next(after, this.#anchor);
    if (slot.next === undefined) {
      this.#logger.info(HarnessLog.ScheduleEnded, {
        job: entry.name,
        schedule: entry.schedule.expression,
      });
      return;
    }
    slot.cancelTimer = setLongTimeout(
      this.#clock,
      () => this.#onTimer(slot),
      slot.next - this.#clock.now(),
    );
  }

  #onTimer(slot: Slot): void {
    slot.cancelTimer = undefined;
    if (this.#state !== SchedulerState.Running || slot.next === undefined) return;
    const now = this.#clock.now();
    const { schedule, name } = slot.job.entry;
    // Every fire time up to now is due; run only the latest of them.
    let latest = slot.next;
    let missed = 0;
    for (
      let fire = schedule.next(latest, this.#anchor);
      fire !== undefined && fire <= now && missed < maxMissedFiresCounted;
      fire = schedule.next(fire, this.#anchor)
    ) {
      latest = fire;
      missed += 1;
    }
    if (missed > 0) {
      this.#logger.warn(HarnessLog.MissedFires, {
        job: name,
        missed,
        firstMissed: iso(slot.next),
        runningFor: iso(latest),
        reason: 'the process could not run at those times (e.g. the machine slept): running once',
      });
    }
    this.#fire(slot, latest);
    this.#arm(slot, Math.max(now, latest));
  }

  /** Starts a run in its own async task, unless the previous run is still going. */
  #fire(slot: Slot, fireTime: number): void {
    const { entry, handler } = slot.job;
    if (slot.run) {
      this.#logger.warn(HarnessLog.FireSkipped, {
        job: entry.name,
        scheduledTime: iso(fireTime),
        reason: 'the previous run is still running',
      });
      return;
    }
    const abort = new AbortController();
    slot.abort = abort;
    slot.run = (async () => {
      try {
        await handler(
          triggerPayloadFor(entry, fireTime),
          localContext(entry, this.#clock, abort.signal),
        );
      } catch (error) {
        // A failed run was logged by the runner; anything else (a rejected event, a bug in
        // the handler) is logged here. Either way the scheduler goes on.
        if (!(error instanceof JobFailedError)) {
          this.#logger.error(HarnessLog.RunFailed, {
            job: entry.name,
            error: describeError(error),
          });
        }
      } finally {
        slot.run = undefined;
        slot.abort = undefined;
      }
    })();
  }

  #runs(): Promise<void>[] {
    return [...this.#slots.values()].flatMap((slot) => (slot.run ? [slot.run] : []));
  }
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
