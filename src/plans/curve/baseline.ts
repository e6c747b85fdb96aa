import { formatAcademicYear, parseAcademicYear } from '../../ingest/child-standard.js';
import { forecastLinear, standardErrorFromLimits } from '../../stats/index.js';
import type { ForecastPoint } from '../../stats/index.js';
import type { ChartFigure, FigureCell } from '../../web/chart-figure.js';
import { chartColours } from '../../web/charts.js';
import type { GapCell } from '../../gaps/matrix.js';
import { inSentence } from '../../web/format.js';

/** How far ahead the baseline looks when the plan has no later target. */
const defaultHorizon = 3;
/** Never forecast further than this: a straight line says little five years out. */
const longestHorizon = 5;

export interface BaselinePoint {
  year: number;
  kind: 'observed' | 'forecast';
  value: number | null;
  /** Observed: the 95% confidence interval. Forecast: the 95% prediction interval. */
  lower: number | null;
  upper: number | null;
  gap: number | null;
  gapLower: number | null;
  gapUpper: number | null;
  count: number | null;
}

export interface Baseline {
  points: BaselinePoint[];
  /** Enough observed years to forecast (three or more with values). */
  forecastable: boolean;
}

/** A year's precision: the inverse square of the standard error behind its 95% interval (none without one). */
function standardErrorWeight(value: number | null, lower: number | null, upper: number | null): number | undefined {
  if (value === null || lower === null || upper === null || upper <= lower) return undefined;
  const standardError = standardErrorFromLimits(lower, upper, 0.95);
  return standardError === undefined ? undefined : 1 / standardError ** 2;
}

/**
 * Friedman's baseline: where the group has been and where it is heading if nothing changes. The
 * forecast is a straight line through the observed years, weighted by each year's precision (the
 * inverse square of its standard error, so a year resting on few children counts for less), with
 * 95% prediction intervals (stats/forecast.ts); the gap is forecast the same way.
 */
export function baselineOf(cells: readonly GapCell[], targetYear: number | null, range: { min?: number | undefined; max?: number | undefined } = {}): Baseline {
  const observed = cells.map((cell) => ({ year: parseAcademicYear(cell.year)!, cell }));
  const lastYear = observed.at(-1)?.year;
  if (lastYear === undefined) return { points: [], forecastable: false };
  const furthest = Math.min(lastYear + longestHorizon, Math.max(lastYear + defaultHorizon, targetYear ?? 0));
  const horizons = Array.from({ length: furthest - lastYear }, (_, index) => lastYear + index + 1);

  const seriesFor = (pick: (cell: GapCell) => [number | null, number | null, number | null]): ForecastPoint[] => {
    const points = observed.map(({ year, cell }) => {
      const [value, lower, upper] = pick(cell);
      return { period: year, value, weight: standardErrorWeight(value, lower, upper) };
    });
    // Weights only when every year with a value has an interval; otherwise ordinary least squares.
    const weighted = points.every((point) => point.value === null || point.weight !== undefined);
    return points.map((point) => (weighted ? point : { period: point.period, value: point.value }));
  };
  const valueForecast = forecastLinear(seriesFor((cell) => [cell.group_value, cell.group_lower, cell.group_upper]), horizons);
  const gapForecast = forecastLinear(seriesFor((cell) => [cell.gap, cell.gap_lower, cell.gap_upper]), horizons);

  const points: BaselinePoint[] = observed.map(({ year, cell }) => ({
    year,
    kind: 'observed',
    value: cell.group_value,
    lower: cell.group_lower,
    upper: cell.group_upper,
    gap: cell.gap,
    gapLower: cell.gap_lower,
    gapUpper: cell.gap_upper,
    count: cell.group_count,
  }));
  // A straight line runs past what the measure can be (above 100%, say); the forecast stops at its limits.
  const within = (value: number | null) => (value === null ? null : Math.min(range.max ?? Infinity, Math.max(range.min ?? -Infinity, value)));
  horizons.forEach((year, index) => {
    const value = valueForecast[index]!;
    const gap = gapForecast[index]!;
    points.push({ year, kind: 'forecast', value: within(value.value), lower: within(value.lower), upper: within(value.upper), gap: gap.value, gapLower: gap.lower, gapUpper: gap.upper, count: null });
  });
  return { points, forecastable: valueForecast.some((forecast) => forecast.value !== null) };
}

/** Decimal places that keep small averages (0.14 suspensions a child) readable: two below 10, else one. */
function decimalsFor(baseline: Baseline, percentage: boolean): number {
  if (percentage) return 1;
  const largest = Math.max(0, ...baseline.points.map((point) => Math.abs(point.value ?? 0)));
  return largest < 10 ? 2 : 1;
}

export interface BaselineFigureContext {
  groupLabel: string;
  measureLabel: string;
  percentage: boolean;
  targetValue: number | null;
  targetYear: number | null;
}

function shown(value: number | null, percentage: boolean, decimals: number): string {
  if (value === null) return 'not known';
  return percentage ? `${value.toFixed(decimals)}%` : value.toFixed(decimals);
}

