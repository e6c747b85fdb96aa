/**
 * Who a work list names, and why: one child's record against the authority's rules. Pure, so each
 * rule is tested on constructed children; `unseen-sql.ts` says the same rules in SQL for lists and
 * indicators over a whole authority, and a test holds the two equal.
 *
 * A blank record is unknown, never "no": a child whose trusted adult is not recorded is listed apart,
 * as a gap in the data to fill, not counted with the children recorded as having none.
 */
import type { TrackingRules } from './rules.js';

export const unseenLists = ['trusted-adult', 'coordination', 'pep', 'moves'] as const;
export type UnseenList = (typeof unseenLists)[number];

export const unseenListTitles: Readonly<Record<UnseenList, string>> = {
  'trusted-adult': 'Vulnerable children without a trusted adult',
  coordination: 'Children with complex needs without a lead professional, early help assessment or team around the child',
  pep: 'Children in care without a current personal education plan',
  moves: 'Children with several school or placement moves in the year',
};

/** What a list says of a child: recorded as missing, or not recorded at all (a gap in the data). */
export type Finding = 'recorded' | 'not-recorded';

export interface UnseenReason {
  list: UnseenList;
  finding: Finding;
  /** The reason in words, as the list shows it beside the child. */
  text: string;
}

/** What the rules read from one child's record for one year. */
export interface ChildFacts {
  /** How many of the 13 framework groups the child is in (known memberships only). */
  groupCount: number;
  childInNeed: boolean | null;
  childProtectionPlan: boolean | null;
  childInCare: boolean | null;
  youngOffender: boolean | null;
  senProvision: string | null;
  trustedAdult: boolean | null;
  leadProfessional: boolean | null;
  earlyHelpAssessment: boolean | null;
  teamAroundChild: boolean | null;
  personalEducationPlan: boolean | null;
  placementMoves: number | null;
  schoolMoves: number | null;
}

export function isVulnerable(child: ChildFacts, minGroups: number): boolean {
  return child.groupCount >= minGroups;
}

/** Complex needs: any of the rule's records, or membership of enough groups. Unknown records count as not. */
export function hasComplexNeeds(child: ChildFacts, rules: TrackingRules): boolean {
  const { flags, minGroups } = rules.complexNeeds;
  const recorded: Record<(typeof flags)[number], boolean> = {
    child_in_need: child.childInNeed === true,
    child_protection_plan: child.childProtectionPlan === true,
    child_in_care: child.childInCare === true,
    young_offender: child.youngOffender === true,
    ehc_plan: child.senProvision === 'E',
  };
  return flags.some((flag) => recorded[flag]) || (minGroups > 0 && child.groupCount >= minGroups);
}

/** Moves in the year, school and placement together; null when neither is recorded. */
export function movesInYear(child: ChildFacts): number | null {
  if (child.placementMoves === null && child.schoolMoves === null) return null;
  return (child.placementMoves ?? 0) + (child.schoolMoves ?? 0);
}

/**
 * Every list the child is on, with the reason. `vulnerableMinGroups` is the number of groups the
 * person asked for (the authority's rule when they did not ask).
 */
export function unseenReasons(child: ChildFacts, rules: TrackingRules, vulnerableMinGroups = rules.vulnerableMinGroups): UnseenReason[] {
  const reasons: UnseenReason[] = [];
  const groups = `in ${child.groupCount} framework ${child.groupCount === 1 ? 'group' : 'groups'}`;
  if (isVulnerable(child, vulnerableMinGroups) && child.trustedAdult !== true) {
    reasons.push(
      child.trustedAdult === false
        ? { list: 'trusted-adult', finding: 'recorded', text: `No trusted adult recorded (${groups})` }
        : { list: 'trusted-adult', finding: 'not-recorded', text: `Whether there is a trusted adult is not recorded (${groups})` },
    );
  }
  const coordination = [child.leadProfessional, child.earlyHelpAssessment, child.teamAroundChild];
  if (hasComplexNeeds(child, rules) && !coordination.includes(true)) {
    const missing = ['lead professional', 'early help assessment', 'team around the child'];
    const unknown = missing.filter((_, index) => coordination[index] === null);
    reasons.push(
      unknown.length === 0
        ? { list: 'coordination', finding: 'recorded', text: 'Complex needs; no lead professional, early help assessment or team around the child' }
        : { list: 'coordination', finding: 'not-recorded', text: `Complex needs; none recorded, and not known: ${unknown.join(', ')}` },
    );
  }
  if (child.childInCare === true && child.personalEducationPlan !== true) {
    reasons.push(
      child.personalEducationPlan === false
        ? { list: 'pep', finding: 'recorded', text: 'In care; no current personal education plan' }
        : { list: 'pep', finding: 'not-recorded', text: 'In care; whether there is a current personal education plan is not recorded' },
    );
  }
  const moves = movesInYear(child);
  if (moves !== null && moves >= rules.movesAtLeast) {
    const parts = [child.schoolMoves ? `${child.schoolMoves} school ${child.schoolMoves === 1 ? 'move' : 'moves'}` : null, child.placementMoves ? `${child.placementMoves} placement ${child.placementMoves === 1 ? 'move' : 'moves'}` : null].filter((part) => part !== null);
    reasons.push({ list: 'moves', finding: 'recorded', text: `${parts.join(' and ')} in the year` });
  }
  return reasons;
}

/** The coverage indicators: which children each is about, and what it asks of them. */
export const coverageIndicators = ['coverage_trusted_adult', 'coverage_lead_professional', 'coverage_early_help', 'coverage_pep'] as const;
export type CoverageIndicator = (typeof coverageIndicators)[number];

/**
 * A child's value on each coverage indicator: true (has it) or false (has not) for children it is
 * about, null for children it is not about and for children whose record is blank (unknown).
 */
export function coverageValues(child: ChildFacts, rules: TrackingRules): Record<CoverageIndicator, boolean | null> {
  const complex = hasComplexNeeds(child, rules);
  return {
    coverage_trusted_adult: isVulnerable(child, rules.vulnerableMinGroups) ? child.trustedAdult : null,
    coverage_lead_professional: complex ? child.leadProfessional : null,
    coverage_early_help: complex ? child.earlyHelpAssessment : null,
    coverage_pep: child.childInCare === true ? child.personalEducationPlan : null,
  };
}
