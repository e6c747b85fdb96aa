import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { allLocalAuthorities, localAuthorityByGss, regionOf } from '../areas/areas.js';
import { seesSmallNumbers } from '../aggregates/disclosure-policy.js';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import { toCsv } from '../export/csv.js';
import { parseAcademicYear } from '../ingest/child-standard.js';
import { indicators } from '../aggregates/indicators.js';
import type { MeasureDefinition } from '../ingest/child-standard.js';
import type { ChartFigure, FigureCell } from '../web/chart-figure.js';
import { withoutChartWhenEmpty } from '../web/chart-figure.js';
import { chartColours } from '../web/charts.js';
import { figureFile, figureOffers, isFigureFormat } from '../web/figure-downloads.js';
import { presentFigure } from '../web/figure-view.js';
import { benchmarkFigure } from './benchmark-figure.js';
import { StatisticsSourceError, statisticsSourceFor } from './benchmarks.js';
import type { StatisticsSource } from './benchmarks.js';
import type { GapCell } from './matrix.js';
import { gapUnit } from './units.js';
import { provenanceForPeople } from './benchmarks.js';
import { listPlans } from '../plans/curve/store.js';
import type { AuthorityRefusal } from './reach.js';
import { authorityNamed, isAuthorityRefusal, mayReadPlans, mayWritePlans } from './reach.js';
import { refuseAuthority } from './authority-choice.js';
import { DifferencingRefused, GapRequestError, gapCellFields, gapSeriesFor } from './service.js';
import { settingsFunnelFigure } from './settings-funnel.js';
import { formatNumber, formatPercent, formatSigned, inSentence } from '../web/format.js';

/** The page's address: `la`, `indicator`, `group` and `comparator`, and any parameters a figure takes of its own. */
type IndicatorQuery = Readonly<Record<string, string | string[] | undefined>>;

/** What the indicator page and each of its figures are drawn from: one group's gap on one indicator in one authority. */
export interface IndicatorSeries {
  readonly db: Kysely<Schema>;
  readonly viewer: Viewer;
  readonly laCode: string;
  readonly authorityName: string;
  readonly measure: MeasureDefinition;
  /** Every year the authority has, oldest first; never empty. */
  readonly cells: readonly GapCell[];
  readonly latest: GapCell;
  /** Small numbers are withheld from this viewer. */
  readonly suppress: boolean;
  /** Every parameter of the page's address, for a figure that takes its own (e.g. authorities to compare with). */
  readonly params: IndicatorQuery;
  /** The page's query string, checked, which the figures' downloads repeat. */
  readonly query: string;
  /** Authorities (GSS codes) the viewer chose to compare with, from `compare`. */
  readonly compareWith: readonly string[];
  /** Where published figures come from: the national statistics, or a file of the authority's own it chose (`statistics`). */
  readonly source: StatisticsSource;
}

/** A figure of the indicator page, or undefined when it has nothing to show for this series. */
export type IndicatorFigure = (series: IndicatorSeries) => ChartFigure | undefined | Promise<ChartFigure | undefined>;

const trendSentence: Record<GapCell['trend'], string> = {
  narrowing: 'Over the years the gap is narrowing.',
  widening: 'Over the years the gap is widening.',
  'no-significant-change': 'Over the years the gap shows no significant change.',
  'not-enough-data': 'There are too few years yet to judge its trend (five are needed).',
};

const withheldNote = 'c: withheld because fewer than 5 children are behind the figure, or fewer than 5 of them meet or miss the outcome (small numbers).';
const roundedNote = 'Counts are adjusted slightly and rounded to the nearest 5, and every figure is made from those counts, so that no child can be picked out: you do not have access to these children’s records.';
const intervalNote = '95% confidence intervals: Wilson score intervals for percentages, Student’s t intervals for averages.';

export function comparatorName(comparator: string, laCode?: string): string {
  if (comparator === 'england') return 'The same group in England (published)';
  if (comparator === 'region') return `The same group in ${(laCode === undefined ? undefined : regionOf(laCode)?.name) ?? 'the region'} (published)`;
  return comparator === 'all' ? 'All children' : 'All other children';
}

