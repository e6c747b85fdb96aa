import { indicators } from '../aggregates/indicators.js';
import { childrenBeyondMean, cohensH, hedgesCorrection, standardDeviationFromMeanInterval } from '../stats/index.js';
import type { GapCell } from './matrix.js';

/** A gap in the ranked list of curves to turn. Field names are the API's (see `curveFields`). */
export interface RankedCurve {
  rank: number;
  group: string;
  indicator: string;
  year: string;
  /** The group's value minus the comparator's: percentage points, or the measure's units. */
  gap: number;
  gap_lower: number | null;
  gap_upper: number | null;
  significant: boolean | null;
  trend: GapCell['trend'];
  /** Cohen's h for percentages, Hedges' g for averages and counts; the sign of the gap. */
  standardised_gap: number;
  /** Children in the group who would need a different outcome for the gap to close. */
  children_to_close: number;
  /** What the list is ordered by, highest first (see `curveScore`). */
  score: number;
  group_label: string;
  indicator_label: string;
  outcome: string;
  value_type: GapCell['value_type'];
  group_count: number | null;
  group_value: number | null;
  comparator_value: number | null;
}

/** The fields of a ranked curve, in the order of the API and the command line's CSV. */
export const curveFields: readonly (keyof RankedCurve)[] = [
  'rank',
  'group',
  'indicator',
  'year',
  'gap',
  'gap_lower',
  'gap_upper',
  'significant',
  'trend',
  'standardised_gap',
  'children_to_close',
  'score',
  'group_label',
  'indicator_label',
  'outcome',
  'value_type',
  'group_count',
  'group_value',
  'comparator_value',
];

/** How much a gap's direction of travel weighs in its score: a widening gap is more urgent than one already closing. */
export const trendWeights: Readonly<Record<GapCell['trend'], number>> = { widening: 1.5, 'no-significant-change': 1, 'not-enough-data': 1, narrowing: 0.75 };
/** A gap whose interval includes zero may be chance: it counts for half. */
export const notSignificantWeight = 0.5;

/** True when the group does worse than its comparator, given the indicator's polarity (significant or not). */
export function groupDoesWorse(cell: GapCell): boolean {
  if (cell.gap === null || cell.gap === 0) return false;
  return cell.polarity === 'higher-is-better' ? cell.gap < 0 : cell.gap > 0;
}

/** True when the group does significantly worse than its comparator, given the indicator's polarity. */
export function significantlyWorse(cell: GapCell): boolean {
  return cell.significant === true && groupDoesWorse(cell);
}

const measureByName = new Map(indicators.map((measure) => [measure.name, measure]));

/**
 * Whether the group is defined by the indicator itself (poor attendance on attendance, excluded
 * children on suspensions, and combinations that include such a group): its gap there is true by
 * definition, not a finding. The catalogue of measures marks them (`definesGroups`).
 */
export function definedByIndicator(group: string, indicator: string): boolean {
  const defined = measureByName.get(indicator)?.definesGroups ?? [];
  // Each term is a group id, `group:no`, `group:field` (an alternative definition), `sex:F` or `ethnicity:CODE`.
  return group.split('&').some((term) => defined.includes(term.split(':')[0]!));
}

/** The gap on a scale shared by every kind of indicator, with the children it stands for; null when the figures cannot give one. */
export function standardisedGap(cell: GapCell): { standardised: number; children: number } | null {
  if (cell.gap === null || cell.group_value === null || cell.comparator_value === null || cell.group_count === null) return null;
  if (cell.value_type === 'percentage') {
    const standardised = cohensH(cell.group_value / 100, cell.comparator_value / 100);
    if (standardised === null) return null;
    return { standardised, children: Math.round((cell.group_count * Math.abs(cell.gap)) / 100) };
  }
  // The matrix gives the sides' spread at full precision when asked (`withSpread`); otherwise it is
  // worked back from each side's interval, which is exact for unrounded figures.
  const groupSd = cell.spread?.group ?? standardDeviationFromMeanInterval(cell.group_lower, cell.group_upper, cell.group_count);
  if (groupSd === null) return null;
  // A published comparator carries no spread: the group's own is then the best one to hand.
  const comparatorSd =
    cell.comparator_count !== null && cell.comparator_count >= 2 ? (cell.spread?.comparator ?? standardDeviationFromMeanInterval(cell.comparator_lower, cell.comparator_upper, cell.comparator_count)) : null;
  const pooled =
    comparatorSd === null || cell.comparator_count === null
      ? { sd: groupSd, degrees: cell.group_count - 1 }
      : {
          sd: Math.sqrt(((cell.group_count - 1) * groupSd ** 2 + (cell.comparator_count - 1) * comparatorSd ** 2) / (cell.group_count + cell.comparator_count - 2)),
          degrees: cell.group_count + cell.comparator_count - 2,
        };
  if (!(pooled.sd > 0) || pooled.degrees < 2) return null;
  // Hedges' g: Cohen's d with the small-sample correction, as `standardisedMeanDifference` computes it.
  const standardised = hedgesCorrection(pooled.degrees) * (cell.gap / pooled.sd);
  return { standardised, children: Math.round(childrenBeyondMean(standardised, cell.group_count)) };
}

/**
 * A curve's score: the size of the gap on the shared scale, times log₁₀(children to close + 10)
 * (one more for each tenfold more children, so a wide gap in a small group and a moderate gap in a
 * large one both rise), halved when the gap is not significant, and weighted by its direction of
 * travel (`trendWeights`).
 */
export function curveScore(standardised: number, children: number, significant: boolean | null, trend: GapCell['trend']): number {
  return Math.abs(standardised) * Math.log10(children + 10) * (significant === true ? 1 : notSignificantWeight) * trendWeights[trend];
}

const roundTo = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

/**
 * Which curves to turn, in order: every gap where the group does worse than its comparator (and is
 * not defined by the indicator, nor withheld), scored by `curveScore`, highest first. Ties go to
 * the more children, then the framework's order as given.
 */
export function rankCurves(cells: readonly GapCell[]): RankedCurve[] {
  const scored: Omit<RankedCurve, 'rank'>[] = [];
  for (const cell of cells) {
    if (cell.suppressed || !groupDoesWorse(cell) || definedByIndicator(cell.group, cell.indicator)) continue;
    const size = standardisedGap(cell);
    if (size === null) continue;
    scored.push({
      group: cell.group,
      indicator: cell.indicator,
      year: cell.year,
      gap: cell.gap!,
      gap_lower: cell.gap_lower,
      gap_upper: cell.gap_upper,
      significant: cell.significant,
      trend: cell.trend,
      standardised_gap: roundTo(size.standardised, 3),
      children_to_close: size.children,
      score: roundTo(curveScore(size.standardised, size.children, cell.significant, cell.trend), 3),
      group_label: cell.group_label,
      indicator_label: measureByName.get(cell.indicator)?.label ?? cell.indicator,
      outcome: cell.outcome,
      value_type: cell.value_type,
      group_count: cell.group_count,
      group_value: cell.group_value,
      comparator_value: cell.comparator_value,
    });
  }
  // A stable sort keeps the framework's order among exact ties.
  return scored.sort((a, b) => b.score - a.score || b.children_to_close - a.children_to_close).map((curve, index) => ({ rank: index + 1, ...curve }));
}
