import type { TopLevelSpec } from 'vega-lite';
import { neutraliseFormula, toCsv } from '../export/csv.js';
import type { ChartFigure, FigureCell } from './chart-figure.js';
import { renderStandaloneChart } from './charts.js';

/** The files a figure can be downloaded as, with what each is called in a link. */
export const figureFormats = {
  png: { contentType: 'image/png', label: 'Chart (PNG image)', image: true },
  svg: { contentType: 'image/svg+xml; charset=utf-8', label: 'Chart (SVG image)', image: true },
  csv: { contentType: 'text/csv; charset=utf-8', label: 'Figures (CSV)', image: false },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'Figures (Excel spreadsheet)', image: false },
} as const;

export type FigureFormat = keyof typeof figureFormats;

export function isFigureFormat(value: string): value is FigureFormat {
  return Object.hasOwn(figureFormats, value);
}

/** The figure's table as CSV: one header row, then the rows, text made safe to open in a spreadsheet. */
export function figureCsv(figure: ChartFigure): string {
  return toCsv(figure.table.head, figure.table.rows);
}

function spreadsheetValue(cell: FigureCell): string | number | boolean | null {
  return typeof cell === 'string' ? neutraliseFormula(cell) : cell;
}

/**
 * The figure as a workbook of one sheet: the caption, the header row, the rows (numbers stay
 * numbers, a missing figure an empty cell), then the notes. Text never becomes a formula: exceljs
 * writes strings as strings, and text a spreadsheet would run is neutralised as in the CSV, so it
 * stays harmless when the sheet is saved again as CSV.
 */
export async function figureXlsx(figure: ChartFigure): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Narrowing the Gap';
  workbook.title = figure.title;
  // Sheet names are at most 31 characters; figure ids are already free of the characters Excel refuses.
  const sheet = workbook.addWorksheet(figure.id.slice(0, 31));
  sheet.addRow([neutraliseFormula(figure.table.caption)]).font = { bold: true, size: 14 };
  sheet.addRow(figure.table.head.map(neutraliseFormula)).font = { bold: true };
  for (const row of figure.table.rows) sheet.addRow(row.map(spreadsheetValue));
  if (figure.notes !== undefined && figure.notes.length > 0) {
    sheet.addRow([]);
    sheet.addRow(['Notes']).font = { bold: true };
    for (const note of figure.notes) sheet.addRow([neutraliseFormula(note)]);
  }
  figure.table.head.forEach((heading, index) => {
    sheet.getColumn(index + 1).width = Math.min(40, Math.max(12, heading.length + 2));
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
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