/** Figures are published to one decimal place; the whole series at full precision is in /gaps/indicator.csv. */
function oneDecimal(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}

/** DfE's symbol for a withheld figure, in the tables and downloads; null is a figure that does not exist. */
function shown(cell: GapCell, value: number | null): FigureCell {
  return cell.suppressed ? 'c' : value;
}

function valueText(value: number, type: GapCell['value_type']): string {
  return type === 'percentage' ? formatPercent(value) : formatNumber(value, 1);
}

function signed(value: number): string {
  return formatSigned(value);
}

/** A value's 95% interval in the value's own form, or a gap's with signs (`signed`). */
function intervalText(lower: number | null, upper: number | null, write: (value: number) => string = (value) => formatNumber(value, 1)): string {
  return lower === null || upper === null ? '' : ` (95% interval ${write(lower)} to ${write(upper)})`;
}

/** The group and its comparator, year by year, each with its 95% interval. */
export function groupAndComparatorFigure({ cells, latest, measure, authorityName, suppress, laCode }: IndicatorSeries): ChartFigure {
  const groupLabel = latest.group_label;
  const otherLabel = comparatorName(latest.comparator, laCode);
  const series = (cell: GapCell) => [
    { label: groupLabel, count: cell.group_count, value: cell.group_value, lower: cell.group_lower, upper: cell.group_upper },
    { label: otherLabel, count: cell.comparator_count, value: cell.comparator_value, lower: cell.comparator_lower, upper: cell.comparator_upper },
  ];
  const values = cells.flatMap((cell) =>
    series(cell)
      .filter((point) => point.value !== null)
      .map((point) => ({
        year: cell.year,
        series: point.label,
        value: point.value,
        lower: point.lower,
        upper: point.upper,
        tip: `${point.label}, ${cell.year}: ${valueText(point.value!, cell.value_type)}${intervalText(point.lower, point.upper)}, ${formatNumber(point.count ?? 0)} children`,
      })),
  );
  // The legend lists only what is drawn: a comparator with no figure in any year (England, for an indicator nothing published measures) is left out.
  const drawn = [
    { label: groupLabel, colour: chartColours.group },
    { label: otherLabel, colour: chartColours.comparator },
  ].filter((entry) => values.some((point) => point.series === entry.label));
  const colour = { field: 'series', type: 'nominal', title: null, scale: { domain: drawn.map((entry) => entry.label), range: drawn.map((entry) => entry.colour) } } as const;
  const valueHeading = latest.value_type === 'percentage' ? 'Per cent' : 'Average';
  const summary =
    latest.group_value === null
      ? `In ${latest.year} there are no figures to show for ${inSentence(groupLabel)}${latest.suppressed ? ': they are withheld because too few children are behind them' : ''}.`
      : latest.comparator_value === null
        ? `In ${latest.year}, ${valueText(latest.group_value, latest.value_type)} for ${inSentence(groupLabel)}; ${inSentence(otherLabel)} has no figure to compare with${latest.comparator_note === null ? '' : ` (${latest.comparator_note})`}.`
        : `In ${latest.year}, ${valueText(latest.group_value, latest.value_type)} for ${inSentence(groupLabel)} against ${valueText(latest.comparator_value, latest.value_type)} for ${inSentence(otherLabel)}. The bars are 95% confidence intervals.`;
  const figure: ChartFigure = {
    id: 'values',
    title: `${groupLabel} and ${inSentence(otherLabel)}`,
    summary,
    description: `${groupLabel} and ${inSentence(otherLabel)} by academic year, with 95% confidence intervals; the table below gives the figures.`,
    spec: {
      width: 560,
      height: 260,
      data: { values },
      encoding: { x: { field: 'year', type: 'ordinal', title: 'Academic year', axis: { labelAngle: 0 } } },
      layer: [
        { mark: { type: 'errorbar', ticks: { size: 12 } }, encoding: { y: { field: 'lower', type: 'quantitative', title: valueHeading, scale: { zero: false }, axis: { format: ',~f' } }, y2: { field: 'upper' }, color: colour } },
        { mark: { type: 'line' }, encoding: { y: { field: 'value', type: 'quantitative' }, color: colour } },
        {
          mark: { type: 'point', filled: true, size: 60, opacity: 1, aria: true },
          encoding: { y: { field: 'value', type: 'quantitative' }, color: colour, shape: { field: 'series', type: 'nominal', title: null }, description: { field: 'tip' } },
        },
      ],
    },
    table: {
      caption: `${groupLabel} and ${inSentence(otherLabel)} in ${authorityName}, by year: ${measure.label}`,
      head: ['Year', 'Group', valueHeading, 'Lower 95% limit', 'Upper 95% limit', 'Number of children'],
      rows: cells.flatMap((cell) =>
        series(cell).map((point) => [
          cell.year,
          point.label,
          shown(cell, oneDecimal(point.value)),
          shown(cell, oneDecimal(point.lower)),
          shown(cell, oneDecimal(point.upper)),
          shown(cell, point.count),
        ]),
      ),
      rowHeaders: true,
    },
    notes: [...(cells.some((cell) => cell.suppressed) ? [withheldNote] : []), ...(suppress ? [roundedNote] : []), intervalNote],
  };
  return withoutChartWhenEmpty(figure, values.length, nothingToDraw(cells, 'figures'));
}

