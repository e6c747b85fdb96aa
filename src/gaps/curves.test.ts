import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { measures } from '../ingest/child-standard.js';
import { meanFromSummary, proportionDifference, standardisedMeanDifference } from '../stats/index.js';
import { frameworkGroups } from './groups.js';
import type { GapCell } from './matrix.js';
import { curveFields, curveScore, definedByIndicator, groupDoesWorse, rankCurves, significantlyWorse, standardisedGap } from './curves.js';

const measure = (name: string) => measures.find((entry) => entry.name === name)!;

/** A percentage cell made as the matrix makes it (Wilson and Newcombe from counts). */
function percentageCell(group: string, indicator: string, groupCounts: [number, number], otherCounts: [number, number], overrides: Partial<GapCell> = {}): GapCell {
  const result = proportionDifference({ numerator: groupCounts[0], denominator: groupCounts[1] }, { numerator: otherCounts[0], denominator: otherCounts[1] }, { multiplier: 100 });
  return {
    group,
    group_label: frameworkGroups.find((entry) => entry.id === group)?.label ?? group,
    indicator,
    outcome: measure(indicator).outcome,
    year: '2023/24',
    group_count: groupCounts[1],
    group_value: result.group.value,
    group_lower: result.group.lower,
    group_upper: result.group.upper,
    comparator: 'all-other',
    comparator_count: otherCounts[1],
    comparator_value: result.comparator.value,
    comparator_lower: result.comparator.lower,
    comparator_upper: result.comparator.upper,
    gap: result.value,
    gap_lower: result.lower,
    gap_upper: result.upper,
    significant: result.lower! > 0 || result.upper! < 0,
    trend: 'no-significant-change',
    suppressed: false,
    unknown_count: 0,
    value_type: 'percentage',
    polarity: measure(indicator).polarity,
    comparator_note: null,
    comparator_source: null,
    suppressed_reason: null,
    ...overrides,
  };
}

/** An average's cell from each side's count, mean and standard deviation (Student's t intervals). */
function meanCell(group: string, indicator: string, groupSide: [number, number, number], otherSide: [number, number, number], overrides: Partial<GapCell> = {}): GapCell {
  const [groupN, groupMean, groupSd] = groupSide;
  const [otherN, otherMean, otherSd] = otherSide;
  const own = meanFromSummary({ count: groupN, mean: groupMean, standardDeviation: groupSd });
  const other = meanFromSummary({ count: otherN, mean: otherMean, standardDeviation: otherSd });
  return {
    ...percentageCell(group, indicator, [1, 2], [1, 2]),
    group_count: groupN,
    group_value: groupMean,
    group_lower: own.lower,
    group_upper: own.upper,
    comparator_count: otherN,
    comparator_value: otherMean,
    comparator_lower: other.lower,
    comparator_upper: other.upper,
    gap: groupMean - otherMean,
    gap_lower: null,
    gap_upper: null,
    significant: true,
    value_type: 'mean',
    ...overrides,
  };
}

