import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../support/virtual-clock.js';

// VirtualClock.jump (added for the harness's "machine slept" tests) and its effect on advance.
describe('VirtualClock.jump', () => {
  it('moves time without firing timers; they fire late, at the next advance, with the time never going back', () => {
    // Prepare
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 10);
    clock.setTimeout(() => seen.push(clock.now()), 20);

    // Act
    clock.jump(100);
    const afterJump = seen.length;
    clock.advance(0);

    // Assess
    expect(afterJump).toBe(0);
    expect(seen).toEqual([100, 100]);
    expect(clock.now()).toBe(100);
  });

  it('fires late timers in due order before later ones on advanceAsync', async () => {
    // Prepare
    const clock = new VirtualClock(0);
    const seen: [string, number][] = [];
    clock.setTimeout(() => seen.push(['late', clock.now()]), 10);
    clock.setTimeout(() => seen.push(['on time', clock.now()]), 150);

    // Act
    clock.jump(100);
    await clock.advanceAsync(100);

    // Assess
    expect(seen).toEqual([
      ['late', 100],
      ['on time', 150],
    ]);
  });
});
