import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { meanFunnelLimits } from './index.js';
import { deepFreeze, expectClose } from './test-support.js';

const SEED = 20_250_612;
// Two-sided critical values Φ⁻¹(0.975) and Φ⁻¹(0.999), checked with Python’s statistics.NormalDist().inv_cdf.
const z95 = 1.959963984540054;
const z998 = 3.090232306167813;

describe('meanFunnelLimits', () => {
  it('computes θ ∓ zσ/√n for θ = 100, σ = 15, n = 25 by hand', () => {
    // σ/√n = 15/5 = 3, so the limits are 100 ∓ 3 × 1.959963984540054 and 100 ∓ 3 × 3.090232306167813 (evaluated in Python).
    const [point] = meanFunnelLimits(100, 15, deepFreeze([25]));
    const [l95, l998] = point?.limits ?? [];
    expect(point?.denominator).toBe(25);
    expect(l95?.confidence).toBe(0.95);
    expectClose(l95?.lower, 94.12010804637984);
    expectClose(l95?.upper, 105.87989195362016);
    expect(l998?.confidence).toBe(0.998);
    expectClose(l998?.lower, 90.72930308149657);
    expectClose(l998?.upper, 109.27069691850343);
  });

  it('computes the limits at several denominators and levels as asked', () => {
    // θ = 50, σ = 20: at n = 1 the standard error is 20, at n = 100 it is 2.
    const [one, hundred] = meanFunnelLimits(50, 20, [1, 100], { confidences: [0.95] });
    expectClose(one?.limits[0]?.upper, 50 + 20 * z95);
    expectClose(hundred?.limits[0]?.lower, 50 - 2 * z95);
    expect(one?.limits).toHaveLength(1);
  });

  it('gives the target itself as every limit when σ is 0', () => {
    const [point] = meanFunnelLimits(7.5, 0, [10]);
    expect(point?.limits.map((level) => [level.lower, level.upper])).toEqual([
      [7.5, 7.5],
      [7.5, 7.5],
    ]);
  });

  it('is symmetric about the target, widens as n falls and widens with confidence (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        (target, sd, a, b) => {
          const [smaller, larger] = [Math.min(a, b), Math.max(a, b)];
          const [small, large] = meanFunnelLimits(target, sd, [smaller, larger]);
          const [s95, s998] = small?.limits ?? [];
          const [b95, b998] = large?.limits ?? [];
          const tolerance = 1e-9 * (1 + Math.abs(target));
          for (const level of [s95, s998, b95, b998]) {
            expect(Math.abs(target - (level?.lower as number) - ((level?.upper as number) - target))).toBeLessThanOrEqual(tolerance);
          }
          expect((s998?.upper as number) - target).toBeCloseTo(((s95?.upper as number) - target) * (z998 / z95), 6);
          expect((s95?.upper as number) - (s95?.lower as number)).toBeGreaterThanOrEqual((b95?.upper as number) - (b95?.lower as number) - tolerance);
          expect((s998?.upper as number) - (s998?.lower as number)).toBeGreaterThanOrEqual((b998?.upper as number) - (b998?.lower as number) - tolerance);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('throws for a negative σ, a denominator below 1 or a level given as a percentage', () => {
    expect(() => meanFunnelLimits(100, -1, [10])).toThrow(/must not be negative/);
    expect(() => meanFunnelLimits(100, 15, [0])).toThrow("a funnel plot's denominator must be a whole number of at least 1 (got 0)");
    expect(() => meanFunnelLimits(100, 15, [2.5])).toThrow(/whole number/);
    expect(() => meanFunnelLimits(100, 15, [10], { confidences: [95] })).toThrow(/did you mean 0.95/);
    expect(() => meanFunnelLimits(Number.NaN, 15, [10])).toThrow(/finite/);
  });
});
