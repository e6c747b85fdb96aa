import { memberIn, memberOut } from '../aggregates/signature.js';
import { formatAcademicYear } from '../ingest/child-standard.js';
import { indicators as allIndicators } from '../aggregates/indicators.js';
import type { MeasureDefinition } from '../ingest/child-standard.js';
import { gapAgainstWhole, gapTrend, meanDifference, meanFromSummary, proportion, proportionDifference, releaseCount, releaseSummary, standardDeviationFromSums, summaryFromSums } from '../stats/index.js';
import type { CellKeys } from './cell-keys.js';
import { figureKey } from './cell-keys.js';
import type { GapPoint, WithheldBecause } from '../stats/index.js';
import type { GroupSpec } from './groups.js';
import { standing } from './groups.js';
import type { JointAggregates, JointCell } from './joint-aggregates.js';

/**
 * What a group is compared with: the other children (known not to be in the group), all children,
 * or the same group as published (loaded published statistics, see benchmarks.ts) in England or in
 * the authority's region.
 */
export type Comparator = 'all-other' | 'all' | 'england' | 'region';
export const comparators: readonly Comparator[] = ['all-other', 'all', 'england', 'region'];

/** Whether a comparator is a published figure rather than the authority's own children. */
export function isPublishedComparator(comparator: Comparator): comparator is 'england' | 'region' {
  return comparator === 'england' || comparator === 'region';
}

/** A published figure to compare a group with: its value (and count, when published), or why there is none. */
/** A published figure (or why there is none), with its provenance in words when a file was read. */
export type PublishedComparison = { value: number; count: number | null; source?: string } | { value: null; note: string; source?: string };

/** The same group's published figure for an indicator (measure name), group id and academic year (start year). */
export type PublishedLookup = (indicator: string, group: string, year: number) => PublishedComparison;

export type GapTrendLabel = 'narrowing' | 'widening' | 'no-significant-change' | 'not-enough-data';

/** One cell of the gap matrix: a group, an indicator, a year. Field names are the API's. */
export interface GapCell {
  group: string;
  group_label: string;
  indicator: string;
  outcome: string;
  year: string;
  /** Children in the group with a value for the indicator. */
  group_count: number | null;
  /** Percentage for yes/no indicators, mean otherwise. */
  group_value: number | null;
  /** 95% confidence interval of the group's value (Wilson for percentages, Student's t for means). */
  group_lower: number | null;
  group_upper: number | null;
  comparator: Comparator;
  comparator_count: number | null;
  comparator_value: number | null;
  comparator_lower: number | null;
  comparator_upper: number | null;
  /** The group's value minus the comparator's: percentage points, or the measure's units. */
  gap: number | null;
  gap_lower: number | null;
  gap_upper: number | null;
  /** The 95% interval of the gap excludes zero. */
  significant: boolean | null;
  /** Direction of travel of the gap over the years up to this one (Fingertips weighted-regression test). */
  trend: GapTrendLabel;
  /** Small numbers withheld: 1 to 4 children in the group or the comparator, or meeting or missing the outcome, or events. */
  suppressed: boolean;
  /** Children with a value whose membership of the group is not recorded (neither in nor among the rest); null when 1 to 4 and withheld. */
  unknown_count: number | null;
  value_type: 'percentage' | 'mean';
  polarity: MeasureDefinition['polarity'];
  /** Why the comparator has no value when it is a published figure ('england', 'region'): no equivalent statistic, none loaded, or the symbol published. */
  comparator_note: string | null;
  /** Where a published comparator ('england', 'region') came from: national or the authority's own file, the file, its batch, who loaded it and when. */
  comparator_source: string | null;
  /**
   * Why the cell is withheld: which side (group or comparator) and what was small (its children, or
   * those meeting or missing the outcome, or its events), e.g. `group-few-children`; null when shown.
   */
  suppressed_reason: SuppressedReason | null;
  /**
   * Not in the API: the standard deviations of the two sides' values (released ones when
   * suppressing), at full precision, for rankings that standardise a gap (curves.ts). Only when
   * asked for with `withSpread`; null for a percentage, a published comparator or fewer than 2 children.
   */
  spread?: { group: number | null; comparator: number | null };
}

/**
 * The side that was small and whether its children or those with the outcome were few. Whether few
 * met or few missed a yes/no outcome is not said: that would tell the viewer which it is.
 */
export type SuppressedReason = `${'group' | 'comparator'}-${'few-children' | 'few-with-outcome'}`;
export const suppressedReasons: readonly SuppressedReason[] = (['group', 'comparator'] as const).flatMap((sideName) =>
  (['few-children', 'few-with-outcome'] as const).map((because): SuppressedReason => `${sideName}-${because}`),
);

