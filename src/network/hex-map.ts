/**
 * A hex map of England's authorities coloured by one figure, as a chart figure (a Vega-Lite
 * specification drawn on the server, with its table): each authority one hexagon, so a small London
 * borough counts as much as a county. Authorities without the figure are drawn pale grey and say so
 * in the table; authorities outside the region asked for are drawn faint, for context.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartFigure, FigureCell } from '../web/chart-figure.js';
import { englandHexes, rowSpacing } from './hex-layout.js';
import { networkRegions } from './regions.js';

/** A figure an authority has: a number (a count or a percentage) or one of a few categories. */
export type HexValue = number | string;

export interface HexMeasure {
  /** The figure, as a column heading and legend title: "Practice items published". */
  label: string;
  /** Numbers are shaded from light to dark; categories take the colours given, in order. */
  kind: 'number' | 'category';
  /** For categories: each one's colour, in the legend's order. */
  categories?: readonly { value: string; colour: string }[];
  /** A number as the table writes it, e.g. with a % sign; plain by default. */
  format?: (value: number) => string;
}

export interface HexMapRequest {
  id: string;
  title: string;
  summary: string;
  measure: HexMeasure;
  /** Each authority's figure; an authority missing here has none. */
  values: ReadonlyMap<string, HexValue>;
  /** What an authority without the figure shows in the table, e.g. "No published figure". */
  missingText: string;
  /** One region's authorities in colour and in the table, the others faint; all of England when unset. */
  region?: string;
  notes?: readonly string[];
}

/** A pointy-topped hexagon of unit circumradius, as Vega draws a custom symbol (scaled by √size / 2). */
const hexagonPath = 'M0,-1L0.866,-0.5L0.866,0.5L0,1L-0.866,0.5L-0.866,-0.5Z';
/** Width of the map on the page, in pixels; it scales down with the page. */
const mapWidth = 560;
/** Hexagons fill this much of their cell, leaving a white gap that shows the borders. */
const fill = 0.92;
/** A region drawn close up has hexagons at most this wide, in pixels. */
const largestHex = 56;
const faint = '#f3f2f1';
const noFigure = '#b1b4b6';

