import type { TopLevelSpec } from 'vega-lite';
import type { ChartFigure, FigureCell } from './chart-figure.js';
import { renderStandaloneChart } from './charts.js';
import { tableCsv, tableFormats, tableXlsx } from './downloads.js';
import type { DownloadTable } from './downloads.js';

/** The files a figure can be downloaded as, with what each is called in a link. */
export const figureFormats = {
  png: { contentType: 'image/png', label: 'Chart (PNG image)', image: true },
  svg: { contentType: 'image/svg+xml; charset=utf-8', label: 'Chart (SVG image)', image: true },
  csv: { contentType: tableFormats.csv.contentType, label: 'Figures (CSV)', image: false },
  xlsx: { contentType: tableFormats.xlsx.contentType, label: 'Figures (Excel spreadsheet)', image: false },
} as const;

export type FigureFormat = keyof typeof figureFormats;

export function isFigureFormat(value: string): value is FigureFormat {
  return Object.hasOwn(figureFormats, value);
}

/** The figure's table as a download: its header and rows; its title, caption and notes on the notes sheet. */
function figureTable(figure: ChartFigure): DownloadTable<readonly FigureCell[]> {
  return {
    fileName: figure.id,
    // Sheet names are at most 31 characters; figure ids are already free of the characters Excel refuses.
    sheetName: figure.id,
    // The figure's own notes explain its symbols, so its columns take no number format (which would explain them again).
    columns: figure.table.head.map((label, index) => ({ label, value: (row: readonly FigureCell[]) => row[index] ?? null })),
    rows: figure.table.rows,
    metadata: { title: figure.title, details: [{ label: 'Table', value: figure.table.caption }], notes: figure.notes ?? [] },
  };
}

/** The figure's table as CSV: one header row, then the rows, text made safe to open in a spreadsheet. */
export function figureCsv(figure: ChartFigure): string {
  return tableCsv(figureTable(figure));
}

/** The figure's table as a workbook: the figures on the first sheet, its title, caption and notes on the second. */
export function figureXlsx(figure: ChartFigure): Promise<Buffer> {
  return tableXlsx(figureTable(figure));
}

/** Splits text into lines of about `width` characters at spaces: Vega does not wrap titles itself. */
function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/)) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** An image leaves the page behind, so it carries the figure's title and caption drawn above the chart. */
function titledSpec(figure: ChartFigure): TopLevelSpec {
  if (figure.spec.title !== undefined) return figure.spec;
  // Wrapped to about the width of the charts (560 pixels), which a long title would otherwise widen.
  return { ...figure.spec, title: { text: wrapText(figure.title, 60), subtitle: wrapText(figure.table.caption, 80) } };
}

/** The chart as a standalone SVG file, titled, with the figure's description. */
export function figureSvg(figure: ChartFigure): Promise<string> {
  return renderStandaloneChart(titledSpec(figure), { title: figure.title, description: figure.description });
}

/**
 * The chart as a PNG at twice its size, sharp on high-density screens and in print. resvg draws
 * text only with fonts it can find: it loads the system's, and the charts ask for Arial, then any
 * sans-serif, which resvg resolves to `defaultFontFamily` (Liberation Sans has Arial's metrics) or,
 * failing that, the first font installed. A machine with no fonts at all gives charts without text.
 */
export async function figurePng(figure: ChartFigure): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  const svg = await figureSvg(figure);
  const image = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'Liberation Sans' } });
  return image.render().asPng();
}

/** Whether the figure can be had in the format: a figure without a chart has no image. */
export function figureOffers(figure: ChartFigure, format: FigureFormat): boolean {
  return figure.withoutChart === undefined || !figureFormats[format].image;
}

/** The figure in the format asked for, with its content type (an image only of a figure with a chart: see figureOffers). */
export async function figureFile(figure: ChartFigure, format: FigureFormat): Promise<{ contentType: string; body: string | Buffer }> {
  const { contentType } = figureFormats[format];
  switch (format) {
    case 'csv':
      return { contentType, body: figureCsv(figure) };
    case 'xlsx':
      return { contentType, body: await figureXlsx(figure) };
    case 'svg':
      return { contentType, body: await figureSvg(figure) };
    case 'png':
      return { contentType, body: await figurePng(figure) };
  }
}
