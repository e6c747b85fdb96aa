import { findArea, findLocalAuthority, isPredecessorMatch, localAuthorityByGss } from '../../areas/areas.js';
import type { LocalAuthority } from '../../areas/areas.js';
import { countryCodes } from './standard.js';
import type { GeographicLevel } from './standard.js';

/**
 * Where a row's figures are, as stored:
 * - `areaCode` identifies the area: the country or region GSS code; for a local authority the code
 *   of the authority covering that area today (a recoded authority, or a county that became a
 *   unitary council on the same area, takes its current code), but the published code itself when
 *   the area was merged into a larger authority or split between several, since no current
 *   authority covers exactly that area; a school's URN; for other levels the code as published.
 * - `laCode` is the current authority the row belongs to, for scoping: the authority itself, or the
 *   school's authority; null when there is none, or more than one (a split predecessor, or joint
 *   figures of two authorities such as "E09000021 / E09000027").
 * - `oldLaCode`, `newLaCode`: the authority codes exactly as published, when the row has them.
 */
export interface Location {
  areaCode: string;
  laCode: string | null;
  oldLaCode: string | null;
  newLaCode: string | null;
}

export interface CellProblem {
  column: string;
  value: string;
  expected: string;
}

export type LocationResult = { ok: true; location: Location } | { ok: false; problems: CellProblem[] };

type Cell = (column: string) => string;

/** Cells that stand for "no code" in published files ('.' in pre-2009 rows, 'x' for ended authorities). */
const noCode = new Set(['', '.', 'x', 'z']);

const codePatterns: Readonly<Record<string, { pattern: RegExp; expected: string }>> = {
  'Local authority district': { pattern: /^[EW]0[6-9]\d{6}$/, expected: 'the GSS code of a local authority district, such as E08000019' },
  'Parliamentary constituency': { pattern: /^[EW]14\d{6}$/, expected: 'the GSS code of a parliamentary constituency, such as E14001234' },
  Ward: { pattern: /^[EW]05\d{6}$/, expected: 'the GSS code of an electoral ward, such as E05011091' },
};

/**
 * Resolves the location columns of rows, level by level, checking each code against the areas
 * data (src/areas). Authority codes are resolved once per distinct pair and remembered.
 */
export function locationResolver(): (level: GeographicLevel, cell: Cell) => LocationResult {
  const authorities = new Map<string, AuthorityResult>();
  const authorityOf = (oldText: string, newText: string): AuthorityResult => {
    const key = `${oldText}\u0000${newText}`;
    let result = authorities.get(key);
    if (result === undefined) {
      result = resolveAuthorityCells(oldText, newText);
      authorities.set(key, result);
    }
    return result;
  };

  return (level, cell) => {
    const code = level.codeColumn === null ? cell(level.nameColumn) : cell(level.codeColumn);
    // The level's name (and a school's LAESTAB) must be filled in, as the checker's check_geog_level_completed asks.
    const blank = [level.nameColumn, level.name === 'School' ? level.secondaryColumn : null].filter((column): column is string => column !== null && cell(column) === '');
    if (blank.length > 0 && level.name !== 'Planning area')
      return { ok: false, problems: blank.map((column) => ({ column, value: '', expected: `the ${level.name === 'National' ? 'country' : level.name.toLowerCase()}'s ${column === 'school_laestab' ? 'LAESTAB' : 'name'} (it must not be blank for a ${level.name} row)` })) };
    switch (level.name) {
      case 'National':
        if (!countryCodes.has(code)) return failure('country_code', code, 'the ONS code of a country, such as E92000001 for England');
        return success(code, null);
      case 'Regional': {
        const area = /^E1[23]\d{6}$/.test(code) ? findArea(code) : undefined;
        if (area === undefined) return failure('region_code', code, 'the GSS code of an English region (E12) or of Inner or Outer London (E13), such as E12000003');
        return success(area.code, null);
      }
      case 'Local authority': {
        const authority = authorityOf(cell('old_la_code'), cell('new_la_code'));
        if (!authority.ok) return { ok: false, problems: authority.problems };
        return { ok: true, location: { areaCode: authority.areaCode, laCode: authority.laCode, ...publishedCodes(cell) } };
      }
      default: {
        const column = level.codeColumn ?? level.nameColumn;
        const format = codePatterns[level.name];
        if (code === '') return failure(column, code, `the ${level.name.toLowerCase()}'s ${level.codeColumn === null ? 'name' : 'code'} (it must not be blank)`);
        if (format !== undefined && !format.pattern.test(code)) return failure(column, code, format.expected);
        // Lower levels (a school, a ward, ...) carry their authority when the file has it: it scopes the row.
        const published = publishedCodes(cell);
        if (published.oldLaCode === null && published.newLaCode === null) return success(code, null);
        const authority = authorityOf(cell('old_la_code'), cell('new_la_code'));
        if (!authority.ok) return { ok: false, problems: authority.problems };
        return { ok: true, location: { areaCode: code, laCode: authority.laCode, ...published } };
      }
    }
  };
}

function success(areaCode: string, laCode: string | null): LocationResult {
  return { ok: true, location: { areaCode, laCode, oldLaCode: null, newLaCode: null } };
}

