/**
 * Gaps read from published statistics, for authorities whose child-level data the service does not
 * hold: a group's published figure in the authority against all other pupils there, for the
 * measures and groups published files give as this service defines them (published-equivalents.ts).
 * The regional dashboard and the network's map use them, so a region sees every authority's gaps
 * and not only those of the authorities that load their own records.
 *
 * Published figures are of the whole cohort, with no sampling interval, and they are rounded; the
 * pages say so and claim no significance (docs/methods.md, "Gaps from published statistics").
 */
import type { Kysely } from 'kysely';
import { indicators } from '../aggregates/indicators.js';
import type { Schema } from '../db/schema.js';
import { formatAcademicYear } from '../ingest/child-standard.js';
import { cohensH } from '../stats/index.js';
import { formatNumber, formatSigned } from '../web/format.js';
import { nationalStatistics, readBenchmarks } from './benchmarks.js';
import type { BenchmarkPoint, StatisticsSource } from './benchmarks.js';
import { parseGroup } from './groups.js';
import { publishedEquivalents, publishedGroupValues } from './published-equivalents.js';
import { gapUnit } from './units.js';

/** One group's published gap on one measure in one authority, in the latest year it can be worked out. */
export interface PublishedGap {
  laCode: string;
  indicator: string;
  indicatorLabel: string;
  group: string;
  groupLabel: string;
  /** Academic year (start year). */
  year: number;
  yearText: string;
  groupValue: number;
  comparatorValue: number;
  /** 'others': all other pupils, worked out from the published counts; 'all': all pupils, the group included, where a count is missing. */
  comparator: 'others' | 'all';
  /** Group minus comparator, on the measure's scale. */
  gap: number;
  /** How far the group is worse off: the gap turned so that positive is worse, whatever the measure's polarity. */
  shortfall: number;
  /** Cohen's h of the two shares (measures of yes or no only): how the widest is chosen; null for averages. */
  effect: number | null;
  percentage: boolean;
  /** The gap's unit, as the gap matrix words it: "percentage points", "points". */
  unit: string;
  /** "−15.3 percentage points". */
  gapText: string;
  /** "45.0% against 60.3% for all other pupils". */
  valuesText: string;
  /** The same gap in the earliest earlier year it can be worked out, for reading the direction; no trend is tested. */
  earlier: { yearText: string; gapText: string; gap: number } | null;
  source: string;
}

const percentageTypes = new Set(['binary']);

/** Measures with a published equivalent, in the order pages show them. */
export function publishedGapMeasures() {
  return indicators.filter((measure) => Object.hasOwn(publishedEquivalents, measure.name));
}

/** A gap as the pages write it: +3.2, −16.7. */
export const signedGap = (value: number) => formatSigned(value, 1);

/**
 * The comparator for a group: all other pupils when both counts are published (the total's figure
 * less the group's, weighted by their counts), all pupils otherwise. Null when the counts do not
 * leave any other pupils.
 */
function comparatorOf(groupPoint: BenchmarkPoint, allPoint: BenchmarkPoint): { value: number; kind: 'others' | 'all' } | null {
  if (groupPoint.count === null || allPoint.count === null) return { value: allPoint.value!, kind: 'all' };
  const others = othersFigure({ value: allPoint.value!, count: allPoint.count }, { value: groupPoint.value!, count: groupPoint.count });
  return others === null ? null : { value: others, kind: 'others' };
}

/** All other pupils' figure from the total's and the group's, each with its count; null when no other pupils are left. */
export function othersFigure(total: { value: number; count: number }, group: { value: number; count: number }): number | null {
  const others = total.count - group.count;
  if (others <= 0) return null;
  return (total.value * total.count - group.value * group.count) / others;
}

interface GapInYear {
  year: number;
  groupValue: number;
  comparator: { value: number; kind: 'others' | 'all' };
  source: string;
}

/**
 * Every published gap of the authorities given: for each authority, measure and group with a
 * published figure for the group and for all pupils in the same year, the latest such year.
 */