/** Why a chart of the series has nothing on it, in words. */
function nothingToDraw(cells: readonly GapCell[], what: 'figures' | 'gaps'): string {
  if (cells.length > 0 && cells.every((cell) => cell.suppressed)) return `Every year’s ${what === 'gaps' ? 'gap is' : 'figures are'} withheld because too few children are behind them, so there is nothing to draw.`;
  if (what === 'gaps') {
    // The same reason every year reads once, without a year: "… has been loaded for any year".
    const notes = new Set(cells.flatMap((cell) => (cell.comparator_note === null ? [] : [cell.comparator_note.replace(/ in \d{4}\/\d{2} has been loaded$/, ' has been loaded for any year')])));
    const note = notes.size === 1 ? [...notes][0] : undefined;
    return `There is no gap to draw in any year: ${note ?? 'the group or its comparator has no figure (the table and its notes give each year)'}.`;
  }
  return 'No year has a figure for this group and indicator, so there is nothing to draw.';
}

/** The gap between the group and its comparator, year by year, with its 95% interval and significance. */
export function gapFigure({ cells, latest, measure, authorityName, suppress, laCode }: IndicatorSeries): ChartFigure {
  const unit = gapUnit(latest);
  const otherLabel = inSentence(comparatorName(latest.comparator, laCode));
  const values = cells
    .filter((cell) => cell.gap !== null)
    .map((cell) => ({
      year: cell.year,
      gap: cell.gap,
      lower: cell.gap_lower,
      upper: cell.gap_upper,
      tip: `${cell.year}: a gap of ${signed(cell.gap!)} ${unit}${intervalText(cell.gap_lower, cell.gap_upper, signed)}, ${cell.significant ? 'significant' : 'not significant'}`,
    }));
  const year = { field: 'year', type: 'ordinal', title: 'Academic year', axis: { labelAngle: 0 } } as const;
  const yesNo = (cell: GapCell): FigureCell => (cell.suppressed ? 'c' : cell.significant === null ? null : cell.significant ? 'Yes' : 'No');
  const figure: ChartFigure = {
    id: 'gap',
    title: `The gap between ${inSentence(latest.group_label)} and ${otherLabel}`,
    summary: `${latest.gap === null ? `There is no gap to show for ${latest.year}${latest.suppressed ? ': the figures are withheld because too few children are behind them' : latest.comparator_note === null ? '' : `: ${latest.comparator_note}`}.` : `In ${latest.year} the gap is ${signed(latest.gap)} ${unit}${intervalText(latest.gap_lower, latest.gap_upper, signed)}.`} ${trendSentence[latest.trend]}`,
    description: 'The gap by academic year with its 95% confidence interval; the dashed line is no gap. The table below gives the figures.',
    spec: {
      width: 560,
      height: 220,
      data: { values },
      layer: [
        // The line of no gap spans the chart, so it takes no year of its own.
        { mark: { type: 'rule', color: chartColours.neutral, strokeDash: [4, 4] }, encoding: { y: { datum: 0 } } },
        { mark: { type: 'errorbar', ticks: { size: 12 }, color: chartColours.group }, encoding: { x: year, y: { field: 'lower', type: 'quantitative', title: `Gap (${unit})`, axis: { format: ',~f' } }, y2: { field: 'upper' } } },
        { mark: { type: 'point', filled: true, size: 70, opacity: 1, color: chartColours.group, aria: true }, encoding: { x: year, y: { field: 'gap', type: 'quantitative' }, description: { field: 'tip' } } },
      ],
    },
    table: {
      caption: `The gap between ${inSentence(latest.group_label)} and ${otherLabel} in ${authorityName} (${unit}), by year: ${measure.label}`,
      head: ['Year', `Gap (${unit})`, 'Lower 95% limit', 'Upper 95% limit', 'Significant', 'Trend to this year'],
      rows: cells.map((cell) => [cell.year, shown(cell, oneDecimal(cell.gap)), shown(cell, oneDecimal(cell.gap_lower)), shown(cell, oneDecimal(cell.gap_upper)), yesNo(cell), cell.trend.replace(/-/g, ' ')]),
      rowHeaders: true,
    },
    notes: [
      ...(cells.some((cell) => cell.suppressed) ? [withheldNote] : []),
      ...(suppress ? [roundedNote] : []),
      `The gap is the group’s figure minus ${otherLabel}’s. It is significant when its 95% confidence interval excludes zero. The trend is the direction of travel over the years to that year (five years are needed).`,
    ],
  };
  return withoutChartWhenEmpty(figure, values.length, nothingToDraw(cells, 'gaps'));
}

