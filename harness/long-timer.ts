import type { Clock, TimerHandle } from '../functions/clock.js';

/** The longest delay Node's `setTimeout` honours (about 24.8 days); longer ones fire at once. */
export const maxTimerDelayMs = 2 ** 31 - 1;

/** Cancels a timer set by {@link setLongTimeout}. */
export type CancelTimer = () => void;

/**
 * Like `clock.setTimeout`, for any delay: a delay longer than {@link maxTimerDelayMs} is
 * covered by a chain of shorter timers, each re-reading the clock, so the callback fires at
 * the due time and never early.
 */
export function setLongTimeout(clock: Clock, callback: () => void, delayMs: number): CancelTimer {
  const due = clock.now() + Math.max(0, delayMs);
  let handle: TimerHandle | undefined;
  const step = () => {
    const left = due - clock.now();
    if (left <= 0) {
      handle = undefined;
      callback();
      return;
    }
    handle = clock.setTimeout(step, Math.min(left, maxTimerDelayMs));
  };
  handle = clock.setTimeout(step, Math.min(Math.max(0, delayMs), maxTimerDelayMs));
  return () => {
    if (handle !== undefined) clock.clearTimeout(handle);
    handle = undefined;
  };
}
