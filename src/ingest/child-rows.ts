import { findLocalAuthority, isPredecessorMatch } from '../areas/areas.js';
import type { LocalColumn } from './mapping.js';
import {
  coordinationCounts,
  coordinationFlags,
  englishProficiencyCodes,
  ethnicityMainCode,
  measures,
  membershipFlags,
  parseAcademicYear,
  parseFlag,
  parseNcy,
  requiredColumns,
  senProvisionCodes,
  standardColumns,
} from './child-standard.js';
import type { CoordinationCount, CoordinationFlag, MembershipFlag } from './child-standard.js';

/** One problem with one value: row numbers count the header as row 1, as a spreadsheet shows them. */
export interface RowProblem {
  row: number;
  column: string;
  /** The value as given; empty for `child_id`, which is never repeated back. */
  value: string;
  expected: string;
}

/** A valid row. `childId` is the raw identifier: it is pseudonymised before anything stores it. */
export interface ChildRow {
  childId: string;
  academicYear: number;
  laCode: string;
  settingUrn: number | null;
  ncy: number | null;
  sex: 'F' | 'M' | null;
  idaciDecile: number | null;
  flags: Record<MembershipFlag, boolean | null>;
  senProvision: string | null;
  ethnicity: string | null;
  englishProficiency: string | null;
  coordination: Record<CoordinationFlag, boolean | null>;
  coordinationCounts: Record<CoordinationCount, number | null>;
  /** In the order of `measures`; binary measures as 1 or 0. */
  measureValues: (number | null)[];
  /** Local groups (true/false/null) and measures (numbers) that a mapping file declared. */
  local: Record<string, number | boolean | null>;
}

export interface HeaderProblem {
  column: string;
  message: string;
}

export type RowResult = { ok: true; row: ChildRow } | { ok: false; problems: RowProblem[] };

export interface ChildRowReader {
  /** The file's column names, normalised. */
  columns: string[];
  read(values: readonly string[], rowNumber: number): RowResult;
}

/** Lower case, trimmed, BOM removed: header names match case-insensitively. */
export function normaliseHeader(name: string): string {
  return name.replace(/^\uFEFF/, '').trim().toLowerCase();
}

/**
 * Checks the header row and returns a reader for the data rows, or the header's problems: a
 * missing required column, a column named twice, or a column the standard does not know and the
 * mapping file does not declare.
 */
export function childRowReader(
  header: readonly string[],
  options: { laCode: string; localColumns?: readonly LocalColumn[] },
): { ok: true; reader: ChildRowReader } | { ok: false; problems: HeaderProblem[] } {
  const columns = header.map(normaliseHeader);
  const local = new Map((options.localColumns ?? []).map((column) => [column.name, column]));
  const known = new Set(standardColumns);
  const problems: HeaderProblem[] = [];
  const seen = new Set<string>();
  columns.forEach((column, index) => {
    if (column === '') problems.push({ column: `column ${index + 1}`, message: `column ${index + 1} has no name` });
    else if (seen.has(column)) problems.push({ column, message: `column "${column}" appears more than once` });
    else if (!known.has(column) && !local.has(column))
      problems.push({ column, message: `column "${column}" is not part of the child-level standard; declare it in a mapping file (--mapping) as a local group or measure, or remove it` });
    seen.add(column);
  });
  for (const required of requiredColumns) {
    if (!seen.has(required)) problems.push({ column: required, message: `required column "${required}" is missing` });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, reader: makeReader(columns, options.laCode, [...local.values()].filter((column) => seen.has(column.name))) };
}

type Index = Map<string, number>;

