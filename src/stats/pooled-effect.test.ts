import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StatsInputError, chiSquareUpperTail, poolEffects, standardErrorFromInterval, standardisedMeanDifference, twoSidedZ } from './index.js';
import type { StudyEffect } from './index.js';
import { deepFreeze, expectClose } from './test-support.js';

const SEED = 20_261_204;
const Z95 = 1.959963984540054;

describe('poolEffects against Borenstein et al. 2009, chapter 14, dataset 1 (Hedges\' g)', () => {
  // Treated mean, SD, n; control mean, SD, n — the six studies of the worked example.
  const dataset1: [string, number, number, number, number, number, number][] = [
    ['Carroll', 94, 22, 60, 92, 20, 60],
    ['Grant', 98, 21, 65, 92, 22, 65],
    ['Peck', 98, 28, 40, 88, 26, 40],
    ['Donat', 94, 19, 200, 82, 17, 200],
    ['Stewart', 98, 21, 50, 88, 22, 45],
    ['Young', 96, 21, 85, 92, 22, 85],
  ];
  const studies: StudyEffect[] = dataset1.map(([, m1, s1, n1, m2, s2, n2]) => {
    const g = standardisedMeanDifference({ count: n1, mean: m1, standardDeviation: s1 }, { count: n2, mean: m2, standardDeviation: s2 });
    return { value: g.value!, standardError: g.standardError! };
  });
  const pooled = poolEffects(studies);

  it('reproduces the book\'s fixed-effect M = 0.4150, random-effects M* = 0.3585 and T² = 0.0372, with df = 5', () => {
    expect(pooled.fixed.value.toFixed(4)).toBe('0.4150');
    expect(pooled.random.value.toFixed(4)).toBe('0.3585');
    expect(pooled.tauSquared.toFixed(4)).toBe('0.0372');
    expect(pooled.df).toBe(5);
    expect(pooled.studies).toBe(6);
  });

  it('gives Q = 11.9138 and I² = 58.03% where the figures quoted for the book are Q = 11.7080 and I² = 57.29%', () => {
    // Not a published value: recorded so that a change shows. Q = 11.7080 cannot come from these six
    // studies together with T² = 0.0372, since T² = (Q − df)/C and C = ΣW − ΣW²/ΣW ≈ 185.7 here
    // (≈ 187.7 with the book's variance of g, J²·Var(d)); 0.0372 × 185.7 + 5 = 11.91. See docs/methods.md.
    expect(pooled.q.toFixed(4)).toBe('11.9138');
    expect(pooled.iSquared!.toFixed(4)).toBe('0.5803');
    expectClose(pooled.iSquared, (pooled.q - 5) / pooled.q, 1e-14);
    expectClose(pooled.pHeterogeneity, chiSquareUpperTail(pooled.q, 5), 1e-14);
  });
});

