import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StatsInputError, gapAgainstWhole, meanDifference, proportionDifference } from './index.js';
import { expectClose } from './test-support.js';

const SEED = 20_261_204;

describe('gapAgainstWhole', () => {
  it('makes the group’s gap against everyone exactly its value minus everyone’s, for a proportion', () => {
    // 40 in the group, 12 meet the outcome; 410 others, 265 do: everyone 277 of 450.
    const rest = proportionDifference({ numerator: 12, denominator: 40 }, { numerator: 265, denominator: 410 }, { multiplier: 100 });
    const whole = gapAgainstWhole(rest, 40, 410);
    expectClose(whole.value, 100 * (12 / 40) - 100 * (277 / 450), 1e-12);
    expectClose(whole.restShare, 410 / 450, 1e-15);
    expectClose(whole.lower, (410 / 450) * rest.lower!, 1e-15);
    expectClose(whole.upper, (410 / 450) * rest.upper!, 1e-15);
  });

  it('does the same for a mean (Welch), the interval narrower than a naive one that ignores the overlap', () => {
    const group = { count: 30, mean: 38, standardDeviation: 12 };
    const others = { count: 270, mean: 47, standardDeviation: 14 };
    const everyone = { count: 300, mean: (30 * 38 + 270 * 47) / 300, standardDeviation: 14 };
    const whole = gapAgainstWhole(meanDifference(group, others), 30, 270);
    expectClose(whole.value, 38 - everyone.mean, 1e-12);
    const naive = meanDifference(group, everyone);
    expect(whole.upper! - whole.lower!).toBeLessThan(naive.upper! - naive.lower!);
  });

  it('is significant exactly when the gap against the rest is, with the value inside its interval (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (nGroup, nRest, pGroup, pRest) => {
        const rest = proportionDifference({ numerator: Math.round(pGroup * nGroup), denominator: nGroup }, { numerator: Math.round(pRest * nRest), denominator: nRest });
        const whole = gapAgainstWhole(rest, nGroup, nRest);
        const excludesZero = (lower: number, upper: number) => lower > 0 || upper < 0;
        expect(excludesZero(whole.lower!, whole.upper!)).toBe(excludesZero(rest.lower!, rest.upper!));
        expect(whole.lower!).toBeLessThanOrEqual(whole.value! + 1e-12);
        expect(whole.upper!).toBeGreaterThanOrEqual(whole.value! - 1e-12);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('keeps a missing interval missing, and needs children', () => {
    expect(gapAgainstWhole({ value: 4, lower: null, upper: null }, 1, 3)).toMatchObject({ value: 3, lower: null, upper: null });
    expect(() => gapAgainstWhole({ value: 1, lower: 0, upper: 2 }, 0, 0)).toThrow(StatsInputError);
    expect(() => gapAgainstWhole({ value: 1, lower: 0, upper: 2 }, -1, 3)).toThrow('the number of children in the group must not be negative (got -1)');
  });
});
