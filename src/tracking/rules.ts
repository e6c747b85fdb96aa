/**
 * The rules that decide which children a work list names and which children a coverage indicator is
 * about. Each authority may set its own (`tracking_rules`); these are the defaults and their checks.
 * docs/tracking.md states them for the people who use the lists; change both together.
 */
import { z } from 'zod';

/** Records that mark a child's needs as complex whatever their other memberships. */
export const complexNeedsFlags = ['child_in_need', 'child_protection_plan', 'child_in_care', 'young_offender', 'ehc_plan'] as const;
export type ComplexNeedsFlag = (typeof complexNeedsFlags)[number];

export const complexNeedsFlagLabels: Readonly<Record<ComplexNeedsFlag, string>> = {
  child_in_need: 'a child in need',
  child_protection_plan: 'on a child protection plan',
  child_in_care: 'in care',
  young_offender: 'known to the youth justice service',
  ehc_plan: 'has an education, health and care plan',
};

/** How many of the 13 framework groups there are: the most a child can be in. */
export const frameworkGroupCount = 13;

export const trackingRulesSchema = z.strictObject({
  /** A child in at least this many framework groups is vulnerable: the trusted-adult list and indicator are about them. */
  vulnerableMinGroups: z.number().int().min(1).max(frameworkGroupCount),
  complexNeeds: z.strictObject({
    /** Any one of these records makes a child's needs complex. */
    flags: z.array(z.enum(complexNeedsFlags)).max(complexNeedsFlags.length),
    /** So does being in at least this many framework groups (0: group count alone never does). */
    minGroups: z.number().int().min(0).max(frameworkGroupCount),
  }),
  /** School and placement moves in the year, together, that put a child on the moves list. */
  movesAtLeast: z.number().int().min(1).max(20),
  /** Weeks after which an unconfirmed handover is flagged as late. */
  handoverWeeks: z.number().int().min(1).max(26),
});

export type TrackingRules = z.infer<typeof trackingRulesSchema>;

export const defaultTrackingRules: TrackingRules = Object.freeze({
  vulnerableMinGroups: 1,
  complexNeeds: Object.freeze({ flags: ['child_in_need', 'child_protection_plan'] satisfies ComplexNeedsFlag[], minGroups: 3 }),
  movesAtLeast: 2,
  handoverWeeks: 6,
});

/** The authority's stored rules read back; anything unreadable falls back to the defaults, field by field. */
export function rulesFromStored(stored: unknown): TrackingRules {
  const parsed = trackingRulesSchema.safeParse(stored);
  if (parsed.success) return parsed.data;
  return defaultTrackingRules;
}

/** The rules in words, as the lists and docs say them. */
export function describeRules(rules: TrackingRules): { vulnerable: string; complexNeeds: string; moves: string; handover: string } {
  const groups = (count: number) => (count === 1 ? 'at least one of the 13 framework groups' : `at least ${count} of the 13 framework groups`);
  const flagWords = rules.complexNeeds.flags.map((flag) => complexNeedsFlagLabels[flag]);
  const complexParts = [...flagWords, ...(rules.complexNeeds.minGroups > 0 ? [`in ${groups(rules.complexNeeds.minGroups)}`] : [])];
  return {
    vulnerable: `in ${groups(rules.vulnerableMinGroups)}`,
    complexNeeds: complexParts.length === 0 ? 'no child (no rule is set)' : complexParts.join(', or '),
    moves: `${rules.movesAtLeast} or more school and placement moves in the year, counted together`,
    handover: `not confirmed within ${rules.handoverWeeks} ${rules.handoverWeeks === 1 ? 'week' : 'weeks'}`,
  };
}