describe('poolEffects against metafor (rma, method "DL") and Stata metan with dat.bcg', () => {
  // Colditz et al. 1994, the BCG vaccine trials as metafor/metadat's dat.bcg: tpos, tneg, cpos, cneg.
  const bcg: [number, number, number, number][] = [
    [4, 119, 11, 128],
    [6, 300, 29, 274],
    [3, 228, 11, 209],
    [62, 13536, 248, 12619],
    [33, 5036, 47, 5761],
    [180, 1361, 372, 1079],
    [8, 2537, 10, 619],
    [505, 87886, 499, 87892],
    [29, 7470, 45, 7232],
    [17, 1699, 65, 1600],
    [186, 50448, 141, 27197],
    [5, 2493, 3, 2338],
    [27, 16886, 29, 17825],
  ];
  // escalc(measure = "RR"): log risk ratio, variance 1/a − 1/(a + b) + 1/c − 1/(c + d).
  const logRiskRatios = bcg.map(([a, b, c, d]) => ({
    value: Math.log(a / (a + b) / (c / (c + d))),
    standardError: Math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)),
  }));
  // escalc(measure = "OR"): log odds ratio, variance 1/a + 1/b + 1/c + 1/d.
  const logOddsRatios = bcg.map(([a, b, c, d]) => ({ value: Math.log((a * d) / (b * c)), standardError: Math.sqrt(1 / a + 1 / b + 1 / c + 1 / d) }));

  it('log risk ratios: fixed −0.4303 (−0.5097 to −0.3509), Q 152.2330; DL −0.7141 (−1.0644 to −0.3638), τ² 0.3088, I² 92.1173%', () => {
    const result = poolEffects(logRiskRatios);
    expect(result.fixed.value.toFixed(4)).toBe('-0.4303');
    expect(result.fixed.lower.toFixed(4)).toBe('-0.5097');
    expect(result.fixed.upper.toFixed(4)).toBe('-0.3509');
    expect((result.fixed.value / result.fixed.standardError).toFixed(4)).toBe('-10.6247');
    expect(result.q.toFixed(4)).toBe('152.2330');
    expect(result.df).toBe(12);
    expect(result.random.value.toFixed(4)).toBe('-0.7141');
    expect(result.random.lower.toFixed(4)).toBe('-1.0644');
    expect(result.random.upper.toFixed(4)).toBe('-0.3638');
    expect((result.random.value / result.random.standardError).toFixed(4)).toBe('-3.9952');
    expect(result.tauSquared.toFixed(4)).toBe('0.3088');
    expect((100 * result.iSquared!).toFixed(4)).toBe('92.1173');
    expect(result.pHeterogeneity!).toBeLessThan(1e-20);
  });

  it('log odds ratios: fixed −0.4361 (−0.5190 to −0.3533), Q 163.1649; DL −0.7474 (−1.1242 to −0.3706), τ² 0.3663, I² 92.6455%', () => {
    const result = poolEffects(logOddsRatios);
    expect(result.fixed.value.toFixed(4)).toBe('-0.4361');
    expect(result.fixed.lower.toFixed(4)).toBe('-0.5190');
    expect(result.fixed.upper.toFixed(4)).toBe('-0.3533');
    expect(result.q.toFixed(4)).toBe('163.1649');
    expect(result.random.value.toFixed(4)).toBe('-0.7474');
    expect(result.random.lower.toFixed(4)).toBe('-1.1242');
    expect(result.random.upper.toFixed(4)).toBe('-0.3706');
    expect(result.tauSquared.toFixed(4)).toBe('0.3663');
    expect((100 * result.iSquared!).toFixed(4)).toBe('92.6455');
  });
});

