import type { Kysely } from 'kysely';
import type { TopLevelSpec } from 'vega-lite';
import { localAuthorityByGss, regionOf } from '../areas/areas.js';
import type { Schema } from '../db/schema.js';
import { formatAcademicYear, parseAcademicYear } from '../ingest/child-standard.js';
import { valueSymbols } from '../ingest/statistics/standard.js';
import type { ChartFigure, FigureCell } from '../web/chart-figure.js';
import { withoutChartWhenEmpty } from '../web/chart-figure.js';
import { chartColours } from '../web/charts.js';
import type { BenchmarkPoint, StatisticsSource } from './benchmarks.js';
import { englandCode, readBenchmarks } from './benchmarks.js';
import type { GapCell } from './matrix.js';
import { publishedEquivalents } from './published-equivalents.js';
import { GapRequestError, groupNamed, measureNamed } from './service.js';
import { inSentence } from '../web/format.js';
import { formatNumber } from '../web/format.js';

/** The authority's own figures for the group, year by year: the cells gapSeriesFor gives. */
export type LocalBenchmarkPoint = Pick<GapCell, 'year' | 'group_value' | 'group_lower' | 'group_upper' | 'suppressed'>;

export interface BenchmarkFigureRequest {
  /** The authority (GSS code). */
  laCode: string;
  /** Our measure's name. */
  indicator: string;
  /** Our group id. */
  group: string;
  /** Other authorities to show (GSS codes), as the user chose them. */
  comparators?: readonly string[];
  localSeries: readonly LocalBenchmarkPoint[];
  /** The national statistics (default), or a file of the authority's own that it chose. */
  source?: StatisticsSource;
}

/**
 * Each series' look: colour, dash and point shape all differ, so no series is told apart by colour
 * alone. The authority is solid blue circles, England dashed orange squares, the region dotted grey
 * triangles; chosen authorities take the remaining dashes and shapes in dark text colour and grey.
 */
const looks = [
  { colour: chartColours.group, dash: [1, 0], shape: 'circle' },
  { colour: chartColours.comparator, dash: [8, 4], shape: 'square' },
  { colour: chartColours.neutral, dash: [2, 3], shape: 'triangle-up' },
  { colour: chartColours.text, dash: [12, 3, 3, 3], shape: 'diamond' },
  { colour: chartColours.neutral, dash: [4, 2, 1, 2], shape: 'cross' },
  { colour: chartColours.text, dash: [1, 4], shape: 'triangle-down' },
  { colour: chartColours.neutral, dash: [6, 6], shape: 'triangle-left' },
  { colour: chartColours.text, dash: [10, 2], shape: 'triangle-right' },
] as const;

function lookOf(index: number) {
  return looks[index % looks.length]!;
}


function rounded(value: number, percentage: boolean): number {
  // Means such as suspensions per pupil are small: two decimals keep them readable.
  const places = percentage ? 1 : 2;
  return Math.round(value * 10 ** places) / 10 ** places;
}

function inWords(value: number, percentage: boolean): string {
  return percentage ? `${rounded(value, true)}%` : String(rounded(value, false));
}

interface Place {
  name: string;
  /** How the summary sentence names it after "for the same group". */
  where: string;
  points: Map<number, BenchmarkPoint>;
}

/**
 * The authority's group against the same group in England, its region and any authorities chosen,
 * year by year, as a figure: a Vega-Lite line chart, its table (with the symbols published in place
 * of numbers, explained in the notes) and a sentence comparing the latest year. Undefined when no
 * published figure with a number exists for the measure and group in the years shown (the measure
 * or the group has no published equivalent, or no such file is loaded).
 */