describe('which curves to turn', () => {
  it('puts the gaps a director would agree matter first, and trivial or self-defined gaps last or nowhere', () => {
    // The cells the issue found mis-ranked, with their figures: the right order is known.
    const cells = [
      // Suspensions 0.2 against 0.1 a pupil (most have none, a few many): significant, but small on any comparable scale.
      meanCell('young-carers', 'suspensions', [1000, 0.2, 0.9], [20000, 0.1, 0.6]),
      // Excluded children on suspensions and poor attendance on attendance: defined by the indicator.
      meanCell('excluded-from-school', 'suspensions', [300, 3.1, 2], [20000, 0.05, 0.3]),
      meanCell('poor-attendance', 'attendance_pct', [2500, 82, 6], [18000, 96, 3]),
      // SEN at key stage 2: 20% against 67.3%, -47.3 points.
      percentageCell('children-with-sen', 'ks2_rwm_expected', [30, 150], [1346, 2000]),
      // Children in care NEET: 45% against 5.1%, +39.9 points (lower is better).
      percentageCell('children-in-care', 'neet_16_17', [18, 40], [102, 2000]),
      // Disadvantaged at key stage 2: 45% against 68%, many children.
      percentageCell('poorer-socio-economic-groups', 'ks2_rwm_expected', [900, 2000], [1360, 2000]),
      // Children in care GCSEs: 15% against 43.7%.
      percentageCell('children-in-care', 'ks4_eng_maths_grade4', [3, 20], [874, 2000]),
      // A gap that may be chance: 8 young carers, 4 of them reach the standard.
      percentageCell('young-carers', 'eyfsp_gld', [4, 8], [1400, 2000]),
      // A group doing better is not a curve to turn.
      percentageCell('not-fluent-in-english', 'phonics_y1_met', [1700, 2000], [1500, 2000]),
    ];
    const ranked = rankCurves(cells);
    expect(ranked.map((curve) => `${curve.group} ${curve.indicator}`)).toEqual([
      'children-with-sen ks2_rwm_expected',
      'children-in-care neet_16_17',
      'poorer-socio-economic-groups ks2_rwm_expected',
      'children-in-care ks4_eng_maths_grade4',
      'young-carers suspensions',
      'young-carers eyfsp_gld',
    ]);
    expect(ranked.map((curve) => curve.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ranked.at(-2)!.standardised_gap).toBeLessThan(0.2);
    expect(ranked.at(-1)!.significant).toBe(false);
    // Children to close a percentage gap: the group's children times the gap.
    expect(ranked[0]!.children_to_close).toBe(Math.round((150 * 47.3) / 100));
    expect(ranked[0]!.gap).toBeCloseTo(-47.3, 10);
  });

  it('ranks a widening gap above the same gap narrowing, and a significant one above the same gap that is not', () => {
    const base = percentageCell('children-in-care', 'ks2_rwm_expected', [20, 60], [1200, 2000]);
    const ranked = rankCurves([
      { ...base, group: 'a', trend: 'narrowing' },
      { ...base, group: 'b', significant: false },
      { ...base, group: 'c', trend: 'widening' },
      { ...base, group: 'd' },
    ]);
    expect(ranked.map((curve) => curve.group)).toEqual(['c', 'd', 'a', 'b']);
  });

  it('leaves out withheld cells and cells without a gap', () => {
    const base = percentageCell('children-in-care', 'ks2_rwm_expected', [20, 60], [1200, 2000]);
    expect(rankCurves([{ ...base, suppressed: true }, { ...base, gap: null }])).toEqual([]);
  });

  it('gives the API’s fields in the contract’s order', () => {
    const [curve] = rankCurves([percentageCell('children-in-care', 'ks2_rwm_expected', [20, 60], [1200, 2000])]);
    expect(Object.keys(curve!)).toEqual(expect.arrayContaining([...curveFields]));
    expect(curveFields.slice(0, 12)).toEqual(['rank', 'group', 'indicator', 'year', 'gap', 'gap_lower', 'gap_upper', 'significant', 'trend', 'standardised_gap', 'children_to_close', 'score']);
  });
});

describe('the standardised gap', () => {
  it('is Cohen’s h for percentages (Cohen 1988, table 6.2.2: φ(0.65) − φ(0.45) = 0.4049)', () => {
    const cell = percentageCell('children-in-care', 'ks2_rwm_expected', [65, 100], [45, 100]);
    expect(standardisedGap(cell)!.standardised).toBeCloseTo(1.8755 - 1.4706, 3);
  });

  it('is Hedges’ g for averages, as the stats module computes it from the two sides', () => {
    const cell = meanCell('children-in-care', 'ks4_attainment8', [40, 30.2, 14], [1900, 46.1, 18]);
    const expected = standardisedMeanDifference({ count: 40, mean: 30.2, standardDeviation: 14 }, { count: 1900, mean: 46.1, standardDeviation: 18 });
    expect(standardisedGap(cell)!.standardised).toBeCloseTo(expected.value!, 9);
  });

  it('uses the spread the matrix gives, not intervals rounded to one decimal place, so small averages are not blown up', () => {
    // Suspensions 0.3 against 0.1 a pupil as a viewer without child-level access reads them: intervals
    // rounded to 0.1 say nothing of the spread (0.1 to 0.1), which the matrix passes on unrounded.
    const rounded = meanCell('at-risk-of-significant-harm', 'suspensions', [215, 0.3, 0.9], [59000, 0.1, 0.4], { comparator_lower: 0.1, comparator_upper: 0.1, group_lower: 0.2, group_upper: 0.4 });
    const withSpread = { ...rounded, spread: { group: 0.9, comparator: 0.4 } };
    const expected = standardisedMeanDifference({ count: 215, mean: 0.3, standardDeviation: 0.9 }, { count: 59000, mean: 0.1, standardDeviation: 0.4 });
    expect(standardisedGap(withSpread)!.standardised).toBeCloseTo(expected.value!, 9);
    expect(standardisedGap(withSpread)!.standardised).toBeLessThan(0.6);
  });

  it('puts an average’s gap into children as those who would cross the others’ average (Cohen’s U3)', () => {
    // Hedges' g of -0.5 in 100 children: Φ(0.5) − ½ = 0.1915 of them.
    const cell = meanCell('children-in-care', 'ks4_attainment8', [100, 40, 10], [100, 45, 10]);
    const { standardised, children } = standardisedGap(cell)!;
    expect(standardised).toBeCloseTo(-0.498, 3);
    expect(children).toBe(19);
  });

  it('has the sign of the gap and grows with it (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 99 }), (groupMet, otherMet) => {
        const cell = percentageCell('children-in-care', 'ks2_rwm_expected', [groupMet, 100], [otherMet, 100]);
        const size = standardisedGap(cell)!.standardised;
        expect(Math.sign(size)).toBe(Math.sign(groupMet - otherMet));
        const wider = percentageCell('children-in-care', 'ks2_rwm_expected', [groupMet, 100], [Math.min(100, otherMet + 1), 100]);
        expect(standardisedGap(wider)!.standardised).toBeLessThan(size);
      }),
    );
  });
});

