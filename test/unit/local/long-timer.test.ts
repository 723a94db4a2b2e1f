import { describe, expect, it } from 'vitest';
import { maxTimerDelayMs, setLongTimeout } from '../../../functions/local/long-timer.js';
import { VirtualClock } from '../../../functions/virtual-clock.js';

describe('setLongTimeout', () => {
  it('fires a delay of 40 days at its due time, not before', () => {
    // Prepare
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    const delay = 40 * 24 * 3_600_000;

    // Act
    setLongTimeout(clock, () => fired.push(clock.now()), delay);
    clock.advance(maxTimerDelayMs);
    const afterFirstLeg = fired.length;
    clock.advance(delay - maxTimerDelayMs - 1);
    const justBefore = fired.length;
    clock.advance(1);

    // Assess
    expect(afterFirstLeg).toBe(0);
    expect(justBefore).toBe(0);
    expect(fired).toEqual([delay]);
  });

  it('can be cancelled in any leg of the chain', () => {
    // Prepare
    const clock = new VirtualClock(0);
    let fired = false;
    const cancel = setLongTimeout(
      clock,
      () => {
        fired = true;
      },
      3 * maxTimerDelayMs,
    );

    // Act
    clock.advance(maxTimerDelayMs + 5);
    cancel();
    clock.advance(3 * maxTimerDelayMs);

    // Assess
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
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
