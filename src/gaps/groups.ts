import { dimensions, ethnicityMainCodes, memberIn, memberOut, membershipUnknown, valueIn } from '../aggregates/signature.js';
import type { Dimension } from '../aggregates/signature.js';
import { inSentence } from '../web/format.js';

/**
 * A group of children the gap matrix can show: one of the framework's 13 groups, or a combination
 * the user picks, written as terms joined by `&`: group ids, `sex:F` or `sex:M`, and
 * `ethnicity:<CBDS main code>`. For example
 * `poorer-socio-economic-groups&ethnic-minority-backgrounds:no&sex:M` (disadvantaged White British
 * boys: `:no` asks for children known not to be in a group).
 */
export interface GroupSpec {
  id: string;
  label: string;
  terms: Term[];
}

interface Term {
  dimension: Dimension;
  /** The dimension value a child must have to be in the group. */
  value: number;
}

export class GroupSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GroupSpecError';
  }
}

/** The CBDS main ethnicity categories by code, for labels and the page's choices (REFU and NOBT are unknowns). */
export const ethnicityLabels: Readonly<Record<string, string>> = {
  WBRI: 'White British',
  WIRI: 'White Irish',
  WIRT: 'Traveller of Irish heritage',
  WOTH: 'Any other White background',
  WROM: 'Gypsy or Roma',
  MWBC: 'White and Black Caribbean',
  MWBA: 'White and Black African',
  MWAS: 'White and Asian',
  MOTH: 'Any other mixed background',
  AIND: 'Indian',
  APKN: 'Pakistani',
  ABAN: 'Bangladeshi',
  AOTH: 'Any other Asian background',
  BCRB: 'Black Caribbean',
  BAFR: 'Black African',
  BOTH: 'Any other Black background',
  CHNE: 'Chinese',
  OOTH: 'Any other ethnic group',
};

const sexDimension = dimensions.find((entry) => entry.kind === 'sex')!;
const ethnicityDimension = dimensions.find((entry) => entry.kind === 'ethnicity')!;
export const frameworkGroups = dimensions.filter((entry) => entry.kind === 'group');
/** The framework groups take the signature's lowest bits; a matrix of them alone needs only these. */
export const frameworkGroupBits = Math.max(...frameworkGroups.map((group) => group.shift + group.bits));

function termOf(text: string): { term: Term; label: string } {
  const [name = '', qualifier] = text.split(':');
  if (name === 'sex') {
    if (qualifier !== 'F' && qualifier !== 'M') throw new GroupSpecError(`"${text}": sex is sex:F or sex:M`);
    return { term: { dimension: sexDimension, value: qualifier === 'F' ? 1 : 2 }, label: qualifier === 'F' ? 'girls' : 'boys' };
  }
  if (name === 'ethnicity') {
    const code = (qualifier ?? '').toUpperCase();
    const index = ethnicityMainCodes.indexOf(code);
    if (index < 0) throw new GroupSpecError(`"${text}": ethnicity takes a CBDS main code such as ethnicity:WBRI`);
    return { term: { dimension: ethnicityDimension, value: index + 1 }, label: ethnicityLabels[code] ?? `ethnicity ${code}` };
  }
  const dimension = dimensions.find((entry) => (entry.kind === 'group' || entry.kind === 'alternative') && entry.id === (qualifier === undefined || qualifier === 'yes' || qualifier === 'no' ? name : text));
  if (dimension === undefined) throw new GroupSpecError(`"${text}" is not a group: use a framework group id (${frameworkGroups.map((group) => group.id).join(', ')}), sex:F, sex:M or ethnicity:CODE`);
  const negated = qualifier === 'no';
  return { term: { dimension, value: negated ? memberOut : memberIn }, label: negated ? `not ${inSentence(dimension.label)}` : dimension.label };
}

/** Reads a group id or a combination; throws a GroupSpecError naming what it does not understand. */
export function parseGroup(id: string): GroupSpec {
  const parts = id.split('&').map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0) throw new GroupSpecError('a group is needed');
  const read = parts.map(termOf);
  return { id: parts.join('&'), label: read.map((part) => part.label).join(', '), terms: read.map((part) => part.term) };
}

/**
 * A combination from the matrix page's choices: a framework group, optionally a second one (or
 * children known not to be in it), sex and ethnicity. Undefined when nothing is chosen.
 */
export function combinationOf(choice: { group?: string; also?: string; sex?: string; ethnicity?: string }): GroupSpec | undefined {
  const terms = [choice.group, choice.also, choice.sex ? `sex:${choice.sex}` : undefined, choice.ethnicity ? `ethnicity:${choice.ethnicity}` : undefined].filter(
    (term): term is string => term !== undefined && term !== '',
  );
  return terms.length === 0 ? undefined : parseGroup(terms.join('&'));
}

/**
 * Whether the group asks for children known NOT to be in a group (`:no`). Such a group is the
 * complement of another within all children, so beside "all children" it gives back the other by
 * subtraction: only viewers who see small numbers anyway may ask for one.
 */
export function asksForNonMembers(spec: GroupSpec): boolean {
  return spec.terms.some((term) => (term.dimension.kind === 'group' || term.dimension.kind === 'alternative') && term.value === memberOut);
}

/** The framework's 13 groups, in catalogue order. */
export function frameworkGroupSpecs(): GroupSpec[] {
  return frameworkGroups.map((group) => parseGroup(group.id));
}

/**
 * Where a signature stands against the group: in it (every term holds), out of it (some term is
 * known not to hold) or unknown (no term fails but some are not recorded).
 */
export function standing(spec: GroupSpec, signature: number): number {
  let unknown = false;
  for (const term of spec.terms) {
    const value = valueIn(signature, term.dimension);
    if (value === membershipUnknown) unknown = true;
    else if (value !== term.value) return memberOut;
  }
  return unknown ? membershipUnknown : memberIn;
}