function makeReader(columns: string[], targetLa: string, localColumns: LocalColumn[]): ChildRowReader {
  const index: Index = new Map(columns.map((column, position) => [column, position]));
  const at = (name: string) => index.get(name) ?? -1;
  const positions = {
    childId: at('child_id'),
    year: at('academic_year'),
    la: at('la_code'),
    urn: at('setting_urn'),
    ncy: at('ncy'),
    sex: at('sex'),
    idaci: at('idaci_decile'),
    sen: at('sen_provision'),
    ethnicity: at('ethnicity'),
    proficiency: at('english_proficiency'),
  };
  const flagPositions = membershipFlags.map((name) => [name, at(name)] as const);
  const coordinationPositions = coordinationFlags.map((name) => [name, at(name)] as const);
  const countPositions = coordinationCounts.map((name) => [name, at(name)] as const);
  const measurePositions = measures.map((measure) => at(measure.name));
  const localPositions = localColumns.map((column) => [column, at(column.name)] as const);
  const laCache = new Map<string, string | { expected: string }>();

  const resolveLa = (text: string): string | { expected: string } => {
    const cached = laCache.get(text);
    if (cached !== undefined) return cached;
    let result: string | { expected: string };
    const found = findLocalAuthority(/^\d{3}$/.test(text) ? text : text.toUpperCase());
    if (found === undefined) result = { expected: 'an ONS GSS code such as E09000002 or a 3-digit DfE LA number' };
    else if (isPredecessorMatch(found))
      result = found.ambiguous
        ? { expected: `a current authority: ${found.predecessor.gss} (${found.predecessor.name}) was divided between ${found.successors.map((la) => la.gss).join(' and ')}` }
        : found.successors[0]!.gss;
    else result = found.gss;
    if (typeof result === 'string' && result !== targetLa) result = { expected: `the authority being loaded (${targetLa})` };
    laCache.set(text, result);
    return result;
  };

  return {
    columns,
    read(values, rowNumber) {
      const problems: RowProblem[] = [];
      const cell = (position: number) => (position < 0 ? '' : (values[position] ?? '').trim());
      const problem = (column: string, value: string, expected: string) => problems.push({ row: rowNumber, column, value, expected });
      if (values.length !== columns.length) {
        problem('(row)', `${values.length} values`, `${columns.length} values, one for each column of the header`);
        return { ok: false, problems };
      }

      const childId = cell(positions.childId);
      if (childId === '') problem('child_id', '', 'a child identifier (it must not be blank)');
      else if (childId.length > 64) problem('child_id', '', 'an identifier of at most 64 characters');

      const yearText = cell(positions.year);
      const academicYear = parseAcademicYear(yearText);
      if (academicYear === undefined) problem('academic_year', yearText, 'an academic year written 2023/24 or 202324');

      const laText = cell(positions.la);
      const la = laText === '' ? { expected: 'an authority code (it must not be blank)' } : resolveLa(laText);
      if (typeof la !== 'string') problem('la_code', laText, la.expected);

      const urnText = cell(positions.urn);
      let settingUrn: number | null = null;
      if (urnText !== '') {
        if (/^\d{6}$/.test(urnText)) settingUrn = Number(urnText);
        else problem('setting_urn', urnText, 'a 6-digit unique reference number (URN)');
      }

      const ncyText = cell(positions.ncy);
      let ncy: number | null = null;
      if (ncyText !== '') {
        const parsed = parseNcy(ncyText);
        if (parsed === undefined) problem('ncy', ncyText, 'a national curriculum year: N1, N2, R (or 0), or 1 to 14');
        else ncy = parsed;
      }

      const sexText = cell(positions.sex).toUpperCase();
      let sex: 'F' | 'M' | null = null;
      if (sexText === 'F' || sexText === 'M') sex = sexText;
      else if (sexText !== '') problem('sex', cell(positions.sex), 'F, M or blank');

      const idaciText = cell(positions.idaci);
      let idaciDecile: number | null = null;
      if (idaciText !== '') {
        const decile = /^\d{1,2}$/.test(idaciText) ? Number(idaciText) : NaN;
        if (decile >= 1 && decile <= 10) idaciDecile = decile;
        else problem('idaci_decile', idaciText, 'a whole number from 1 to 10');
      }

      const flags = {} as Record<MembershipFlag, boolean | null>;
      for (const [name, position] of flagPositions) flags[name] = readFlag(name, cell(position), problem);
      const coordination = {} as Record<CoordinationFlag, boolean | null>;
      for (const [name, position] of coordinationPositions) coordination[name] = readFlag(name, cell(position), problem);
      const counts = {} as Record<CoordinationCount, number | null>;
      for (const [name, position] of countPositions) counts[name] = readNumber(name, cell(position), { min: 0, max: 99, integer: true }, problem);

      const senProvision = readCode('sen_provision', cell(positions.sen), senProvisionCodes, 'N, K or E (CBDS SEN provision codes) or blank', problem);
      const englishProficiency = readCode('english_proficiency', cell(positions.proficiency), englishProficiencyCodes, 'A, B, C, D or E (proficiency in English) or blank', problem);
      const ethnicityText = cell(positions.ethnicity).toUpperCase();
      let ethnicity: string | null = null;
      if (ethnicityText !== '') {
        if (ethnicityMainCode[ethnicityText] !== undefined) ethnicity = ethnicityText;
        else problem('ethnicity', cell(positions.ethnicity), 'a CBDS ethnicity code such as WBRI, BCRB or APKN (main or extended list) or blank');
      }

      const measureValues = measures.map((measure, position) => {
        const text = cell(measurePositions[position]!);
        if (measure.type === 'binary') {
          const flag = readFlag(measure.name, text, problem);
          return flag === null ? null : flag ? 1 : 0;
        }
        return readNumber(measure.name, text, { min: measure.min ?? 0, max: measure.max ?? Number.MAX_SAFE_INTEGER, integer: measure.integer === true }, problem);
      });

      const localValues: Record<string, number | boolean | null> = {};
      for (const [column, position] of localPositions) {
        const text = cell(position);
        if (column.kind === 'group' || column.type === 'binary') {
          const flag = readFlag(column.name, text, problem);
          localValues[column.name] = column.kind === 'group' ? flag : flag === null ? null : flag ? 1 : 0;
        } else localValues[column.name] = readNumber(column.name, text, { min: column.min, max: column.max, integer: column.type === 'count' }, problem);
      }

      if (senProvision === 'E' && (ncy === null ? false : ncy < 0 || ncy > 14))
        problem('sen_provision', 'E', `an education, health and care plan only for national curriculum years R to 14 (ncy is ${ncyText})`);
      if (flags.fsm === true && flags.disadvantaged === false) problem('disadvantaged', cell(at('disadvantaged')), 'Y, or blank: a child eligible for free school meals (fsm Y) is disadvantaged');
      if (flags.child_protection_plan === true && flags.child_in_need === false)
        problem('child_in_need', cell(at('child_in_need')), 'Y, or blank: a child on a protection plan (child_protection_plan Y) is a child in need');

      if (problems.length > 0) return { ok: false, problems };
      return {
        ok: true,
        row: {
          childId,
          academicYear: academicYear!,
          laCode: la as string,
          settingUrn,
          ncy,
          sex,
          idaciDecile,
          flags,
          senProvision,
          ethnicity,
          englishProficiency,
          coordination,
          coordinationCounts: counts,
          measureValues,
          local: localValues,
        },
      };
    },
  };
}

type Report = (column: string, value: string, expected: string) => void;

function readFlag(name: string, text: string, problem: Report): boolean | null {
  const flag = parseFlag(text);
  if (flag === undefined) {
    problem(name, text, 'Y or N (also 1/0, true/false), or blank for unknown');
    return null;
  }
  return flag;
}

const numberPattern = /^-?(?:\d+\.?\d*|\.\d+)$/;

function readNumber(name: string, text: string, range: { min: number; max: number; integer: boolean }, problem: Report): number | null {
  if (text === '') return null;
  const value = numberPattern.test(text) ? Number(text) : NaN;
  const kind = range.integer ? 'a whole number' : 'a number';
  if (Number.isNaN(value) || (range.integer && !Number.isInteger(value)) || value < range.min || value > range.max) {
    problem(name, text, `${kind} from ${range.min} to ${range.max}, or blank`);
    return null;
  }
  return value;
}

function readCode(name: string, text: string, codes: readonly string[], expected: string, problem: Report): string | null {
  if (text === '') return null;
  const code = text.toUpperCase();
  if (codes.includes(code)) return code;
  problem(name, text, expected);
  return null;
}