describe('the score', () => {
  it('rises with the size of the gap and with the children to close, and is never negative (property)', () => {
    const trends = fc.constantFrom<GapCell['trend']>('widening', 'narrowing', 'no-significant-change', 'not-enough-data');
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), fc.nat(100_000), fc.boolean(), trends, (size, children, significant, trend) => {
        const score = curveScore(size, children, significant, trend);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(curveScore(Math.abs(size) + 0.1, children, significant, trend)).toBeGreaterThan(score);
        expect(curveScore(size, children + 10, significant, trend)).toBeGreaterThanOrEqual(score);
      }),
    );
  });

  it('ranks from 1 without gaps, highest score first, and lists only gaps where the group does worse (property)', () => {
    const cellArbitrary = fc
      .tuple(fc.integer({ min: 5, max: 500 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), fc.constantFrom('ks2_rwm_expected', 'neet_16_17'))
      .map(([n, groupShare, otherShare, indicator]) =>
        percentageCell('children-in-care', indicator, [Math.round((n * groupShare) / 100), n], [Math.round((2000 * otherShare) / 100), 2000]),
      );
    fc.assert(
      fc.property(fc.array(cellArbitrary, { maxLength: 30 }), (cells) => {
        const ranked = rankCurves(cells);
        expect(ranked.map((curve) => curve.rank)).toEqual(ranked.map((_, index) => index + 1));
        for (let index = 1; index < ranked.length; index++) expect(ranked[index - 1]!.score).toBeGreaterThanOrEqual(ranked[index]!.score);
        expect(ranked.length).toBe(cells.filter(groupDoesWorse).length);
      }),
    );
  });
});

describe('pairs defined by the indicator', () => {
  it('are marked in the catalogue of measures, and name framework groups', () => {
    const marked = measures.flatMap((entry) => (entry.definesGroups ?? []).map((group) => `${group} on ${entry.name}`));
    expect(marked).toEqual(['poor-attendance on attendance_pct', 'excluded-from-school on suspensions']);
    for (const entry of measures) for (const group of entry.definesGroups ?? []) expect(frameworkGroups.map((framework) => framework.id)).toContain(group);
  });

  it('include combinations and "not in" forms of the defining group, and nothing else', () => {
    expect(definedByIndicator('poor-attendance', 'attendance_pct')).toBe(true);
    expect(definedByIndicator('poor-attendance:no&sex:M', 'attendance_pct')).toBe(true);
    expect(definedByIndicator('children-in-care&excluded-from-school', 'suspensions')).toBe(true);
    expect(definedByIndicator('poor-attendance', 'ks2_rwm_expected')).toBe(false);
    expect(definedByIndicator('children-in-care', 'attendance_pct')).toBe(false);
  });

  it('keeps the old test of significance for pages that still ask it', () => {
    const cell = percentageCell('children-in-care', 'ks2_rwm_expected', [20, 60], [1200, 2000]);
    expect(significantlyWorse(cell)).toBe(true);
    expect(significantlyWorse({ ...cell, significant: false })).toBe(false);
  });
});
