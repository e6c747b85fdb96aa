/**
 * The board paper's print: a self-contained HTML document (styles inline, charts as inline SVG,
 * no scripts, nothing fetched), printed to an A4 PDF by Chromium with the title and page numbers
 * in each page's footer. The body is the same template the board paper's page includes
 * (plans/improvement/_board-paper-body.njk), so the page, the print and the PDF say the same.
 */
import type nunjucks from 'nunjucks';
import { renderChart } from '../web/charts.js';
import { sourcePath } from '../web/paths.js';
import { htmlToPdf } from '../web/pdf.js';
import { createViewEnvironment } from '../web/views.js';
import type { BoardPaper } from './board-paper-model.js';

/** Each measure's chart as inline SVG, by its figure's id: the `charts` the body template takes. */
export type BoardPaperCharts = Record<string, string>;

let environment: nunjucks.Environment | undefined;

/** The plans views with the web layer's filters, as the pages have them. */
function printEnvironment(): nunjucks.Environment {
  environment ??= createViewEnvironment([sourcePath('plans', 'views')]);
  return environment;
}

/**
 * Draws the chart of every measure that has one (a figure, without `withoutChart`), named by the
 * figure's description, keyed by the figure's id. Give the result to the body template as `charts`.
 */
export async function boardPaperCharts(paper: BoardPaper): Promise<BoardPaperCharts> {
  const figures = paper.priorities.flatMap((priority) => priority.measures.flatMap((measure) => (measure.figure !== null && measure.figure.withoutChart === undefined ? [measure.figure] : [])));
  const svgs = await Promise.all(figures.map((figure) => renderChart(figure.spec, figure.description)));
  return Object.fromEntries(figures.map((figure, index) => [figure.id, svgs[index]!]));
}

/** The print as HTML, the same in a browser's Print and in Chromium's PDF. Draws the charts unless given them. */
export async function boardPaperPrintHtml(paper: BoardPaper, charts?: BoardPaperCharts): Promise<string> {
  return printEnvironment().render('plans/improvement/board-paper-print.njk', { paper, charts: charts ?? (await boardPaperCharts(paper)) });
}

/**
 * The paper as an A4 PDF, tagged and with an outline of its headings (see htmlToPdf). Throws
 * PdfUnavailableError when Chromium is missing or will not start: offer the HTML print instead.
 */
export async function boardPaperPdf(paper: BoardPaper, options: { chromiumPath: string }): Promise<Buffer> {
  const html = await boardPaperPrintHtml(paper);
  return htmlToPdf(html, { chromiumPath: options.chromiumPath, title: `${paper.title} – ${paper.organisation}` });
}