describe('poolEffects by hand and at the edges', () => {
  it('two results 0.2 and 0.6, each with standard error 0.1, pool to 0.4 with Q = 8, T² = 0.07 and I² = 0.875', () => {
    const result = poolEffects([
      { value: 0.2, standardError: 0.1 },
      { value: 0.6, standardError: 0.1 },
    ]);
    expectClose(result.fixed.value, 0.4, 1e-14);
    expectClose(result.fixed.standardError, Math.sqrt(0.005), 1e-14);
    expectClose(result.fixed.lower, 0.4 - Z95 * Math.sqrt(0.005), 1e-12);
    expectClose(result.q, 8, 1e-12);
    expectClose(result.tauSquared, 0.07, 1e-12);
    expectClose(result.iSquared, 0.875, 1e-12);
    expectClose(result.pHeterogeneity, chiSquareUpperTail(8, 1), 1e-14);
    expectClose(result.random.value, 0.4, 1e-14);
    expectClose(result.random.standardError, Math.sqrt(0.08 / 2), 1e-12);
    expect(result.confidence).toBe(0.95);
  });

  it('one result is both estimates, with Q 0, df 0, T² 0 and no I² or p', () => {
    const result = poolEffects([{ value: 0.31, standardError: 0.12 }]);
    const only = { value: 0.31, lower: 0.31 - Z95 * 0.12, upper: 0.31 + Z95 * 0.12, standardError: 0.12 };
    for (const pooled of [result.fixed, result.random]) {
      expect(pooled.value).toBe(0.31);
      expect(pooled.standardError).toBe(0.12);
      expectClose(pooled.lower, only.lower, 1e-14);
      expectClose(pooled.upper, only.upper, 1e-14);
    }
    expect(result).toMatchObject({ q: 0, df: 0, tauSquared: 0, iSquared: null, pHeterogeneity: null, studies: 1 });
  });

  it('results that agree more than chance expects give T² = 0 and I² = 0, and then both estimates are the same', () => {
    const result = poolEffects([
      { value: 0.3, standardError: 0.2 },
      { value: 0.31, standardError: 0.2 },
      { value: 0.29, standardError: 0.25 },
    ]);
    expect(result.q).toBeLessThan(result.df);
    expect(result.tauSquared).toBe(0);
    expect(result.iSquared).toBe(0);
    expect(result.random).toEqual(result.fixed);
  });

  it('the confidence option sets the width of both intervals', () => {
    const studies = [
      { value: 0.1, standardError: 0.1 },
      { value: 0.5, standardError: 0.2 },
    ];
    const at95 = poolEffects(studies);
    const at998 = poolEffects(studies, { confidence: 0.998 });
    expect(at998.confidence).toBe(0.998);
    expectClose(at998.fixed.upper - at998.fixed.value, 3.090232306167813 * at95.fixed.standardError, 1e-12);
    expectClose(at998.random.value - at998.random.lower, 3.090232306167813 * at95.random.standardError, 1e-12);
  });

  it('does not change its input', () => {
    const studies = deepFreeze([
      { value: 0.5, standardError: 0.2 },
      { value: 0.1, standardError: 0.1 },
    ]);
    expect(() => poolEffects(studies)).not.toThrow();
    expect(studies[0]!.value).toBe(0.5);
  });

  it('refuses what cannot be pooled, naming the study and the field', () => {
    const ok = { value: 0.2, standardError: 0.1 };
    expect(() => poolEffects([])).toThrow(StatsInputError);
    expect(() => poolEffects([])).toThrow(/at least one study/);
    expect(() => poolEffects([ok, { value: Number.NaN, standardError: 0.1 }])).toThrow(/studies\[1\]\.value must be a finite number \(got NaN\)/);
    expect(() => poolEffects([ok, ok, { value: Infinity, standardError: 0.1 }])).toThrow(/studies\[2\]\.value/);
    expect(() => poolEffects([{ value: 0.2, standardError: 0 }])).toThrow(/studies\[0\]\.standardError must be a finite number greater than 0 \(got 0\)/);
    expect(() => poolEffects([ok, { value: 0.2, standardError: -0.1 }])).toThrow(/studies\[1\]\.standardError/);
    expect(() => poolEffects([ok, { value: 0.2, standardError: Number.POSITIVE_INFINITY }])).toThrow(/studies\[1\]\.standardError/);
    expect(() => poolEffects([ok, { value: 0.2, standardError: Number.NaN }])).toThrow(/studies\[1\]\.standardError/);
    expect(() => poolEffects([ok, { value: 0.2, standardError: 1e-200 }])).toThrow(/studies\[1\]\.standardError is too small/);
    expect(() => poolEffects([ok, null as unknown as StudyEffect])).toThrow(/studies\[1\] must be an object/);
    expect(() => poolEffects([ok], { confidence: 95 })).toThrow(/did you mean 0.95/);
    expect(() => poolEffects([ok], { confidence: 0 })).toThrow(StatsInputError);
    expect(() => poolEffects([ok], { confidence: 1 })).toThrow(StatsInputError);
  });
});

