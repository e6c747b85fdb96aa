import { describe, expect, it } from 'vitest';
import type { GapCell } from './matrix.js';
import { curvesToTurn, significantlyWorse } from './curves.js';

function cell(overrides: Partial<GapCell>): GapCell {
  return {
    group: 'children-in-care',
    group_label: 'Children in care',
    indicator: 'ks2_rwm_expected',
    outcome: 'enjoy-and-achieve',
    year: '2023/24',
    group_count: 100,
    group_value: 40,
    group_lower: 30.9,
    group_upper: 49.8,
    comparator: 'all-other',
    comparator_count: 1000,
    comparator_value: 60,
    comparator_lower: 56.9,
    comparator_upper: 63,
    gap: -20,
    gap_lower: -30,
    gap_upper: -10,
    significant: true,
    trend: 'no-significant-change',
    suppressed: false,
    unknown_count: 0,
    value_type: 'percentage',
    polarity: 'higher-is-better',
    comparator_note: null,
    comparator_source: null,
    suppressed_reason: null,
    ...overrides,
  };
}

describe('which curves to turn', () => {
  it('keeps only gaps where the group does significantly worse, reading the polarity', () => {
    expect(significantlyWorse(cell({}))).toBe(true);
    expect(significantlyWorse(cell({ gap: 5, gap_lower: 1, gap_upper: 9 }))).toBe(false);
    expect(significantlyWorse(cell({ significant: false }))).toBe(false);
    expect(significantlyWorse(cell({ polarity: 'lower-is-better', gap: 3, indicator: 'neet_16_17' }))).toBe(true);
  });

  it('puts widening gaps first, narrowing last, and within each the most children behind first', () => {
    const ranked = curvesToTurn([
      cell({ group: 'a', trend: 'narrowing', group_count: 1000 }),
      cell({ group: 'b', trend: 'no-significant-change', group_count: 50 }),
      cell({ group: 'c', trend: 'widening', group_count: 10 }),
      cell({ group: 'd', trend: 'no-significant-change', group_count: 500 }),
      cell({ group: 'e', significant: false }),
    ]);
    expect(ranked.map((curve) => [curve.rank, curve.cell.group, curve.childrenBehind])).toEqual([
      [1, 'c', 2],
      [2, 'd', 100],
      [3, 'b', 10],
      [4, 'a', 200],
    ]);
  });
});
