import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StatsInputError, impactBand, monthsOfProgress, standardisedDifferenceFromCounts, standardisedMeanDifference } from './index.js';
import { expectClose } from './test-support.js';

const SEED = 20_261_203;

describe('monthsOfProgress (EEF Teaching and Learning Toolkit conversion)', () => {
  // The Toolkit's table: each month with the smallest and largest effect size (2 dp) that gives it.
  const table: [number, number, number][] = [
    [0, -0.01, 0.01],
    [1, 0.02, 0.09],
    [2, 0.1, 0.18],
    [3, 0.19, 0.26],
    [4, 0.27, 0.35],
    [5, 0.36, 0.44],
    [6, 0.45, 0.52],
    [7, 0.53, 0.61],
    [8, 0.62, 0.69],
    [9, 0.7, 0.78],
    [10, 0.79, 0.87],
    [11, 0.88, 0.95],
    [12, 0.96, 1.0],
  ];
  for (const [months, smallest, largest] of table) {
    it(`months of progress reads ${smallest.toFixed(2)} to ${largest.toFixed(2)} as ${months} months, and the negatives as −${months}`, () => {
      expect(monthsOfProgress(smallest)).toBe(months === 0 ? 0 : months);
      expect(monthsOfProgress(largest)).toBe(months);
      if (months > 0) {
        expect(monthsOfProgress(-smallest)).toBe(-months);
        expect(monthsOfProgress(-largest)).toBe(-months);
      }
    });
  }

  it('months of progress rounds the effect size to 2 decimal places first, half away from zero', () => {
    expect(monthsOfProgress(0.184)).toBe(2);
    expect(monthsOfProgress(0.185)).toBe(3);
    expect(monthsOfProgress(-0.185)).toBe(-3);
    expect(monthsOfProgress(0.0149)).toBe(0);
    expect(monthsOfProgress(0.015)).toBe(1);
    expect(monthsOfProgress(2.4)).toBe(12);
    expect(Object.is(monthsOfProgress(-0.004), 0)).toBe(true);
  });

  it('months of progress never falls as the effect grows, is odd, and stays within ±12 (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true }), (effect, step) => {
        expect(monthsOfProgress(effect + step)).toBeGreaterThanOrEqual(monthsOfProgress(effect));
        expect(monthsOfProgress(-effect) + monthsOfProgress(effect)).toBe(0);
        expect(Math.abs(monthsOfProgress(effect))).toBeLessThanOrEqual(12);
      }),
      { seed: SEED },
    );
  });

  it('months of progress refuses what is not a number', () => {
    expect(() => monthsOfProgress(Number.NaN)).toThrow(StatsInputError);
    expect(() => monthsOfProgress(Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });

  it('impact band uses the Toolkit words for each number of months', () => {
    expect([0, 1, 2, 3, 5, 6, 8, 9, 12, -4].map(impactBand)).toEqual([
      'very low or no impact',
      'low impact',
      'low impact',
      'moderate impact',
      'moderate impact',
      'high impact',
      'high impact',
      'very high impact',
      'very high impact',
      'moderate impact',
    ]);
  });
});

describe("Hedges' g from means and standard deviations, as practice results give them", () => {
  it("Hedges' g matches Borenstein et al. 2009, chapter 4's worked example", () => {
    // Means 103 and 100, SDs 5.5 and 4.5, 50 in each group: d = 0.5970 with variance 0.0418, g = 0.5924.
    // (Borenstein's variance of g, J²·Var(d) = 0.0411, is the same to within the approximation; ours
    // is Hedges and Olkin's (n₁ + n₂)/(n₁n₂) + g²/(2(n₁ + n₂)).)
    const result = standardisedMeanDifference({ count: 50, mean: 103, standardDeviation: 5.5 }, { count: 50, mean: 100, standardDeviation: 4.5 });
    expect(result.uncorrected!.toFixed(4)).toBe('0.5970');
    expect(result.value!.toFixed(4)).toBe('0.5924');
    expect((result.standardError! ** 2).toFixed(4)).toBe('0.0418');
    expect(monthsOfProgress(result.value!)).toBe(7);
  });
});

