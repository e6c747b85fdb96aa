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
  /** Key stage 2 prior attainment carried in key stage 4 data. */
  ks2PriorAverage: number | null;
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
  // A first row naming none of the required columns is most likely data (the header is missing):
  // its cells may be a child's identifier, so they are not repeated in the problems.
  if (!requiredColumns.some((required) => columns.includes(required))) {
    return {
      ok: false,
      problems: [{ column: '(header)', message: `a header row first, naming the columns (${requiredColumns.join(', ')} and any others): row 1 names none of them, so it is not shown here in case it holds a child’s data` }],
    };
  }
  const local = new Map((options.localColumns ?? []).map((column) => [column.name, column]));
  const known = new Set(standardColumns);
  const problems: HeaderProblem[] = [];
  const seen = new Set<string>();
  columns.forEach((column, index) => {
    if (column === '') problems.push({ column: `column ${index + 1}`, message: `column ${index + 1} has no name` });
    else if (seen.has(column)) problems.push({ column, message: `column "${column}" appears more than once` });
    else if (!known.has(column) && !local.has(column))
      problems.push({ column, message: `column "${column}" is not part of the child-level standard; declare it as a local group or measure in a mapping file loaded with the data, or remove it` });
    seen.add(column);
  });
  for (const required of requiredColumns) {
    if (!seen.has(required)) problems.push({ column: required, message: `required column "${required}" is missing` });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, reader: new RowChecker(columns, options.laCode, [...local.values()].filter((column) => seen.has(column.name))) };
}

/**
 * Checks one row at a time. Written for speed (a million rows is an ordinary file): column
 * positions are worked out once, and a row allocates only its result, with no closures per row.
 */
class RowChecker implements ChildRowReader {
  private readonly at: (name: string) => number;
  private readonly childId: number;
  private readonly year: number;
  private readonly la: number;
  private readonly urn: number;
  private readonly ncy: number;
  private readonly sex: number;
  private readonly idaci: number;
  private readonly sen: number;
  private readonly ethnicity: number;
  private readonly proficiency: number;
  private readonly disadvantaged: number;
  private readonly childInNeed: number;
  private readonly flagPositions: number[];
  private readonly coordinationPositions: number[];
  private readonly countPositions: number[];
  private readonly ks2Prior: number;
  private readonly measurePositions: number[];
  private readonly laCache = new Map<string, string | { expected: string }>();
  private problems: RowProblem[] = [];
  private rowNumber = 0;
  private values: readonly string[] = [];

  constructor(
    readonly columns: string[],
    private readonly targetLa: string,
    private readonly localColumns: readonly LocalColumn[],
  ) {
    const index = new Map(columns.map((column, position) => [column, position]));
    this.at = (name) => index.get(name) ?? -1;
    this.childId = this.at('child_id');
    this.year = this.at('academic_year');
    this.la = this.at('la_code');
    this.urn = this.at('setting_urn');
    this.ncy = this.at('ncy');
    this.sex = this.at('sex');
    this.idaci = this.at('idaci_decile');
    this.sen = this.at('sen_provision');
    this.ethnicity = this.at('ethnicity');
    this.proficiency = this.at('english_proficiency');
    this.disadvantaged = this.at('disadvantaged');
    this.childInNeed = this.at('child_in_need');
    this.flagPositions = membershipFlags.map(this.at);
    this.coordinationPositions = coordinationFlags.map(this.at);
    this.countPositions = coordinationCounts.map(this.at);
    this.ks2Prior = this.at('ks2_prior_average');
    this.measurePositions = measures.map((measure) => this.at(measure.name));
  }

  private cell(position: number): string {
    if (position < 0) return '';
    const value = this.values[position];
    return value === undefined ? '' : value.length > 0 && (value.charCodeAt(0) <= 32 || value.charCodeAt(value.length - 1) <= 32) ? value.trim() : value;
  }

  private problem(column: string, value: string, expected: string): void {
    this.problems.push({ row: this.rowNumber, column, value, expected });
  }

  private flag(name: string, position: number): boolean | null {
    const text = this.cell(position);
    if (text === '') return null;
    const flag = parseFlag(text);
    if (flag === undefined) {
      this.problem(name, text, 'Y or N (also 1/0, true/false), or blank for unknown');
      return null;
    }
    return flag;
  }

