import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chiSquareQuantile, gapTrend, recentTrend } from './index.js';
import type { GapPoint, TrendPoint } from './index.js';
import { deepFreeze, expectClose } from './test-support.js';

const SEED = 20_250_109;

// PHEindicatormethods assign_trend_markers documentation example (years 1–5).
const example: TrendPoint[] = deepFreeze([
  { period: 1, numerator: 1367, denominator: 44701, value: 30.6, lower: 28.98, upper: 32.25 },
  { period: 2, numerator: 1332, denominator: 44064, value: 30.2, lower: 28.63, upper: 31.9 },
  { period: 3, numerator: 1199, denominator: 42811, value: 28, lower: 26.44, upper: 29.64 },
  { period: 4, numerator: 1023, denominator: 41527, value: 24.6, lower: 23.15, upper: 26.19 },
  { period: 5, numerator: 994, denominator: 40299, value: 24.67, lower: 23.16, upper: 26.25 },
]);

describe('recentTrend', () => {
  it('uses the Fingertips threshold χ²₀.₉₉₈(1) = 9.5495', () => {
    // PHEindicatormethods assign_trend_markers compares with 9.5495; mpmath gives 9.5495357060832433.
    const r = recentTrend(example, { valueType: 'proportion' });
    expectClose(r.threshold, 9.549535706083244);
    expect(r.threshold.toFixed(4)).toBe('9.5495');
  });

  it("computes Armitage's chi-square for trend matching R's prop.trend.test example", () => {
    // R documentation for prop.trend.test: smokers 83/86, 90/93, 129/136, 70/82 at scores 1..4 give
    // X-squared = 8.2249, df = 1, p-value = 0.004132. mpmath: 8.224922285197676 (derive-references.py).
    const smokers = [83, 90, 129, 70].map((numerator, i) => ({ period: i + 1, numerator, denominator: [86, 93, 136, 82][i] }));
    const r = recentTrend(smokers, { valueType: 'proportion', window: 4 });
    expectClose(r.chiSquare, 8.224922285197676);
    expect(r.pValue?.toFixed(6)).toBe('0.004132');
    expect(r.trend).toBe('no-significant-change'); // 8.22 < 9.55 at Fingertips' 99.8% level
  });

  it('finds a decreasing trend in the PHE example by both methods, matching independent calculations', () => {
    // mpmath (derive-references.py): proportions β = −0.0017427638408979314, χ² = 47.896676707589116;
    // weighted regression β = −1.7515662226629496, χ² = 46.763597160549599.
    // Proportions: PHE's χ² (Armitage) with the direction from the log-odds slope (see the reference file below).
    const proportionTrend = recentTrend(example, { valueType: 'proportion' });
    expect(proportionTrend.trend).toBe('decreasing');
    expectClose(proportionTrend.chiSquare, 47.896676707589116);
    const other = recentTrend(example, { valueType: 'other' });
    expect(other.trend).toBe('decreasing');
    expectClose(other.slope, -1.7515662226629496);
    expectClose(other.chiSquare, 46.7635971605496);
  });

  it('uses only the most recent five points, in period order', () => {
    const older = { period: 0, numerator: 5, denominator: 44000 };
    const shuffled = [example[4], older, example[2], example[0], example[3], example[1]] as TrendPoint[];
    expect(recentTrend(shuffled, { valueType: 'proportion' })).toEqual(recentTrend(example, { valueType: 'proportion' }));
  });

  it('reports no significant change when one point drives the slope (outlier check)', () => {
    const spike = [10, 10, 10, 10, 20].map((value, i) => ({ period: 2020 + i, value, lower: value - 0.5, upper: value + 0.5 }));
    const r = recentTrend(spike, { valueType: 'other' });
    expect(r.chiSquare as number).toBeGreaterThan(r.threshold);
    expect(r.trend).toBe('no-significant-change');
    expect(r.reason).toMatch(/outlier/);
  });

  it('reports not enough data for fewer than five points or a missing value', () => {
    expect(recentTrend(example.slice(0, 4), { valueType: 'proportion' }).trend).toBe('not-enough-data');
    const missing = example.map((p, i) => (i === 2 ? { ...p, value: null } : p));
    expect(recentTrend(missing, { valueType: 'other' })).toMatchObject({ trend: 'not-enough-data', reason: 'missing values' });
  });

  it('throws for duplicate periods or inverted limits', () => {
    expect(() => recentTrend([...example, example[0] as TrendPoint], { valueType: 'proportion' })).toThrow('a trend needs distinct periods (got 1 twice)');
    const inverted = example.map((p, i) => (i === 0 ? { ...p, lower: 40 } : p));
    expect(() => recentTrend(inverted, { valueType: 'other' })).toThrow(/upper limit above its lower limit/);
  });

  it('flips increasing and decreasing when time is reversed (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 5, maxLength: 5 }),
        fc.array(fc.double({ min: 0.01, max: 5, noNaN: true }), { minLength: 5, maxLength: 5 }),
        (values, halfWidths) => {
          const forward = deepFreeze(values.map((value, i) => ({ period: i, value, lower: value - (halfWidths[i] as number), upper: value + (halfWidths[i] as number) })));
          const backward = forward.map((p) => ({ ...p, period: -p.period }));
          const a = recentTrend(forward, { valueType: 'other' }).trend;
          const b = recentTrend(backward, { valueType: 'other' }).trend;
          const flip = { increasing: 'decreasing', decreasing: 'increasing', 'no-significant-change': 'no-significant-change', 'not-enough-data': 'not-enough-data' } as const;
          expect(b).toBe(flip[a]);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

interface PheProportionCase {
  name: string;
  periods: number[];
  numerators: number[];
  denominators: number[];
  beta: number;
  chiSquare: number;
  leaveOneOutBetas: number[];
  trend: 'increasing' | 'decreasing' | 'no-significant-change';
}

const pheReference = JSON.parse(readFileSync(new URL('./reference/phe-trend-markers.json', import.meta.url), 'utf8')) as { proportion: PheProportionCase[] };

describe("recentTrend for proportions, as PHE's assign_trend_markers computes it", () => {
  const points = (entry: PheProportionCase, keep: (index: number) => boolean = () => true): TrendPoint[] =>
    entry.periods.flatMap((period, i) => (keep(i) ? [{ period, numerator: entry.numerators[i], denominator: entry.denominators[i] }] : []));

  for (const entry of pheReference.proportion) {
    it(`${entry.name}: ${entry.trend}`, () => {
      const result = recentTrend(points(entry), { valueType: 'proportion' });
      expect(result.trend).toBe(entry.trend);
      expectClose(result.slope, entry.beta);
      expectClose(result.chiSquare, entry.chiSquare);
    });

    it(`${entry.name}: each leave-one-out direction is the log-odds slope of the other four`, () => {
      entry.leaveOneOutBetas.forEach((beta, left) => {
        const partial = recentTrend(points(entry, (i) => i !== left), { valueType: 'proportion', window: 4 });
        expectClose(partial.slope, beta);
      });
    });
  }

  it('says increasing for issue 13’s series, where the Armitage slope left the trend unjudged', () => {
    const issue = pheReference.proportion.find((entry) => entry.name.startsWith('issue 13'))!;
    expect(recentTrend(points(issue), { valueType: 'proportion' })).toMatchObject({ trend: 'increasing', reason: 'significant trend, stable without any one point' });
  });

  it('names the outlier when leaving one year out reverses the direction', () => {
    const outlier = pheReference.proportion.find((entry) => entry.name.startsWith('a last-year outlier'))!;
    expect(recentTrend(points(outlier), { valueType: 'proportion' }).reason).toBe('the slope changes sign without period 2023 (an outlier)');
  });

  it('cannot give a direction when a significant series has a proportion of 0 or 1, and says why', () => {
    const series = [0, 100, 200, 300, 400].map((numerator, i) => ({ period: 2019 + i, numerator, denominator: 1000 }));
    expect(recentTrend(series, { valueType: 'proportion' })).toMatchObject({ trend: 'not-enough-data', slope: null, reason: expect.stringMatching(/period 2019 is 0 or 1/) as unknown });
    // Not significant: PHE says "no significant change" without needing the direction.
    const flat = [0, 1, 0, 1, 0].map((numerator, i) => ({ period: 2019 + i, numerator, denominator: 1000 }));
    expect(recentTrend(flat, { valueType: 'proportion' }).trend).toBe('no-significant-change');
  });

  it('gives the direction of the log-odds, unchanged by swapping "yes" and "no" except in sign (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 999 }), { minLength: 5, maxLength: 5 }), (numerators) => {
        const yes = numerators.map((numerator, i) => ({ period: i, numerator, denominator: 1000 }));
        const no = yes.map((p) => ({ ...p, numerator: 1000 - p.numerator }));
        const a = recentTrend(yes, { valueType: 'proportion' });
        const b = recentTrend(no, { valueType: 'proportion' });
        expectClose(b.slope, -(a.slope as number), 1e-9);
        expectClose(b.chiSquare, a.chiSquare as number, 1e-9);
        const flip = { increasing: 'decreasing', decreasing: 'increasing', 'no-significant-change': 'no-significant-change', 'not-enough-data': 'not-enough-data' } as const;
        expect(b.trend).toBe(flip[a.trend]);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('gapTrend', () => {
  const series = (gaps: number[], halfWidth = 0.5): GapPoint[] =>
    deepFreeze(gaps).map((value, i) => ({ period: 2019 + i, value, lower: value - halfWidth, upper: value + halfWidth }));

  it('finds a positive gap moving toward zero narrowing', () => {
    const r = gapTrend(series([10, 8.5, 7, 5.2, 4]));
    expect(r.trend).toBe('narrowing');
    expect(r.reversed).toBe(false);
  });

  it('finds a negative gap moving toward zero narrowing and one moving away widening', () => {
    expect(gapTrend(series([-10, -8.5, -7, -5.2, -4])).trend).toBe('narrowing');
    expect(gapTrend(series([-4, -5.2, -7, -8.5, -10])).trend).toBe('widening');
    expect(gapTrend(series([4, 5.2, 7, 8.5, 10])).trend).toBe('widening');
  });

  it('counts a gap that crosses zero as narrowing while the fitted end is nearer zero, and flags the reversal', () => {
    const r = gapTrend(series([5, 3, 1, -1, -2]));
    expect(r.trend).toBe('narrowing');
    expect(r.reversed).toBe(true);
    expect(gapTrend(series([2, 1, -1, -3, -5])).trend).toBe('widening');
  });

  it('reports no significant change for a noisy gap', () => {
    expect(gapTrend(series([10, 8.5, 9.5, 8.8, 9.1], 3)).trend).toBe('no-significant-change');
    expect(gapTrend(series([10, 8.5])).trend).toBe('not-enough-data');
  });

  it('gives the same answer for a gap and its negation (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 5, maxLength: 8 }), (gaps) => {
        const a = gapTrend(series(gaps));
        const b = gapTrend(series(gaps.map((g) => -g)));
        expect(b.trend).toBe(a.trend);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('applies the 99.8% threshold by default and a chosen level on request', () => {
    expectClose(gapTrend(series([10, 9, 8, 7, 6])).threshold, 9.549535706083244);
    expectClose(gapTrend(series([10, 9, 8, 7, 6]), { significance: 0.95 }).threshold, chiSquareQuantile(0.95, 1), 1e-15);
  });
});
