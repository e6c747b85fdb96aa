/**
 * Reads the evidence suggestions are ranked from, through the other capabilities' own functions:
 * gaps/ (curves to turn, data gaps), plans/curve (turn-the-curve plans), assessment/ (the latest
 * signed-off self-assessments and their moderation). Figures are released to the viewer as the gap
 * pages release them, so a suggestion never shows more than the viewer could see there.
 */
import type { Kysely } from 'kysely';
import { seesSmallNumbers } from '../aggregates/disclosure-policy.js';
import { moderationSummary } from '../assessment/moderation.js';
import { levelLabel } from '../assessment/scale.js';
import { scopeDescription } from '../assessment/scope.js';
import type { AssessmentService } from '../assessment/service.js';
import { isRefusal } from '../assessment/service.js';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import type { Catalogue } from '../framework/catalogue.js';
import { findItems } from '../framework/catalogue.js';
import { frameworkGroupSpecs } from '../gaps/groups.js';
import { curvesFor, dataGapsFor } from '../gaps/service.js';
import { formatAcademicYear } from '../ingest/child-standard.js';
import { indicators } from '../aggregates/indicators.js';
import { authorityCoverage, seesExactCoverage } from '../directory/coverage-data.js';
import { coreOfferStrandLabel } from '../directory/core-offer.js';
import { listPlans } from './curve/store.js';
import type { CurvePlanEvidence, DataGapEvidence, DisagreementEvidence, GapEvidence, OfferGapEvidence, RatingEvidence, SuggestionEvidence } from './suggest.js';

export interface PlanningOrganisation {
  laCode: string;
  organisationId: string;
  /** 'local-authority' reads the authority's gaps too; a setting or partner only its own assessments. */
  organisationKind: string;
}

/** Thread id to short title, from the framework catalogue. */
export function threadTitles(catalogue: Catalogue): Map<string, string> {
  return new Map(findItems(catalogue, { kind: 'golden-thread' }).map((thread) => [thread.id, thread.shortTitle]));
}

/** The gap evidence of an authority: its curves to turn, released to the viewer. */
async function gapEvidence(db: Kysely<Schema>, viewer: Viewer, laCode: string, released: boolean): Promise<{ gaps: GapEvidence[]; dataGaps: DataGapEvidence[] }> {
  const suppress = released || !seesSmallNumbers(viewer, { laCode });
  const [curves, dataGaps] = await Promise.all([curvesFor(db, { laCode, suppress }), dataGapsFor(db, { laCode, suppress })]);
  const gaps = curves.curves.map((curve) => ({
    group: curve.group,
    groupLabel: curve.group_label,
    indicator: curve.indicator,
    indicatorLabel: curve.indicator_label,
    year: curve.year,
    gap: curve.gap,
    valueType: curve.value_type,
    significant: curve.significant,
    trend: curve.trend,
    curveScore: curve.score,
    curveRank: curve.rank,
  }));
  const missing: DataGapEvidence[] = [];
  if (dataGaps.audit !== null && dataGaps.year !== null) {
    const year = formatAcademicYear(dataGaps.year);
    const labels = new Map(indicators.map((measure) => [measure.name, measure.label]));
    for (const indicator of dataGaps.audit.indicators) {
      if (indicator.children === 0) missing.push({ kind: 'indicator-missing', subject: indicator.indicator, label: labels.get(indicator.indicator) ?? indicator.indicator, year });
    }
    const groupLabels = new Map(frameworkGroupSpecs().map((group) => [group.id, group.label]));
    for (const group of dataGaps.audit.groups) {
      if (group.unknownShare !== null) missing.push({ kind: 'group-unknown', subject: group.group, label: groupLabels.get(group.group) ?? group.label, unknownShare: group.unknownShare, year });
    }
  }
  return { gaps, dataGaps: missing };
}