export async function benchmarkFigure(db: Kysely<Schema>, request: BenchmarkFigureRequest): Promise<ChartFigure | undefined> {
  const measure = measureNamed(request.indicator);
  const group = groupNamed(request.group);
  const others = (request.comparators ?? []).filter((code) => code !== request.laCode);
  for (const code of others) {
    if (localAuthorityByGss(code) === undefined) throw new GapRequestError('comparator', `"${code}" is not the GSS code of a current local authority`);
  }
  const authorityName = localAuthorityByGss(request.laCode)?.name ?? request.laCode;
  const region = regionOf(request.laCode);
  const percentage = measure.type === 'binary';

  const points = await readBenchmarks(db, {
    indicators: [measure.name],
    groups: [group.id],
    places: { england: true, regions: region === undefined ? [] : [region.code], authorities: others },
  }, request.source);
  const local = new Map(request.localSeries.flatMap((point) => {
    const year = parseAcademicYear(point.year);
    return year === undefined ? [] : [[year, point] as const];
  }));
  // The authority's years when it has any; otherwise every published year.
  const years = (local.size > 0 ? [...local.keys()] : [...new Set(points.map((point) => point.year))]).sort((a, b) => a - b);
  const shown = points.filter((point) => years.includes(point.year));
  if (!shown.some((point) => point.value !== null)) return undefined;

  const placeOf = (code: string, name: string, where: string): Place => ({ name, where, points: new Map(shown.filter((point) => point.area_code === code).map((point) => [point.year, point])) });
  const places: Place[] = [
    placeOf(englandCode, 'England', 'for the same group in England'),
    ...(region === undefined ? [] : [placeOf(region.code, region.name, `in ${region.name}`)]),
    ...others.map((code) => {
      const name = localAuthorityByGss(code)!.name;
      return placeOf(code, name, `in ${name}`);
    }),
  ];
  const seriesNames = [authorityName, ...places.map((place) => place.name)];
  const unit = percentage ? 'Per cent' : measure.label;

  // Each point's tooltip says what the table says for it.
  const tip = (name: string, year: number, value: number, detail: string) => `${name}, ${formatAcademicYear(year)}: ${inWords(value, percentage)}${detail}`;
  const values = years.flatMap((year) => {
    const own = local.get(year);
    const ownValue = own === undefined || own.suppressed ? null : own.group_value;
    const lower = own?.group_lower ?? null;
    const upper = own?.group_upper ?? null;
    const interval = lower !== null && upper !== null ? ` (95% interval ${rounded(lower, percentage)} to ${rounded(upper, percentage)})` : '';
    return [
      {
        year: formatAcademicYear(year),
        series: authorityName,
        value: ownValue,
        lower: ownValue === null ? null : lower,
        upper: ownValue === null ? null : upper,
        tip: ownValue === null ? null : tip(authorityName, year, ownValue, interval),
      },
      ...places.map((place) => {
        const point = place.points.get(year);
        const value = point?.value ?? null;
        const count = point?.count ?? null;
        const detail = count === null ? '' : ` (${formatNumber(count)} children, published)`;
        return { year: formatAcademicYear(year), series: place.name, value, lower: null, upper: null, tip: value === null ? null : tip(place.name, year, value, detail) };
      }),
    ];
  });
  const spec = benchmarkChartSpec(values, seriesNames, unit);

  const symbolsSeen = new Set<string>();
  const publishedCell = (point: BenchmarkPoint | undefined): FigureCell => {
    if (point === undefined) return null;
    if (point.value === null) {
      symbolsSeen.add(point.status);
      return point.status;
    }
    return rounded(point.value, percentage);
  };
  const localCell = (value: number | null | undefined, suppressed: boolean | undefined): FigureCell => {
    if (suppressed) {
      symbolsSeen.add('c');
      return 'c';
    }
    return value === null || value === undefined ? null : rounded(value, percentage);
  };
  const rows = years.map((year) => {
    const own = local.get(year);
    return [
      formatAcademicYear(year),
      localCell(own?.group_value, own?.suppressed),
      localCell(own?.group_lower, own?.suppressed),
      localCell(own?.group_upper, own?.suppressed),
      ...places.map((place) => publishedCell(place.points.get(year))),
      // Where each published figure came from, beside it in every copy of the table.
      ...places.map((place) => place.points.get(year)?.source_label ?? null),
    ];
  });

  const transformations = [...new Set(shown.map((point) => publishedEquivalents[measure.name]!.find((equivalent) => equivalent.indicator === point.published_indicator)?.transformation?.description).filter((text) => text !== undefined))];
  // Provenance of every published figure in the table: which file, whose, who loaded it and when.
  const sources = [...new Set(shown.map((point) => `${point.area_name}: ${point.source} (${point.published_indicator})`))];
  const notes = [
    `${places.map((place) => place.name).join(', ')}: published statistics for the same group. They carry no confidence interval here.`,
    ...sources.map((source) => `Source of ${source}.`),
    ...transformations.map((text) => `Published on another scale and converted: ${text}.`),
    ...[...symbolsSeen].sort().map((symbol) => `${symbol}: ${symbol === 'c' ? 'withheld to protect individuals (here: fewer than 5 children in the group, or meeting or missing the outcome; published: suppressed)' : (valueSymbols[symbol] ?? 'no number published')}`),
    ...(rows.some((row) => row.slice(1).includes(null)) ? ['A blank cell: no figure for that year (none has been loaded, or the group had no child with a value).'] : []),
  ];

  const summary = summarySentence(years, local, places, group.label, percentage);
  const groupText = inSentence(group.label);
  const figure: ChartFigure = {
    id: 'benchmarks',
    title: `${group.label} here and elsewhere: ${measure.label}`,
    summary,
    description: `Line chart of ${groupText} in ${authorityName} and the same group in ${places.map((place) => place.name).join(', ')}, by academic year: ${inSentence(measure.label)}. ${summary} The table below gives the figures.`,
    spec,
    table: {
      caption: `${group.label}: ${measure.label}, ${authorityName} against published figures`,
      head: ['Academic year', authorityName, `${authorityName}: lower 95% limit`, `${authorityName}: upper 95% limit`, ...places.map((place) => place.name), ...places.map((place) => `${place.name}: source`)],
      rows,
      rowHeaders: true,
    },
    notes,
  };
  const drawn = values.filter((point) => point.value !== null).length;
  return withoutChartWhenEmpty(figure, drawn, `No year has a figure here or ${places.map((place) => place.where).join(' or ')} for ${groupText}, so there is nothing to draw.`);
}

