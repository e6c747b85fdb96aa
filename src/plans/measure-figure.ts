import type { ChartFigure, FigureCell } from '../web/chart-figure.js';
import { chartColours } from '../web/charts.js';
import { parseAcademicYear, formatAcademicYear } from '../ingest/child-standard.js';
import type { MeasureReading } from './measures.js';

function shown(value: number, units: MeasureReading['units']): string {
  const sign = units === 'percentage points' && value > 0 ? '+' : '';
  return units === 'percent' ? `${value.toFixed(1)}%` : `${sign}${value.toFixed(1)}${units === 'percentage points' ? ' points' : ''}`;
}

/** A success measure's figures over the years, with its baseline and target marked; each chart has a table beside it. */
export function measureFigure(reading: MeasureReading, id: string): ChartFigure {
  const { measure, units } = reading;
  const observed = reading.series.filter((point) => point.value !== null).map((point) => ({ year: point.year, series: 'Figure', value: Math.round(point.value! * 10) / 10 }));
  const marks = [
    { year: measure.baselineYear, series: 'Baseline', value: Math.round(measure.baselineValue * 10) / 10 },
    { year: measure.targetYear, series: 'Target', value: measure.targetValue },
  ];
  const first = Math.min(...[...reading.series.map((point) => point.year), measure.baselineYear].map((year) => parseAcademicYear(year) ?? 9999));
  const last = Math.max(...[...reading.series.map((point) => point.year), measure.targetYear].map((year) => parseAcademicYear(year) ?? 0));
  const years = first <= last ? Array.from({ length: last - first + 1 }, (_, index) => formatAcademicYear(first + index)) : [];
  const title = units === 'percent' ? 'Per cent' : units === 'percentage points' ? 'Gap (percentage points)' : 'Points';
  const looks = [
    { name: 'Figure', colour: chartColours.group },
    { name: 'Baseline', colour: chartColours.neutral },
    { name: 'Target', colour: chartColours.comparator },
  ];
  const colour = { field: 'series', type: 'nominal', title: null, scale: { domain: looks.map((look) => look.name), range: looks.map((look) => look.colour) } } as const;
  const latest = reading.latest === null ? 'There is no figure yet.' : `The latest figure is ${shown(reading.latest.value, units)} in ${reading.latest.year}.`;
  const rows: FigureCell[][] = reading.series.map((point) => [point.year, point.value === null ? null : Math.round(point.value * 10) / 10, point.note ?? (point.year === measure.baselineYear ? 'Baseline year' : '')]);
  rows.push([measure.targetYear, measure.targetValue, 'Target']);
  return {
    id,
    title: reading.label,
    summary: `Baseline ${shown(measure.baselineValue, units)} in ${measure.baselineYear}; target ${shown(measure.targetValue, units)} by ${measure.targetYear}. ${latest}`,
    description: `${reading.label}: the figure in each academic year as a line, the baseline as a grey point and the target as an orange diamond. The table gives the figures.`,
    spec: {
      width: 480,
      height: 200,
      encoding: { x: { field: 'year', type: 'ordinal', title: 'Academic year', scale: { domain: years }, axis: { labelAngle: 0 } } },
      layer: [
        { data: { values: observed }, mark: { type: 'line', point: { filled: true, size: 50 } }, encoding: { y: { field: 'value', type: 'quantitative', title, scale: { zero: true } }, color: colour } },
        { data: { values: marks }, mark: { type: 'point', filled: true, size: 150 }, encoding: { y: { field: 'value', type: 'quantitative', title }, color: colour, shape: { field: 'series', type: 'nominal', title: null, legend: null, scale: { domain: ['Baseline', 'Target'], range: ['circle', 'diamond'] } } } },
      ],
    },
    table: { caption: `${reading.label}, by academic year`, head: ['Academic year', units === 'percent' ? 'Per cent' : `Figure (${units})`, 'Note'], rows, rowHeaders: true },
    ...(observed.length === 0 ? { withoutChart: reading.refusal ?? 'There are no figures to draw yet.' } : {}),
  };
}
