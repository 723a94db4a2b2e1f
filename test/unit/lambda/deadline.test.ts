import { describe, expect, it } from 'vitest';
import { deadlineMargin } from '../../../functions/lambda/deadline.js';

describe('deadlineMargin', () => {
  it.each([
    [300_000, 30_000],
    [900_000, 30_000],
    [60_000, 6_000],
    [5_000, 1_000],
    [0, 1_000],
  ])('keeps back a tenth of %i ms, between 1 s and 30 s: %i ms', (remaining, margin) => {
    expect(deadlineMargin(remaining)).toBe(margin);
  });
});