describe('standardisedDifferenceFromCounts (logit method)', () => {
  it('the log odds ratio and its variance match Borenstein et al. 2009, chapter 5, and scale by √3/π', () => {
    // 5 of 100 treated and 10 of 100 controls had the event: OR 0.4737, ln OR −0.7472, variance 0.3216.
    const result = standardisedDifferenceFromCounts({ numerator: 5, denominator: 100 }, { numerator: 10, denominator: 100 });
    expect(result.oddsRatio!.toFixed(4)).toBe('0.4737');
    const logOdds = result.value! / (Math.sqrt(3) / Math.PI);
    expect(logOdds.toFixed(4)).toBe('-0.7472');
    expect((result.standardError! ** 2 / (3 / Math.PI ** 2)).toFixed(4)).toBe('0.3216');
    expectClose(result.value, Math.log((5 * 90) / (95 * 10)) * (Math.sqrt(3) / Math.PI), 1e-14);
    expectClose(result.lower, result.value! - 1.959963984540054 * result.standardError!, 1e-12);
    expect(result.halfAdded).toBe(false);
  });

  it('the conversion matches Borenstein et al. 2009, chapter 7: ln OR 0.9069 with variance 0.0676 is d 0.5000 with variance 0.0205', () => {
    // Counts with ln OR 0.9069 are not given there; the scaling is checked on the published pair directly.
    const scale = Math.sqrt(3) / Math.PI;
    expect((0.9069 * scale).toFixed(4)).toBe('0.5000');
    expect((0.0676 * scale ** 2).toFixed(4)).toBe('0.0205');
  });

  it('an empty cell adds a half to every cell, and no outcome (or all) in both groups gives no value with the reason', () => {
    const empty = standardisedDifferenceFromCounts({ numerator: 0, denominator: 20 }, { numerator: 5, denominator: 20 });
    expect(empty.halfAdded).toBe(true);
    expectClose(empty.oddsRatio, (0.5 * 15.5) / (20.5 * 5.5), 1e-14);
    expect(standardisedDifferenceFromCounts({ numerator: 0, denominator: 20 }, { numerator: 0, denominator: 30 })).toMatchObject({ value: null, note: 'no child in either group had the outcome' });
    expect(standardisedDifferenceFromCounts({ numerator: 20, denominator: 20 }, { numerator: 30, denominator: 30 })).toMatchObject({ value: null, note: 'every child in both groups had the outcome' });
    expect(standardisedDifferenceFromCounts({ numerator: null, denominator: 20 }, { numerator: 3, denominator: 30 }).value).toBeNull();
  });

  it('counts that cannot be are refused, naming the group', () => {
    expect(() => standardisedDifferenceFromCounts({ numerator: 21, denominator: 20 }, { numerator: 3, denominator: 30 })).toThrow(/group's number with the outcome must be a whole number from 0 to its size 20/);
    expect(() => standardisedDifferenceFromCounts({ numerator: 2, denominator: 20 }, { numerator: 3, denominator: -30 })).toThrow(/comparator's size must be a whole number of at least 1/);
    expect(() => standardisedDifferenceFromCounts({ numerator: 2.5, denominator: 20 }, { numerator: 3, denominator: 30 })).toThrow(StatsInputError);
  });

  it('swapping the groups negates the effect and its interval, and the interval contains the value (property)', () => {
    const counts = fc.integer({ min: 1, max: 400 }).chain((size) => fc.record({ numerator: fc.integer({ min: 0, max: size }), denominator: fc.constant(size) }));
    fc.assert(
      fc.property(counts, counts, (group, comparator) => {
        const forward = standardisedDifferenceFromCounts(group, comparator);
        const backward = standardisedDifferenceFromCounts(comparator, group);
        if (forward.value === null) {
          expect(backward.value).toBeNull();
        } else {
          expectClose(backward.value, -forward.value, 1e-12);
          expectClose(backward.lower, -forward.upper!, 1e-12);
          expect(forward.lower!).toBeLessThan(forward.value);
          expect(forward.upper!).toBeGreaterThan(forward.value);
        }
      }),
      { seed: SEED },
    );
  });
});
