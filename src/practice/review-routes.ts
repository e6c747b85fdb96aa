/**
 * The reviewer's pages: the reviews assigned to them, and each one with the version they were
 * given, the published criteria written out, and the rating form.
 *
 * Blind: the page shows the other reviewer's rating only once both have submitted (the service
 * gives it only then), and then read-only beside their own.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Catalogue } from '../framework/catalogue.js';
import type { FieldProblem } from './content.js';
import { designLabels } from './content.js';
import { errorFor, errorList, typedNumber } from './form-input.js';
import type { PracticeService } from './service.js';
import type { PracticeReview } from './store.js';
import { reviewsAssignedTo } from './store.js';
import { PracticeInputError, agreementOf } from './workflow.js';
import {
  actorOf,
  contentSections,
  documentsView,
  gradeCriteria,
  gradeLabels,
  impactView,
  padlockCriteria,
  padlocksText,
  referenceText,
  refusalPage,
  statusTag,
  vocabularyLabels,
} from './workflow-pages.js';

const hidden = { hide: true };
const review = { permission: 'practice:review' } as const;
type Body = Record<string, unknown>;

const backToReviews = { href: '/practice/reviews', text: 'Go back to your reviews' };

function text(value: unknown): string {
  if (Array.isArray(value)) return text(value[0]);
  return typeof value === 'string' ? value : '';
}

/** A whole number as typed, null when empty, NaN when it is not a number. */
function typedWhole(value: unknown): number | null {
  return typedNumber(text(value));
}

function reviewView(entry: PracticeReview) {
  return {
    gradeText: entry.grade === null ? 'Not given' : gradeLabels[entry.grade],
    padlocksText: padlocksText(entry.evidenceStrength),
    studiesText: entry.studies === null ? 'Not given' : String(entry.studies),
    reasons: entry.reasons,
    submittedAt: entry.submittedAt,
  };
}

export function registerReviewRoutes(app: FastifyInstance, practice: PracticeService, options: { db: Kysely<Schema>; catalogue: Catalogue }): void {
  const { db, catalogue } = options;

  app.get('/practice/reviews', { schema: hidden, config: review }, async (request, reply) => {
    const actor = actorOf(request);
    const rows = await reviewsAssignedTo(db, actor.viewer.userId);
    const toDo = rows.filter((row) => row.status === 'assigned' && row.item_status === 'in-review');
    const done = rows.filter((row) => !toDo.includes(row));
    const entry = (row: (typeof rows)[number]) => ({
      id: row.id,
      title: row.title || 'Untitled',
      referenceText: referenceText(row.reference),
      version: row.version,
      assignedAt: row.assigned_at,
      submittedAt: row.submitted_at,
      statusText: row.status === 'submitted' ? 'Submitted' : row.item_status === 'in-review' ? 'To do' : 'No longer needed',
      itemTag: statusTag(row.item_status),
    });
    return reply.view('practice/review/list.njk', {
      pageTitle: 'Your practice reviews',
      // Oldest request first: it has waited longest.
      toDo: toDo.map(entry).sort((a, b) => a.assignedAt.getTime() - b.assignedAt.getTime()),
      done: done.map(entry),
    });
  });

  async function showReview(request: FastifyRequest, reply: FastifyReply, id: string, state: { problems?: FieldProblem[]; values?: Body; notice?: string } = {}) {
    const view = await practice.reviewerView(request.viewer, id);
    const labels = await vocabularyLabels(db, catalogue);
    const { item, version, mine, other } = view;
    const values = state.values ?? {};
    // The form is open only for the version being reviewed now, while it is with its reviewers.
    const open = mine.status === 'assigned' && item.status === 'in-review' && mine.version === item.currentVersion;
    const content = version.content;
    return reply.view('practice/review/item.njk', {
      pageTitle: `Review: ${content.title || 'Untitled'}`,
      breadcrumbs: [{ text: 'Practice reviews', href: '/practice/reviews' }],
      item: { id: item.id, referenceText: referenceText(item.reference), tag: statusTag(item.status) },
      title: content.title || 'Untitled',
      submittedVersion: version,
      designText: content.design === null ? 'Not given' : designLabels[content.design],
      open,
      notice: state.notice,
      mine: mine.status === 'submitted' ? reviewView(mine) : undefined,
      other: other === null ? undefined : { label: other.reviewerLabel, ...reviewView(other) },
      agreement: other === null ? undefined : agreementOf([mine, other]),
      sections: contentSections(content, labels),
      impact: impactView(view.impact),
      documents: documentsView(view.documents),
      gradeCriteria,
      padlockCriteria,
      gradeItems: gradeCriteria.map((grade) => ({ value: grade.value, text: grade.text, hint: { text: grade.description }, checked: text(values.grade) === grade.value })),
      padlockItems: padlockCriteria.map((padlock) => ({ value: String(padlock.value), text: padlock.text, hint: { text: padlock.description }, checked: text(values.evidenceStrength) === String(padlock.value) })),
      values: { studies: text(values.studies), reasons: text(values.reasons) },
      errors: state.problems === undefined ? undefined : errorList(state.problems),
      errorSummaryShown: state.problems !== undefined,
      errorFor: (field: string) => errorFor(state.problems, field),
    });
  }

  app.get<{ Params: { id: string } }>('/practice/reviews/:id', { schema: hidden, config: review }, async (request, reply) => {
    try {
      const done = text((request.query as Record<string, unknown> | undefined)?.done) === 'submitted';
      return await showReview(request, reply, request.params.id, { notice: done ? 'Your review has been submitted. Thank you.' : undefined });
    } catch (error) {
      return refusalPage(reply, error, backToReviews);
    }
  });

  app.post<{ Params: { id: string }; Body: Body }>('/practice/reviews/:id', { schema: hidden, config: review }, async (request, reply) => {
    const { id } = request.params;
    const body = request.body ?? {};
    const evidenceStrength = typedWhole(body.evidenceStrength);
    const studies = typedWhole(body.studies);
    try {
      if (studies !== null && Number.isNaN(studies)) throw new PracticeInputError([{ field: 'studies', message: `The number of studies must be a whole number, like 1 or 3 (you entered “${text(body.studies).trim().slice(0, 40)}”)` }]);
      await practice.workflow.submitReview(actorOf(request), id, {
        grade: text(body.grade),
        evidenceStrength: evidenceStrength === null || Number.isNaN(evidenceStrength) ? null : evidenceStrength,
        studies,
        reasons: text(body.reasons),
      });
    } catch (error) {
      if (error instanceof PracticeInputError) {
        try {
          return await showReview(request, reply.code(400), id, { problems: error.problems, values: body });
        } catch (inner) {
          return refusalPage(reply, inner, backToReviews);
        }
      }
      return refusalPage(reply, error, { href: `/practice/reviews/${id}`, text: 'Go back to the review' });
    }
    return reply.redirect(`/practice/reviews/${id}?done=submitted`, 303);
  });
}
