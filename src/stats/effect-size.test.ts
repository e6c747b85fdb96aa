import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { childrenBeyondMean, cohensH, standardDeviationFromMeanInterval } from './effect-size.js';
import { StatsInputError } from './errors.js';
import { meanFromSummary } from './mean.js';

describe('cohensH', () => {
  // Cohen J. Statistical power analysis for the behavioral sciences, 2nd ed., 1988, table 6.2.2: φ = 2·arcsin√P.
  const phi: [number, number][] = [
    [0.05, 0.451],
    [0.1, 0.6435],
    [0.2, 0.9273],
    [0.3, 1.1593],
    [0.4, 1.3694],
    [0.5, 1.5708],
    [0.6, 1.7722],
    [0.7, 1.9823],
    [0.8, 2.2143],
    [0.9, 2.4981],
  ];

  it.each(phi)('gives φ(%f) − φ(0) = %f (Cohen 1988, table 6.2.2)', (p, expected) => {
    expect(cohensH(p, 0)).toBeCloseTo(expected, 4);
  });

  it('is the difference of the tabulated φ values: h(0.65, 0.45) = 1.8755 − 1.4706', () => {
    expect(cohensH(0.65, 0.45)).toBeCloseTo(0.4049, 4);
  });

  it('is antisymmetric, zero for equal proportions, and missing when a proportion is (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
        expect(cohensH(a, b)! + cohensH(b, a)!).toBeCloseTo(0, 12);
        expect(cohensH(a, a)).toBe(0);
        expect(Math.abs(cohensH(a, b)!)).toBeLessThanOrEqual(Math.PI + 1e-12);
      }),
    );
    expect(cohensH(null, 0.5)).toBeNull();
  });

  it('refuses a proportion outside [0, 1], naming the side', () => {
    expect(() => cohensH(1.2, 0.5)).toThrow(new StatsInputError("the group's proportion must be between 0 and 1 (got 1.2)"));
  });
});

describe('standardDeviationFromMeanInterval', () => {
  it('gives back the standard deviation behind meanFromSummary’s interval (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 100_000 }), fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 0.01, max: 50, noNaN: true }), (count, mean, sd) => {
        const interval = meanFromSummary({ count, mean, standardDeviation: sd });
        expect(standardDeviationFromMeanInterval(interval.lower, interval.upper, count)).toBeCloseTo(sd, 6);
      }),
    );
  });

  it('refuses a count below 2 and limits the wrong way round', () => {
    expect(() => standardDeviationFromMeanInterval(1, 2, 1)).toThrow(StatsInputError);
    expect(() => standardDeviationFromMeanInterval(2, 1, 10)).toThrow(/below the lower/);
    expect(standardDeviationFromMeanInterval(null, 2, 10)).toBeNull();
  });
});

describe('childrenBeyondMean', () => {
  // Cohen 1988, table 2.2.1: U3 = 57.9% at d = 0.2, 69.1% at 0.5, 78.8% at 0.8, 84.1% at 1.0.
  it.each([
    [0.2, 57.9],
    [0.5, 69.1],
    [0.8, 78.8],
    [1.0, 84.1],
  ])('at d = %f is n·(U3 − ½) with U3 = %f%% (Cohen 1988, table 2.2.1)', (d, u3) => {
    expect(childrenBeyondMean(d, 1000)).toBeCloseTo(1000 * (u3 / 100 - 0.5), -0.5);
    expect(childrenBeyondMean(-d, 1000)).toBeCloseTo(childrenBeyondMean(d, 1000), 9);
  });

  it('never exceeds half the children (property)', () => {
    fc.assert(fc.property(fc.double({ min: -10, max: 10, noNaN: true }), fc.nat(1_000_000), (d, n) => {
        expect(childrenBeyondMean(d, n)).toBeLessThanOrEqual(n / 2);
      }),
    );
  });
});
