import { CsvError, parse } from 'csv-parse/sync';
import type { MeasureType, OutcomeId, Polarity } from './child-standard.js';
import { standardColumns } from './child-standard.js';

/** A column a council adds to the standard: a local group of children, or a local measure. */
export type LocalColumn =
  | { name: string; kind: 'group'; label: string }
  | { name: string; kind: 'measure'; label: string; type: MeasureType; min: number; max: number; polarity: Polarity; outcome: OutcomeId };

export class MappingError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'MappingError';
  }
}

const outcomes: readonly OutcomeId[] = ['be-healthy', 'stay-safe', 'enjoy-and-achieve', 'make-a-positive-contribution', 'achieve-economic-well-being'];
const types: readonly MeasureType[] = ['binary', 'continuous', 'count'];
const polarities: readonly Polarity[] = ['higher-is-better', 'lower-is-better'];
const headerColumns = ['column', 'kind', 'label', 'type', 'min', 'max', 'polarity', 'outcome'];

/**
 * Reads a mapping file: a CSV with the header `column,kind,label,type,min,max,polarity,outcome`,
 * one row per local column. Groups need only `column`, `kind` (group) and `label`; measures need
 * all eight. Throws a MappingError naming every problem by row and field.
 */
export function parseMapping(input: string | Uint8Array, file = 'mapping file'): LocalColumn[] {
  let records: string[][];
  try {
    records = parse(typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input), { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (error) {
    const detail = error instanceof CsvError ? error.message : 'it is not UTF-8 text';
    throw new MappingError(file, [`cannot be read as CSV: ${detail}`]);
  }
  const [header, ...rows] = records;
  if (header === undefined) throw new MappingError(file, ['is empty; it needs the header column,kind,label,type,min,max,polarity,outcome']);
  const names = header.map((name) => name.toLowerCase());
  const missing = headerColumns.slice(0, 3).filter((name) => !names.includes(name));
  if (missing.length > 0) throw new MappingError(file, [`the header lacks ${missing.join(', ')} (expected ${headerColumns.join(',')})`]);
  const field = (row: string[], name: string) => row[names.indexOf(name)] ?? '';
  const problems: string[] = [];
  const columns: LocalColumn[] = [];
  const seen = new Set<string>();
  rows.forEach((row, position) => {
    const at = `row ${position + 2}`;
    const name = field(row, 'column').toLowerCase();
    const label = field(row, 'label');
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) return problems.push(`${at}, column: "${field(row, 'column')}" should be a column name of letters, digits and underscores`);
    if (standardColumns.includes(name)) return problems.push(`${at}, column: "${name}" is already part of the standard`);
    if (seen.has(name)) return problems.push(`${at}, column: "${name}" is declared twice`);
    seen.add(name);
    if (label === '') return problems.push(`${at}, label: give the column a label for pages and reports`);
    const kind = field(row, 'kind').toLowerCase();
    if (kind === 'group') return columns.push({ name, kind, label });
    if (kind !== 'measure') return problems.push(`${at}, kind: "${field(row, 'kind')}" should be group or measure`);
    const type = field(row, 'type').toLowerCase() as MeasureType;
    const polarity = field(row, 'polarity').toLowerCase() as Polarity;
    const outcome = field(row, 'outcome').toLowerCase() as OutcomeId;
    const rowProblems: string[] = [];
    if (!types.includes(type)) rowProblems.push(`${at}, type: "${field(row, 'type')}" should be ${types.join(', ')}`);
    if (!polarities.includes(polarity)) rowProblems.push(`${at}, polarity: "${field(row, 'polarity')}" should be ${polarities.join(' or ')}`);
    if (!outcomes.includes(outcome)) rowProblems.push(`${at}, outcome: "${field(row, 'outcome')}" should be one of ${outcomes.join(', ')}`);
    const min = type === 'binary' ? 0 : Number(field(row, 'min'));
    const max = type === 'binary' ? 1 : Number(field(row, 'max'));
    if (type !== 'binary' && (field(row, 'min') === '' || field(row, 'max') === '' || !Number.isFinite(min) || !Number.isFinite(max) || min > max))
      rowProblems.push(`${at}, min/max: a ${type} measure needs a valid range (min no greater than max)`);
    if (rowProblems.length > 0) return problems.push(...rowProblems);
    return columns.push({ name, kind: 'measure', label, type, min, max, polarity, outcome });
  });
  if (problems.length > 0) throw new MappingError(file, problems);
  return columns;
}
