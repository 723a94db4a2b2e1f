import { describe, expect, it } from 'vitest';
import { maxTimerDelayMs, setLongTimeout } from '../../../harness/long-timer.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { nodeLikeClock } from './node-like-clock.js';

describe('setLongTimeout', () => {
  it('fires a delay of 40 days at its due time, not before, under Node’s timer limit', () => {
    // Prepare: a delay over the limit given to Node's setTimeout would fire after 1 ms
    const virtual = new VirtualClock(0);
    const clock = nodeLikeClock(virtual);
    const fired: number[] = [];
    const delay = 40 * 24 * 3_600_000;

    // Act
    setLongTimeout(clock, () => fired.push(clock.now()), delay);
    virtual.advance(maxTimerDelayMs);
    const afterFirstLeg = fired.length;
    virtual.advance(delay - maxTimerDelayMs - 1);
    const justBefore = fired.length;
    virtual.advance(1);

    // Assess
    expect(afterFirstLeg).toBe(0);
    expect(justBefore).toBe(0);
    expect(fired).toEqual([delay]);
    expect(Math.max(...clock.delays)).toBeLessThanOrEqual(maxTimerDelayMs);
  });

  it('can be cancelled in any leg of the chain', () => {
    // Prepare
    const virtual = new VirtualClock(0);
    const clock = nodeLikeClock(virtual);
    let fired = false;
    const cancel = setLongTimeout(
      clock,
      () => {
        fired = true;
      },
      3 * maxTimerDelayMs,
    );

    // Act
    virtual.advance(maxTimerDelayMs + 5);
    cancel();
    virtual.advance(3 * maxTimerDelayMs);

    // Assess
    expect(fired).toBe(false);
    expect(virtual.pendingTimers).toBe(0);
  });

  it('fires a short delay with a single timer', () => {
    // Prepare
    const clock = new VirtualClock(1_000);
    const fired: number[] = [];

    // Act
    setLongTimeout(clock, () => fired.push(clock.now()), 250);
    clock.advance(250);

    // Assess
    expect(fired).toEqual([1_250]);
  });
});
