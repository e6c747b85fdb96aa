/**
 * The national team's pages: the moderation queue by status, and each submission in full with
 * what the personal-data check flagged marked where it was found, what changed since the last
 * version, the screening (two reviewers, return or reject), the reviewers' progress, and the
 * panel's decision once both reviews are in.
 *
 * Blind to the end: the reviewers' grades stay off these pages until both have submitted, so that
 * the panel never nudges one reviewer with the other's view.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Catalogue } from '../framework/catalogue.js';
import type { FieldProblem } from './content.js';
import { fieldLabel } from './content.js';
import { errorFor, errorList, typedNumber } from './form-input.js';
import type { ModeratorView, PracticeService } from './service.js';
import type { PracticeItemHead, PracticeReview } from './store.js';
import { countByStatus, listItems, readReviews } from './store.js';
import type { DecisionOutcome, PracticeStatus } from './tables.js';
import { decisionOutcomes } from './tables.js';
import { PracticeInputError, agreementOf } from './workflow.js';
import {
  actorOf,
  changedFields,
  contentSections,
  documentsView,
  findingsByField,
  gradeCriteria,
  gradeLabels,
  impactView,
  padlockCriteria,
  padlocksText,
  referenceText,
  refusalPage,
  statusTag,
  timelineOf,
  vocabularyLabels,
} from './workflow-pages.js';

const hidden = { hide: true };
const moderate = { permission: 'practice:moderate' } as const;
type Body = Record<string, unknown>;

const backToQueue = { href: '/practice/moderation', text: 'Go back to the moderation queue' };

/** The queue's sections, in the order work flows through them. */
const queueSections: { status: PracticeStatus; text: string; waiting: boolean }[] = [
  { status: 'submitted', text: 'Waiting to screen', waiting: true },
  { status: 'in-review', text: 'With reviewers', waiting: true },
  { status: 'awaiting-decision', text: 'Waiting for decision', waiting: true },
  { status: 'returned', text: 'Returned', waiting: false },
  { status: 'published', text: 'Published', waiting: false },
  { status: 'rejected', text: 'Rejected', waiting: false },
  { status: 'withdrawn', text: 'Withdrawn', waiting: false },
];

function text(value: unknown): string {
  if (Array.isArray(value)) return text(value[0]);
  return typeof value === 'string' ? value : '';
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return [value].flat().map((entry) => text(entry).trim()).filter((entry) => entry !== '');
}

function whole(value: unknown): number | null {
  const parsed = typedNumber(text(value));
  return parsed === null || Number.isNaN(parsed) ? null : parsed;
}

/** When an item began waiting for its current step. */
function waitingSince(item: PracticeItemHead): Date {
  return item.status === 'submitted' ? (item.submittedAt ?? item.updatedAt) : item.updatedAt;
}

/** The reviews of the version now being judged, without reviewers who were replaced. */
function currentReviews(view: ModeratorView): PracticeReview[] {
  return view.reviews.filter((review) => review.version === view.item.currentVersion && review.status !== 'withdrawn');
}

interface ItemPageState {
  problems?: FieldProblem[];
  /** What was typed into the form that failed, by field name. */
  values?: Record<string, unknown>;
  /** Which form the problems belong to. */
  form?: 'screen-review' | 'screen-feedback' | 'replace' | 'decide';
  notice?: string;
}