/** The baseline as a chart with its table: observed years, the forecast if nothing changes, the target. */
export function baselineFigure(baseline: Baseline, context: BaselineFigureContext): ChartFigure {
  const decimals = decimalsFor(baseline, context.percentage);
  const scale = 10 ** decimals;
  const rounded = (value: number | null) => (value === null ? null : Math.round(value * scale) / scale);
  const show = (value: number | null) => shown(value, context.percentage, decimals);
  const unit = context.percentage ? 'Per cent' : 'Average';
  const series = (kind: BaselinePoint['kind']) => (kind === 'observed' ? 'Observed' : 'Forecast if nothing changes');
  const values = baseline.points
    .filter((point) => point.value !== null)
    .map((point) => ({ year: formatAcademicYear(point.year), series: series(point.kind), value: rounded(point.value), lower: rounded(point.lower), upper: rounded(point.upper) }));
  // The forecast line starts from the last observed year so the two read as one curve.
  const lastObserved = values.filter((point) => point.series === 'Observed').at(-1);
  if (lastObserved !== undefined && values.some((point) => point.series !== 'Observed')) values.push({ ...lastObserved, series: series('forecast'), lower: null, upper: null });
  const years = [...new Set([...baseline.points.map((point) => point.year), ...(context.targetYear === null ? [] : [context.targetYear])])].sort((a, b) => a - b);
  const target = context.targetValue === null || context.targetYear === null ? [] : [{ year: formatAcademicYear(context.targetYear), series: 'Target', value: context.targetValue }];
  // The legend lists only what is drawn: no forecast with too few years, no target until one is set.
  const looks = [
    { name: 'Observed', colour: chartColours.group, dash: [1, 0] },
    { name: series('forecast'), colour: chartColours.neutral, dash: [6, 4] },
    { name: 'Target', colour: chartColours.comparator, dash: [1, 0] },
  ].filter((look) => values.some((point) => point.series === look.name) || target.some((point) => point.series === look.name));
  const lineLooks = looks.filter((look) => look.name !== 'Target');
  const seriesColour = { field: 'series', type: 'nominal', title: null, scale: { domain: looks.map((look) => look.name), range: looks.map((look) => look.colour) } } as const;

  const lastFact = baseline.points.filter((point) => point.kind === 'observed' && point.value !== null).at(-1);
  const lastForecast = baseline.points.filter((point) => point.kind === 'forecast').at(-1);
  const sentences = [
    lastFact === undefined
      ? `No year has a figure for ${inSentence(context.groupLabel)} yet.`
      : `In ${formatAcademicYear(lastFact.year)}, ${inSentence(context.groupLabel)}: ${show(lastFact.value)} (${inSentence(context.measureLabel)}).`,
  ];
  if (baseline.forecastable && lastForecast !== undefined && lastForecast.value !== null) {
    sentences.push(
      `If nothing changes, the straight-line forecast for ${formatAcademicYear(lastForecast.year)} is ${show(lastForecast.value)} (95% prediction interval ${show(lastForecast.lower)} to ${show(lastForecast.upper)}).`,
    );
  } else {
    sentences.push('There are too few years with figures (three are needed) to forecast where the curve is heading.');
  }
  if (context.targetValue !== null && context.targetYear !== null) sentences.push(`The target is ${show(context.targetValue)} by ${formatAcademicYear(context.targetYear)}.`);

  const rows: FigureCell[][] = baseline.points.map((point) => [
    formatAcademicYear(point.year),
    point.kind === 'observed' ? 'Observed' : 'Forecast',
    point.count,
    rounded(point.value),
    rounded(point.lower),
    rounded(point.upper),
    rounded(point.gap),
    rounded(point.gapLower),
    rounded(point.gapUpper),
  ]);
  return {
    id: 'baseline',
    title: 'Baseline: where the curve is heading',
    summary: sentences.join(' '),
    description: `${context.groupLabel}, ${inSentence(context.measureLabel)}: observed values by academic year with 95% confidence intervals, a dashed straight-line forecast with its 95% prediction interval shaded${target.length > 0 ? ', and the target' : ''}. The table below gives the figures.`,
    spec: {
      width: 560,
      height: 260,
      encoding: { x: { field: 'year', type: 'ordinal', title: 'Academic year', scale: { domain: years.map(formatAcademicYear) }, axis: { labelAngle: 0 } } },
      layer: [
        {
          data: { values: values.filter((point) => point.series !== 'Observed' && point.lower !== null) },
          mark: { type: 'area', opacity: 0.2, color: chartColours.neutral },
          encoding: { y: { field: 'lower', type: 'quantitative', title: unit, scale: { zero: false } }, y2: { field: 'upper' } },
        },
        {
          data: { values: values.filter((point) => point.series === 'Observed' && point.lower !== null) },
          mark: { type: 'errorbar', ticks: { size: 12 }, color: chartColours.group },
          encoding: { y: { field: 'lower', type: 'quantitative', title: unit }, y2: { field: 'upper' } },
        },
        {
          data: { values },
          mark: { type: 'line', point: { filled: true, size: 60 } },
          encoding: {
            y: { field: 'value', type: 'quantitative', title: unit },
            color: seriesColour,
            shape: { field: 'series', type: 'nominal', title: null },
            strokeDash: { field: 'series', type: 'nominal', title: null, scale: { domain: lineLooks.map((look) => look.name), range: lineLooks.map((look) => look.dash) } },
          },
        },
        ...(target.length === 0
          ? []
          : [{ data: { values: target }, mark: { type: 'point' as const, shape: 'diamond', filled: true, size: 160 }, encoding: { y: { field: 'value', type: 'quantitative' as const, title: unit }, color: seriesColour } }]),
      ],
    },
    table: {
      caption: 'Observed and forecast values, with 95% intervals (confidence for observed years, prediction for forecasts), and the gap',
      head: ['Academic year', 'Kind', 'Children', 'Value', 'Lower', 'Upper', 'Gap', 'Gap lower', 'Gap upper'],
      rows,
      rowHeaders: true,
    },
    notes: ['A forecast assumes the past trend carries on in a straight line: it is the curve to turn, not a prediction of what will happen.'],
  };
}