function reasonOf(sideName: 'group' | 'comparator', because: WithheldBecause): SuppressedReason {
  return `${sideName}-${because === 'few-children' ? 'few-children' : 'few-with-outcome'}`;
}

export interface GapMatrixRequest {
  groups: readonly GroupSpec[];
  indicators?: readonly MeasureDefinition[];
  /** The academic years to show (start years); default every year in the aggregates. */
  years?: readonly number[];
  comparator?: Comparator;
  /** The published figures the 'england' or 'region' comparator reads (England's, or the authority's region's). */
  published?: PublishedLookup;
  /**
   * Release the figures under disclosure control (everyone without child-level access to the area):
   * small numbers withheld, counts rounded, every figure derived from the rounded counts (see
   * `releaseSummary`), and no trend drawn through a withheld year.
   */
  suppress?: boolean;
  /** The installation's cell keys, which perturb released counts (see cell-keys.ts); without them released counts are only rounded. */
  cellKeys?: CellKeys;
  /** Give each shown cell its sides' spread (`spread`), which the rounded intervals no longer carry. */
  withSpread?: boolean;
}

const width = allIndicators.length * 3;

interface Sums {
  in: Float64Array;
  out: Float64Array;
  unknown: Float64Array;
  /** Per measure, the summed cell keys of the signatures with a value on each side (only when releasing). */
  keys: { in: Float64Array; out: Float64Array; unknown: Float64Array } | null;
}

/** Each group's sums in, out and unknown, for one year, in one pass over the year's signatures. */
function sumsFor(groups: readonly GroupSpec[], cells: readonly JointCell[], cellKeys: CellKeys | undefined): Sums[] {
  const keyArrays = () => ({ in: new Float64Array(allIndicators.length), out: new Float64Array(allIndicators.length), unknown: new Float64Array(allIndicators.length) });
  const sums: Sums[] = groups.map(() => ({ in: new Float64Array(width), out: new Float64Array(width), unknown: new Float64Array(width), keys: cellKeys === undefined ? null : keyArrays() }));
  for (const cell of cells) {
    const figures = cell.figures;
    const cellKey = cellKeys?.signature(cell.signature);
    for (let index = 0; index < groups.length; index++) {
      const where = standing(groups[index]!, cell.signature);
      const place = where === memberIn ? 'in' : where === memberOut ? 'out' : 'unknown';
      const target = sums[index]![place];
      for (let position = 0; position < width; position++) target[position]! += figures[position]!;
      const keys = sums[index]!.keys?.[place];
      if (keys !== undefined && cellKey !== undefined) for (let measure = 0; measure < allIndicators.length; measure++) if (figures[measure * 3]! > 0) keys[measure]! += cellKey;
    }
  }
  return sums;
}

export interface Side {
  n: number;
  sum: number;
  sumsq: number;
  /** The summed cell keys of the children's signatures (releasing only): the same children, the same key. */
  key?: number;
}

function side(figures: Float64Array, measureIndex: number, keys?: Float64Array): Side {
  return { n: figures[measureIndex * 3]!, sum: figures[measureIndex * 3 + 1]!, sumsq: figures[measureIndex * 3 + 2]!, ...(keys === undefined ? {} : { key: keys[measureIndex]! }) };
}

function combined(...sides: Side[]): Side {
  return sides.reduce(
    (total, next) => ({ n: total.n + next.n, sum: total.sum + next.sum, sumsq: total.sumsq + next.sumsq, ...(next.key === undefined ? {} : { key: (total.key ?? 0) + next.key }) }),
    { n: 0, sum: 0, sumsq: 0 } as Side,
  );
}

/** The key of a side's children in a year: the same children always get the same perturbation. */
function keyOf(figures: Side, year: number): number | undefined {
  return figures.key === undefined ? undefined : figureKey(figures.key, year);
}

/** A side as released to a viewer who may not see small numbers: perturbed and rounded, or withheld and why. */
function released(measure: MeasureDefinition, figures: Side, year: number): { side: Side; withheld: null } | { side: null; withheld: WithheldBecause } {
  const valueRange = measure.min !== undefined && measure.max !== undefined ? measure.max - measure.min : undefined;
  const result = releaseSummary(figures, measure.type, { key: keyOf(figures, year), valueRange });
  return result.summary === null ? { side: null, withheld: result.withheld } : { side: result.summary, withheld: null };
}

