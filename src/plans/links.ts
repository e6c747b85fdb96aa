/**
 * What a priority's links say to a person: each thread, statement, gap, turn-the-curve plan and
 * practice item in words, with where to read more and, for statements, how the latest
 * self-assessments rated it. Read through the owning capabilities; figures released to the viewer.
 */
import type { Kysely } from 'kysely';
import { levelLabel } from '../assessment/scale.js';
import type { AssessmentService } from '../assessment/service.js';
import { isRefusal as isAssessmentRefusal } from '../assessment/service.js';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import type { Catalogue } from '../framework/catalogue.js';
import { statementsAt } from '../framework/revisions.js';
import { mayReadPlans } from '../gaps/reach.js';
import { itemHeads } from '../practice/digest.js';
import { listPlans } from './curve/store.js';
import { threadTitles } from './evidence.js';
import { measureLabel, readMeasures } from './measures.js';
import type { ImprovementPlan, PriorityLink } from './model.js';

export interface DescribedLink extends PriorityLink {
  /** e.g. "Golden thread 9: prove it". */
  kindLabel: string;
  text: string;
  /** Where to read more; null when there is nothing the viewer may open. */
  href: string | null;
  /** A statement's rating at the latest signed-off assessment, and at the one before. */
  rating?: { level: number | null; levelLabel: string; previousLevel: number | null; previousLevelLabel: string | null; improved: boolean };
}

const kindLabels: Record<PriorityLink['kind'], string> = {
  thread: 'Golden thread',
  statement: 'Self-assessment statement',
  gap: 'Gap',
  'curve-plan': 'Turn-the-curve plan',
  practice: 'Practice',
};

export function linkKey(link: PriorityLink): string {
  return `${link.kind}\u0000${link.target}`;
}

/** The ratings of the organisation's latest signed-off assessments, and of the ones before them, by statement. */
async function latestRatings(assessments: AssessmentService, viewer: Viewer, organisationId: string): Promise<Map<string, { level: number | null; previousLevel: number | null }>> {
  const signedOff = await assessments.list(viewer, { organisationIds: [organisationId], status: 'signed-off' });
  const latestByScope = new Map<string, (typeof signedOff)[number]>();
  for (const summary of signedOff) if (!latestByScope.has(summary.scope)) latestByScope.set(summary.scope, summary);
  const ratings = new Map<string, { level: number | null; previousLevel: number | null }>();
  for (const summary of latestByScope.values()) {
    const [latest, previous] = await Promise.all([assessments.get(viewer, summary.id), summary.previousId === null ? undefined : assessments.get(viewer, summary.previousId)]);
    if (isAssessmentRefusal(latest)) continue;
    const before = new Map(previous === undefined || isAssessmentRefusal(previous) ? [] : previous.ratings.map((rating) => [rating.statementId, rating.level]));
    for (const rating of latest.ratings) {
      if (rating.level === null && rating.version === 0) continue;
      ratings.set(rating.statementId, { level: rating.level, previousLevel: before.get(rating.statementId) ?? null });
    }
  }
  return ratings;
}

/** Every link of the plan, described for the viewer, by `linkKey`. */
export async function describeLinks(db: Kysely<Schema>, assessments: AssessmentService, catalogue: Catalogue, viewer: Viewer, plan: ImprovementPlan): Promise<Map<string, DescribedLink>> {
  const links = plan.priorities.flatMap((priority) => priority.links);
  const described = new Map<string, DescribedLink>();
  if (links.length === 0) return described;
  const has = (kind: PriorityLink['kind']) => links.some((link) => link.kind === kind);
  const [statements, ratings, curvePlans, practice, gapReadings] = await Promise.all([
    has('statement') ? statementsAt(db, catalogue).then((answer) => new Map(answer.statements.map((statement) => [statement.id, statement.text]))) : Promise.resolve(new Map<string, string>()),
    has('statement') ? latestRatings(assessments, viewer, plan.organisationId) : Promise.resolve(new Map<string, { level: number | null; previousLevel: number | null }>()),
    has('curve-plan') && mayReadPlans(viewer, plan.laCode) ? listPlans(db, [plan.laCode]) : Promise.resolve([]),
    has('practice') ? itemHeads(db, links.filter((link) => link.kind === 'practice').map((link) => link.target)) : Promise.resolve(new Map()),
    readGapLinks(db, viewer, plan, links.filter((link) => link.kind === 'gap')),
  ]);
  const threads = threadTitles(catalogue);
  const curvePlanTitles = new Map(curvePlans.map((curvePlan) => [curvePlan.id, curvePlan.title]));
  for (const link of links) {
    const base = { ...link, kindLabel: kindLabels[link.kind] };
    let entry: DescribedLink;
    switch (link.kind) {
      case 'thread':
        entry = { ...base, kindLabel: `Golden thread ${Number(link.target.slice(2))}`, text: threads.get(link.target) ?? link.target, href: `/framework/items/${encodeURIComponent(link.target)}` };
        break;
      case 'statement': {
        const rating = ratings.get(link.target);
        entry = {
          ...base,
          text: statements.get(link.target) ?? link.target,
          href: `/framework/items/${encodeURIComponent(link.target)}`,
          ...(rating === undefined
            ? {}
            : {
                rating: {
                  level: rating.level,
                  levelLabel: levelLabel(rating.level),
                  previousLevel: rating.previousLevel,
                  previousLevelLabel: rating.previousLevel === null ? null : levelLabel(rating.previousLevel),
                  improved: rating.level !== null && rating.previousLevel !== null && rating.level > rating.previousLevel,
                },
              }),
        };
        break;
      }
      case 'gap':
        entry = { ...base, ...(gapReadings.get(link.target) ?? { text: link.target, href: null }) };
        break;
      case 'curve-plan': {
        const title = curvePlanTitles.get(link.target);
        entry = { ...base, text: title ?? 'A turn-the-curve plan you may not open', href: title === undefined ? null : `/plans/${link.target}` };
        break;
      }
      case 'practice': {
        const head = practice.get(link.target) as { title: string; status: string } | undefined;
        entry = { ...base, text: head?.status === 'published' ? head.title : 'A practice item no longer published', href: head?.status === 'published' ? `/practice/${link.target}` : null };
        break;
      }
    }
    described.set(linkKey(link), entry);
  }
  return described;
}

/** A gap link in words: its indicator and group, and its latest figure as the viewer may see it. */
async function readGapLinks(db: Kysely<Schema>, viewer: Viewer, plan: ImprovementPlan, links: readonly PriorityLink[]): Promise<Map<string, { text: string; href: string | null }>> {
  const answers = new Map<string, { text: string; href: string | null }>();
  const pseudoMeasures = links.map((link) => {
    const [indicator = '', groupSpec = ''] = link.target.split('|');
    return { id: link.target, priorityId: '', indicator, groupSpec, comparator: 'all-other', figure: 'gap' as const, baselineYear: '', baselineValue: 0, targetYear: '', targetValue: 0 };
  });
  const readings = await readMeasures(db, viewer, plan.laCode, pseudoMeasures);
  for (const reading of readings) {
    const { indicator, groupSpec } = reading.measure;
    const latest = reading.latest === null ? 'no figure yet' : `${reading.latest.value > 0 ? '+' : ''}${reading.latest.value.toFixed(1)} ${reading.units} in ${reading.latest.year}`;
    answers.set(reading.measure.id, {
      text: `${measureLabel(reading.measure)} (${latest})`,
      href: `/gaps/indicator?${new URLSearchParams({ la: plan.laCode, indicator, group: groupSpec, comparator: 'all-other' }).toString()}`,
    });
  }
  return answers;
}