/** The latest signed-off assessment of each scope: its weak and slipping ratings, and its moderation's disagreements. */
async function assessmentEvidence(db: Kysely<Schema>, assessments: AssessmentService, viewer: Viewer, organisationId: string): Promise<{ ratings: RatingEvidence[]; disagreements: DisagreementEvidence[] }> {
  const signedOff = await assessments.signedOffOf(viewer, organisationId);
  const latestByScope = new Map<string, (typeof signedOff)[number]>();
  for (const summary of signedOff) if (!latestByScope.has(summary.scope)) latestByScope.set(summary.scope, summary);
  // Each scope read at once, not one after another: a scope's assessment, the one before it and its moderation.
  const read = await Promise.all(
    [...latestByScope.values()].map(async (summary) => {
      const [assessment, previous, moderation] = await Promise.all([
        assessments.get(viewer, summary.id),
        summary.previousId === null ? Promise.resolve(undefined) : assessments.get(viewer, summary.previousId),
        moderationSummary(db, summary.id),
      ]);
      return { summary, assessment, previous, moderation };
    }),
  );
  const ratings: RatingEvidence[] = [];
  const disagreements: DisagreementEvidence[] = [];
  for (const { summary, assessment, previous, moderation } of read) {
    if (isRefusal(assessment)) continue;
    const previousLevels = new Map(previous === undefined || isRefusal(previous) ? [] : previous.ratings.map((rating) => [rating.statementId, rating.level]));
    const statements = new Map(assessment.statements.map((statement) => [statement.id, statement]));
    const label = `${scopeDescription(summary.scope).label}, ${summary.period}`;
    for (const rating of assessment.ratings) {
      if (rating.level === null || rating.notApplicable) continue;
      const previousLevel = previousLevels.get(rating.statementId) ?? null;
      const slipped = previousLevel !== null && rating.level < previousLevel;
      if (rating.level > 2 && !slipped) continue;
      const statement = statements.get(rating.statementId);
      ratings.push({
        statementId: rating.statementId,
        thread: statement?.thread ?? null,
        text: statement?.text ?? rating.statementId,
        level: rating.level,
        levelLabel: levelLabel(rating.level),
        previousLevel,
        previousLevelLabel: previousLevel === null ? null : levelLabel(previousLevel),
        assessment: label,
        assessmentId: summary.id,
      });
    }
    for (const entry of moderation?.statements ?? []) {
      if (!entry.disagree) continue;
      disagreements.push({
        statementId: entry.statementId,
        thread: statements.get(entry.statementId)?.thread ?? null,
        text: entry.text,
        selfLevelLabel: entry.selfNotApplicable ? 'not applicable' : levelLabel(entry.selfLevel),
        moderatedLevelLabel: entry.moderatedNotApplicable ? 'not applicable' : levelLabel(entry.moderatedLevel),
        assessmentId: summary.id,
      });
    }
  }
  return { ratings, disagreements };
}

/** The places where need is high and the core offer thin (the directory's coverage), released as the coverage page releases them. */
async function offerEvidence(db: Kysely<Schema>, viewer: Viewer, laCode: string, released: boolean): Promise<OfferGapEvidence[]> {
  const { coverage } = await authorityCoverage(db, laCode, !released && seesExactCoverage(viewer, laCode) ? 'exact' : 'released');
  const vulnerable = new Map(coverage.localities.map((locality) => [locality.locality, locality.vulnerable]));
  return coverage.ranked
    .filter((cell) => cell.flagged)
    .map((cell) => ({ locality: cell.locality, strandLabel: coreOfferStrandLabel(cell.strand), localServices: cell.services.length, vulnerable: vulnerable.get(cell.locality) ?? null }));
}

/**
 * Everything the suggestions for an organisation's plan are ranked from, as the viewer may see it,
 * or with every figure as released to viewers without child-level access (`released`): what text
 * kept in the plan, which everyone who reads it sees, must be written from.
 */
export async function readSuggestionEvidence(
  db: Kysely<Schema>,
  assessments: AssessmentService,
  catalogue: Catalogue,
  viewer: Viewer,
  organisation: PlanningOrganisation,
  options: { released?: boolean } = {},
): Promise<SuggestionEvidence> {
  const isAuthority = organisation.organisationKind === 'local-authority';
  const [gapPart, offerGaps, assessmentPart, curvePlans] = await Promise.all([
    isAuthority ? gapEvidence(db, viewer, organisation.laCode, options.released ?? false) : Promise.resolve({ gaps: [], dataGaps: [] }),
    isAuthority ? offerEvidence(db, viewer, organisation.laCode, options.released ?? false) : Promise.resolve([]),
    assessmentEvidence(db, assessments, viewer, organisation.organisationId),
    isAuthority ? listPlans(db, [organisation.laCode]) : Promise.resolve([]),
  ]);
  return {
    ...gapPart,
    offerGaps,
    ...assessmentPart,
    curvePlans: curvePlans.map((plan): CurvePlanEvidence => ({ id: plan.id, title: plan.title, indicator: plan.indicator, groupSpec: plan.groupSpec })),
    threadTitles: threadTitles(catalogue),
    authority: organisation.laCode,
  };
}
