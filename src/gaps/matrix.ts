import { memberIn, memberOut } from '../aggregates/signature.js';
import { formatAcademicYear, measures } from '../ingest/child-standard.js';
import type { MeasureDefinition } from '../ingest/child-standard.js';
import { discloseCount, gapTrend, meanDifference, meanFromSummary, proportion, proportionDifference } from '../stats/index.js';
import type { GapPoint } from '../stats/index.js';
import type { GroupSpec } from './groups.js';
import { standing } from './groups.js';
import type { JointAggregates, JointCell } from './joint-aggregates.js';

/**
 * What a group is compared with: the other children (known not to be in the group), all children,
 * or the same group in England as published (loaded published statistics, see benchmarks.ts).
 */
export type Comparator = 'all-other' | 'all' | 'england';
export const comparators: readonly Comparator[] = ['all-other', 'all', 'england'];

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
  /** Small numbers withheld: counts from 1 to 4 in the group or the comparator. */
  suppressed: boolean;
  /** Children with a value whose membership of the group is not recorded (neither in nor among the rest). */
  unknown_count: number | null;
  value_type: 'percentage' | 'mean';
  polarity: MeasureDefinition['polarity'];
  /** Why the comparator has no value when it is a published figure ('england'): no equivalent statistic, none loaded, or the symbol published. */
  comparator_note: string | null;
  /** Where a published comparator ('england') came from: national or the authority's own file, the file, its batch, who loaded it and when. */
  comparator_source: string | null;
}

export interface GapMatrixRequest {
  groups: readonly GroupSpec[];
  indicators?: readonly MeasureDefinition[];
  /** The academic years to show (start years); default every year in the aggregates. */
  years?: readonly number[];
  comparator?: Comparator;
  /** The published figures the 'england' comparator reads. */
  published?: PublishedLookup;
  /** Withhold small numbers (everyone without child-level access to the area). */
  suppress?: boolean;
}

const width = measures.length * 3;

interface Sums {
  in: Float64Array;
  out: Float64Array;
  unknown: Float64Array;
}

/** Each group's sums in, out and unknown, for one year, in one pass over the year's signatures. */
function sumsFor(groups: readonly GroupSpec[], cells: readonly JointCell[]): Sums[] {
  const sums = groups.map(() => ({ in: new Float64Array(width), out: new Float64Array(width), unknown: new Float64Array(width) }));
  for (const cell of cells) {
    for (let index = 0; index < groups.length; index++) {
      const where = standing(groups[index]!, cell.signature);
      const target = where === memberIn ? sums[index]!.in : where === memberOut ? sums[index]!.out : sums[index]!.unknown;
      const figures = cell.figures;
      for (let position = 0; position < width; position++) target[position]! += figures[position]!;
    }
  }
  return sums;
}

interface Side {
  n: number;
  sum: number;
  sumsq: number;
}

function side(figures: Float64Array, measureIndex: number): Side {
  return { n: figures[measureIndex * 3]!, sum: figures[measureIndex * 3 + 1]!, sumsq: figures[measureIndex * 3 + 2]! };
}

function combined(...sides: Side[]): Side {
  return sides.reduce((total, next) => ({ n: total.n + next.n, sum: total.sum + next.sum, sumsq: total.sumsq + next.sumsq }), { n: 0, sum: 0, sumsq: 0 });
}

function meanSummary(figures: Side) {
  if (figures.n === 0) return { count: 0, mean: null, standardDeviation: null };
  const mean = figures.sum / figures.n;
  const variance = figures.n > 1 ? Math.max(0, (figures.sumsq - figures.n * mean * mean) / (figures.n - 1)) : 0;
  return { count: figures.n, mean, standardDeviation: Math.sqrt(variance) };
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
  const result = meanFromSummary(meanSummary(figures));
  return { value: result.value, lower: result.lower, upper: result.upper };
}

