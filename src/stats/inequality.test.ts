import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRandom, slopeIndexOfInequality } from './index.js';
import type { QuantileValue } from './index.js';
import { deepFreeze, expectClose } from './test-support.js';

const SEED = 20_250_108;

// PHEindicatormethods phe_sii documentation example, "Area1": ten deciles (most deprived first) with
// populations, values and standard errors. Reference SII, RII and intercept: weighted least squares by
// numpy.linalg.lstsq on the PHE design (y√a on √a and b√a), and the analytic 95% limits from the same
// linear weights (derive-references.py) — an independent implementation.
const area1: QuantileValue[] = deepFreeze(
  [
    [7291, 75.9, 1.64],
    [7997, 78.3, 1.58],
    [6105, 83.8, 1.51],
    [7666, 83.6, 1.78],
    [5790, 80.5, 1.7],
    [6934, 81.1, 1.56],
    [5918, 81.7, 1.37],
    [5974, 84.2, 1.4],
    [7147, 80.6, 2.43],
    [7534, 86.3, 1.57],
  ].map(([population, value, standardError]) => ({ population: population as number, value, standardError })),
);

describe('slopeIndexOfInequality', () => {
  it('computes the SII, RII and intercept for the PHE example matching an independent least-squares fit', () => {
    const r = slopeIndexOfInequality(area1, { method: 'analytic' });
    expectClose(r.sii.value, 7.00023476007992, 1e-10);
    expectClose(r.rii.value, 1.0897097049119417, 1e-10);
    expectClose(r.intercept, 78.03207876952992, 1e-10);
    expectClose(r.sii.lower, 3.153428895451977, 1e-10);
    expectClose(r.sii.upper, 10.847040624707862, 1e-10);
    expectClose(r.relativeRanks[0], 7291 / 68356 / 2, 1e-14);
  });

  it('gives a seeded simulation interval that repeats exactly and agrees with the analytic interval', () => {
    const a = slopeIndexOfInequality(area1, { seed: 7 });
    const b = slopeIndexOfInequality(area1, { seed: 7 });
    expect(a).toEqual(b);
    expect(slopeIndexOfInequality(area1, { seed: 8 }).sii.lower).not.toBe(a.sii.lower);
    // With 100,000 draws the 2.5th and 97.5th percentiles have Monte Carlo error of about 0.02 here.
    expect(Math.abs((a.sii.lower as number) - 3.153428895451977)).toBeLessThan(0.1);
    expect(Math.abs((a.sii.upper as number) - 10.847040624707862)).toBeLessThan(0.1);
    expect(a.rii.lower as number).toBeLessThan(a.rii.value as number);
    expect(a.rii.upper as number).toBeGreaterThan(a.rii.value as number);
  });

  it('uses standard errors derived from 95% limits on the log scale for rates', () => {
    const rates = area1.map((q) => ({ population: q.population, value: q.value, lower: (q.value as number) / 1.1, upper: (q.value as number) * 1.1 }));
    const analytic = slopeIndexOfInequality(rates, { valueType: 'rate', method: 'analytic' });
    const simulated = slopeIndexOfInequality(rates, { valueType: 'rate', seed: 3 });
    expectClose(analytic.sii.value, 7.00023476007992, 1e-10);
    expect(Math.abs((simulated.sii.lower as number) - (analytic.sii.lower as number))).toBeLessThan(0.5);
  });

  it('recovers the slope of exactly linear data whatever the populations (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 5, maxLength: 20 }),
        fc.double({ min: 1, max: 100, noNaN: true }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        (populations, intercept, slope) => {
          const total = populations.reduce((s, p) => s + p, 0);
          let cumulative = 0;
          const quantiles = populations.map((population) => {
            const rank = (cumulative + population / 2) / total;
            cumulative += population;
            return { population, value: intercept + slope * rank, standardError: 1 };
          });
          const r = slopeIndexOfInequality(quantiles, { method: 'analytic', multiplier: 100 });
          expect(Math.abs((r.sii.value as number) - 100 * slope)).toBeLessThanOrEqual(1e-8 * (1 + Math.abs(100 * slope)));
          expectClose(r.rii.value, (intercept + slope) / intercept, 1e-8);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('inverts the RII when the multiplier is negative, as PHE does', () => {
    const r = slopeIndexOfInequality(area1, { method: 'analytic', multiplier: -1 });
    expectClose(r.sii.value, -7.00023476007992, 1e-10);
    expectClose(r.rii.value, 1 / 1.0897097049119417, 1e-10);
  });

  it('returns missing results when a quantile has no value or no standard error', () => {
    const withGap = area1.map((q, i) => (i === 3 ? { population: q.population, value: null } : q));
    expect(slopeIndexOfInequality(withGap).sii.value).toBeNull();
    const noSe = area1.map((q) => ({ population: q.population, value: q.value }));
    expect(slopeIndexOfInequality(noSe).sii).toEqual({ value: null, lower: null, upper: null });
  });

  it('throws for too few quantiles, a zero population or an out-of-range proportion', () => {
    expect(() => slopeIndexOfInequality(area1.slice(0, 4))).toThrow('an SII needs between 5 and 100 quantiles (got 4)');
    expect(() => slopeIndexOfInequality(area1.map((q, i) => (i === 0 ? { ...q, population: 0 } : q)))).toThrow(/population must be greater than 0/);
    expect(() => slopeIndexOfInequality(area1, { valueType: 'proportion' })).toThrow(/strictly between 0 and 1/);
    expect(() => slopeIndexOfInequality(area1, { repetitions: 10 })).toThrow(/at least 1000 repetitions/);
  });
});

describe('createRandom', () => {
  it('repeats its sequence for a seed and stays strictly inside (0, 1)', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    for (let i = 0; i < 1000; i++) {
      const u = a.uniform();
      expect(u).toBe(b.uniform());
      expect(u).toBeGreaterThan(0);
      expect(u).toBeLessThan(1);
    }
  });

  it('draws standard normal values with mean near 0 and variance near 1', () => {
    const random = createRandom(2024);
    let sum = 0;
    let sumSquares = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const z = random.normal();
      sum += z;
      sumSquares += z * z;
    }
    // Standard errors: 1/√n ≈ 0.003 for the mean, √(2/n) ≈ 0.0045 for the variance.
    expect(Math.abs(sum / n)).toBeLessThan(0.015);
    expect(Math.abs(sumSquares / n - 1)).toBeLessThan(0.025);
  });
});
