/**
 * The rules of unseen-rules.ts in SQL, over `child_record` rows, for work lists and coverage
 * indicators across a whole authority without bringing its rows into the service. Every number in
 * the rules is a checked whole number, so it is written into the statement as a literal.
 */
import { dimensions } from '../aggregates/signature.js';
import type { ComplexNeedsFlag, TrackingRules } from './rules.js';

const frameworkGroups = dimensions.filter((entry) => entry.kind === 'group');

function whole(value: number): string {
  if (!Number.isInteger(value)) throw new Error(`not a whole number: ${value}`);
  return String(value);
}

/** How many framework groups the child is in (memberships recorded as "in"), from the signature. */
export function groupCountSql(alias: string): string {
  return `(${frameworkGroups.map((group) => `((((${alias}.signature >> ${group.shift}) & 3) = 1)::int)`).join(' + ')})`;
}

export function vulnerableSql(alias: string, minGroups: number): string {
  return `(${groupCountSql(alias)} >= ${whole(minGroups)})`;
}

const flagSql: Readonly<Record<ComplexNeedsFlag, (alias: string) => string>> = {
  child_in_need: (alias) => `${alias}.child_in_need is true`,
  child_protection_plan: (alias) => `${alias}.child_protection_plan is true`,
  child_in_care: (alias) => `${alias}.child_in_care is true`,
  young_offender: (alias) => `${alias}.young_offender is true`,
  ehc_plan: (alias) => `${alias}.sen_provision = 'E'`,
};

export function complexNeedsSql(alias: string, rules: TrackingRules): string {
  const parts = rules.complexNeeds.flags.map((flag) => flagSql[flag](alias));
  if (rules.complexNeeds.minGroups > 0) parts.push(`${groupCountSql(alias)} >= ${whole(rules.complexNeeds.minGroups)}`);
  return parts.length === 0 ? 'false' : `(${parts.join(' or ')})`;
}

/** Each coverage indicator's value for a child as 1, 0 or null (not about the child, or unknown). */
export function coverageValueSql(alias: string, rules: TrackingRules): Record<'coverage_trusted_adult' | 'coverage_lead_professional' | 'coverage_early_help' | 'coverage_pep', string> {
  const complex = complexNeedsSql(alias, rules);
  return {
    coverage_trusted_adult: `case when ${vulnerableSql(alias, rules.vulnerableMinGroups)} then ${alias}.trusted_adult::int end`,
    coverage_lead_professional: `case when ${complex} then ${alias}.lead_professional::int end`,
    coverage_early_help: `case when ${complex} then ${alias}.early_help_assessment::int end`,
    coverage_pep: `case when ${alias}.child_in_care is true then ${alias}.personal_education_plan::int end`,
  };
}

/** Moves in the year, school and placement together; null when neither is recorded. */
export function movesSql(alias: string): string {
  return `(case when ${alias}.placement_moves is null and ${alias}.school_moves is null then null else coalesce(${alias}.placement_moves, 0) + coalesce(${alias}.school_moves, 0) end)`;
}

/**
 * For each list, the SQL that says whether a child is on it: null when not, else 'recorded' (the
 * record says it is missing) or 'not-recorded' (the record is blank).
 */
export function listFindingSql(alias: string, rules: TrackingRules, vulnerableMinGroups: number): Record<'trusted-adult' | 'coordination' | 'pep' | 'moves', string> {
  const coordination = [`${alias}.lead_professional`, `${alias}.early_help_assessment`, `${alias}.team_around_child`];
  return {
    'trusted-adult': `case when ${vulnerableSql(alias, vulnerableMinGroups)} and ${alias}.trusted_adult is not true then (case when ${alias}.trusted_adult is false then 'recorded' else 'not-recorded' end) end`,
    coordination: `case when ${complexNeedsSql(alias, rules)} and ${coordination.map((column) => `${column} is not true`).join(' and ')} then (case when ${coordination.map((column) => `${column} is false`).join(' and ')} then 'recorded' else 'not-recorded' end) end`,
    pep: `case when ${alias}.child_in_care is true and ${alias}.personal_education_plan is not true then (case when ${alias}.personal_education_plan is false then 'recorded' else 'not-recorded' end) end`,
    moves: `case when ${movesSql(alias)} >= ${whole(rules.movesAtLeast)} then 'recorded' end`,
  };
}