  private number(name: string, position: number, min: number, max: number, integer: boolean): number | null {
    const text = this.cell(position);
    if (text === '') return null;
    const value = numberPattern.test(text) ? Number(text) : NaN;
    if (Number.isNaN(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
      this.problem(name, text, `${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, or blank`);
      return null;
    }
    return value;
  }

  private code(name: string, position: number, codes: readonly string[], expected: string): string | null {
    const text = this.cell(position);
    if (text === '') return null;
    const code = text.toUpperCase();
    if (codes.includes(code)) return code;
    this.problem(name, text, expected);
    return null;
  }

  private resolveLa(text: string): string | { expected: string } {
    const cached = this.laCache.get(text);
    if (cached !== undefined) return cached;
    let result: string | { expected: string };
    const found = findLocalAuthority(/^\d{3}$/.test(text) ? text : text.toUpperCase());
    if (found === undefined) result = { expected: 'an ONS GSS code such as E09000002 or a 3-digit DfE LA number' };
    else if (isPredecessorMatch(found))
      result = found.ambiguous
        ? { expected: `a current authority: ${found.predecessor.gss} (${found.predecessor.name}) was divided between ${found.successors.map((la) => la.gss).join(' and ')}` }
        : found.successors[0]!.gss;
    else result = found.gss;
    if (typeof result === 'string' && result !== this.targetLa) result = { expected: `the authority being loaded (${this.targetLa})` };
    this.laCache.set(text, result);
    return result;
  }

  read(values: readonly string[], rowNumber: number): RowResult {
    this.values = values;
    this.rowNumber = rowNumber;
    this.problems = [];
    if (values.length !== this.columns.length) {
      this.problem('(row)', `${values.length} values`, `${this.columns.length} values, one for each column of the header`);
      return { ok: false, problems: this.problems };
    }

    const childId = this.cell(this.childId);
    if (childId === '') this.problem('child_id', '', 'a child identifier (it must not be blank)');
    else if (childId.length > 64) this.problem('child_id', '', 'an identifier of at most 64 characters');

    const yearText = this.cell(this.year);
    const academicYear = parseAcademicYear(yearText);
    if (academicYear === undefined) this.problem('academic_year', yearText, 'an academic year written 2023/24 or 202324');

    const laText = this.cell(this.la);
    const la = laText === '' ? { expected: 'an authority code (it must not be blank)' } : this.resolveLa(laText);
    if (typeof la !== 'string') this.problem('la_code', laText, la.expected);

    const urnText = this.cell(this.urn);
    let settingUrn: number | null = null;
    if (urnText !== '') {
      if (urnText.length === 6 && /^\d{6}$/.test(urnText)) settingUrn = Number(urnText);
      else this.problem('setting_urn', urnText, 'a 6-digit unique reference number (URN)');
    }

    const ncyText = this.cell(this.ncy);
    let ncy: number | null = null;
    if (ncyText !== '') {
      const parsed = parseNcy(ncyText);
      if (parsed === undefined) this.problem('ncy', ncyText, 'a national curriculum year: N1, N2, R (or 0), or 1 to 14');
      else ncy = parsed;
    }

    const sexText = this.cell(this.sex);
    let sex: 'F' | 'M' | null = null;
    if (sexText === 'F' || sexText === 'M' || sexText === 'f' || sexText === 'm') sex = sexText.toUpperCase() as 'F' | 'M';
    else if (sexText !== '') this.problem('sex', sexText, 'F, M or blank');

    const idaciDecile = this.number('idaci_decile', this.idaci, 1, 10, true);

    const flags = {} as Record<MembershipFlag, boolean | null>;
    for (let index = 0; index < membershipFlags.length; index++) flags[membershipFlags[index]!] = this.flag(membershipFlags[index]!, this.flagPositions[index]!);
    const coordination = {} as Record<CoordinationFlag, boolean | null>;
    for (let index = 0; index < coordinationFlags.length; index++) coordination[coordinationFlags[index]!] = this.flag(coordinationFlags[index]!, this.coordinationPositions[index]!);
    const counts = {} as Record<CoordinationCount, number | null>;
    for (let index = 0; index < coordinationCounts.length; index++) counts[coordinationCounts[index]!] = this.number(coordinationCounts[index]!, this.countPositions[index]!, 0, 99, true);

    // Key stage 2 scaled scores run from 80 to 120; their average may be a half.
    const ks2PriorAverage = this.number('ks2_prior_average', this.ks2Prior, 80, 120, false);

    const senProvision = this.code('sen_provision', this.sen, senProvisionCodes, 'N, K or E (CBDS SEN provision codes) or blank');
    const englishProficiency = this.code('english_proficiency', this.proficiency, englishProficiencyCodes, 'A, B, C, D or E (proficiency in English) or blank');
    const ethnicityText = this.cell(this.ethnicity);
    let ethnicity: string | null = null;
    if (ethnicityText !== '') {
      const upper = ethnicityText.toUpperCase();
      if (ethnicityMainCode[upper] !== undefined) ethnicity = upper;
      else this.problem('ethnicity', ethnicityText, 'a CBDS ethnicity code such as WBRI, BCRB or APKN (main or extended list) or blank');
    }

    const measureValues: (number | null)[] = new Array<number | null>(measures.length);
    for (let index = 0; index < measures.length; index++) {
      const measure = measures[index]!;
      if (measure.type === 'binary') {
        const flag = this.flag(measure.name, this.measurePositions[index]!);
        measureValues[index] = flag === null ? null : flag ? 1 : 0;
      } else measureValues[index] = this.number(measure.name, this.measurePositions[index]!, measure.min ?? 0, measure.max ?? Number.MAX_SAFE_INTEGER, measure.integer === true);
    }

    const localValues: Record<string, number | boolean | null> = {};
    for (const column of this.localColumns) {
      const position = this.at(column.name);
      if (column.kind === 'group') localValues[column.name] = this.flag(column.name, position);
      else if (column.type === 'binary') {
        const flag = this.flag(column.name, position);
        localValues[column.name] = flag === null ? null : flag ? 1 : 0;
      } else localValues[column.name] = this.number(column.name, position, column.min, column.max, column.type === 'count');
    }

    if (senProvision === 'E' && ncy !== null && (ncy < 0 || ncy > 14))
      this.problem('sen_provision', 'E', `an education, health and care plan only for national curriculum years R to 14 (ncy is ${ncyText})`);
    if (flags.fsm === true && flags.disadvantaged === false) this.problem('disadvantaged', this.cell(this.disadvantaged), 'Y, or blank: a child eligible for free school meals (fsm Y) is disadvantaged');
    if (flags.child_protection_plan === true && flags.child_in_need === false)
      this.problem('child_in_need', this.cell(this.childInNeed), 'Y, or blank: a child on a protection plan (child_protection_plan Y) is a child in need');

    if (this.problems.length > 0) return { ok: false, problems: this.problems };
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
        ks2PriorAverage,
        measureValues,
        local: localValues,
      },
    };
  }
}

const numberPattern = /^-?(?:\d+\.?\d*|\.\d+)$/;