/**
 * The indicator page's figures, in page order. Each is shown with its table and can be downloaded
 * as PNG, SVG, CSV and XLSX; adding a figure is adding its function to this list.
 */
/** Against England, the region and the authorities the viewer chose to compare with (`compare`), when published statistics are loaded. */
const benchmarksFigure: IndicatorFigure = (series) =>
  benchmarkFigure(series.db, { laCode: series.laCode, indicator: series.measure.name, group: series.latest.group, comparators: series.compareWith, localSeries: series.cells, source: series.source });

/** The authority's settings for this group in the latest year, with funnel-plot control limits. */
const settingsFigure: IndicatorFigure = (series) =>
  settingsFunnelFigure(series.db, { laCode: series.laCode, indicator: series.measure.name, group: series.latest.group, year: parseAcademicYear(series.latest.year), suppress: series.suppress });

/** The page's figures by the id each gives its figure, so a download makes only the one it sends. */
const indicatorFigures: Readonly<Record<string, IndicatorFigure>> = {
  values: groupAndComparatorFigure,
  gap: gapFigure,
  benchmarks: benchmarksFigure,
  'settings-funnel': settingsFigure,
};

/** The figures the series has something to show in, or only the one with the id given. */
export async function figuresFor(series: IndicatorSeries, only?: string): Promise<ChartFigure[]> {
  const wanted = Object.entries(indicatorFigures).filter(([id]) => only === undefined || id === only);
  const figures = await Promise.all(wanted.map(([, figure]) => Promise.resolve(figure(series))));
  return figures.filter((figure): figure is ChartFigure => figure !== undefined);
}

/** More lines than this make the benchmark chart unreadable. */
const maxComparisons = 5;

type LoadedSeries = { series: IndicatorSeries } | { problem: 'bad-request' | 'refused'; message: string } | { problem: 'not-found'; message?: string } | { problem: 'authority'; refusal: AuthorityRefusal };

/**
 * The one way into the page and its downloads: the viewer must reach the authority's aggregates
 * (an unknown authority is not found, one out of reach is refused, each said in words), and small
 * numbers are withheld from a viewer who may not read its children's records.
 */
