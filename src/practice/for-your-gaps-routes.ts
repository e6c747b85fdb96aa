/**
 * `/practice/for-your-gaps`: published practice ranked against the signed-in authority's own
 * curves to turn and weakest self-assessment ratings, with the reason for each match.
 */
import type { FastifyInstance } from 'fastify';
import type { AssessmentService } from '../assessment/service.js';
import type { Database } from '../db/database.js';
import { findItems } from '../framework/catalogue.js';
import type { Catalogue } from '../framework/catalogue.js';
import { chooseAuthority, isAuthorityRefusal, refuseAuthority } from '../gaps/authority-choice.js';
import { candidateItems, gapsMatched, gapsToClose, weakestRatings } from './for-your-gaps.js';
import { matchPractice } from './matching.js';
import { practiceReference } from './reference.js';

const hidden = { hide: true } as const;

export function registerForYourGaps(app: FastifyInstance, database: Database, assessments: AssessmentService, catalogue: Catalogue): void {
  const outcomeLabels = new Map<string, string>(findItems(catalogue, { kind: 'outcome' }).map((item) => [item.id, item.text]));
  app.get<{ Querystring: { la?: string } }>('/practice/for-your-gaps', { schema: hidden, config: { permission: 'aggregates:read' } }, async (request, reply) => {
    const choice = await chooseAuthority(database.db, request.viewer, request.query.la);
    if (isAuthorityRefusal(choice)) return refuseAuthority(reply, choice);
    const { authorities, laCode, chosen } = choice;
    const base = { pageTitle: 'Practice for your gaps', breadcrumbs: [{ text: 'Practice library', href: '/practice' }], authorities, chosen, laCode: chosen?.code, gapsMatched };
    if (chosen === undefined) return reply.view('practice/for-your-gaps.njk', { ...base, gaps: [], weak: [], matches: [] });
    const [{ year, gaps }, weak] = await Promise.all([
      laCode === undefined ? Promise.resolve({ year: null, gaps: [] }) : gapsToClose(database.db, request.viewer, laCode),
      weakestRatings(assessments, request.viewer, chosen.code),
    ]);
    const items = await candidateItems(
      database.db,
      [...new Set(gaps.map((gap) => gap.group))],
      [...new Set(weak.map((rating) => rating.statementId))],
      [...new Set(weak.flatMap((rating) => (rating.thread === null ? [] : [rating.thread])))],
    );
    const shownReasons = 3;
    const matches = matchPractice(items, gaps, weak).map((match) => ({
      ...match,
      referenceLabel: practiceReference(match.item.reference),
      reasonsShown: match.reasons.slice(0, shownReasons),
      moreReasons: Math.max(0, match.reasons.length - shownReasons),
    }));
    return reply.view('practice/for-your-gaps.njk', {
      ...base,
      year,
      hasData: laCode !== undefined,
      gaps: gaps.map((gap) => ({ ...gap, outcomeLabel: outcomeLabels.get(gap.outcome) ?? gap.outcome })),
      weak,
      matches,
    });
  });
}
