import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** GOV.UK Design System colours used in charts: blue, orange, dark grey, and the text colour. */
export const chartColours = { group: '#1d70b8', comparator: '#f47738', neutral: '#505a5f', text: '#0b0c0c' } as const;

const chartConfig = {
  font: 'Arial, sans-serif',
  axis: { labelFontSize: 14, titleFontSize: 14, labelColor: chartColours.text, titleColor: chartColours.text, gridColor: '#e5e6e7' },
  legend: { labelFontSize: 14, titleFontSize: 14, orient: 'bottom', labelLimit: 480 },
  view: { stroke: null },
  // The chart is one image with a text alternative; the table beside it carries the figures.
  aria: false,
} as const;

/**
 * Renders a Vega-Lite specification to SVG on the server, so the page needs no JavaScript and prints
 * well. The SVG is one image named by `description`, which should say what the chart shows.
 */
export async function renderChart(spec: TopLevelSpec, description: string): Promise<string> {
  const compiled = compile({ ...spec, config: { ...chartConfig, ...(spec.config ?? {}) } }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const label = description.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  // Vega marks its parts as graphics for assistive technology; here the whole chart is one image.
  const plain = svg.replace(/\s(?:role|aria-[a-z]+)="[^"]*"/g, '');
  return plain.replace('<svg ', `<svg role="img" aria-label="${label}" focusable="false" `);
}
