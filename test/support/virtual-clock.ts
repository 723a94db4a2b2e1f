import type { Clock, TimerHandle } from '../../functions/clock.js';

interface Timer {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
}

/**
 * A clock that only moves when told to, for tests and simulations. Timers fire in due
 * order (ties in the order they were set), with `now()` equal to their due time.
 */
export class VirtualClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: Timer[] = [];

  /** @param start - the initial time, epoch milliseconds or a Date */
  constructor(start: number | Date = 0) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, due: this.#now + Math.max(0, ms), callback };
    // Keep the list sorted by due time, stable for equal times.
    const index = this.#timers.findIndex((other) => other.due > timer.due);
    this.#timers.splice(index === -1 ? this.#timers.length : index, 0, timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id?: number }).id;
    this.#timers = this.#timers.filter((timer) => timer.id !== id);
  }

  /** Timers set and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** When the next timer is due, if any. */
  nextDue(): number | undefined {
    return this.#timers[0]?.due;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way (including
   * timers set by those callbacks), synchronously.
   */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (let timer = this.#takeDue(target); timer; timer = this.#takeDue(target)) {
      this.#now = Math.max(this.#now, timer.due);
      timer.callback();
    }
    this.#now = target;
  }

  /**
   * Like {@link advance}, but lets promise callbacks and I/O callbacks run after each
   * timer, so async work started by a timer progresses before the next one fires.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (let timer = this.#takeDue(target); timer; timer = this.#takeDue(target)) {
      this.#now = Math.max(this.#now, timer.due);
      timer.callback();
      await settle();
    }
    this.#now = target;
  }

  /**
   * Moves time forward by `ms` without firing any timer, as when the machine sleeps: timers
   * that fell due meanwhile fire late, at the next `advance`.
   */
  jump(ms: number): void {
    this.#now += ms;
  }

  /** Moves time to an absolute instant (see {@link advanceAsync}). */
  async advanceToAsync(instant: number | Date): Promise<void> {
    const target = typeof instant === 'number' ? instant : instant.getTime();
    await this.advanceAsync(Math.max(0, target - this.#now));
  }

  #takeDue(target: number): Timer | undefined {
    const [first] = this.#timers;
    if (!first || first.due > target) return undefined;
    this.#timers.shift();
    return first;
  }
}

/** One turn of the event loop: pending promise reactions and immediate callbacks run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