function failure(column: string, value: string, expected: string): LocationResult {
  return { ok: false, problems: [{ column, value, expected }] };
}

function publishedCodes(cell: Cell): { oldLaCode: string | null; newLaCode: string | null } {
  const [oldText, newText] = [cell('old_la_code'), cell('new_la_code')];
  return { oldLaCode: oldText === '' ? null : oldText, newLaCode: newText === '' ? null : newText };
}

type AuthorityResult = { ok: true; areaCode: string; laCode: string | null } | { ok: false; problems: CellProblem[] };

/**
 * The authority (or, for joint figures such as "314 / 318", the authorities) that an `old_la_code`
 * and `new_la_code` name. Either code may be blank, not both; when both are given they must name the
 * same authority (allowing for a code that has since been replaced).
 */
export function resolveAuthorityCells(oldText: string, newText: string): AuthorityResult {
  const split = (text: string) => (noCode.has(text.toLowerCase()) ? [] : text.split('/').map((part) => part.trim()));
  const oldParts = split(oldText);
  const newParts = split(newText);
  if (oldParts.length === 0 && newParts.length === 0)
    return { ok: false, problems: [{ column: 'new_la_code', value: newText, expected: 'an authority code: new_la_code (GSS code, such as E08000019) or old_la_code (DfE number, such as 373); both are blank' }] };
  if (oldParts.length > 0 && newParts.length > 0 && oldParts.length !== newParts.length)
    return { ok: false, problems: [{ column: 'old_la_code', value: oldText, expected: `as many DfE numbers as new_la_code has GSS codes (${newParts.length}), separated by " / "` }] };
  const count = Math.max(oldParts.length, newParts.length);
  const results = Array.from({ length: count }, (_, index) => resolveOneAuthority(oldParts[index] ?? '', newParts[index] ?? ''));
  const problems = results.flatMap((result) => (result.ok ? [] : result.problems));
  if (problems.length > 0) return { ok: false, problems };
  const placed = results as Extract<AuthorityResult, { ok: true }>[];
  if (placed.length === 1) return placed[0]!;
  return { ok: true, areaCode: placed.map((result) => result.areaCode).join(' / '), laCode: null };
}

function resolveOneAuthority(oldCode: string, newCode: string): AuthorityResult {
  const problems: CellProblem[] = [];
  let byNew: LocalAuthority | undefined;
  let byOld: LocalAuthority | undefined;
  if (newCode !== '') {
    if (!/^E(06|08|09|10)\d{6}$/i.test(newCode)) problems.push({ column: 'new_la_code', value: newCode, expected: 'the GSS code of an English local authority, such as E08000019, or blank' });
    else {
      byNew = localAuthorityByGss(newCode);
      if (byNew === undefined) problems.push({ column: 'new_la_code', value: newCode, expected: 'the GSS code of an English local authority, current or past: no authority has this code' });
    }
  }
  if (oldCode !== '') {
    if (!/^\d{3}$/.test(oldCode)) problems.push({ column: 'old_la_code', value: oldCode, expected: 'the three-digit DfE number of a local authority, such as 373, or blank' });
    else {
      const found = findLocalAuthority(oldCode);
      byOld = isPredecessorMatch(found) ? found.predecessor : found;
      if (byOld === undefined) problems.push({ column: 'old_la_code', value: oldCode, expected: 'the DfE number of a local authority, current or past: no authority has this number' });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  if (byNew !== undefined && byOld !== undefined && !sameAuthority(byNew, byOld))
    return {
      ok: false,
      problems: [{ column: 'old_la_code', value: oldCode, expected: `the DfE number of the authority new_la_code ${newCode} names (${byNew.name}${byNew.dfeNumber === null ? '' : `, ${byNew.dfeNumber}`})` }],
    };
  return placeAuthority((byNew ?? byOld)!);
}

/** The current authorities each code leads to overlap: the two codes name one authority, then or now. */
function sameAuthority(a: LocalAuthority, b: LocalAuthority): boolean {
  if (a.gss === b.gss) return true;
  const current = (la: LocalAuthority) => new Set(currentCodes(la));
  const ofB = current(b);
  return [...current(a)].some((code) => ofB.has(code));
}

function currentCodes(la: LocalAuthority): string[] {
  if (la.validTo === null) return [la.gss];
  const found = findLocalAuthority(la.gss);
  return isPredecessorMatch(found) ? found.successors.map((successor) => successor.gss) : [la.gss];
}

function placeAuthority(la: LocalAuthority): AuthorityResult {
  if (la.validTo === null) return { ok: true, areaCode: la.gss, laCode: la.gss };
  const found = findLocalAuthority(la.gss);
  if (!isPredecessorMatch(found)) return { ok: true, areaCode: la.gss, laCode: null };
  const sameArea = found.successors.length === 1 && found.changes.every((change) => change.change === 'recoded' || change.change === 'became-unitary');
  if (sameArea) return { ok: true, areaCode: found.successors[0]!.gss, laCode: found.successors[0]!.gss };
  return { ok: true, areaCode: la.gss, laCode: found.ambiguous ? null : found.successors[0]!.gss };
}
