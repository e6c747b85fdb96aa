import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hedgesCorrection, meanDifference, proportionDifference, proportionRatio, standardisedMeanDifference, summarise } from './index.js';
import { deepFreeze, expectClose } from './test-support.js';

const SEED = 20_250_105;

describe('proportionDifference (Newcombe hybrid score, method 10)', () => {
  // Newcombe RG. Interval estimation for the difference between independent proportions: comparison of
  // eleven methods. Statistics in Medicine 1998;17:873–890, Table II, method 10, printed to 4 dp. Examples
  // (a), (b) and (g) also appear as reference values in SAS PROC FREQ's documentation of the Newcombe
  // interval. The 1e-8 references are the same formula evaluated with mpmath at 50 digits
  // (derive-references.py) and agree with every printed value.
  const table: [string, number, number, number, number, string, string, number, number][] = [
    ['(a)', 56, 70, 48, 80, '0.0524', '0.3339', 0.05243147240236488, 0.33387265403690597],
    ['(b)', 9, 10, 3, 10, '0.1705', '0.8090', 0.17052272393450288, 0.809017973535488],
    ['(c)', 6, 7, 2, 7, '0.0582', '0.8062', 0.0582279274823122, 0.8062496375242277],
    ['(d)', 5, 56, 0, 29, '-0.0381', '0.1926', -0.0381371479035369, 0.19256001385511162],
    ['(e)', 0, 10, 0, 20, '-0.1611', '0.2775', -0.16112515805281938, 0.27753279986288926],
    ['(f)', 0, 10, 0, 10, '-0.2775', '0.2775', -0.27753279986288926, 0.27753279986288926],
    ['(g)', 10, 10, 0, 20, '0.6791', '1.0000', 0.6790860371419146, 1],
    ['(h)', 10, 10, 0, 10, '0.6075', '1.0000', 0.6075093504305241, 1],
  ];
  for (const [label, x1, n1, x2, n2, printedLower, printedUpper, lower, upper] of table) {
    it(`computes the gap ${x1}/${n1} − ${x2}/${n2} matching Newcombe 1998 Table II ${label}`, () => {
      const group = deepFreeze({ numerator: x1, denominator: n1 });
      const comparator = deepFreeze({ numerator: x2, denominator: n2 });
      const r = proportionDifference(group, comparator);
      expectClose(r.value, x1 / n1 - x2 / n2, 1e-14);
      expect(r.lower?.toFixed(4)).toBe(printedLower);
      expect(r.upper?.toFixed(4)).toBe(printedUpper);
      expectClose(r.lower, lower);
      expectClose(r.upper, upper);
    });
  }

  it('computes a 99.8% gap in percentage points matching the high-precision reference', () => {
    const r = proportionDifference({ numerator: 56, denominator: 70 }, { numerator: 48, denominator: 80 }, { confidence: 0.998, multiplier: 100 });
    expectClose(r.value, 20, 1e-13);
    expectClose(r.lower, -3.348725364244238);
    expectClose(r.upper, 40.18117646026352);
  });

  it('returns a missing result when either group has a missing count', () => {
    const r = proportionDifference({ numerator: null, denominator: 10 }, { numerator: 3, denominator: 10 });
    expect([r.value, r.lower, r.upper]).toEqual([null, null, null]);
    expect(r.comparator.value).toBeCloseTo(0.3, 15);
  });

  it('throws for invalid counts', () => {
    expect(() => proportionDifference({ numerator: 3, denominator: 0 }, { numerator: 1, denominator: 2 })).toThrow(
      'a proportion needs a denominator of at least 1 (got 0)',
    );
  });

  const counts = fc.integer({ min: 1, max: 100_000 }).chain((n) => fc.record({ numerator: fc.integer({ min: 0, max: n }), denominator: fc.constant(n) }));

  it('negates the gap and its interval when the groups are swapped (property)', () => {
    fc.assert(
      fc.property(counts, counts, fc.constantFrom(0.95, 0.998), (a, b, confidence) => {
        const ab = proportionDifference(a, b, { confidence });
        const ba = proportionDifference(b, a, { confidence });
        expect(Math.abs((ab.value as number) + (ba.value as number))).toBeLessThanOrEqual(1e-15);
        expect(Math.abs((ab.lower as number) + (ba.upper as number))).toBeLessThanOrEqual(1e-12);
        expect(Math.abs((ab.upper as number) + (ba.lower as number))).toBeLessThanOrEqual(1e-12);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('contains the gap, stays within [−1, 1] and widens with confidence (property)', () => {
    fc.assert(
      fc.property(counts, counts, (a, b) => {
        const r95 = proportionDifference(a, b);
        const r998 = proportionDifference(a, b, { confidence: 0.998 });
        expect(r95.lower as number).toBeLessThanOrEqual(r95.value as number);
        expect(r95.upper as number).toBeGreaterThanOrEqual(r95.value as number);
        expect(r95.lower as number).toBeGreaterThanOrEqual(-1 - 1e-15);
        expect(r95.upper as number).toBeLessThanOrEqual(1 + 1e-15);
        expect(r998.lower as number).toBeLessThanOrEqual(r95.lower as number);
        expect(r998.upper as number).toBeGreaterThanOrEqual(r95.upper as number);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe('proportionRatio (Katz log interval)', () => {
  it('computes the ratio 56/70 ÷ 48/80 matching the high-precision reference', () => {
    // Katz et al. 1978 formula exp(ln RR ∓ z √(1/x₁ − 1/n₁ + 1/x₂ − 1/n₂)) with mpmath (derive-references.py).
    const r = proportionRatio({ numerator: 56, denominator: 70 }, { numerator: 48, denominator: 80 });
    expectClose(r.value, 4 / 3, 1e-15);
    expectClose(r.lower, 1.0766264227631928);
    expectClose(r.upper, 1.651248511266387);
  });

  it('leaves the interval undefined for a zero numerator, with a note', () => {
    const r = proportionRatio({ numerator: 0, denominator: 70 }, { numerator: 48, denominator: 80 });
    expect(r.value).toBe(0);
    expect(r.lower).toBeNull();
    expect(r.note).toMatch(/zero numerator/);
    expect(proportionRatio({ numerator: 3, denominator: 70 }, { numerator: 0, denominator: 80 }).value).toBeNull();
  });

  it('inverts the ratio and its interval when the groups are swapped (property)', () => {
    const positive = fc.integer({ min: 1, max: 10_000 }).chain((n) => fc.record({ numerator: fc.integer({ min: 1, max: n }), denominator: fc.constant(n) }));
    fc.assert(
      fc.property(positive, positive, (a, b) => {
        const ab = proportionRatio(a, b);
        const ba = proportionRatio(b, a);
        expectClose((ab.value as number) * (ba.value as number), 1, 1e-12);
        expectClose((ab.lower as number) * (ba.upper as number), 1, 1e-12);
        expect(ab.lower as number).toBeLessThanOrEqual(ab.value as number);
        expect(ab.upper as number).toBeGreaterThanOrEqual(ab.value as number);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('meanDifference (Welch)', () => {
  // Student's sleep data (Student 1908, Biometrika 6:1–25; R's `sleep` data set). R prints for
  // t.test(extra ~ group, data = sleep): t = -1.8608, df = 17.776, 95% CI -3.3654832 0.2054832.
  // The 1e-8 references are the Welch–Satterthwaite formulas with mpmath (derive-references.py).
  const group1 = deepFreeze([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]);
  const group2 = deepFreeze([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]);

  it("computes Welch's interval for Student's sleep data matching R t.test", () => {
    const r = meanDifference(summarise(group1), summarise(group2));
    expectClose(r.value, -1.58, 1e-13);
    expectClose(r.degreesOfFreedom, 17.77647351617849);
    expectClose(r.lower, -3.365483230711711);
    expectClose(r.upper, 0.20548323071171096);
    expect(r.lower?.toFixed(7)).toBe('-3.3654832');
    expect(r.degreesOfFreedom?.toFixed(3)).toBe('17.776');
  });

  it('negates the difference and its interval when the groups are swapped', () => {
    const ab = meanDifference(summarise(group1), summarise(group2));
    const ba = meanDifference(summarise(group2), summarise(group1));
    expectClose(ba.lower, -(ab.upper as number), 1e-13);
    expectClose(ba.upper, -(ab.lower as number), 1e-13);
  });

  it('returns a missing result for a missing summary value and throws for an invalid one', () => {
    expect(meanDifference({ count: 5, mean: null, standardDeviation: 1 }, { count: 5, mean: 1, standardDeviation: 1 }).value).toBeNull();
    expect(() => meanDifference({ count: 1, mean: 1, standardDeviation: 1 }, { count: 5, mean: 1, standardDeviation: 1 })).toThrow(
      "the group's count must be a whole number of at least 2 (got 1)",
    );
  });
});

describe("standardisedMeanDifference (Hedges' g)", () => {
  it("computes Hedges' g and its interval matching high-precision references", () => {
    // Hedges & Olkin (1985) formulas — exact J(m) = Γ(m/2)/(√(m/2) Γ((m−1)/2)) and
    // Var(g) = (n₁+n₂)/(n₁n₂) + g²/(2(n₁+n₂)) — evaluated with mpmath (derive-references.py).
    const r = standardisedMeanDifference({ count: 20, mean: 105, standardDeviation: 15 }, { count: 20, mean: 100, standardDeviation: 15 });
    expectClose(r.uncorrected, 1 / 3, 1e-14);
    expectClose(r.correction, 0.9801104021309462);
    expectClose(r.value, 0.3267034673769821);
    expectClose(r.lower, -0.2972124852009269);
    expectClose(r.upper, 0.9506194199548911);
    const unequal = standardisedMeanDifference({ count: 10, mean: 3.1, standardDeviation: 1.2 }, { count: 12, mean: 2.4, standardDeviation: 0.9 });
    expectClose(unequal.value, 0.6439300275079568);
    expectClose(unequal.lower, -0.21657475160705716);
    expectClose(unequal.upper, 1.5044348066229707);
  });

  it('computes the exact correction J(m), close to the approximation 1 − 3/(4m − 1)', () => {
    // Exact J(m) by mpmath: 0.9227456080530871 (m = 10), 0.957646427023718 (m = 18),
    // 0.9849119422955726 (m = 50), 0.9962445224791265 (m = 200); the approximation differs by < 0.001.
    const exact: [number, number][] = [[10, 0.9227456080530871], [18, 0.957646427023718], [50, 0.9849119422955726], [200, 0.9962445224791265]];
    for (const [m, j] of exact) {
      expectClose(hedgesCorrection(m), j, 1e-12);
      expect(Math.abs(hedgesCorrection(m) - (1 - 3 / (4 * m - 1)))).toBeLessThan(1e-3);
    }
  });

  it('throws when the pooled standard deviation is 0', () => {
    expect(() => standardisedMeanDifference({ count: 3, mean: 1, standardDeviation: 0 }, { count: 3, mean: 2, standardDeviation: 0 })).toThrow(
      /pooled standard deviation above 0/,
    );
  });
});
