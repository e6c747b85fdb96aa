import { describe, expect, it } from 'vitest';
import { defaultTrackingRules, describeRules } from './rules.js';
import type { TrackingRules } from './rules.js';
import { coverageValues, unseenReasons } from './unseen-rules.js';
import type { ChildFacts } from './unseen-rules.js';

const nobody: ChildFacts = Object.freeze({
  groupCount: 0,
  childInNeed: false,
  childProtectionPlan: false,
  childInCare: false,
  youngOffender: false,
  senProvision: 'N',
  trustedAdult: true,
  leadProfessional: false,
  earlyHelpAssessment: false,
  teamAroundChild: false,
  personalEducationPlan: null,
  placementMoves: null,
  schoolMoves: 0,
});

const childWith = (facts: Partial<ChildFacts>): ChildFacts => ({ ...nobody, ...facts });
const lists = (child: ChildFacts, rules: TrackingRules = defaultTrackingRules, minGroups?: number) => unseenReasons(child, rules, minGroups).map((reason) => `${reason.list}:${reason.finding}`);

describe('who the work lists name', () => {
  it('names a vulnerable child recorded without a trusted adult, and apart one whose trusted adult is not recorded', () => {
    expect(lists(childWith({ groupCount: 1, trustedAdult: false }))).toEqual(['trusted-adult:recorded']);
    expect(lists(childWith({ groupCount: 1, trustedAdult: null }))).toEqual(['trusted-adult:not-recorded']);
    expect(lists(childWith({ groupCount: 0, trustedAdult: false }))).toEqual([]);
    expect(lists(childWith({ groupCount: 2, trustedAdult: true }))).toEqual([]);
  });

  it('asks for as many groups as the person sets', () => {
    expect(lists(childWith({ groupCount: 2, trustedAdult: false }), defaultTrackingRules, 3)).toEqual([]);
    expect(lists(childWith({ groupCount: 3, trustedAdult: false, leadProfessional: true }), defaultTrackingRules, 3)).toEqual(['trusted-adult:recorded']);
  });

  it('names a child in need, on a plan or in three groups who has no lead professional, early help assessment or team around them', () => {
    expect(lists(childWith({ childInNeed: true }))).toEqual(['coordination:recorded']);
    expect(lists(childWith({ childProtectionPlan: true, groupCount: 1 }))).toEqual(['coordination:recorded']);
    expect(lists(childWith({ groupCount: 3 }))).toEqual(['coordination:recorded']);
    expect(lists(childWith({ groupCount: 2 }))).toEqual([]);
    expect(lists(childWith({ childInNeed: true, teamAroundChild: true }))).toEqual([]);
    expect(lists(childWith({ childInNeed: true, leadProfessional: null }))).toEqual(['coordination:not-recorded']);
  });

  it('follows the authority’s own rule for complex needs', () => {
    const rules: TrackingRules = { ...defaultTrackingRules, complexNeeds: { flags: ['ehc_plan'], minGroups: 0 } };
    expect(lists(childWith({ childInNeed: true }), rules)).toEqual([]);
    expect(lists(childWith({ senProvision: 'E' }), rules)).toEqual(['coordination:recorded']);
    expect(lists(childWith({ groupCount: 9 }), rules)).toEqual([]);
    expect(describeRules(rules).complexNeeds).toBe('has an education, health and care plan');
  });

  it('names a child in care without a current personal education plan, and not a child whose care status is unknown', () => {
    expect(lists(childWith({ childInCare: true, personalEducationPlan: false, leadProfessional: true }))).toEqual(['pep:recorded']);
    expect(lists(childWith({ childInCare: true, personalEducationPlan: null, leadProfessional: true }))).toEqual(['pep:not-recorded']);
    expect(lists(childWith({ childInCare: null, personalEducationPlan: false }))).toEqual([]);
  });

  it('counts school and placement moves together, and never lists a child whose moves are not recorded', () => {
    expect(lists(childWith({ schoolMoves: 1, placementMoves: 1 }))).toEqual(['moves:recorded']);
    expect(lists(childWith({ schoolMoves: 2, placementMoves: null }))).toEqual(['moves:recorded']);
    expect(lists(childWith({ schoolMoves: 1, placementMoves: null }))).toEqual([]);
    expect(lists(childWith({ schoolMoves: null, placementMoves: null }))).toEqual([]);
    expect(unseenReasons(childWith({ schoolMoves: 1, placementMoves: 2 }), defaultTrackingRules)[0]!.text).toBe('1 school move and 2 placement moves in the year');
  });
});

describe('coverage indicators', () => {
  it('are about the children the rule names, and unknown where the record is blank', () => {
    expect(coverageValues(childWith({ groupCount: 1, trustedAdult: null }), defaultTrackingRules).coverage_trusted_adult).toBeNull();
    expect(coverageValues(childWith({ groupCount: 1, trustedAdult: false }), defaultTrackingRules).coverage_trusted_adult).toBe(false);
    expect(coverageValues(childWith({ groupCount: 0, trustedAdult: false }), defaultTrackingRules).coverage_trusted_adult).toBeNull();
    expect(coverageValues(childWith({ childInNeed: true, leadProfessional: true }), defaultTrackingRules)).toMatchObject({ coverage_lead_professional: true, coverage_early_help: false, coverage_pep: null });
    expect(coverageValues(childWith({ childInCare: true, personalEducationPlan: true }), defaultTrackingRules).coverage_pep).toBe(true);
  });
});
