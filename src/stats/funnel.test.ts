import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { funnelLimits, wilsonInterval } from './index.js';
import { deepFreeze, expectClose } from './test-support.js';

const SEED = 20_250_111;

describe('funnelLimits', () => {
  it('computes the PHE (Wilson) limits for θ = 0.3, n = 100 matching θ ∓ z√(θ(1 − θ)/n)', () => {
    // PHEindicatormethods sigma_adjustment(0.975, 100, 0.3, ...) evaluates to 0.21018316681457944 and
    // 0.38981683318542054 (checked in Python with its formula); mpmath θ ∓ z√(θ(1−θ)/n) agrees.
    const [point] = funnelLimits(0.3, deepFreeze([100]));
    const [l95, l998] = point?.limits ?? [];
    expectClose(l95?.lower, 0.21018316681457944);
    expectClose(l95?.upper, 0.38981683318542054);
    expect(l998?.confidence).toBe(0.998);
  });

  it('puts the target exactly on the Wilson interval of an observation at a Wilson limit', () => {
    // The defining property: an area observed at the limit has the target at the end of its Wilson interval.
    const n = 400;
    const [point] = funnelLimits(0.3, [n]);
    const upper = point?.limits[0]?.upper as number;
    expectClose(wilsonInterval(upper * n, n).lower, 0.3, 1e-12);
  });

  it("computes Spiegelhalter's exact binomial limits for θ = 0.3, n = 50 matching high-precision references", () => {
    // Spiegelhalter (2005) Appendix A.1.1 interpolation, evaluated with mpmath binomial sums.
    const [point] = funnelLimits(0.3, [50], { method: 'exact' });
    expectClose(point?.limits[0]?.lower, 0.16613938031193448);
    expectClose(point?.limits[0]?.upper, 0.4201358867168804);
    expectClose(point?.limits[1]?.lower, 0.10312998454753805);
    expectClose(point?.limits[1]?.upper, 0.4990695885480359);
  });

  it('scales limits by the multiplier', () => {
    const [point] = funnelLimits(0.3, [100], { multiplier: 100, confidences: [0.95] });
    expectClose(point?.limits[0]?.lower, 21.018316681457943);
  });

  it('contains the target, narrows as the denominator grows and widens with confidence (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }),
        fc.constantFrom<'wilson' | 'exact'>('wilson', 'exact'),
        (theta, n, method) => {
          const [small, large] = funnelLimits(theta, [n, n * 4], { method });
          const [s95, s998] = small?.limits ?? [];
          const [b95] = large?.limits ?? [];
          // Exact limits need a non-trivial expected count to straddle θ (see the function's documentation).
          if (method === 'wilson' || (n * theta >= 5 && n * (1 - theta) >= 5)) {
            expect(s95?.lower as number).toBeLessThanOrEqual(theta + 1e-12);
            expect(s95?.upper as number).toBeGreaterThanOrEqual(theta - 1e-12);
          }
          expect(s95?.lower as number).toBeGreaterThanOrEqual(0);
          expect(s95?.upper as number).toBeLessThanOrEqual(1);
          expect(s998?.lower as number).toBeLessThanOrEqual((s95?.lower as number) + 1e-12);
          expect(s998?.upper as number).toBeGreaterThanOrEqual((s95?.upper as number) - 1e-12);
          if (method === 'wilson') expect((b95?.upper as number) - (b95?.lower as number)).toBeLessThanOrEqual((s95?.upper as number) - (s95?.lower as number) + 1e-12);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('throws for a target outside [0, 1] or a denominator below 1', () => {
    expect(() => funnelLimits(1.2, [10])).toThrow(/between 0 and 1/);
    expect(() => funnelLimits(0.2, [0])).toThrow("a funnel plot's denominator must be a whole number of at least 1 (got 0)");
  });
});
