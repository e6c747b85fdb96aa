/**
 * Success measures read their figures from the gap matrix (gaps/ `gapSeriesFor`) each time they
 * are shown, so a measure moves as soon as new data is loaded; only the baseline and target are
 * stored. Figures are released to the viewer as the gap pages release them.
 */
import type { Kysely } from 'kysely';
import { seesSmallNumbers } from '../aggregates/disclosure-policy.js';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import { parseGroup } from '../gaps/groups.js';
import type { GapCell } from '../gaps/matrix.js';
import { DifferencingRefused, gapSeriesFor, gapSeriesForEach } from '../gaps/service.js';
import { indicators } from '../aggregates/indicators.js';
import type { SuccessMeasure } from './model.js';
import type { MeasureFigure } from './tables.js';

const differencingRefusal = 'Not shown to you: figures for children not in a group are shown only to people who may see the child-level records';

export type Direction = 'toward' | 'away' | 'unchanged' | 'no-data';

export interface MeasurePoint {
  year: string;
  value: number | null;
  /** Withheld for small numbers, or not known. */
  note: string | null;
}

export interface MeasureReading {
  measure: SuccessMeasure;
  /** e.g. "Gap in Good level of development at the end of Reception: children in care against all other children". */
  label: string;
  units: 'percentage points' | 'percent' | 'points';
  series: MeasurePoint[];
  latest: { year: string; value: number } | null;
  direction: Direction;
  /** Why there is no latest figure, when there is none. */
  refusal: string | null;
}

const comparatorWords: Record<string, string> = { 'all-other': 'all other children', all: 'all children', england: 'England', region: 'the region' };

/** The figure a measure follows, from one cell of the gap matrix. */
export function figureOf(cell: GapCell, figure: MeasureFigure): number | null {
  if (cell.suppressed) return null;
  return figure === 'gap' ? cell.gap : cell.group_value;
}

/**
 * Which way the measure has moved from its baseline: toward the target when the latest figure is
 * nearer the target than the baseline was, away when further, unchanged when equally near (to one
 * decimal place, the precision the pages show).
 */
export function directionOf(baseline: number, target: number, latest: number | null): Direction {
  if (latest === null) return 'no-data';
  const before = Math.round(Math.abs(target - baseline) * 10);
  const now = Math.round(Math.abs(target - latest) * 10);
  return now < before ? 'toward' : now > before ? 'away' : 'unchanged';
}

export function measureLabel(measure: Pick<SuccessMeasure, 'indicator' | 'groupSpec' | 'comparator' | 'figure'>): string {
  const indicator = indicators.find((entry) => entry.name === measure.indicator)?.label ?? measure.indicator;
  let group = measure.groupSpec;
  try {
    group = parseGroup(measure.groupSpec).label;
  } catch {
    // A group no longer in the framework keeps its stored name.
  }
  const lowered = `${group.charAt(0).toLowerCase()}${group.slice(1)}`;
  return measure.figure === 'gap'
    ? `Gap in ${indicator.charAt(0).toLowerCase()}${indicator.slice(1)}: ${lowered} against ${comparatorWords[measure.comparator] ?? measure.comparator}`
    : `${indicator}: ${lowered}`;
}

export function unitsOf(indicator: string, figure: MeasureFigure): MeasureReading['units'] {
  const binary = indicators.find((entry) => entry.name === indicator)?.type === 'binary';
  if (!binary) return 'points';
  return figure === 'gap' ? 'percentage points' : 'percent';
}

/**
 * The series a measure follows, as the viewer may see it (empty with a reason when it may not be
 * shown), or as released to everyone (`released`): what a stored figure such as a baseline must be
 * read from, since everyone who reads the plan sees it.
 */
export async function measureSeries(db: Kysely<Schema>, viewer: Viewer | 'released', laCode: string, measure: Pick<SuccessMeasure, 'indicator' | 'groupSpec' | 'comparator'>): Promise<{ cells: GapCell[]; refusal: string | null }> {
  try {
    const suppress = viewer === 'released' || !seesSmallNumbers(viewer, { laCode });
    const cells = await gapSeriesFor(db, { laCode, indicator: measure.indicator, group: measure.groupSpec, comparator: measure.comparator, suppress });
    return { cells, refusal: null };
  } catch (error) {
    if (!(error instanceof DifferencingRefused)) throw error;
    return { cells: [], refusal: differencingRefusal };
  }
}

/** Each measure with its figures now, as the viewer may see them (the data's version read once for all). */
export async function readMeasures(db: Kysely<Schema>, viewer: Viewer, laCode: string, planMeasures: readonly SuccessMeasure[]): Promise<MeasureReading[]> {
  const suppress = !seesSmallNumbers(viewer, { laCode });
  const answers = await gapSeriesForEach(
    db,
    laCode,
    planMeasures.map((measure) => ({ indicator: measure.indicator, group: measure.groupSpec, comparator: measure.comparator, suppress })),
  );
  return planMeasures.map((measure, index) => {
    const answer = answers[index]!;
    const refused = !Array.isArray(answer);
    if (refused && !(answer instanceof DifferencingRefused)) throw answer;
    const cells = refused ? [] : answer;
    const series = cells.map((cell) => {
      const value = figureOf(cell, measure.figure);
      return { year: cell.year, value, note: cell.suppressed ? 'Withheld: fewer than 5 children behind a figure' : value === null ? 'Not known' : null };
    });
    const latestPoint = [...series].reverse().find((point) => point.value !== null);
    const latest = latestPoint === undefined ? null : { year: latestPoint.year, value: latestPoint.value! };
    return {
      measure,
      label: measureLabel(measure),
      units: unitsOf(measure.indicator, measure.figure),
      series,
      latest,
      direction: directionOf(measure.baselineValue, measure.targetValue, latest?.value ?? null),
      refusal: refused ? differencingRefusal : latest === null ? 'No figure yet: none loaded, or every year withheld for small numbers' : null,
    };
  });
}