/**
 * The authority's own figures for a group (or every child, 'all') on one measure in one year, as the
 * gap matrix shows them: exact, or released under disclosure control with the same key (the same
 * children, the same perturbation), so every page that shows the authority's figure shows one figure.
 * Null when a released figure is withheld.
 */
export function authorityFigure(
  cells: readonly JointCell[],
  group: GroupSpec | 'all',
  measure: MeasureDefinition,
  year: number,
  release: { suppress: boolean; cellKeys?: CellKeys | undefined },
): Side | null {
  const index = allIndicators.indexOf(measure);
  const keys = release.suppress ? release.cellKeys : undefined;
  let figures: Side = { n: 0, sum: 0, sumsq: 0, ...(keys === undefined ? {} : { key: 0 }) };
  for (const cell of cells) {
    if (group !== 'all' && standing(group, cell.signature) !== memberIn) continue;
    const n = cell.figures[index * 3]!;
    // As the matrix keys a side: the summed keys of the signatures with a value for the measure.
    const key = keys === undefined ? {} : { key: n > 0 ? keys.signature(cell.signature) : 0 };
    figures = combined(figures, { n, sum: cell.figures[index * 3 + 1]!, sumsq: cell.figures[index * 3 + 2]!, ...key });
  }
  return release.suppress ? released(measure, figures, year).side : figures;
}

/** Figures a suppressed viewer reads are rounded to one decimal place: the figures behind them are rounded already. */
function oneDecimal(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}

interface Estimated {
  groupValue: number | null;
  comparatorValue: number | null;
  gap: number | null;
  lower: number | null;
  upper: number | null;
}

/** One side's value with its own interval, by the stats module (Wilson; Student's t). */
function valueWithInterval(measure: MeasureDefinition, figures: Side): { value: number | null; lower: number | null; upper: number | null } {
  if (figures.n === 0) return { value: null, lower: null, upper: null };
  if (measure.type === 'binary') {
    const result = proportion(figures.sum, figures.n, { multiplier: 100 });
    return { value: result.value, lower: result.lower, upper: result.upper };
  }
  // A mean's interval needs two or more children; one child's value is shown without one.
  if (figures.n < 2) return { value: figures.sum / figures.n, lower: null, upper: null };
  const result = meanFromSummary(summaryFromSums(figures));
  return { value: result.value, lower: result.lower, upper: result.upper };
}

/** The gap from two sides' sufficient statistics, by the stats module's methods (Newcombe; Welch). */
function gapBetween(measure: MeasureDefinition, group: Side, comparator: Side): Estimated {
  if (group.n === 0 || comparator.n === 0) {
    const value = (figures: Side) => (figures.n === 0 ? null : measure.type === 'binary' ? (100 * figures.sum) / figures.n : figures.sum / figures.n);
    return { groupValue: value(group), comparatorValue: value(comparator), gap: null, lower: null, upper: null };
  }
  if (measure.type === 'binary') {
    const result = proportionDifference({ numerator: group.sum, denominator: group.n }, { numerator: comparator.sum, denominator: comparator.n }, { multiplier: 100 });
    return { groupValue: result.group.value, comparatorValue: result.comparator.value, gap: result.value, lower: result.lower, upper: result.upper };
  }
  const groupSummary = summaryFromSums(group);
  const comparatorSummary = summaryFromSums(comparator);
  // Welch's interval needs two or more children on each side, and some spread on one side at least
  // (every child with the same value on both sides, say all of a few children with no suspensions):
  // without them the gap is shown without an interval.
  if (group.n < 2 || comparator.n < 2 || (groupSummary.standardDeviation === 0 && comparatorSummary.standardDeviation === 0)) {
    return { groupValue: groupSummary.mean, comparatorValue: comparatorSummary.mean, gap: groupSummary.mean - comparatorSummary.mean, lower: null, upper: null };
  }
  const result = meanDifference(groupSummary, comparatorSummary);
  return { groupValue: groupSummary.mean, comparatorValue: comparatorSummary.mean, gap: result.value, lower: result.lower, upper: result.upper };
}

/** The side of `whole` that is not `part` (the children of everyone who are not in the group). */
function without(whole: Side, part: Side): Side {
  return { n: whole.n - part.n, sum: whole.sum - part.sum, sumsq: whole.sumsq - part.sumsq };
}

/**
 * The gap against all children, the group among them. Everyone's value mixes the group's and the
 * others', so the gap is (1 − n_g/N) times the gap against the others, an independent sample, and
 * its interval is theirs scaled the same way (stats `gapAgainstWhole`); its significance is the
 * significance against the others. Comparing the group with everyone as if independent would make
 * the interval too wide. Shown values stay the group's and everyone's; released figures are used
 * as they are, the others being everyone less the group.
 */
