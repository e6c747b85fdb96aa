/**
 * Settings: the schools, children's centres and early-years settings an authority registers, one
 * by one or from a CSV file. This module is the pure part: the validated type and the CSV parser.
 * Storing settings is the database's business.
 *
 * The CSV has a header row with the columns urn, name, kind, la_code and (optionally) phase and
 * locality, in any order, names matched case-insensitively. Problems are reported with the row number a spreadsheet
 * shows (the header is row 1), the column, the value given and what was expected.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { z } from 'zod';
import { findLocalAuthority, isPredecessorMatch, loadAreas, localAuthorityByGss } from './areas.js';
import type { Areas } from './areas.js';

// ---------------------------------------------------------------------------------------------
// Vocabulary and schema
// ---------------------------------------------------------------------------------------------

export const SETTING_KINDS = ['school', 'childrens-centre', 'early-years', 'other'] as const;
export type SettingKind = (typeof SETTING_KINDS)[number];

/** Phases of education as Get Information about Schools names them, as slugs. */
export const SETTING_PHASES = [
  'nursery',
  'primary',
  'middle-deemed-primary',
  'secondary',
  'middle-deemed-secondary',
  'all-through',
  '16-plus',
  'not-applicable',
] as const;
export type SettingPhase = (typeof SETTING_PHASES)[number];

export const URN_MIN = 100000;
export const URN_MAX = 999999;
export const LOCALITY_MAX = 80;

export const settingSchema = z.strictObject({
  /** Unique reference number: six digits, 100000 to 999999, as schools have in Get Information about Schools. */
  urn: z.number().int().min(URN_MIN).max(URN_MAX),
  kind: z.enum(SETTING_KINDS),
  name: z.string().trim().min(1).max(200),
  /** GSS code of the local authority the setting belongs to (E06, E08, E09 or E10 and six digits). */
  laCode: z.string().regex(/^E(06|08|09|10)\d{6}$/, 'not the GSS code of an English upper-tier authority'),
  phase: z.enum(SETTING_PHASES).optional(),
  /** The authority's own area the setting belongs to (a locality, district or cluster), in its own words. */
  locality: z.string().trim().min(1).max(LOCALITY_MAX).optional(),
});

export type Setting = z.infer<typeof settingSchema>;

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

export const SETTINGS_CSV_COLUMNS = ['urn', 'name', 'kind', 'la_code', 'phase', 'locality'] as const;
export type SettingsCsvColumn = (typeof SETTINGS_CSV_COLUMNS)[number];
const REQUIRED_COLUMNS: readonly SettingsCsvColumn[] = ['urn', 'name', 'kind', 'la_code'];

export interface SettingsCsvProblem {
  /** Row number as a spreadsheet shows it: the header is row 1, the first setting row 2. */
  row: number;
  /** The column concerned, or null when the problem is the row or file as a whole. */
  column: string | null;
  /** The value given (empty when nothing was given). */
  value: string;
  /** What was expected, in words. */
  expected: string;
}

/** `rows[i]` is the spreadsheet row number `settings[i]` came from, for problems found later (such as a URN another authority holds). */
export type SettingsCsvResult = { ok: true; settings: Setting[]; rows: number[] } | { ok: false; problems: SettingsCsvProblem[] };

export interface SettingsCsvOptions {
  /** When given (a GSS code), every setting must belong to this authority: the one importing them. */
  laCode?: string;
  /** Areas data to check la_code against (default: loadAreas()). */
  areas?: Areas;
}

/** Lower case, apostrophes dropped, runs of spaces, hyphens and underscores made one hyphen. */
function slug(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[\s_-]+/g, '-');
}

function isKind(value: string): value is SettingKind {
  return (SETTING_KINDS as readonly string[]).includes(value);
}

function isPhase(value: string): value is SettingPhase {
  return (SETTING_PHASES as readonly string[]).includes(value);
}

/** What la_code should have been, when it is not the GSS code of a current authority. */
function laCodeProblem(value: string, areas: Areas): string | undefined {
  const expected = 'the GSS code of a current local authority, e.g. E06000001';
  if (value === '') return expected;
  const gss = /^E\d{8}$/i.test(value) ? localAuthorityByGss(value, areas) : undefined;
  if (gss?.validTo === null) return undefined;
  const found = findLocalAuthority(value, areas);
  if (isPredecessorMatch(found)) {
    const successors = found.successors.map((la) => `${la.gss} (${la.name})`).join(' or ');
    return `${expected}; ${found.predecessor.name} was replaced on ${found.changedOn} by ${successors}`;
  }
  if (found !== undefined) return `${expected}; the GSS code of ${found.name} is ${found.gss}`;
  return expected;
}

/**
 * Reads a settings CSV. Returns every setting, or every problem found (the settings are all or
 * nothing). Blank rows are skipped. A byte-order mark is allowed.
 */