export function registerModerationRoutes(app: FastifyInstance, practice: PracticeService, options: { db: Kysely<Schema>; catalogue: Catalogue }): void {
  const { db, catalogue } = options;

  // ---- The queue -------------------------------------------------------------------------------

  app.get('/practice/moderation', { schema: hidden, config: moderate }, async (request, reply) => {
    const asked = text((request.query as Record<string, unknown> | undefined)?.status);
    const section = queueSections.find((entry) => entry.status === asked) ?? queueSections[0]!;
    const counts = await countByStatus(db);
    // Items withdrawn before they were ever submitted were only ever their submitters': counted out.
    counts.set('withdrawn', (await listItems(db, { statuses: ['withdrawn'] })).filter((item) => item.currentVersion > 0).length);
    // An item withdrawn before it was ever submitted was only ever its submitter's: it is not the team's to see.
    const items = (await listItems(db, { statuses: [section.status] })).filter((item) => item.currentVersion > 0);
    items.sort((a, b) => (section.waiting ? waitingSince(a).getTime() - waitingSince(b).getTime() : b.updatedAt.getTime() - a.updatedAt.getTime()));
    const progress = new Map<string, string>();
    if (section.status === 'in-review') {
      for (const item of items) {
        const reviews = (await readReviews(db, item.id, item.currentVersion)).filter((review) => review.status !== 'withdrawn');
        progress.set(item.id, `${reviews.filter((review) => review.status === 'submitted').length} of ${reviews.length} reviews in`);
      }
    }
    return reply.view('practice/moderation/queue.njk', {
      pageTitle: `${section.text}: practice moderation`,
      sections: queueSections.map((entry) => ({
        ...entry,
        count: counts.get(entry.status) ?? 0,
        href: `/practice/moderation?status=${entry.status}`,
        current: entry.status === section.status,
      })),
      section: { ...section, count: items.length },
      items: items.map((item) => ({
        id: item.id,
        title: item.title || 'Untitled',
        referenceText: referenceText(item.reference),
        submitter: item.submitterLabel,
        since: waitingSince(item),
        updatedAt: item.updatedAt,
        flagged: item.personalDataFindings.length > 0 && item.personalDataClearedBy === null,
        version: item.currentVersion,
        progress: progress.get(item.id),
        grade: item.grade === null ? undefined : `${gradeLabels[item.grade]}, ${padlocksText(item.evidenceStrength)}`,
      })),
    });
  });

  // ---- One submission --------------------------------------------------------------------------

  async function showItem(request: FastifyRequest, reply: FastifyReply, id: string, state: ItemPageState = {}) {
    const view = await practice.moderatorView(request.viewer, id);
    if (view.item.currentVersion === 0) {
      reply.callNotFound();
      return reply;
    }
    const labels = await vocabularyLabels(db, catalogue);
    const { item } = view;
    const current = view.versions.find((version) => version.version === item.currentVersion);
    const previous = view.versions.find((version) => version.version === item.currentVersion - 1);
    const content = current?.content ?? item.draft;
    const reviews = currentReviews(view);
    const bothIn = reviews.length >= 2 && reviews.every((review) => review.status === 'submitted');
    const viewerId = request.viewer.signedIn ? request.viewer.userId : '';
    const onThisVersion = new Set(reviews.map((review) => review.reviewerUserId));
    const candidates = view.eligibleReviewers.filter((holder) => holder.userId !== viewerId);
    const values = state.values ?? {};
    const problems = state.form === undefined ? undefined : state.problems;
    const errorsOf = (form: ItemPageState['form']) => (state.form === form ? problems : undefined);
    const findings = [...findingsByField(item.personalDataFindings)].flatMap(([field, found]) =>
      found.map((finding) => ({ field, fieldText: fieldLabel(field.replace(/^results\.(\d+)\..*$/, 'results')), anchor: `content-${field.replace(/\./g, '-')}`, text: finding.text, kind: finding.kind, reason: finding.reason })),
    );
    return reply.view('practice/moderation/item.njk', {
      pageTitle: `${item.title || 'Untitled'}: practice moderation`,
      breadcrumbs: [
        { text: 'Practice moderation', href: '/practice/moderation' },
        { text: queueSections.find((entry) => entry.status === item.status)?.text ?? 'Queue', href: `/practice/moderation?status=${item.status}` },
      ],
      item: { ...item, referenceText: referenceText(item.reference), tag: statusTag(item.status) },
      notice: state.notice,
      submittedVersion: current,
      sections: contentSections(content, labels, item.personalDataFindings),
      findings,
      findingsCleared: item.personalDataClearedBy,
      changes: previous === undefined || current === undefined ? undefined : { from: previous.version, to: current.version, fields: changedFields(previous.content, current.content), response: current.responseToFeedback },
      impact: impactView(view.impact),
      documents: documentsView(view.documents),
      history: timelineOf(view.events),
      decisions: view.decisions.map((decision) => ({
        ...decision,
        outcomeText: decision.outcome === 'publish' ? 'Published' : decision.outcome === 'return' ? 'Returned for changes' : 'Rejected',
        gradeText: decision.grade === null ? '' : `${gradeLabels[decision.grade]}, ${padlocksText(decision.evidenceStrength)}`,
      })),
      reviewers: reviews.map((review) => ({
        label: review.reviewerLabel,
        userId: review.reviewerUserId,
        status: review.status === 'submitted' ? 'Submitted' : 'Assigned',
        assignedAt: review.assignedAt,
        submittedAt: review.submittedAt,
      })),
      bothIn,
      reviews: bothIn
        ? reviews.map((review) => ({
            label: review.reviewerLabel,
            gradeText: review.grade === null ? 'Not given' : gradeLabels[review.grade],
            padlocksText: padlocksText(review.evidenceStrength),
            studiesText: review.studies === null ? 'Not given' : String(review.studies),
            reasons: review.reasons,
            submittedAt: review.submittedAt,
          }))
        : [],
      agreement: bothIn ? agreementOf(reviews) : undefined,
      reviewerItems: candidates.map((holder) => ({ value: holder.userId, text: holder.displayName || holder.email, hint: { text: holder.email }, checked: list(values.reviewerIds).includes(holder.userId) })),
      outgoingItems: reviews
        .filter((review) => review.status === 'assigned')
        .map((review) => ({ value: review.reviewerUserId, text: review.reviewerLabel, checked: text(values.outgoing) === review.reviewerUserId })),
      incomingItems: [
        { value: '', text: 'Choose a reviewer' },
        ...candidates.filter((holder) => !onThisVersion.has(holder.userId)).map((holder) => ({ value: holder.userId, text: holder.displayName || holder.email, selected: text(values.incoming) === holder.userId })),
      ],
      needsPersonalDataCheck: item.personalDataFindings.length > 0 && item.personalDataClearedBy === null,
      values,
      errors: problems === undefined ? undefined : errorList(problems),
      errorSummaryShown: problems !== undefined && problems.length > 0,
      errorFor: (form: ItemPageState['form'], field: string) => errorFor(errorsOf(form), field),
      gradeItems: gradeCriteria.map((grade) => ({ value: grade.value, text: grade.text, hint: { text: grade.description }, checked: text(values.grade) === grade.value })),
      padlockItems: padlockCriteria.map((padlock) => ({ value: String(padlock.value), text: padlock.text, hint: { text: padlock.description }, checked: text(values.evidenceStrength) === String(padlock.value) })),
      outcomeItems: [
        { value: 'publish', text: 'Publish it, with the grade and evidence strength below', checked: text(values.outcome) === 'publish' },
        { value: 'return', text: 'Return it to the submitter for changes', checked: text(values.outcome) === 'return' },
        { value: 'reject', text: 'Reject it', checked: text(values.outcome) === 'reject' },
      ],
      returnItems: [
        { value: 'return', text: 'Return it for changes', hint: { text: 'The submitter can answer the feedback and submit again.' }, checked: text(values.decision) !== 'reject' },
        { value: 'reject', text: 'Reject it as out of scope', hint: { text: 'It is not practice for narrowing the gap, or cannot be made ready.' }, checked: text(values.decision) === 'reject' },
      ],
    });
  }

  const notices: Record<string, string> = {
    screened: 'Screening recorded.',
    replaced: 'Reviewer replaced. The new reviewer will find it in their reviews.',
    decided: 'Decision recorded. The submitter can read your feedback.',
  };

  app.get<{ Params: { id: string } }>('/practice/moderation/:id', { schema: hidden, config: moderate }, async (request, reply) => {
    try {
      const done = text((request.query as Record<string, unknown> | undefined)?.done);
      return await showItem(request, reply, request.params.id, { notice: notices[done] });
    } catch (error) {
      return refusalPage(reply, error, backToQueue);
    }
  });

  /** Runs one moderation step; a problem with the form shows the page again with what was typed. */
  async function step(request: FastifyRequest<{ Params: { id: string }; Body: Body }>, reply: FastifyReply, form: ItemPageState['form'], done: string, run: () => Promise<void>) {
    const { id } = request.params;
    try {
      await run();
    } catch (error) {
      if (error instanceof PracticeInputError) {
        try {
          return await showItem(request, reply.code(400), id, { problems: error.problems, values: request.body ?? {}, form });
        } catch (inner) {
          return refusalPage(reply, inner, backToQueue);
        }
      }
      return refusalPage(reply, error, { href: `/practice/moderation/${id}`, text: 'Go back to the submission' });
    }
    return reply.redirect(`/practice/moderation/${id}?done=${done}`, 303);
  }

  app.post<{ Params: { id: string }; Body: Body }>('/practice/moderation/:id/screen', { schema: hidden, config: moderate }, async (request, reply) => {
    const body = request.body ?? {};
    const decision = text(body.decision);
    const form = decision === 'review' ? 'screen-review' : 'screen-feedback';
    return step(request, reply, form, 'screened', async () => {
      if (decision !== 'review' && decision !== 'return' && decision !== 'reject') throw new PracticeInputError([{ field: 'decision', message: 'Choose whether to return it for changes or reject it' }]);
      await practice.workflow.screen(actorOf(request), request.params.id, {
        decision,
        reviewerIds: list(body.reviewerIds),
        feedback: text(body.feedback),
        personalDataChecked: text(body.personalDataChecked) === 'yes',
      });
    });
  });

  app.post<{ Params: { id: string }; Body: Body }>('/practice/moderation/:id/replace-reviewer', { schema: hidden, config: moderate }, async (request, reply) => {
    const body = request.body ?? {};
    return step(request, reply, 'replace', 'replaced', async () => {
      const outgoing = text(body.outgoing);
      const incoming = text(body.incoming);
      const problems: FieldProblem[] = [];
      if (outgoing === '') problems.push({ field: 'outgoing', message: 'Choose the reviewer to replace' });
      if (incoming === '') problems.push({ field: 'reviewer', message: 'Choose the new reviewer' });
      if (problems.length > 0) throw new PracticeInputError(problems);
      await practice.workflow.replaceReviewer(actorOf(request), request.params.id, outgoing, incoming);
    });
  });

  app.post<{ Params: { id: string }; Body: Body }>('/practice/moderation/:id/decide', { schema: hidden, config: moderate }, async (request, reply) => {
    const body = request.body ?? {};
    return step(request, reply, 'decide', 'decided', async () => {
      const outcome = text(body.outcome);
      if (!(decisionOutcomes as readonly string[]).includes(outcome)) throw new PracticeInputError([{ field: 'outcome', message: 'Choose the decision: publish, return or reject' }]);
      await practice.workflow.decide(actorOf(request), request.params.id, {
        outcome: outcome as DecisionOutcome,
        grade: outcome === 'publish' ? text(body.grade) || null : null,
        evidenceStrength: outcome === 'publish' ? whole(body.evidenceStrength) : null,
        feedback: text(body.feedback),
        personalDataChecked: text(body.personalDataChecked) === 'yes',
      });
    });
  });
}
