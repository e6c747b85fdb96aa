import { findItems, loadCatalogue } from '../framework/catalogue.js';
import type { ChildField, GroupRule } from '../framework/catalogue.js';
import { ethnicityMainCode, measures } from '../ingest/child-standard.js';
import type { ChildRow } from '../ingest/child-rows.js';

/**
 * A child's group memberships packed into one integer, so aggregates can be kept per combination of
 * memberships and any group, intersection or complement is a sum over signatures. Every group and
 * alternative definition takes two bits (0 unknown, 1 in the group, 2 not in it); sex two bits
 * (0 unknown, 1 F, 2 M); the CBDS main ethnicity code five bits (0 blank, else its place in
 * `ethnicityMainCodes` plus one). 39 bits in all: exact in a JavaScript number and a PostgreSQL bigint.
 */
export interface Dimension {
  id: string;
  label: string;
  kind: 'group' | 'alternative' | 'sex' | 'ethnicity';
  shift: number;
  bits: number;
  /** For groups and alternatives, the catalogue rule that decides membership. */
  rule?: GroupRule;
}

export const membershipUnknown = 0;
export const memberIn = 1;
export const memberOut = 2;

export const ethnicityMainCodes: readonly string[] = [...new Set(Object.values(ethnicityMainCode))];

function buildDimensions(): Dimension[] {
  const dimensions: Dimension[] = [];
  let shift = 0;
  const add = (dimension: Omit<Dimension, 'shift'>) => {
    dimensions.push({ ...dimension, shift });
    shift += dimension.bits;
  };
  const groups = findItems(loadCatalogue(), { kind: 'group' });
  for (const group of groups) add({ id: group.id, label: group.name, kind: 'group', bits: 2, rule: group.definition.rule });
  for (const group of groups) {
    for (const alternative of group.definition.alternatives) {
      add({ id: `${group.id}:${alternative.rule.field}`, label: alternative.text, kind: 'alternative', bits: 2, rule: alternative.rule });
    }
  }
  add({ id: 'sex', label: 'Sex', kind: 'sex', bits: 2 });
  add({ id: 'ethnicity', label: 'Ethnicity (CBDS main code)', kind: 'ethnicity', bits: 5 });
  if (shift > 53) throw new Error(`signatures need ${shift} bits, more than a number holds exactly`);
  return dimensions;
}

export const dimensions: readonly Dimension[] = buildDimensions();
const dimensionById = new Map(dimensions.map((dimension) => [dimension.id, dimension]));

export function dimension(id: string): Dimension | undefined {
  return dimensionById.get(id);
}

const attendanceIndex = measures.findIndex((measure) => measure.name === 'attendance_pct');

function fieldValue(row: ChildRow, field: ChildField): boolean | string | number | null {
  switch (field) {
    case 'sen_provision':
      return row.senProvision;
    case 'ethnicity':
      return row.ethnicity === null ? null : (ethnicityMainCode[row.ethnicity] ?? null);
    case 'english_proficiency':
      return row.englishProficiency;
    case 'attendance_pct':
      return row.measureValues[attendanceIndex] ?? null;
    default:
      return row.flags[field];
  }
}

/** In (1), out (2) or unknown (0) under one catalogue rule. */
export function membershipUnder(rule: GroupRule, row: ChildRow): number {
  const value = fieldValue(row, rule.field);
  if (value === null) return membershipUnknown;
  switch (rule.kind) {
    case 'flag':
      return value === true ? memberIn : memberOut;
    case 'codes':
      return rule.codes.includes(String(value)) ? memberIn : memberOut;
    case 'codes-except':
      if (rule.unknown.includes(String(value))) return membershipUnknown;
      return rule.except.includes(String(value)) ? memberOut : memberIn;
    case 'below':
      return Number(value) < rule.threshold ? memberIn : memberOut;
  }
}

/** The signature of a validated row. */
export function signatureOf(row: ChildRow): number {
  let signature = 0;
  for (const entry of dimensions) {
    let value: number;
    if (entry.rule !== undefined) value = membershipUnder(entry.rule, row);
    else if (entry.kind === 'sex') value = row.sex === 'F' ? 1 : row.sex === 'M' ? 2 : 0;
    else {
      const main = row.ethnicity === null ? undefined : ethnicityMainCode[row.ethnicity];
      value = main === undefined ? 0 : ethnicityMainCodes.indexOf(main) + 1;
    }
    signature += value * 2 ** entry.shift;
  }
  return signature;
}

/** The value a signature holds for a dimension. */
export function valueIn(signature: number, entry: Dimension): number {
  return Math.floor(signature / 2 ** entry.shift) % 2 ** entry.bits;
}
