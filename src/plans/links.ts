/**
 * What a priority's links say to a person: each thread, statement, gap, turn-the-curve plan and
 * practice item in words, with where to read more and, for statements, how the latest
 * self-assessments rated it. Read through the owning capabilities; figures released to the viewer.
 */
import type { Kysely } from 'kysely';
import { levelLabel } from '../assessment/scale.js';
import type { AssessmentService } from '../assessment/service.js';
import { levelsOf } from '../assessment/store.js';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import type { Catalogue } from '../framework/catalogue.js';
import { statementsAt } from '../framework/revisions.js';
import { mayReadPlans } from '../gaps/reach.js';
import { itemHeads } from '../practice/digest.js';
import { curvePlanTitles } from './curve/store.js';
import { threadTitles } from './evidence.js';
import { measureLabel } from './measures.js';
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

/**
 * The levels the organisation's latest signed-off assessment of each scope gave the statements, and
 * the assessment before it (when the viewer may read it): two queries, whatever the plan's size.
 */
async function latestRatings(db: Kysely<Schema>, assessments: AssessmentService, viewer: Viewer, plan: ImprovementPlan, statementIds: readonly string[]): Promise<Map<string, { level: number | null; previousLevel: number | null }>> {
  const signedOff = await assessments.signedOffOf(viewer, plan.organisationId);
  const latestByScope = new Map<string, (typeof signedOff)[number]>();
  for (const summary of signedOff) if (!latestByScope.has(summary.scope)) latestByScope.set(summary.scope, summary);
  const readable = new Set(signedOff.map((summary) => summary.id));
  // A moderator still rating an assessment blind never sees its self-ratings, here as anywhere.
  const latest = [...latestByScope.values()].filter((summary) => !summary.readerModeratesBlind);
  const previousIds = latest.flatMap((summary) => (summary.previousId !== null && readable.has(summary.previousId) ? [summary.previousId] : []));
  const levels = await levelsOf(db, plan.laCode, [...latest.map((summary) => summary.id), ...previousIds], statementIds);
  const levelAt = new Map(levels.map((entry) => [`${entry.assessmentId}\u0000${entry.statementId}`, entry.level]));
  const ratings = new Map<string, { level: number | null; previousLevel: number | null }>();
  for (const summary of latest) {
    for (const statementId of statementIds) {
      const key = `${summary.id}\u0000${statementId}`;
      if (!levelAt.has(key)) continue;
      const previous = summary.previousId === null ? undefined : levelAt.get(`${summary.previousId}\u0000${statementId}`);
      ratings.set(statementId, { level: levelAt.get(key) ?? null, previousLevel: previous ?? null });
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
  const [statements, ratings, curvePlanTitleOf, practice] = await Promise.all([
    has('statement') ? statementsAt(db, catalogue).then((answer) => new Map(answer.statements.map((statement) => [statement.id, statement.text]))) : Promise.resolve(new Map<string, string>()),
    has('statement')
      ? latestRatings(db, assessments, viewer, plan, [...new Set(links.filter((link) => link.kind === 'statement').map((link) => link.target))])
      : Promise.resolve(new Map<string, { level: number | null; previousLevel: number | null }>()),
    has('curve-plan') && mayReadPlans(viewer, plan.laCode)
      ? curvePlanTitles(
          db,
          plan.laCode,
          links.filter((link) => link.kind === 'curve-plan').map((link) => link.target),
        )
      : Promise.resolve(new Map<string, string>()),
    has('practice') ? itemHeads(db, links.filter((link) => link.kind === 'practice').map((link) => link.target)) : Promise.resolve(new Map()),
  ]);
  const threads = threadTitles(catalogue);
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
        entry = { ...base, ...gapLink(plan, link.target) };
        break;
      case 'curve-plan': {
        const title = curvePlanTitleOf.get(link.target);
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

/** A gap link in words, with where its figures are: what the gap is now, the gap pages and the measures say. */
function gapLink(plan: ImprovementPlan, target: string): { text: string; href: string } {
  const [indicator = '', groupSpec = ''] = target.split('|');
  return {
    text: measureLabel({ indicator, groupSpec, comparator: 'all-other', figure: 'gap' }),
    href: `/gaps/indicator?${new URLSearchParams({ la: plan.laCode, indicator, group: groupSpec, comparator: 'all-other' }).toString()}`,
  };
}
