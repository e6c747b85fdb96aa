import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StatsInputError, standardDeviationFromSums, standardErrorFromLimits, summarise, summaryFromSums, twoSidedZ } from './index.js';
import { expectClose } from './test-support.js';

const SEED = 20_261_203;

const sumsOf = (values: number[]) => ({ n: values.length, sum: values.reduce((a, b) => a + b, 0), sumsq: values.reduce((a, b) => a + b * b, 0) });

describe('standardDeviationFromSums', () => {
  it('gives the sample standard deviation (n − 1) of 1..5, √2.5', () => {
    expectClose(standardDeviationFromSums({ n: 5, sum: 15, sumsq: 55 }), Math.sqrt(2.5), 1e-15);
  });

  it('needs two values, and is zero (not negative or NaN) for equal values whose sums round', () => {
    expect(standardDeviationFromSums({ n: 1, sum: 7, sumsq: 49 })).toBeNull();
    expect(standardDeviationFromSums({ n: 0, sum: 0, sumsq: 0 })).toBeNull();
    expect(standardDeviationFromSums(sumsOf([0.1, 0.1, 0.1]))).toBe(0);
  });

  it('refuses sums that cannot be a sample, saying what', () => {
    expect(() => standardDeviationFromSums({ n: -1, sum: 0, sumsq: 0 })).toThrow(StatsInputError);
    expect(() => standardDeviationFromSums({ n: 2.5, sum: 0, sumsq: 0 })).toThrow('a number of values must be whole (got 2.5)');
    expect(() => standardDeviationFromSums({ n: 2, sum: NaN, sumsq: 0 })).toThrow('a sum must be a finite number');
  });

  it('agrees with Welford’s one-pass summary of the same values (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 90 }), { minLength: 2, maxLength: 200 }), (values) => {
        const direct = summarise(values);
        const fromSums = summaryFromSums(sumsOf(values));
        expect(fromSums.count).toBe(direct.count);
        expectClose(fromSums.mean, direct.mean, 1e-12);
        expect(Math.abs(fromSums.standardDeviation - direct.standardDeviation)).toBeLessThan(1e-9 * Math.max(1, direct.standardDeviation));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('gives a missing mean and spread as summarise does', () => {
    expect(summaryFromSums({ n: 0, sum: 0, sumsq: 0 }).mean).toBeNaN();
    expect(summaryFromSums({ n: 1, sum: 4, sumsq: 16 })).toMatchObject({ count: 1, mean: 4, standardDeviation: NaN });
  });
});

describe('standardErrorFromLimits', () => {
  it('inverts a 95% normal interval: SE = (U − L)/(2 × 1.959964)', () => {
    // PHEindicatormethods assign_trend_markers example, year 1: 28.98 to 32.25.
    expectClose(standardErrorFromLimits(28.98, 32.25), (32.25 - 28.98) / (2 * 1.959963984540054), 1e-14);
    expectClose(standardErrorFromLimits(-1, 1, 0.998), 1 / 3.090232306167813, 1e-14);
  });

  it('gives back the standard error an interval was built from (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1000, max: 1000, noNaN: true }), fc.double({ min: 0.001, max: 100, noNaN: true }), fc.constantFrom(0.9, 0.95, 0.99, 0.998), (centre, se, confidence) => {
        const z = twoSidedZ(confidence);
        expectClose(standardErrorFromLimits(centre - z * se, centre + z * se, confidence), se, 1e-9);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('has none for a missing limit or an interval without width, and refuses an inverted one', () => {
    expect(standardErrorFromLimits(null, 3)).toBeUndefined();
    expect(standardErrorFromLimits(2, 2)).toBeUndefined();
    expect(() => standardErrorFromLimits(3, 2)).toThrow('an upper confidence limit must not be below the lower (got 3 to 2)');
    expect(() => standardErrorFromLimits(1, 2, 95)).toThrow(/did you mean 0.95/);
  });
});
