import type { TopLevelSpec } from 'vega-lite';

/** A cell of a chart's table: text, a number, or null for a figure not shown (the row says why). */
export type FigureCell = string | number | boolean | null;

/**
 * One chart as a page shows it and as it can be downloaded: the Vega-Lite specification, the
 * sentence a screen reader hears for the image, a text summary, and the table of its figures.
 * Everything a figure shows comes from `table`, so the SVG, the PNG, the CSV and the XLSX agree.
 */
export interface ChartFigure {
  /** Unique on the page and safe in a URL: it names the figure's downloads. */
  readonly id: string;
  readonly title: string;
  /** One or two sentences saying what the chart shows, in words. */
  readonly summary: string;
  /** The text alternative of the rendered image. */
  readonly description: string;
  readonly spec: TopLevelSpec;
  readonly table: {
    readonly caption: string;
    readonly head: readonly string[];
    readonly rows: readonly (readonly FigureCell[])[];
    /** Cells of the first column are row headers (`scope="row"`). */
    readonly rowHeaders?: boolean;
  };
  /** Notes under the table, e.g. why a figure is suppressed. */
  readonly notes?: readonly string[];
  /**
   * Why no chart is drawn, in words, when it would draw nothing worth seeing (no figures, every
   * figure withheld, a single point, too few settings): shown instead of the chart, and the figure
   * offers its table alone (no image downloads). Set it with `withoutChartWhenEmpty` or by hand.
   */
  readonly withoutChart?: string;
}

/** The marks a chart would draw: the inline data rows of the spec and of its layers. */
export function markCount(spec: TopLevelSpec): number {
  const rowsOf = (part: unknown): number => {
    if (part === null || typeof part !== 'object') return 0;
    const { data, layer } = part as { data?: { values?: unknown }; layer?: unknown[] };
    const own = Array.isArray(data?.values) ? data.values.length : 0;
    return own + (Array.isArray(layer) ? layer.reduce<number>((sum, child) => sum + rowsOf(child), 0) : 0);
  };
  return rowsOf(spec);
}

/**
 * The figure as given, or without its chart when the chart would have nothing on it: every figure
 * missing or withheld (the reason given), or a single point, which is a number, not a chart.
 */
export function withoutChartWhenEmpty(figure: ChartFigure, points: number, nothingReason: string): ChartFigure {
  if (figure.withoutChart !== undefined) return figure;
  if (points === 0) return { ...figure, withoutChart: nothingReason };
  if (points === 1) return { ...figure, withoutChart: 'Only one figure has a value, so there is no chart to draw: it is in the table below.' };
  return figure;
}
