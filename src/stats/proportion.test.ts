import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StatsInputError, proportion, wilsonInterval } from './index.js';
import { deepFreeze, expectClose } from './test-support.js';

const SEED = 20_250_102;

describe('proportion with Wilson score interval', () => {
  // Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven methods.
  // Statistics in Medicine 1998;17:857–872, Table I, method 3 (Wilson score without continuity
  // correction), printed to 4 dp: 81/263 → 0.2553 to 0.3662; 15/148 → 0.0624 to 0.1605;
  // 0/20 → 0.0000 to 0.1611; 1/29 → 0.0061 to 0.1718. The 1e-8 references are the same formula evaluated
  // with mpmath at 50 digits (src/stats/reference/derive-references.py) and agree with the printed values.
  const table: [number, number, number, number, number, number][] = [
    [81, 263, 0.2553, 0.3662, 0.2552885198782742, 0.36620957698280004],
    [15, 148, 0.0624, 0.1605, 0.06238639953073628, 0.16048724172330803],
    [0, 20, 0, 0.1611, 0, 0.16112515805281938],
    [1, 29, 0.0061, 0.1718, 0.00611321429276266, 0.17175521879320288],
  ];
  for (const [x, n, printedLower, printedUpper, lower, upper] of table) {
    it(`computes the 95% Wilson interval for ${x}/${n} matching Newcombe 1998a Table I`, () => {
      const result = proportion(x, n);
      expectClose(result.value, x / n, 1e-15);
      expect(result.lower?.toFixed(4)).toBe(printedLower.toFixed(4));
      expect(result.upper?.toFixed(4)).toBe(printedUpper.toFixed(4));
      expectClose(result.lower, lower);
      expectClose(result.upper, upper);
    });
  }

  it('computes a 99.8% interval as a percentage matching the high-precision reference', () => {
    // mpmath Wilson formula with z = Φ⁻¹(0.999), times 100.
    const result = proportion(81, 263, { confidence: 0.998, multiplier: 100 });
    expectClose(result.value, 8100 / 263, 1e-15);
    expectClose(result.lower, 22.803574024200476);
    expectClose(result.upper, 40.13894219093696);
    expect(result).toMatchObject({ numerator: 81, denominator: 263, confidence: 0.998, multiplier: 100, method: 'wilson' });
  });

  it('returns exact limits 0 and 1 at the extremes', () => {
    expect(proportion(0, 5).lower).toBe(0);
    expect(proportion(5, 5).upper).toBe(1);
  });

  it('returns a missing result for a missing numerator or denominator', () => {
    for (const [x, n] of [[null, 10], [3, undefined], [Number.NaN, 10], [3, Number.NaN]] as const) {
      const result = proportion(x, n);
      expect(result.value).toBeNull();
      expect(result.lower).toBeNull();
      expect(result.upper).toBeNull();
    }
  });

  it('throws for invalid counts and options, saying what was wrong', () => {
    expect(() => proportion(0, 0)).toThrow('a proportion needs a denominator of at least 1 (got 0)');
    expect(() => proportion(5, 4)).toThrow(/numerator must not exceed its denominator \(got 5 out of 4\)/);
    expect(() => proportion(-1, 4)).toThrow(/must not be negative/);
    expect(() => proportion(1, 4, { confidence: 95 })).toThrow(/strictly between 0 and 1.*did you mean 0.95/);
    expect(() => proportion(1, 4, { multiplier: 0 })).toThrow(StatsInputError);
    expect(() => wilsonInterval(1, Infinity)).toThrow(/finite/);
  });

  const counts = fc
    .integer({ min: 1, max: 1_000_000 })
    .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));
  const level = fc.double({ min: 0.5, max: 0.9999, noNaN: true });

  it('contains its estimate and stays within [0, multiplier] (property)', () => {
    fc.assert(
      fc.property(counts, level, fc.constantFrom(1, 100, 1000), ([x, n], confidence, multiplier) => {
        const r = proportion(x, n, { confidence, multiplier });
        expect(r.lower).not.toBeNull();
        expect(r.lower as number).toBeLessThanOrEqual(r.value as number);
        expect(r.upper as number).toBeGreaterThanOrEqual(r.value as number);
        expect(r.lower as number).toBeGreaterThanOrEqual(0);
        expect(r.upper as number).toBeLessThanOrEqual(multiplier);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('mirrors its interval when successes and failures are swapped (property)', () => {
    fc.assert(
      fc.property(counts, level, ([x, n], confidence) => {
        const a = wilsonInterval(x, n, confidence);
        const b = wilsonInterval(n - x, n, confidence);
        expect(Math.abs(a.lower - (1 - b.upper))).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(a.upper - (1 - b.lower))).toBeLessThanOrEqual(1e-12);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('widens when the confidence level is higher (property)', () => {
    fc.assert(
      fc.property(counts, level, level, ([x, n], c1, c2) => {
        fc.pre(Math.abs(c1 - c2) > 1e-6);
        const [low, high] = c1 < c2 ? [c1, c2] : [c2, c1];
        const narrow = wilsonInterval(x, n, low);
        const wide = wilsonInterval(x, n, high);
        expect(wide.lower).toBeLessThanOrEqual(narrow.lower);
        expect(wide.upper).toBeGreaterThanOrEqual(narrow.upper);
        expect(wide.upper - wide.lower).toBeGreaterThan(narrow.upper - narrow.lower);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('does not mutate frozen options', () => {
    const options = deepFreeze({ confidence: 0.95, multiplier: 100 });
    expect(() => proportion(3, 10, options)).not.toThrow();
  });
});
