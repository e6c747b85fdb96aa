import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { byarLimits, crudeRate, exactPoissonLimits } from './index.js';
import { deepFreeze, expectClose } from './test-support.js';

const SEED = 20_250_103;

describe('crude rate with exact and Byar intervals', () => {
  it('computes the exact limits for 0 and 1 events matching their closed forms', () => {
    // For O = 0 the upper limit is χ²₀.₉₇₅(2)/2 = −ln 0.025; for O = 1 the lower is χ²₀.₀₂₅(2)/2 = −ln 0.975
    // (the chi-square with 2 df is exponential). Garwood F. Fiducial limits for the Poisson distribution.
    // Biometrika 1936;28:437–442.
    const zero = exactPoissonLimits(0);
    expect(zero.lower).toBe(0);
    expectClose(zero.upper, -Math.log(0.025), 1e-14);
    expectClose(exactPoissonLimits(1).lower, -Math.log(0.975), 1e-13);
  });

  it('computes exact 95% limits for small counts matching high-precision references', () => {
    // mpmath chi-square quantiles (derive-references.py). Printed tables of exact Poisson limits (e.g.
    // Breslow & Day 1987, Table 2.10 style) give 5 → 1.62–11.67 and 9 → 4.12–17.08.
    expectClose(exactPoissonLimits(1).upper, 5.571643390938899);
    expectClose(exactPoissonLimits(5).lower, 1.6234863901184204);
    expectClose(exactPoissonLimits(5).upper, 11.66833207932267);
    expectClose(exactPoissonLimits(8).lower, 3.4538321767485014);
    expectClose(exactPoissonLimits(8).upper, 15.763189220193315);
  });

  it('computes a rate per 100,000 with the exact method below 10 events, as PHE phe_rate', () => {
    // PHEindicatormethods phe_rate example data: obs 9, pop 10,000. Limits = exact limits × 100000/10000.
    const r = crudeRate(9, 10_000);
    expect(r.method).toBe('exact');
    expectClose(r.value, 90, 1e-15);
    expectClose(r.lower, 41.153730973783325);
    expectClose(r.upper, 170.8480345141917);
  });

  it('computes a 99.8% exact interval matching high-precision references', () => {
    const r = crudeRate(7, 10_000, { confidence: 0.998, multiplier: 100 });
    expectClose(r.lower, 1.520336260398809 / 100);
    expectClose(r.upper, 19.62617739538424 / 100);
  });

  it("computes Byar's limits from 10 events matching high-precision references", () => {
    // Breslow & Day (1987) p. 69 formula evaluated with mpmath; PHE phe_rate example counts 48 and 82.
    const ten = crudeRate(10, 1);
    expect(ten.method).toBe('byar');
    expectClose(ten.lower, 4.787449913967562 * 100_000);
    expectClose(byarLimits(48).lower, 35.38847472053199);
    expectClose(byarLimits(48).upper, 63.64243860687617);
    const r = crudeRate(82, 10_000);
    expectClose(r.lower, 652.1491165809668);
    expectClose(r.upper, 1017.8483940118895);
    const high = byarLimits(750, 0.998);
    expectClose(high.lower, 668.20508973341);
    expectClose(high.upper, 838.550147883351);
  });

  it('returns a missing result for a missing count, as PHE treats NA', () => {
    const r = crudeRate(null, 100);
    expect([r.value, r.lower, r.upper, r.method]).toEqual([null, null, null, null]);
  });

  it('throws for a negative count or a zero denominator', () => {
    expect(() => crudeRate(-1, 100)).toThrow(/must not be negative/);
    expect(() => crudeRate(3, 0)).toThrow('a rate needs a denominator greater than 0 (got 0)');
    expect(() => byarLimits(0)).toThrow(/at least 1 event/);
  });

  it('contains its estimate and widens with confidence (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 10_000_000 }), (count, population) => {
        const r95 = crudeRate(count, population);
        const r998 = crudeRate(count, population, { confidence: 0.998 });
        expect(r95.lower as number).toBeLessThanOrEqual(r95.value as number);
        expect(r95.upper as number).toBeGreaterThan(r95.value as number);
        expect(r998.lower as number).toBeLessThanOrEqual(r95.lower as number);
        expect(r998.upper as number).toBeGreaterThan(r95.upper as number);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('does not mutate frozen options', () => {
    expect(crudeRate(12, 5000, deepFreeze({ confidence: 0.95, multiplier: 1000 })).value).toBe(2.4);
  });
});
