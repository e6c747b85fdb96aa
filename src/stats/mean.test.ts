import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { meanFromSummary, meanFromValues, summarise } from './index.js';
import { deepFreeze, expectClose } from './test-support.js';

const SEED = 20_250_104;

describe('mean with Student-t interval', () => {
  it('computes the interval for 1..5 matching R t.test', () => {
    // R: t.test(1:5) prints "95 percent confidence interval: 1.036757 4.963243". The 1e-8 reference is
    // 3 ∓ t₀.₉₇₅(4) √(2.5/5) with mpmath (derive-references.py).
    const values = deepFreeze([1, 2, 3, 4, 5]);
    const r = meanFromValues(values);
    expectClose(r.value, 3, 1e-15);
    expectClose(r.lower, 1.0367568385224424);
    expectClose(r.upper, 4.963243161477558);
    expect(r.degreesOfFreedom).toBe(4);
    expect(r.lower?.toFixed(6)).toBe('1.036757');
  });

  it('gives the same interval from raw values and from summary statistics', () => {
    const s = summarise([1, 2, 3, 4, 5]);
    expectClose(s.standardDeviation, Math.sqrt(2.5), 1e-15);
    const fromSummary = meanFromSummary({ count: 5, mean: 3, standardDeviation: Math.sqrt(2.5) });
    expectClose(fromSummary.upper, 4.963243161477558);
  });

  it('skips missing raw values and returns a missing result when none are present', () => {
    expectClose(meanFromValues([1, null, 2, Number.NaN, 3, undefined, 4, 5]).lower, 1.0367568385224424);
    expect(meanFromValues([null, Number.NaN]).value).toBeNull();
    expect(meanFromSummary({ count: 10, mean: null, standardDeviation: 2 }).lower).toBeNull();
  });

  it('throws when fewer than 2 values are present or the summary is invalid', () => {
    expect(() => meanFromValues([4])).toThrow("a mean's interval needs at least 2 values (got 1)");
    expect(() => meanFromSummary({ count: 1.5, mean: 2, standardDeviation: 1 })).toThrow(/whole number of at least 2/);
    expect(() => meanFromSummary({ count: 5, mean: 2, standardDeviation: -1 })).toThrow(/must not be negative/);
    expect(() => meanFromValues([1, Infinity])).toThrow(/finite/);
  });

  it('contains its estimate and widens with confidence (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 50 }), (values) => {
        const r95 = meanFromValues(values);
        const r998 = meanFromValues(values, { confidence: 0.998 });
        expect(r95.lower as number).toBeLessThanOrEqual(r95.value as number);
        expect(r95.upper as number).toBeGreaterThanOrEqual(r95.value as number);
        expect(r998.lower as number).toBeLessThanOrEqual(r95.lower as number);
        expect(r998.upper as number).toBeGreaterThanOrEqual(r95.upper as number);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