export async function publishedGaps(db: Kysely<Schema>, laCodes: readonly string[], source: StatisticsSource = nationalStatistics): Promise<PublishedGap[]> {
  if (laCodes.length === 0) return [];
  const measures = publishedGapMeasures();
  const points = await readBenchmarks(db, { indicators: measures.map((measure) => measure.name), groups: [null, ...Object.keys(publishedGroupValues)], places: { authorities: laCodes } }, source);
  const allPupils = new Map(points.filter((point) => point.group === null && point.value !== null).map((point) => [`${point.area_code}|${point.indicator}|${point.year}`, point]));
  const years = new Map<string, GapInYear[]>();
  for (const point of points) {
    if (point.group === null || point.value === null) continue;
    const all = allPupils.get(`${point.area_code}|${point.indicator}|${point.year}`);
    if (all === undefined) continue;
    const comparator = comparatorOf(point, all);
    if (comparator === null) continue;
    const key = `${point.area_code}|${point.indicator}|${point.group}`;
    years.set(key, [...(years.get(key) ?? []), { year: point.year, groupValue: point.value, comparator, source: point.source }]);
  }
  return [...years.entries()].map(([key, found]) => {
    const [laCode, indicator, group] = key.split('|') as [string, string, string];
    const measure = measures.find((entry) => entry.name === indicator)!;
    const percentage = percentageTypes.has(measure.type);
    const byYear = [...found].sort((a, b) => a.year - b.year);
    const latest = byYear[byYear.length - 1]!;
    const first = byYear[0]!;
    const gapOf = (entry: GapInYear) => entry.groupValue - entry.comparator.value;
    const gap = gapOf(latest);
    const unit = gapUnit({ indicator, value_type: percentage ? 'percentage' : 'mean' });
    const shown = (value: number) => `${formatNumber(value, 1)}${percentage ? '%' : ''}`;
    const share = (value: number) => Math.min(1, Math.max(0, value / 100));
    return {
      laCode,
      indicator,
      indicatorLabel: measure.label,
      group,
      // Alternative definitions' labels end as sentences.
      groupLabel: parseGroup(group).label.replace(/\.$/, ''),
      year: latest.year,
      yearText: formatAcademicYear(latest.year),
      groupValue: latest.groupValue,
      comparatorValue: latest.comparator.value,
      comparator: latest.comparator.kind,
      gap,
      shortfall: measure.polarity === 'higher-is-better' ? -gap : gap,
      effect: percentage ? cohensH(share(latest.groupValue), share(latest.comparator.value)) : null,
      percentage,
      unit,
      gapText: `${signedGap(gap)} ${unit}`,
      valuesText: `${shown(latest.groupValue)} against ${shown(latest.comparator.value)} for ${latest.comparator.kind === 'others' ? 'all other pupils' : 'all pupils'}`,
      earlier: first.year === latest.year ? null : { yearText: formatAcademicYear(first.year), gapText: `${signedGap(gapOf(first))} ${unit}`, gap: gapOf(first) },
      source: latest.source,
    };
  });
}

/**
 * The published gaps that matter most in an authority, most first: of the measures of yes or no,
 * the groups behind all other pupils, furthest behind by Cohen's h (the effect size the curves to
 * turn use for shares), so a gap on a rare outcome is not outranked by a gap on a common one only
 * because its points are more; latest year only. Averages (scores, attendance) are on scales that
 * cannot be set beside each other without their spread, which files do not publish, so they are
 * not ranked.
 */
export function widestPublishedGaps(gaps: readonly PublishedGap[], count: number): PublishedGap[] {
  const behind = gaps.filter((gap) => gap.effect !== null && gap.shortfall > 0);
  const latestYear = Math.max(...behind.map((gap) => gap.year));
  const worseness = (gap: PublishedGap) => Math.abs(gap.effect!);
  return behind
    .filter((gap) => gap.year === latestYear)
    .sort((a, b) => worseness(b) - worseness(a) || a.indicator.localeCompare(b.indicator) || a.group.localeCompare(b.group))
    .slice(0, count);
}

/** The published gap that matters most in an authority (widestPublishedGaps). */
export function widestPublishedGap(gaps: readonly PublishedGap[]): PublishedGap | undefined {
  return widestPublishedGaps(gaps, 1)[0];
}
