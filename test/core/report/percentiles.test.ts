import { describe, expect, it } from 'vitest';
import { median, percentile } from '#core/report/percentiles.js';

describe('percentiles (linear interpolation between closest ranks)', () => {
  it('the median of an odd count is the middle value, of an even count the mean of the two middle ones', () => {
    expect(median([7, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('interpolates between the ranks around (n - 1) · p', () => {
    const ten = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    expect(percentile(ten, 0.9)).toBeCloseTo(9.1, 10); // rank 8.1: 9 + 0.1 · (10 - 9)
    expect(percentile([2, 4, 6, 10], 0.9)).toBeCloseTo(8.8, 10); // rank 2.7: 6 + 0.7 · (10 - 6)
    expect(percentile(ten, 0)).toBe(1);
    expect(percentile(ten, 1)).toBe(10);
  });

  it('one value is every percentile; no value is null; non-finite values are left out', () => {
    expect(percentile([42], 0.9)).toBe(42);
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([Number.NaN, 5, Number.POSITIVE_INFINITY], 0.5)).toBe(5);
  });

  it('refuses a percentile outside 0…1', () => {
    expect(() => percentile([1], 90)).toThrow(/between 0 and 1/);
    expect(() => percentile([1], Number.NaN)).toThrow(/between 0 and 1/);
  });
});
