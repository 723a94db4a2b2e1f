import type { Clock } from '../../../functions/clock.js';
import { maxTimerDelayMs } from '../../../harness/long-timer.js';
import type { VirtualClock } from '../../support/virtual-clock.js';

/** A {@link Clock} over a virtual one that also records the delays it was asked for. */
export interface NodeLikeClock extends Clock {
  /** Every delay passed to `setTimeout`, in order. */
  readonly delays: readonly number[];
}

/**
 * The virtual clock's time with Node's timer limit: like Node's `setTimeout`, a delay longer
 * than 2^31-1 ms fires after 1 ms instead. Code that does not chain long delays fires early
 * on this clock, as it would in production.
 */
export function nodeLikeClock(virtual: VirtualClock): NodeLikeClock {
  const delays: number[] = [];
  return {
    delays,
    now: () => virtual.now(),
    setTimeout: (callback, ms) => {
      delays.push(ms);
      return virtual.setTimeout(callback, ms > maxTimerDelayMs ? 1 : ms);
    },
    clearTimeout: (handle) => virtual.clearTimeout(handle),
  };
}