/** One point of the benchmark chart: a series (place) in a year, null where it has no figure. */
export interface BenchmarkChartPoint {
  year: string;
  series: string;
  value: number | null;
  lower: number | null;
  upper: number | null;
  tip: string | null;
}

/**
 * The chart: a line per place, in `seriesNames` order. Only the places with a figure to draw are in
 * the legend (a region with none loaded would otherwise be listed with nothing drawn); each keeps its
 * own look whatever else is missing, so England is always dashed orange squares.
 */
export function benchmarkChartSpec(values: readonly BenchmarkChartPoint[], seriesNames: readonly string[], unit: string): TopLevelSpec {
  const drawn = seriesNames.map((name, index) => ({ name, look: lookOf(index) })).filter(({ name }) => values.some((point) => point.series === name && point.value !== null));
  const scale = <T>(pick: (look: (typeof looks)[number]) => T) => ({ domain: drawn.map(({ name }) => name), range: drawn.map(({ look }) => pick(look)) });
  const colour = { field: 'series', type: 'nominal', title: null, scale: scale((look) => look.colour) } as const;
  const y = { field: 'value', type: 'quantitative', title: unit, scale: { zero: false }, axis: { format: ',~f' } } as const;
  return {
    width: 560,
    height: 260,
    // A place with no figure at all is left out. A drawn place keeps its years without one, so its line breaks there rather than joining its neighbours.
    data: { values: values.filter((point) => drawn.some(({ name }) => name === point.series)) },
    encoding: { x: { field: 'year', type: 'ordinal', title: 'Academic year', axis: { labelAngle: 0 } } },
    layer: [
      {
        // Only the authority's own figures have an interval; published figures carry none here.
        transform: [{ filter: 'datum.lower != null && datum.upper != null' }],
        mark: { type: 'errorbar', ticks: { size: 12 } },
        encoding: { y: { ...y, field: 'lower' }, y2: { field: 'upper' }, color: colour },
      },
      { mark: { type: 'line' }, encoding: { y, color: colour, strokeDash: { field: 'series', type: 'nominal', title: null, scale: scale((look) => [...look.dash]) } } },
      {
        mark: { type: 'point', filled: true, size: 70, opacity: 1, aria: true },
        encoding: { y, color: colour, shape: { field: 'series', type: 'nominal', title: null, scale: scale((look) => look.shape) }, description: { field: 'tip' } },
      },
    ],
  };
}

/** The latest year with a figure here (or, failing that, anywhere), said in words. */
function summarySentence(years: readonly number[], local: ReadonlyMap<number, LocalBenchmarkPoint>, places: readonly Place[], groupLabel: string, percentage: boolean): string {
  const ownValue = (year: number) => {
    const own = local.get(year);
    return own === undefined || own.suppressed ? null : own.group_value;
  };
  const latestFirst = [...years].reverse();
  const year = latestFirst.find((entry) => ownValue(entry) !== null) ?? latestFirst.find((entry) => places.some((place) => typeof place.points.get(entry)?.value === 'number'))!;
  const groupText = inSentence(groupLabel);
  const value = ownValue(year);
  const here =
    value !== null
      ? `${groupText} here ${percentage ? 'reached' : 'averaged'} ${inWords(value, percentage)}`
      : local.get(year)?.suppressed
        ? `the figure for ${groupText} here is withheld (small numbers)`
        : `there is no figure for ${groupText} here`;
  const elsewhere = places.map((place) => {
    const point = place.points.get(year);
    if (point === undefined) return `none has been loaded ${place.where}`;
    if (point.value === null) return `${place.name}’s is published as ${point.status} (${valueSymbols[point.status] ?? 'no number'})`;
    return `${inWords(point.value, percentage)} ${place.where}`;
  });
  const listed = elsewhere.length === 1 ? elsewhere[0]! : `${elsewhere.slice(0, -1).join(', ')} and ${elsewhere.at(-1)!}`;
  return `In ${formatAcademicYear(year)} ${here}, against ${listed}.`;
}
