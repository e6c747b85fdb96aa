import type { ChartFigure, FigureCell } from './chart-figure.js';
import { renderChart } from './charts.js';
import { figureFormats } from './figure-downloads.js';
import type { FigureFormat } from './figure-downloads.js';

export interface FigureTableCell {
  readonly text: string;
  readonly numeric: boolean;
  readonly rowHeader: boolean;
}

/** What the `chartFigure` macro (`_figure.njk`) renders: a figure with its chart drawn and its table's cells as text. */
export interface FigureView {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  /** The chart drawn; empty when there is none. */
  readonly svg: string;
  /** Why there is no chart, in words, shown in its place; null when there is one. */
  readonly withoutChart: string | null;
  readonly caption: string;
  readonly head: readonly { readonly text: string; readonly numeric: boolean }[];
  readonly rows: readonly (readonly FigureTableCell[])[];
  /** Rows beyond the first `longTableRows` of a long table: shown on demand, so the page stays short. */
  readonly moreRows: readonly (readonly FigureTableCell[])[];
  readonly notes: readonly string[];
  readonly downloads: readonly { readonly href: string; readonly text: string }[];
}

/** Statistical symbols (c for withheld, x for not available, z for not applicable) sit in numeric columns. */
const isSymbol = (cell: FigureCell) => typeof cell === 'string' && cell.length === 1;

function decimalsOf(value: number): number {
  const fraction = String(value).split('.')[1];
  return fraction === undefined ? 0 : fraction.length;
}

/** A column of numbers shows each with as many decimals as the most precise, so they line up (at most 2). */
function columnFormats(rows: readonly (readonly FigureCell[])[], width: number): { numeric: boolean; decimals: number }[] {
  return Array.from({ length: width }, (_, column) => {
    const cells = rows.map((row) => row[column] ?? null);
    const numbers = cells.filter((cell): cell is number => typeof cell === 'number');
    return {
      numeric: numbers.length > 0 && cells.every((cell) => cell === null || typeof cell === 'number' || isSymbol(cell)),
      decimals: Math.min(2, Math.max(0, ...numbers.map(decimalsOf))),
    };
  });
}

function cellText(cell: FigureCell, decimals: number): string {
  if (cell === null) return '–';
  if (typeof cell === 'number') return cell.toLocaleString('en-GB', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  if (typeof cell === 'boolean') return cell ? 'Yes' : 'No';
  return cell;
}

/** A table longer than this shows its first rows and the rest on demand (every row is in the downloads). */
export const longTableRows = 25;

/**
 * Prepares a figure for a page: draws its chart, writes its table's cells as text and links its
 * downloads, `{downloadPath}/{id}.{format}?{query}`.
 */
export async function presentFigure(figure: ChartFigure, links: { downloadPath: string; query: string }): Promise<FigureView> {
  const { head, rows, rowHeaders = false } = figure.table;
  const formats = columnFormats(rows, head.length);
  return {
    id: figure.id,
    title: figure.title,
    summary: figure.summary,
    svg: figure.withoutChart === undefined ? await renderChart(figure.spec, figure.description) : '',
    withoutChart: figure.withoutChart ?? null,
    caption: figure.table.caption,
    head: head.map((text, column) => ({ text, numeric: formats[column]?.numeric ?? false })),
    ...splitLong(
      rows.map((row) =>
        row.map((cell, column) => ({ text: cellText(cell, formats[column]?.decimals ?? 0), numeric: formats[column]?.numeric ?? false, rowHeader: rowHeaders && column === 0 })),
      ),
    ),
    notes: figure.notes ?? [],
    downloads: (Object.keys(figureFormats) as FigureFormat[]).filter((format) => figure.withoutChart === undefined || !figureFormats[format].image).map((format) => ({
      href: `${links.downloadPath}/${figure.id}.${format}?${links.query}`,
      text: figureFormats[format].label,
    })),
  };
}

/** A long table's first rows, and the rest; a table only a few rows over the limit is kept whole. */
function splitLong<T>(rows: readonly T[]): { rows: readonly T[]; moreRows: readonly T[] } {
  if (rows.length <= longTableRows + 5) return { rows, moreRows: [] };
  return { rows: rows.slice(0, longTableRows), moreRows: rows.slice(longTableRows) };
}