function gapAgainstAll(measure: MeasureDefinition, group: Side, everyone: Side): Estimated {
  const others = without(everyone, group);
  const direct = gapBetween(measure, group, everyone);
  if (group.n === 0 || !usableSide(measure, others)) return { ...direct, lower: null, upper: null };
  const againstOthers = gapBetween(measure, group, others);
  const whole = gapAgainstWhole({ value: againstOthers.gap, lower: againstOthers.lower, upper: againstOthers.upper }, group.n, others.n);
  return { ...direct, lower: whole.lower, upper: whole.upper };
}

/** Released sides are rounded separately, so everyone less the group can come out empty or impossible. */
function usableSide(measure: MeasureDefinition, figures: Side): boolean {
  if (!(figures.n >= 1) || !Number.isInteger(figures.n)) return false;
  return measure.type !== 'binary' || (figures.sum >= 0 && figures.sum <= figures.n);
}

/**
 * The gap against a published figure, which is taken as fixed: published aggregates carry no
 * interval here, and a national figure rests on so many children that its own uncertainty is small
 * beside a group's in one authority. The gap's interval is the group's own interval shifted by the
 * figure, so the gap is significant exactly when the group's interval excludes it.
 */
function estimateAgainstPublished(measure: MeasureDefinition, group: Side, published: PublishedComparison): Estimated {
  const own = valueWithInterval(measure, group);
  if (own.value === null || published.value === null) return { groupValue: own.value, comparatorValue: published.value, gap: null, lower: null, upper: null };
  const shift = (limit: number | null) => (limit === null ? null : limit - published.value);
  return { groupValue: own.value, comparatorValue: published.value, gap: own.value - published.value, lower: shift(own.lower), upper: shift(own.upper) };
}

const nothingPublished: PublishedLookup = () => ({ value: null, note: 'no published statistics were given to compare with' });

/**
 * The gap matrix of one area from its aggregates: for every group, indicator and year, the group's
 * value and count, the comparator's, the gap with its 95% interval, whether it is significant, and
 * its direction of travel over the years. Figures come only from the aggregates and the stats module.
 */
export function computeGapMatrix(aggregates: JointAggregates, request: GapMatrixRequest): GapCell[] {
  const comparator = request.comparator ?? 'all-other';
  const suppress = request.suppress === true;
  const indicators = request.indicators ?? allIndicators;
  const allYears = [...aggregates.keys()].sort((a, b) => a - b);
  const shownYears = (request.years ?? allYears).filter((year) => aggregates.has(year)).sort((a, b) => a - b);
  const sumsByYear = new Map(allYears.map((year) => [year, sumsFor(request.groups, aggregates.get(year)!, suppress ? request.cellKeys : undefined)]));
  const cells: GapCell[] = [];
  request.groups.forEach((group, groupIndex) => {
    for (const measure of indicators) {
      const measureIndex = allIndicators.indexOf(measure);
      const series = new Map<number, YearPoint>();
      for (const year of allYears) {
        const sums = sumsByYear.get(year)![groupIndex]!;
        const keys = sums.keys ?? undefined;
        const sides = { inside: side(sums.in, measureIndex, keys?.in), rest: side(sums.out, measureIndex, keys?.out), unknown: side(sums.unknown, measureIndex, keys?.unknown) };
        series.set(year, yearPoint(measure, year, comparator, suppress, sides, () => (request.published ?? nothingPublished)(measure.name, group.id, year)));
      }
      for (const year of shownYears) {
        const point = series.get(year)!;
        const trend = point.withheld === null ? trendUpTo(series, allYears, year) : 'not-enough-data';
        const suppressed = point.withheld !== null;
        const { groupValue, comparatorValue, gap, lower, upper } = point.estimate;
        const groupInterval = valueWithInterval(measure, point.group);
        // A published figure carries no interval here; its count is the published one, when given.
        const comparatorInterval = point.published === null ? valueWithInterval(measure, point.comparator) : { lower: null, upper: null };
        const comparatorCount = point.published === null ? point.comparator.n : point.published.value === null ? null : point.published.count;
        const shown = (value: number | null) => (suppressed ? null : suppress ? oneDecimal(value) : value);
        cells.push({
          group: group.id,
          group_label: group.label,
          indicator: measure.name,
          outcome: measure.outcome,
          year: formatAcademicYear(year),
          group_count: suppressed ? null : point.group.n,
          group_value: shown(groupValue),
          group_lower: shown(groupInterval.lower),
          group_upper: shown(groupInterval.upper),
          comparator,
          comparator_count: suppressed ? null : comparatorCount,
          comparator_value: point.published === null ? shown(comparatorValue) : suppressed ? null : comparatorValue,
          comparator_lower: shown(comparatorInterval.lower),
          comparator_upper: shown(comparatorInterval.upper),
          gap: shown(gap),
          gap_lower: shown(lower),
          gap_upper: shown(upper),
          significant: suppressed || lower === null || upper === null ? null : lower > 0 || upper < 0,
          trend,
          suppressed,
          unknown_count: suppressed ? null : point.unknownCount,
          value_type: measure.type === 'binary' ? 'percentage' : 'mean',
          polarity: measure.polarity,
          comparator_note: point.published?.value === null ? point.published.note : null,
          comparator_source: point.published?.source ?? null,
          suppressed_reason: point.withheld,
          ...(request.withSpread === true && !suppressed ? { spread: spreadOf(measure, point) } : {}),
        });
      }
    }
  });
  return cells;
}

