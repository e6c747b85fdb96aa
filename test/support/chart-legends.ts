import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

interface SceneNode {
  marktype?: string;
  role?: string;
  items?: SceneNode[];
  datum?: Record<string, unknown>;
  text?: unknown;
  y?: number;
  defined?: boolean;
}

/** The fields a spec's legends can come from: colour, fill, stroke, shape and dash encodings by field. */
function legendFields(spec: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(spec)) for (const entry of spec) legendFields(entry, found);
  else if (spec !== null && typeof spec === 'object') {
    for (const [key, value] of Object.entries(spec)) {
      const field = value !== null && typeof value === 'object' ? (value as { field?: unknown }).field : undefined;
      if (['color', 'fill', 'stroke', 'shape', 'strokeDash'].includes(key) && typeof field === 'string') found.add(field);
      else legendFields(value, found);
    }
  }
  return found;
}

/**
 * What a chart's legends list and which series it draws, read from the scene Vega renders: the
 * legends' labels, and the values of the legend fields on every mark item actually drawn (a point of
 * a line with no value is not drawn). Datum encodings (a constant series name) are not understood:
 * give each series a field.
 */
export async function legendAndDrawnSeries(spec: TopLevelSpec): Promise<{ legend: string[]; drawn: string[] }> {
  const fields = legendFields(spec);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  await view.runAsync();
  const legend = new Set<string>();
  const drawn = new Set<string>();
  const walk = (node: SceneNode, inLegend: boolean) => {
    const legendHere = inLegend || (node.role ?? '').startsWith('legend');
    if (legendHere && node.role === 'legend-label') for (const item of node.items ?? []) legend.add(String(item.text));
    if (!legendHere && node.role === 'mark' && node.marktype !== 'group') {
      for (const item of node.items ?? []) {
        if (item.defined === false || (item.y !== undefined && !Number.isFinite(item.y))) continue;
        for (const field of fields) {
          const value = item.datum?.[field];
          if (typeof value === 'string' || typeof value === 'number') drawn.add(String(value));
        }
      }
    }
    for (const child of node.items ?? []) walk(child, legendHere);
  };
  walk((view.scenegraph() as unknown as { root: SceneNode }).root, false);
  view.finalize();
  return { legend: [...legend].sort(), drawn: [...drawn].sort() };
}
