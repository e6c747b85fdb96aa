import { dimensions, memberIn, valueIn } from '../aggregates/signature.js';
import type { ChildFacts } from './unseen-rules.js';

const frameworkGroups = dimensions.filter((entry) => entry.kind === 'group');

/** How many framework groups a signature says the child is in. */
export function groupCountOf(signature: number): number {
  return frameworkGroups.reduce((count, group) => count + (valueIn(signature, group) === memberIn ? 1 : 0), 0);
}

/** The fields of a `child_record` row the rules read. */
export interface RecordFields {
  signature: string | number;
  child_in_need: boolean | null;
  child_protection_plan: boolean | null;
  child_in_care: boolean | null;
  young_offender: boolean | null;
  sen_provision: string | null;
  trusted_adult: boolean | null;
  lead_professional: boolean | null;
  early_help_assessment: boolean | null;
  team_around_child: boolean | null;
  personal_education_plan: boolean | null;
  placement_moves: number | null;
  school_moves: number | null;
}

export const recordFieldNames = [
  'signature',
  'child_in_need',
  'child_protection_plan',
  'child_in_care',
  'young_offender',
  'sen_provision',
  'trusted_adult',
  'lead_professional',
  'early_help_assessment',
  'team_around_child',
  'personal_education_plan',
  'placement_moves',
  'school_moves',
] as const satisfies readonly (keyof RecordFields)[];

export function factsOf(row: RecordFields): ChildFacts {
  return {
    groupCount: groupCountOf(Number(row.signature)),
    childInNeed: row.child_in_need,
    childProtectionPlan: row.child_protection_plan,
    childInCare: row.child_in_care,
    youngOffender: row.young_offender,
    senProvision: row.sen_provision,
    trustedAdult: row.trusted_adult,
    leadProfessional: row.lead_professional,
    earlyHelpAssessment: row.early_help_assessment,
    teamAroundChild: row.team_around_child,
    personalEducationPlan: row.personal_education_plan,
    placementMoves: row.placement_moves === null ? null : Number(row.placement_moves),
    schoolMoves: row.school_moves === null ? null : Number(row.school_moves),
  };
}
