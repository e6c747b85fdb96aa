import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { escapeHtml } from './html.js';

/** GOV.UK Design System colours used in charts: blue, orange, dark grey, and the text colour. */
export const chartColours = { group: '#1d70b8', comparator: '#f47738', neutral: '#505a5f', text: '#0b0c0c' } as const;

const chartConfig = {
  font: 'Arial, sans-serif',
  axis: { labelFontSize: 14, titleFontSize: 14, labelColor: chartColours.text, titleColor: chartColours.text, gridColor: '#e5e6e7' },
  legend: { labelFontSize: 14, titleFontSize: 14, orient: 'bottom', labelLimit: 480 },
  title: { fontSize: 16, subtitleFontSize: 14, color: chartColours.text, subtitleColor: chartColours.text, anchor: 'start', offset: 12 },
  view: { stroke: null },
  // The chart is one image with a text alternative; the table beside it carries the figures.
  aria: false,
} as const;

/**
 * Advance widths of Arial (the same as Helvetica's) for the printable ASCII characters, in
 * thousandths of the font size, from the Adobe font metrics of Helvetica.
 */
const arialWidths = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
  limit?: number;
}

/**
 * Without a canvas, Vega guesses every character at 0.8 of the font size, near twice Arial's real
 * width, which leaves legends and titles with wide empty margins and widens the charts. Measuring
 * with Arial's own widths keeps each chart the size of what it draws, on the page and in the
 * downloaded images. Bold is about 8% wider; other characters count as a digit.
 */
function arialTextWidth(item: TextItem, text?: unknown): number {
  const size = item.fontSize ?? 11;
  const value = typeof text === 'string' || typeof text === 'number' ? String(text).trim() : '';
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  let thousandths = 0;
  for (const character of value) thousandths += arialWidths[(character.codePointAt(0) ?? 0) - 32] ?? 556;
  const width = (thousandths / 1000) * size * (bold ? 1.08 : 1);
  // Vega cuts text longer than its limit down to the limit, with an ellipsis.
  return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
}
// vega exports its text metrics for exactly this (vl-convert does the same), though its types omit them.
(vega as unknown as { textMetrics: { width: typeof arialTextWidth } }).textMetrics.width = arialTextWidth;

/**
 * Tooltips for data points. A mark given `aria: true` and a `description` encoding makes Vega write
 * each point's description as its `aria-label`; those points become `data-ntg-tip` plus an SVG
 * `<title>`, which every browser shows on hover without JavaScript and which figures.js turns into a
 * styled tooltip on hover and keyboard focus. The labels, roles and descriptions inside are then
 * removed, so a screen reader meets one image named by its description and reads the figures from
 * the table beside it rather than a tree of unlabelled shapes. (Vega's own `tooltip` encoding only
 * works with Vega running in the browser, which the server-rendered charts do without.)
 */
function pointsWithTooltips(svg: string): string {
  // Vega has already escaped the description for an attribute, which is also safe as element text.
  return svg.replace(/<(\w+) aria-label="([^"]*)" role="graphics-symbol"([^>]*?)\/>/g, '<$1 data-ntg-tip="$2"$3><title>$2</title></$1>');
}

async function chartSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile({ ...spec, config: { ...chartConfig, ...(spec.config ?? {}) } }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  // Vega marks its parts as graphics for assistive technology; here the whole chart is one image.
  return pointsWithTooltips(svg).replace(/\s(?:role|aria-[a-z]+)="[^"]*"/g, '');
}


/**
 * Renders a Vega-Lite specification to SVG on the server, so the page needs no JavaScript and prints
 * well. The SVG is one image named by `description`, which should say what the chart shows. Points
 * of marks with `aria: true` and a `description` encoding carry that description as a tooltip.
 */
export async function renderChart(spec: TopLevelSpec, description: string): Promise<string> {
  const svg = await chartSvg(spec);
  return svg.replace('<svg ', `<svg role="img" aria-label="${escapeHtml(description)}" focusable="false" `);
}

/**
 * The chart as a file of its own: an XML declaration, and a `<title>` and `<desc>` first inside the
 * root element, so image viewers, editors and the browser's own view name it.
 */
export async function renderStandaloneChart(spec: TopLevelSpec, text: { title: string; description: string }): Promise<string> {
  const svg = await chartSvg(spec);
  // Vega's opening tag holds only its own attributes (no text of ours), so its first ">" ends it.
  const openingTagEnd = svg.indexOf('>') + 1;
  const heading = `<title>${escapeHtml(text.title)}</title><desc>${escapeHtml(text.description)}</desc>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svg.slice(0, openingTagEnd)}${heading}${svg.slice(openingTagEnd)}\n`;
}