describe('poolEffects properties', () => {
  const study = fc.record({
    value: fc.double({ min: -3, max: 3, noNaN: true }),
    standardError: fc.double({ min: 0.01, max: 2, noNaN: true }),
  });
  const someStudies = fc.array(study, { minLength: 1, maxLength: 12 });

  it('the fixed and random estimates lie between the smallest and largest result; T² ≥ 0, 0 ≤ I² < 1, 0 ≤ p ≤ 1 (property)', () => {
    fc.assert(
      fc.property(someStudies, (studies) => {
        const result = poolEffects(studies);
        const values = studies.map((s) => s.value);
        const smallest = Math.min(...values);
        const largest = Math.max(...values);
        for (const pooled of [result.fixed, result.random]) {
          expect(pooled.value).toBeGreaterThanOrEqual(smallest);
          expect(pooled.value).toBeLessThanOrEqual(largest);
        }
        expect(result.tauSquared).toBeGreaterThanOrEqual(0);
        expect(result.studies).toBe(studies.length);
        expect(result.df).toBe(studies.length - 1);
        if (studies.length === 1) {
          expect(result.iSquared).toBeNull();
        } else {
          expect(result.iSquared!).toBeGreaterThanOrEqual(0);
          expect(result.iSquared!).toBeLessThan(1);
          expect(result.pHeterogeneity!).toBeGreaterThanOrEqual(0);
          expect(result.pHeterogeneity!).toBeLessThanOrEqual(1);
        }
      }),
      { seed: SEED },
    );
  });

  it('identical results give T² = 0, I² = 0 (null for one) and both estimates equal to the result (property)', () => {
    fc.assert(
      fc.property(study, fc.integer({ min: 1, max: 10 }), (one, count) => {
        const result = poolEffects(Array.from({ length: count }, () => one));
        expect(result.tauSquared).toBe(0);
        expect(result.iSquared).toBe(count === 1 ? null : 0);
        expect(result.fixed.value).toBe(one.value);
        expect(result.random.value).toBe(one.value);
        expectClose(result.fixed.standardError, one.standardError / Math.sqrt(count), 1e-12);
      }),
      { seed: SEED },
    );
  });

  it('the random-effects interval is at least as wide as the fixed-effect one (property)', () => {
    fc.assert(
      fc.property(someStudies, (studies) => {
        const result = poolEffects(studies);
        expect(result.random.standardError).toBeGreaterThanOrEqual(result.fixed.standardError);
        expect(result.random.upper - result.random.lower).toBeGreaterThanOrEqual(result.fixed.upper - result.fixed.lower);
      }),
      { seed: SEED },
    );
  });

  it('the order of the results does not matter, to the last digit (property)', () => {
    const studiesAndShuffle = someStudies.chain((studies) =>
      fc.tuple(fc.constant(studies), fc.shuffledSubarray(studies, { minLength: studies.length, maxLength: studies.length })),
    );
    fc.assert(
      fc.property(studiesAndShuffle, ([studies, shuffled]) => {
        expect(poolEffects(shuffled)).toEqual(poolEffects(studies));
      }),
      { seed: SEED },
    );
  });
});

describe('standardErrorFromInterval', () => {
  it('is (upper − lower) / (2 × 1.959964) at 95% and uses the level given', () => {
    expectClose(standardErrorFromInterval(0.1, 0.5), 0.4 / (2 * Z95), 1e-14);
    expectClose(standardErrorFromInterval(-1, 1, 0.998), 2 / (2 * 3.090232306167813), 1e-12);
  });

  it('recovers the standard error an interval was made from (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 0.001, max: 5, noNaN: true }),
        fc.constantFrom(0.8, 0.9, 0.95, 0.99, 0.998),
        (value, standardError, confidence) => {
          const z = twoSidedZ(confidence);
          expectClose(standardErrorFromInterval(value - z * standardError, value + z * standardError, confidence), standardError, 1e-9);
        },
      ),
      { seed: SEED },
    );
  });

  it('refuses an interval with no width or upside down, a missing limit, and a percentage level', () => {
    expect(() => standardErrorFromInterval(0.3, 0.3)).toThrow(/upper limit must be above its lower limit \(got 0.3 to 0.3\)/);
    expect(() => standardErrorFromInterval(0.5, 0.1)).toThrow(StatsInputError);
    expect(() => standardErrorFromInterval(Number.NaN, 0.1)).toThrow(/lower limit must be a finite number/);
    expect(() => standardErrorFromInterval(0.1, Infinity)).toThrow(/upper limit must be a finite number/);
    expect(() => standardErrorFromInterval(0.1, 0.5, 95)).toThrow(/did you mean 0.95/);
  });
});