/** The gap from two sides' sufficient statistics, by the stats module's methods (Newcombe; Welch). */
function estimate(measure: MeasureDefinition, group: Side, comparator: Side): Estimated {
  if (group.n === 0 || comparator.n === 0) {
    const value = (figures: Side) => (figures.n === 0 ? null : measure.type === 'binary' ? (100 * figures.sum) / figures.n : figures.sum / figures.n);
    return { groupValue: value(group), comparatorValue: value(comparator), gap: null, lower: null, upper: null };
  }
  if (measure.type === 'binary') {
    const result = proportionDifference({ numerator: group.sum, denominator: group.n }, { numerator: comparator.sum, denominator: comparator.n }, { multiplier: 100 });
    return { groupValue: result.group.value, comparatorValue: result.comparator.value, gap: result.value, lower: result.lower, upper: result.upper };
  }
  const groupSummary = meanSummary(group);
  const comparatorSummary = meanSummary(comparator);
  // Welch's interval needs two or more children on each side; below that the gap is shown without one.
  if (group.n < 2 || comparator.n < 2) {
    const gap = (groupSummary.mean ?? 0) - (comparatorSummary.mean ?? 0);
    return { groupValue: groupSummary.mean, comparatorValue: comparatorSummary.mean, gap, lower: null, upper: null };
  }
  const result = meanDifference(groupSummary, comparatorSummary);
  return { groupValue: groupSummary.mean, comparatorValue: comparatorSummary.mean, gap: result.value, lower: result.lower, upper: result.upper };
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
  const indicators = request.indicators ?? measures;
  const allYears = [...aggregates.keys()].sort((a, b) => a - b);
  const shownYears = (request.years ?? allYears).filter((year) => aggregates.has(year)).sort((a, b) => a - b);
  const sumsByYear = new Map(allYears.map((year) => [year, sumsFor(request.groups, aggregates.get(year)!)]));
  const cells: GapCell[] = [];
  request.groups.forEach((group, groupIndex) => {
    for (const measure of indicators) {
      const measureIndex = measures.indexOf(measure);
      const series = new Map<number, { estimate: Estimated; group: Side; comparator: Side; unknown: Side; published: PublishedComparison | null }>();
      for (const year of allYears) {
        const sums = sumsByYear.get(year)![groupIndex]!;
        const inside = side(sums.in, measureIndex);
        const unknown = side(sums.unknown, measureIndex);
        const rest = side(sums.out, measureIndex);
        if (comparator === 'england') {
          const published = (request.published ?? nothingPublished)(measure.name, group.id, year);
          series.set(year, { estimate: estimateAgainstPublished(measure, inside, published), group: inside, comparator: { n: 0, sum: 0, sumsq: 0 }, unknown, published });
          continue;
        }
        const against = comparator === 'all' ? combined(inside, rest, unknown) : rest;
        series.set(year, { estimate: estimate(measure, inside, against), group: inside, comparator: against, unknown, published: null });
      }
      for (const year of shownYears) {
        const point = series.get(year)!;
        const history: GapPoint[] = allYears
          .filter((earlier) => earlier <= year)
          .map((earlier) => ({ period: earlier, ...series.get(earlier)!.estimate }))
          .filter((entry) => entry.gap !== null && entry.lower !== null && entry.upper !== null)
          .map((entry) => ({ period: entry.period, value: entry.gap, lower: entry.lower, upper: entry.upper }));
        const trend = history.length >= 3 ? gapTrend(history).trend : 'not-enough-data';
        // A published comparator is public: only the group's own small numbers are withheld.
        const comparatorSmall = point.published === null && discloseCount(point.comparator.n).reason !== null;
        const suppressed = request.suppress === true && (discloseCount(point.group.n).reason !== null || comparatorSmall);
        const { groupValue, comparatorValue, gap, lower, upper } = point.estimate;
        const groupInterval = valueWithInterval(measure, point.group);
        // A published figure carries no interval here; its count is the published one, when given.
        const comparatorInterval = point.published === null ? valueWithInterval(measure, point.comparator) : { lower: null, upper: null };
        const comparatorCount = point.published === null ? point.comparator.n : point.published.value === null ? null : point.published.count;
        cells.push({
          group: group.id,
          group_label: group.label,
          indicator: measure.name,
          outcome: measure.outcome,
          year: formatAcademicYear(year),
          group_count: suppressed ? null : point.group.n,
          group_value: suppressed ? null : groupValue,
          group_lower: suppressed ? null : groupInterval.lower,
          group_upper: suppressed ? null : groupInterval.upper,
          comparator,
          comparator_count: suppressed ? null : comparatorCount,
          comparator_value: suppressed ? null : comparatorValue,
          comparator_lower: suppressed ? null : comparatorInterval.lower,
          comparator_upper: suppressed ? null : comparatorInterval.upper,
          gap: suppressed ? null : gap,
          gap_lower: suppressed ? null : lower,
          gap_upper: suppressed ? null : upper,
          significant: suppressed || lower === null || upper === null ? null : lower > 0 || upper < 0,
          trend,
          suppressed,
          unknown_count: suppressed ? null : point.unknown.n,
          value_type: measure.type === 'binary' ? 'percentage' : 'mean',
          polarity: measure.polarity,
          comparator_note: point.published?.value === null ? point.published.note : null,
          comparator_source: point.published?.source ?? null,
        });
      }
    }
  });
  return cells;
}