export function parseSettingsCsv(input: string | Uint8Array, options: SettingsCsvOptions = {}): SettingsCsvResult {
  const areas = options.areas ?? loadAreas();
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  // A NUL is never text, and the database cannot store one: refused as a problem, not an error.
  const nul = text.indexOf('\u0000');
  if (nul !== -1) {
    const line = text.slice(0, nul).split('\n').length;
    return { ok: false, problems: [{ row: line, column: null, value: '', expected: `text without NUL characters (byte 0): line ${line} has one; save the file as "CSV UTF-8"` }] };
  }
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false });
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === 'number' ? error.lines : 1;
      return { ok: false, problems: [{ row: line, column: null, value: '', expected: `a well-formed CSV file (line ${line}: ${error.message})` }] };
    }
    throw error;
  }

  const header = records[0];
  if (header === undefined || header.every((cell) => cell.trim() === '')) {
    return { ok: false, problems: [{ row: 1, column: null, value: '', expected: `a header row with the columns ${SETTINGS_CSV_COLUMNS.join(', ')}` }] };
  }

  // Header: known columns, each once, the required ones present.
  const problems: SettingsCsvProblem[] = [];
  const position = new Map<SettingsCsvColumn, number>();
  header.forEach((cell, index) => {
    const name = cell.trim().toLowerCase();
    const known = (SETTINGS_CSV_COLUMNS as readonly string[]).includes(name) ? (name as SettingsCsvColumn) : undefined;
    if (known === undefined) {
      problems.push({ row: 1, column: cell, value: cell, expected: `one of the columns ${SETTINGS_CSV_COLUMNS.join(', ')}` });
    } else if (position.has(known)) {
      problems.push({ row: 1, column: cell, value: cell, expected: `each column once; ${known} is given twice` });
    } else {
      position.set(known, index);
    }
  });
  for (const column of REQUIRED_COLUMNS) {
    if (!position.has(column)) problems.push({ row: 1, column, value: '', expected: `a column named ${column}` });
  }
  if (problems.length > 0) return { ok: false, problems };

  const owner = options.laCode?.trim().toUpperCase();
  const settings: Setting[] = [];
  const settingRows: number[] = [];
  const urnRows = new Map<number, number>();
  records.slice(1).forEach((record, offset) => {
    const row = offset + 2;
    if (record.every((cell) => cell.trim() === '')) return;
    if (record.length !== header.length) {
      problems.push({ row, column: null, value: record.join(','), expected: `${header.length} fields, as in the header; found ${record.length}` });
      return;
    }
    const cell = (column: SettingsCsvColumn): string => {
      const index = position.get(column);
      return index === undefined ? '' : (record[index] ?? '').trim();
    };
    const rowProblems: SettingsCsvProblem[] = [];
    const problem = (column: SettingsCsvColumn, expected: string) => rowProblems.push({ row, column, value: cell(column), expected });

    const urnText = cell('urn');
    const urn = /^\d{6}$/.test(urnText) ? Number(urnText) : Number.NaN;
    if (!(urn >= URN_MIN && urn <= URN_MAX)) {
      problem('urn', `a six-digit unique reference number from ${URN_MIN} to ${URN_MAX}`);
    } else {
      const earlier = urnRows.get(urn);
      if (earlier !== undefined) problem('urn', `a URN not already given on row ${earlier}`);
      else urnRows.set(urn, row);
    }

    const name = cell('name');
    if (name === '') problem('name', 'the name of the setting');
    else if (name.length > 200) problem('name', 'a name of at most 200 characters');

    const kind = slug(cell('kind'));
    if (!isKind(kind)) problem('kind', `one of ${SETTING_KINDS.join(', ')}`);

    const laCode = cell('la_code').toUpperCase();
    const laExpected = laCodeProblem(cell('la_code'), areas);
    if (laExpected !== undefined) problem('la_code', laExpected);
    else if (owner !== undefined && laCode !== owner) problem('la_code', `${owner}: settings imported by this authority must belong to it`);

    const phaseText = cell('phase');
    const phase = phaseText === '' ? undefined : slug(phaseText);
    if (phase !== undefined && !isPhase(phase)) problem('phase', `empty or one of ${SETTING_PHASES.join(', ')} (as in Get Information about Schools)`);

    const locality = cell('locality').replace(/\s+/g, ' ');
    if (locality.length > LOCALITY_MAX) problem('locality', `empty or a name of at most ${LOCALITY_MAX} characters`);

    if (rowProblems.length > 0) {
      problems.push(...rowProblems);
      return;
    }
    const parsed = settingSchema.safeParse({ urn, kind, name, laCode, ...(phase === undefined ? {} : { phase }), ...(locality === '' ? {} : { locality }) });
    if (parsed.success) {
      settings.push(parsed.data);
      settingRows.push(row);
    } else {
      const columns: Record<string, SettingsCsvColumn> = { urn: 'urn', kind: 'kind', name: 'name', laCode: 'la_code', phase: 'phase', locality: 'locality' };
      for (const issue of parsed.error.issues) {
        const column = columns[String(issue.path[0])] ?? null;
        problems.push({ row, column, value: column === null ? '' : cell(column), expected: issue.message });
      }
    }
  });

  if (problems.length === 0 && settings.length === 0) {
    problems.push({ row: 2, column: null, value: '', expected: 'at least one setting below the header' });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, settings, rows: settingRows };
}