async function loadSeries(db: Kysely<Schema>, params: IndicatorQuery, viewer: Viewer): Promise<LoadedSeries> {
  // A parameter given twice arrives as a list; these take one value.
  const [la, indicator, group, comparator, statistics] = ['la', 'indicator', 'group', 'comparator', 'statistics'].map((name) => (typeof params[name] === 'string' ? params[name] : undefined));
  if (la === undefined || !indicator || !group) return { problem: 'not-found' };
  const named = authorityNamed(viewer, la);
  if (isAuthorityRefusal(named)) return { problem: 'authority', refusal: named };
  const { laCode } = named;
  const suppress = !seesSmallNumbers(viewer, { laCode });
  let cells: GapCell[];
  let source: StatisticsSource;
  try {
    source = await statisticsSourceFor(db, laCode, statistics);
    cells = await gapSeriesFor(db, { laCode, indicator, group, comparator, statistics: source.kind === 'own' ? source.batchId : undefined, suppress });
  } catch (error) {
    if (error instanceof DifferencingRefused) return { problem: 'refused', message: error.message };
    if (error instanceof GapRequestError || error instanceof StatisticsSourceError) return { problem: 'bad-request', message: error.message };
    throw error;
  }
  const latest = cells.at(-1);
  if (latest === undefined) return { problem: 'not-found', message: `No child-level data has been loaded for ${localAuthorityByGss(laCode)?.name ?? laCode} yet, so there is no gap to show.` };
  const compareWith = [...new Set([params.compare ?? []].flat().flatMap((value) => value.split(',')).map((code) => code.trim().toUpperCase()).filter((code) => code !== ''))];
  const unknown = compareWith.find((code) => localAuthorityByGss(code) === undefined);
  if (unknown !== undefined) return { problem: 'bad-request', message: `compare: "${unknown}" is not the GSS code of a local authority in England` };
  if (compareWith.length > maxComparisons) return { problem: 'bad-request', message: `compare: choose at most ${maxComparisons} authorities to compare with` };
  const measure = indicators.find((entry) => entry.name === latest.indicator)!;
  return {
    series: {
      db,
      viewer,
      laCode,
      authorityName: localAuthorityByGss(laCode)?.name ?? laCode,
      measure,
      cells,
      latest,
      suppress,
      params,
      compareWith,
      source,
      query: pageQuery(params, { la: laCode, indicator: measure.name, group: latest.group, comparator: latest.comparator, ...(source.kind === 'own' ? { statistics: source.batchId } : {}) }),
    },
  };
}

/** The page's query string: its own parameters as checked, then any others as they came. */
function pageQuery(params: IndicatorQuery, checked: Record<string, string>): string {
  const search = new URLSearchParams(checked);
  for (const [name, value] of Object.entries(params)) {
    if (Object.hasOwn(checked, name) || value === undefined) continue;
    for (const each of [value].flat()) search.append(name, each);
  }
  return search.toString();
}

function answerProblem(reply: FastifyReply, loaded: Exclude<LoadedSeries, { series: IndicatorSeries }>): FastifyReply {
  if (loaded.problem === 'bad-request') return reply.code(400).view('error.njk', { title: 'Check the address', message: loaded.message });
  if (loaded.problem === 'refused') return reply.code(403).view('error.njk', { title: 'These figures are not shown to you', message: `${loaded.message.replace(/^group: /, '').replace(/^./, (first) => first.toUpperCase())}.` });
  if (loaded.problem === 'authority') return refuseAuthority(reply, loaded.refusal);
  if (loaded.message !== undefined) return reply.code(404).view('error.njk', { pageTitle: 'No figures to show', title: 'No figures to show', message: loaded.message });
  return reply.code(404).view('404.njk');
}

/** The start of a download's file name: `gap-{authority}-{indicator}-{group}`, the comparator when not the default. */
function downloadName({ laCode, latest }: IndicatorSeries): string {
  const group = latest.group.replace(/[^A-Za-z0-9_-]+/g, '-');
  return `gap-${laCode}-${latest.indicator}-${group}${latest.comparator === 'all' ? '-vs-all' : ''}`;
}

