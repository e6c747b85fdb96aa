import { toCsv } from '../export/csv.js';
import type { Catalogue, CatalogueItem } from './catalogue.js';

export const catalogueCsvHeader = ['id', 'kind', 'template', 'layer', 'tier', 'thread', 'text', 'source'] as const;

function sourceLabel(item: CatalogueItem): string {
  const lines = item.source.lines;
  const first = lines[0];
  const last = lines[lines.length - 1];
  const range = first === last ? `line ${first}` : `lines ${first}–${last}`;
  return `${item.source.file}, ${item.source.section}, ${range}`;
}

/** One row per item, for councils to work with the framework in a spreadsheet. */
export function catalogueToCsv(catalogue: Catalogue): string {
  const rows = catalogue.items.map((item) => [
    item.id,
    item.kind,
    item.kind === 'template' ? item.number : 'template' in item ? item.template : '',
    'layer' in item ? item.layer : '',
    'tier' in item ? item.tier : '',
    item.kind === 'golden-thread' ? item.id : 'thread' in item ? item.thread : '',
    item.text,
    sourceLabel(item),
  ]);
  return toCsv(catalogueCsvHeader, rows);
}

export function catalogueToJson(catalogue: Catalogue): string {
  return `${JSON.stringify(catalogue, null, 2)}\n`;
}