export function hexMapFigure(request: HexMapRequest): ChartFigure {
  const cells = englandHexes();
  const regionOf = new Map(networkRegions().flatMap((region) => region.authorities.map((la) => [la.code, region] as const)));
  const inView = (code: string) => request.region === undefined || regionOf.get(code)?.code === request.region;
  const format = request.measure.format ?? ((value: number) => value.toLocaleString('en-GB'));
  const textOf = (value: HexValue | undefined) => (value === undefined ? request.missingText : typeof value === 'number' ? format(value) : value);

  // England whole; a region close up, with a ring of its neighbours for context.
  const framed = request.region === undefined ? cells : cells.filter((cell) => inView(cell.code));
  const margin = request.region === undefined ? 0 : 1.5;
  const minX = Math.min(...framed.map((cell) => cell.x)) - margin;
  const maxX = Math.max(...framed.map((cell) => cell.x)) + margin;
  const minY = Math.min(...framed.map((cell) => cell.y)) - margin * rowSpacing;
  const maxY = Math.max(...framed.map((cell) => cell.y)) + margin * rowSpacing;
  const inFrame = (cell: (typeof cells)[number]) => cell.x >= minX && cell.x <= maxX && cell.y >= minY && cell.y <= maxY;
  const pixelsPerHex = Math.min(largestHex, mapWidth / (maxX - minX + 1));
  const width = Math.round(pixelsPerHex * (maxX - minX + 1));
  // A hexagon is 2/√3 of its width tall: half of that above the top row's centre and below the bottom's.
  const halfHeight = 1 / Math.sqrt(3);
  const mapHeight = Math.round((maxY - minY + 2 * halfHeight) * pixelsPerHex);
  const symbolSize = ((2 * fill * pixelsPerHex) / Math.sqrt(3)) ** 2;

  const point = (cell: (typeof cells)[number]) => {
    const value = request.values.get(cell.code);
    return { code: cell.code, x: cell.x, y: cell.y, value: value ?? null, tip: `${cell.name}: ${textOf(value)}` };
  };
  const shown = cells.filter((cell) => inView(cell.code)).map(point);
  const withFigure = shown.filter((cell) => cell.value !== null);
  const withoutFigure = shown.filter((cell) => cell.value === null);
  const context = cells.filter((cell) => !inView(cell.code) && inFrame(cell)).map(point);

  const position = {
    x: { field: 'x', type: 'quantitative', axis: null, scale: { domain: [minX - 0.5, maxX + 0.5], nice: false, zero: false } },
    y: { field: 'y', type: 'quantitative', axis: null, scale: { domain: [minY - halfHeight, maxY + halfHeight], nice: false, zero: false } },
  } as const;
  const hexMark = { type: 'point', shape: hexagonPath, size: symbolSize, filled: true, opacity: 1, strokeWidth: 0 } as const;
  const tips = { aria: true } as const;
  const description = { description: { field: 'tip', type: 'nominal' } } as const;

  const colour =
    request.measure.kind === 'category'
      ? {
          field: 'value',
          type: 'nominal',
          title: request.measure.label,
          scale: { domain: (request.measure.categories ?? []).map((entry) => entry.value), range: (request.measure.categories ?? []).map((entry) => entry.colour) },
          legend: { orient: 'bottom', direction: 'vertical' },
        }
      : {
          field: 'value',
          type: 'quantitative',
          title: request.measure.label,
          scale: { scheme: 'blues', zero: true },
          legend: { orient: 'bottom', direction: 'horizontal', gradientLength: 240 },
        };

  const layers: unknown[] = [];
  if (context.length > 0) layers.push({ data: { values: context }, mark: { ...hexMark, color: faint }, encoding: position });
  if (withoutFigure.length > 0) layers.push({ data: { values: withoutFigure }, mark: { ...hexMark, color: noFigure, ...tips }, encoding: { ...position, ...description } });
  if (withFigure.length > 0) layers.push({ data: { values: withFigure }, mark: { ...hexMark, ...tips }, encoding: { ...position, color: colour, ...description } });

  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width,
    height: mapHeight,
    padding: 4,
    background: 'white',
    layer: layers,
    config: { legend: { symbolType: hexagonPath, symbolSize: 200 } },
  } as unknown as TopLevelSpec;

  const rows: FigureCell[][] = shown
    .map((cell) => ({ cell, region: regionOf.get(cell.code)?.name ?? '', name: cells.find((entry) => entry.code === cell.code)?.name ?? cell.code }))
    // Authorities with the figure first: a table led by rows of "none" hides what the map shows.
    .sort((a, b) => Number(a.cell.value === null) - Number(b.cell.value === null) || a.region.localeCompare(b.region, 'en-GB') || a.name.localeCompare(b.name, 'en-GB'))
    .map(({ cell, region, name }) => [name, region, typeof cell.value === 'number' ? cell.value : textOf(cell.value ?? undefined)]);
  const missing = withoutFigure.length;
  const notes = [...(request.notes ?? []), ...(missing > 0 ? [`${missing} ${missing === 1 ? 'authority has' : 'authorities have'} no figure (grey on the map): ${request.missingText.toLowerCase()}.`] : [])];
  const place = request.region === undefined ? 'England' : (networkRegions().find((region) => region.code === request.region)?.name ?? request.region);
  return {
    id: request.id,
    title: request.title,
    summary: request.summary,
    description: `Hex map of ${place}’s local authorities, each one hexagon, shaded by ${request.measure.label.toLowerCase()}. The table below gives every authority’s figure.`,
    spec,
    table: { caption: `${request.measure.label}, by local authority`, head: ['Local authority', 'Region', request.measure.label], rows, rowHeaders: true },
    notes,
    ...(withFigure.length === 0 ? { withoutChart: `No authority ${request.region === undefined ? '' : 'in the region '}has this figure yet, so the map would be all grey.` } : {}),
  };
}