/** Every other authority in England, those of the same region first, for the comparison choice. */
function authoritiesToCompare(laCode: string): { code: string; name: string }[] {
  const region = regionOf(laCode)?.code;
  return allLocalAuthorities()
    .filter((la) => la.gss !== laCode)
    .sort((a, b) => Number(regionOf(b.gss)?.code === region) - Number(regionOf(a.gss)?.code === region) || a.name.localeCompare(b.name))
    .map((la) => ({ code: la.gss, name: la.name }));
}

/** One group's gap on one indicator over the years: its figures, each with its table and downloads, and the whole series as CSV. */
export function registerIndicatorPage(app: FastifyInstance, db: Kysely<Schema>): void {
  const options = { schema: { hide: true }, config: { permission: 'aggregates:read' } } as const;

  app.get<{ Querystring: IndicatorQuery }>('/gaps/indicator', options, async (request, reply) => {
    const loaded = await loadSeries(db, request.query, request.viewer);
    if (!('series' in loaded)) return answerProblem(reply, loaded);
    const { series } = loaded;
    const { latest } = series;
    const figures = await figuresFor(series);
    const plans = mayReadPlans(request.viewer, series.laCode) ? await listPlans(db, [series.laCode], { indicator: series.measure.name, groupSpec: latest.group }) : [];
    return reply.view('gaps/indicator.njk', {
      plan: plans[0],
      mayStartPlan: mayWritePlans(request.viewer, series.laCode),
      laCode: series.laCode,
      compareWith: series.compareWith,
      statistics: series.source.kind === 'own' ? series.source.batchId : '',
      authoritiesToCompare: authoritiesToCompare(series.laCode),
      maxComparisons,
      pageTitle: `${latest.group_label}: ${series.measure.label}`,
      breadcrumbs: [{ text: 'Gaps', href: `/gaps?la=${series.laCode}` }],
      authorityName: series.authorityName,
      measure: series.measure,
      latest,
      comparatorSourceText: latest.comparator_source === null ? null : provenanceForPeople(latest.comparator_source),
      comparatorName: comparatorName(latest.comparator, series.laCode),
      comparatorInSentence: inSentence(comparatorName(latest.comparator, series.laCode)),
      regionName: regionOf(series.laCode)?.name ?? 'the region',
      trendSentence: trendSentence[latest.trend],
      unit: gapUnit(latest),
      figures: await Promise.all(figures.map((figure) => presentFigure(figure, { downloadPath: '/gaps/indicator/figures', query: series.query }))),
      query: series.query,
    });
  });

  app.get<{ Querystring: IndicatorQuery; Params: { figure: string; format: string } }>('/gaps/indicator/figures/:figure.:format', options, async (request, reply) => {
    const { format } = request.params;
    if (!isFigureFormat(format)) return reply.code(404).view('404.njk');
    const loaded = await loadSeries(db, request.query, request.viewer);
    if (!('series' in loaded)) return answerProblem(reply, loaded);
    const [figure] = await figuresFor(loaded.series, request.params.figure);
    if (figure === undefined) return reply.code(404).view('404.njk');
    if (!figureOffers(figure, format)) return reply.code(404).view('error.njk', { title: 'There is no chart to download', message: `${figure.withoutChart} The figures are in the CSV and Excel downloads.` });
    const file = await figureFile(figure, format);
    return reply
      .type(file.contentType)
      .header('Content-Disposition', `attachment; filename="${downloadName(loaded.series)}-${figure.id}.${format}"`)
      .header('Cache-Control', 'no-store')
      .send(file.body);
  });

  app.get<{ Querystring: IndicatorQuery }>('/gaps/indicator.csv', options, async (request, reply) => {
    const loaded = await loadSeries(db, request.query, request.viewer);
    if (!('series' in loaded)) return answerProblem(reply, loaded);
    const { series } = loaded;
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="gap-${series.laCode}-${series.measure.name}.csv"`)
      .header('Cache-Control', 'no-store')
      .send(toCsv(gapCellFields, series.cells.map((cell) => gapCellFields.map((field) => cell[field]))));
  });
}
