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
}
