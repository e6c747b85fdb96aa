import { indicators } from '../aggregates/indicators.js';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dimension, memberIn, memberOut } from '../aggregates/signature.js';
import { measures } from '../ingest/child-standard.js';
import { gapAgainstWhole, meanDifference, proportionDifference } from '../stats/index.js';
import { cellKeysFrom } from './cell-keys.js';
import { parseGroup } from './groups.js';
import type { JointAggregates, JointCell } from './joint-aggregates.js';
import { computeGapMatrix } from './matrix.js';
import type { PublishedLookup } from './matrix.js';

const inCare = dimension('children-in-care')!;
const sex = dimension('sex')!;
const ks2 = measures.findIndex((measure) => measure.name === 'ks2_rwm_expected');
const attainment8 = measures.findIndex((measure) => measure.name === 'ks4_attainment8');
const suspensions = measures.findIndex((measure) => measure.name === 'suspensions');

/** A cell of children with some memberships: `values` per measure index as [n, sum, sumsq]. */
function cell(memberships: [typeof inCare, number][], children: number, values: Record<number, [number, number, number]>): JointCell {
  const figures = new Float64Array(indicators.length * 3);
  for (const [index, [n, sum, sumsq]] of Object.entries(values)) figures.set([n, sum, sumsq], Number(index) * 3);
  const signature = memberships.reduce((total, [entry, value]) => total + value * 2 ** entry.shift, 0);
  return { signature, children, figures };
}