/** The two sides' standard deviations, for averages and counts; the published comparator has none here. */
function spreadOf(measure: MeasureDefinition, point: YearPoint): { group: number | null; comparator: number | null } {
  if (measure.type === 'binary') return { group: null, comparator: null };
  return { group: standardDeviationFromSums(point.group), comparator: point.published === null ? standardDeviationFromSums(point.comparator) : null };
}

/** One group, indicator and year: the sides the figures are made from (released ones when suppressing) and the estimate. */
interface YearPoint {
  estimate: Estimated;
  group: Side;
  comparator: Side;
  /** Children whose membership is unknown; null when withheld. */
  unknownCount: number | null;
  published: PublishedComparison | null;
  withheld: SuppressedReason | null;
}

const noChildren: Side = { n: 0, sum: 0, sumsq: 0 };

function yearPoint(
  measure: MeasureDefinition,
  year: number,
  comparator: Comparator,
  suppress: boolean,
  { inside, rest, unknown }: { inside: Side; rest: Side; unknown: Side },
  lookUp: () => PublishedComparison,
): YearPoint {
  const published = isPublishedComparator(comparator) ? lookUp() : null;
  const against = comparator === 'all' ? combined(inside, rest, unknown) : rest;
  const estimateFrom = (group: Side, other: Side): Estimated =>
    published !== null ? estimateAgainstPublished(measure, group, published) : comparator === 'all' ? gapAgainstAll(measure, group, other) : gapBetween(measure, group, other);
  if (!suppress) {
    const estimate = estimateFrom(inside, against);
    return { estimate, group: inside, comparator: published === null ? against : noChildren, unknownCount: unknown.n, published, withheld: null };
  }
  // Every figure a suppressed viewer sees is made from the released (rounded) sides alone.
  const groupSide = released(measure, inside, year);
  const comparatorSide = published === null ? released(measure, against, year) : { side: noChildren, withheld: null };
  const withheld = groupSide.withheld !== null ? reasonOf('group', groupSide.withheld) : comparatorSide.withheld !== null ? reasonOf('comparator', comparatorSide.withheld) : null;
  const unknownCount = releaseCount(unknown.n, { key: keyOf(unknown, year) });
  if (groupSide.side === null || comparatorSide.side === null) {
    return { estimate: { groupValue: null, comparatorValue: null, gap: null, lower: null, upper: null }, group: noChildren, comparator: noChildren, unknownCount, published, withheld };
  }
  const estimate = estimateFrom(groupSide.side, comparatorSide.side);
  return { estimate, group: groupSide.side, comparator: comparatorSide.side, unknownCount, published, withheld };
}

/**
 * The direction of travel of the gap up to a year. A withheld year breaks the series: the trend is
 * drawn only through the unbroken run of shown years that ends at this one, so no trend carries
 * figures from a year whose figures are withheld.
 */
function trendUpTo(series: ReadonlyMap<number, YearPoint>, allYears: readonly number[], year: number): GapTrendLabel {
  const history: GapPoint[] = [];
  for (const earlier of allYears.filter((candidate) => candidate <= year).reverse()) {
    const point = series.get(earlier)!;
    if (point.withheld !== null) break;
    const { gap, lower, upper } = point.estimate;
    if (gap !== null && lower !== null && upper !== null) history.unshift({ period: earlier, value: gap, lower, upper });
  }
  return history.length >= 3 ? gapTrend(history).trend : 'not-enough-data';
}