describe('the gap matrix from aggregates', () => {
  // 2023/24: 40 children in care, 12 reached the KS2 standard; 400 others, 260 did; 10 unknown, 5 did.
  const year2023 = [
    cell([[inCare, memberIn]], 40, { [ks2]: [40, 12, 12] }),
    cell([[inCare, memberOut], [sex, 1]], 200, { [ks2]: [200, 140, 140] }),
    cell([[inCare, memberOut], [sex, 2]], 200, { [ks2]: [200, 120, 120] }),
    cell([], 10, { [ks2]: [10, 5, 5] }),
  ];
  const aggregates: JointAggregates = new Map([[2023, year2023]]);

  it('gives the group, the rest and the gap exactly as the stats module does', () => {
    const [result] = computeGapMatrix(aggregates, { groups: [parseGroup('children-in-care')], indicators: [measures[ks2]!] });
    const expected = proportionDifference({ numerator: 12, denominator: 40 }, { numerator: 260, denominator: 400 }, { multiplier: 100 });
    expect(result).toMatchObject({
      group: 'children-in-care',
      indicator: 'ks2_rwm_expected',
      outcome: 'enjoy-and-achieve',
      year: '2023/24',
      group_count: 40,
      group_value: 30,
      comparator: 'all-other',
      comparator_count: 400,
      comparator_value: 65,
      gap: expected.value,
      gap_lower: expected.lower,
      gap_upper: expected.upper,
      significant: true,
      trend: 'not-enough-data',
      suppressed: false,
      unknown_count: 10,
      value_type: 'percentage',
    });
    expect(result!.gap).toBeCloseTo(-35, 10);
  });

  it('compares with all children when asked, the unknown included, deriving the gap from the gap against everyone else', () => {
    const [result] = computeGapMatrix(aggregates, { groups: [parseGroup('children-in-care')], indicators: [measures[ks2]!], comparator: 'all' });
    // Everyone (450, 277 met) contains the group, so the interval is not Newcombe's of group vs everyone
    // (which assumes two independent samples) but that of group vs the other 410 (265 met), scaled by 410/450.
    const againstOthers = proportionDifference({ numerator: 12, denominator: 40 }, { numerator: 265, denominator: 410 }, { multiplier: 100 });
    const expected = gapAgainstWhole(againstOthers, 40, 410);
    expect(result).toMatchObject({ comparator: 'all', comparator_count: 450, group_value: 30, significant: true });
    expect(result!.comparator_value).toBeCloseTo((100 * 277) / 450, 10);
    expect(result!.gap).toBeCloseTo(30 - (100 * 277) / 450, 10);
    expect(result!.gap).toBeCloseTo(expected.value!, 10);
    expect(result!.gap_lower).toBeCloseTo(expected.lower!, 10);
    expect(result!.gap_upper).toBeCloseTo(expected.upper!, 10);
    const naive = proportionDifference({ numerator: 12, denominator: 40 }, { numerator: 277, denominator: 450 }, { multiplier: 100 });
    expect(result!.gap_upper! - result!.gap_lower!).toBeLessThan(naive.upper! - naive.lower!);
  });

  it('is significant against all children exactly when it is against everyone else, for a mean too', () => {
    const data: JointAggregates = new Map([
      [2023, [cell([[inCare, memberIn]], 10, { [attainment8]: [10, 250, 6500] }), cell([[inCare, memberOut]], 100, { [attainment8]: [100, 4600, 220_000] })]],
    ]);
    const request = { groups: [parseGroup('children-in-care')], indicators: [measures[attainment8]!] };
    const [againstRest] = computeGapMatrix(data, request);
    const [againstAll] = computeGapMatrix(data, { ...request, comparator: 'all' });
    expect(againstAll!.significant).toBe(againstRest!.significant);
    expect(againstAll!.gap).toBeCloseTo(25 - 4850 / 110, 10);
    expect(againstAll!.gap_lower).toBeCloseTo((100 / 110) * againstRest!.gap_lower!, 10);
    expect(againstAll!.gap_upper).toBeCloseTo((100 / 110) * againstRest!.gap_upper!, 10);
  });

  it('derives the gap against all children from the released figures for a viewer who may not see small numbers', () => {
    const cellKeys = cellKeysFrom(randomUUID());
    const [released] = computeGapMatrix(aggregates, { groups: [parseGroup('children-in-care')], indicators: [measures[ks2]!], comparator: 'all', suppress: true, cellKeys });
    const [exact] = computeGapMatrix(aggregates, { groups: [parseGroup('children-in-care')], indicators: [measures[ks2]!], comparator: 'all' });
    // Released figures are perturbed: only their consistency is asserted, not their values.
    expect(released).toMatchObject({ suppressed: false, significant: exact!.significant });
    expect(released!.gap_lower!).toBeLessThanOrEqual(released!.gap!);
    expect(released!.gap_upper!).toBeGreaterThanOrEqual(released!.gap!);
    expect(released!.gap).toBeCloseTo(released!.group_value! - released!.comparator_value!, 0);
  });

  it('works out a combination: children not in care who are boys', () => {
    const [result] = computeGapMatrix(aggregates, { groups: [parseGroup('children-in-care:no&sex:M')], indicators: [measures[ks2]!] });
    // In: the 200 boys not in care. Out: anyone known to fail a term (in care, or a girl). Unknown: the 10.
    expect(result).toMatchObject({ group_count: 200, group_value: 60, comparator_count: 240 });
    expect(result!.comparator_value).toBeCloseTo((100 * 152) / 240, 10);
  });

  it('uses Welch’s interval for a mean', () => {
    const data: JointAggregates = new Map([
      [2023, [cell([[inCare, memberIn]], 10, { [attainment8]: [10, 250, 6500] }), cell([[inCare, memberOut]], 100, { [attainment8]: [100, 4600, 220_000] })]],
    ]);
    const [result] = computeGapMatrix(data, { groups: [parseGroup('children-in-care')], indicators: [measures[attainment8]!] });
    const sd = (n: number, sum: number, sumsq: number) => Math.sqrt((sumsq - (sum * sum) / n) / (n - 1));
    const expected = meanDifference({ count: 10, mean: 25, standardDeviation: sd(10, 250, 6500) }, { count: 100, mean: 46, standardDeviation: sd(100, 4600, 220_000) });
    expect(result).toMatchObject({ group_value: 25, comparator_value: 46, gap: expected.value, gap_lower: expected.lower, gap_upper: expected.upper, value_type: 'mean' });
  });

  it('withholds small numbers when suppressing, and only then', () => {
    const small: JointAggregates = new Map([[2023, [cell([[inCare, memberIn]], 3, { [ks2]: [3, 1, 1] }), cell([[inCare, memberOut]], 300, { [ks2]: [300, 200, 200] })]]]);
    const request = { groups: [parseGroup('children-in-care')], indicators: [measures[ks2]!] };
    expect(computeGapMatrix(small, { ...request, suppress: true })[0]).toMatchObject({ suppressed: true, group_count: null, group_value: null, gap: null, significant: null });
    expect(computeGapMatrix(small, request)[0]).toMatchObject({ suppressed: false, group_count: 3 });
  });

  it('labels a gap that closes steadily as narrowing, and one that grows as widening', () => {
    const series = (gapFor: (year: number) => number): JointAggregates =>
      new Map(
        [2019, 2020, 2021, 2022, 2023].map((year) => {
          const inGroup = Math.round(10 * (60 + gapFor(year)));
          return [year, [cell([[inCare, memberIn]], 1000, { [ks2]: [1000, inGroup, inGroup] }), cell([[inCare, memberOut]], 10_000, { [ks2]: [10_000, 6000, 6000] })]];
        }),
      );
    const label = (data: JointAggregates) => computeGapMatrix(data, { groups: [parseGroup('children-in-care')], indicators: [measures[ks2]!], years: [2023] })[0]!.trend;
    expect(label(series((year) => -30 + 5 * (year - 2019)))).toBe('narrowing');
    expect(label(series((year) => -10 - 5 * (year - 2019)))).toBe('widening');
    expect(label(series(() => -20))).toBe('no-significant-change');
  });

  it('refuses a group it does not know, naming it', () => {
    expect(() => parseGroup('left-handed')).toThrow('"left-handed" is not a group');
    expect(() => parseGroup('sex:X')).toThrow('sex is sex:F or sex:M');
  });
});

describe('the gap matrix with a single child on one side', () => {
  it('shows a mean without an interval rather than failing', () => {
    const data: JointAggregates = new Map([[2023, [cell([[inCare, memberIn]], 1, { [attainment8]: [1, 30, 900] }), cell([[inCare, memberOut]], 50, { [attainment8]: [50, 2300, 110_000] })]]]);
    const [result] = computeGapMatrix(data, { groups: [parseGroup('children-in-care')], indicators: [measures[attainment8]!] });
    expect(result).toMatchObject({ group_value: 30, group_lower: null, group_upper: null, comparator_value: 46, gap: -16, gap_lower: null, gap_upper: null, significant: null });
  });

  it('shows a gap without an interval when every child on both sides has the same value', () => {
    // Three children in care and five others, each with no suspensions: no spread to build Welch's interval from.
    const data: JointAggregates = new Map([[2023, [cell([[inCare, memberIn]], 3, { [suspensions]: [3, 0, 0] }), cell([[inCare, memberOut]], 5, { [suspensions]: [5, 0, 0] })]]]);
    const [result] = computeGapMatrix(data, { groups: [parseGroup('children-in-care')], indicators: [measures[suspensions]!] });
    expect(result).toMatchObject({ group_value: 0, comparator_value: 0, gap: 0, gap_lower: null, gap_upper: null, significant: null });
  });
});

describe('the gap matrix against the same group in England', () => {
  // 2023/24: 12 of 40 children in care reached the KS2 standard (30%); the rest as above.
  const aggregates: JointAggregates = new Map([[2023, [cell([[inCare, memberIn]], 40, { [ks2]: [40, 12, 12] }), cell([[inCare, memberOut]], 400, { [ks2]: [400, 260, 260] })]]]);
  const request = { groups: [parseGroup('children-in-care')], indicators: [measures[ks2]!], comparator: 'england' as const };
  const england = (value: number): PublishedLookup => (indicator, group, year) =>
    indicator === 'ks2_rwm_expected' && group === 'children-in-care' && year === 2023 ? { value, count: 6000 } : { value: null, note: 'not published' };
  // Wilson 95% interval of 12/40, worked by hand: (2x + z² ∓ z√(z² + 4x(n − x)/n)) / 2(n + z²) with z = 1.959964 gives 18.0748% to 45.4300%.
  const lower = 18.07484522974653;
  const upper = 45.43001881814493;

  it('takes England’s figure as fixed and moves the group’s own interval by it', () => {
    const [result] = computeGapMatrix(aggregates, { ...request, published: england(50) });
    expect(result).toMatchObject({ comparator: 'england', group_count: 40, group_value: 30, comparator_value: 50, comparator_count: 6000, comparator_lower: null, comparator_upper: null, gap: -20, significant: true, comparator_note: null, unknown_count: 0 });
    expect(result!.group_lower).toBeCloseTo(lower, 10);
    expect(result!.gap_lower).toBeCloseTo(lower - 50, 10);
    expect(result!.gap_upper).toBeCloseTo(upper - 50, 10);
  });

  it('calls a gap not significant when the group’s interval holds England’s figure', () => {
    const [result] = computeGapMatrix(aggregates, { ...request, published: england(37) });
    expect(result).toMatchObject({ gap: -7, significant: false });
    expect(result!.gap_upper).toBeCloseTo(upper - 37, 10);
  });

  it('says why there is no comparator when nothing is published, keeping the group’s own figures', () => {
    const [result] = computeGapMatrix(aggregates, { ...request, years: [2023], published: () => ({ value: null, note: 'no published figure' }) });
    expect(result).toMatchObject({ group_value: 30, comparator_value: null, comparator_count: null, gap: null, gap_lower: null, significant: null, trend: 'not-enough-data', comparator_note: 'no published figure' });
  });

  it('withholds only the group’s own small numbers, England’s figure being public', () => {
    const small: JointAggregates = new Map([[2023, [cell([[inCare, memberIn]], 3, { [ks2]: [3, 1, 1] })]]]);
    expect(computeGapMatrix(small, { ...request, suppress: true, published: england(50) })[0]).toMatchObject({ suppressed: true, group_value: null, gap: null });
    const enough: JointAggregates = new Map([[2023, [cell([[inCare, memberIn]], 40, { [ks2]: [40, 12, 12] })]]]);
    // Released figures are made from counts rounded to 5: 12 of 40 is released as 10 of 40, 25%.
    expect(computeGapMatrix(enough, { ...request, suppress: true, published: england(50) })[0]).toMatchObject({ suppressed: false, group_count: 40, group_value: 25, comparator_value: 50, gap: -25 });
  });

  it('labels a group closing steadily on England as narrowing', () => {
    // Children in care rise from 30% to 50% while England stays at 60%: gaps of −30, −25, −20, −15, −10.
    const rising: JointAggregates = new Map(
      [2019, 2020, 2021, 2022, 2023].map((year) => {
        const reached = 10 * (30 + 5 * (year - 2019));
        return [year, [cell([[inCare, memberIn]], 1000, { [ks2]: [1000, reached, reached] })]];
      }),
    );
    const [result] = computeGapMatrix(rising, { ...request, years: [2023], published: () => ({ value: 60, count: null }) });
    expect(result).toMatchObject({ gap: -10, comparator_count: null, trend: 'narrowing' });
  });
});
