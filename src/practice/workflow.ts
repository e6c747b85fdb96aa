/**
 * The call for evidence as a workflow. A submitter drafts and submits; the national team screens
 * each submission and assigns two reviewers; each reviewer rates it blind; the panel records the
 * decision, with the grade, the reviewers' agreement and feedback; a returned item is answered and
 * resubmitted. Nothing reaches the library without a moderator's decision.
 *
 *   draft ──submit──► submitted ──screen──► in-review ──both reviews──► awaiting-decision ──decide──► published
 *     ▲                   │  │                                                  │  │                  │
 *     │                   │  └──screen: return──► returned ◄──decide: return────┘  └─decide: reject─► rejected
 *     └──(edit)───────────┼──────────────────────────┘  (resubmit ► submitted)
 *                         └──withdraw──► withdrawn   (also from draft and returned)
 *
 * Each change is one transaction that locks the item first, so two people acting at once are
 * taken one after the other and the second sees what the first did. Every step is an event in the
 * item's history and an entry in the audit log.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { appendAudit } from '../auth/audit.js';
import type { AuditEntry } from '../auth/audit.js';
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import { activeAccountsHolding } from '../auth/holders.js';
import type { AccountHolder } from '../auth/holders.js';
import type { Action } from '../auth/permissions.js';
import type { Schema } from '../db/schema.js';
import type { FieldProblem, PracticeContent, Vocabulary } from './content.js';
import { contentCostBand, contentProblems, contentRegion, readContent, textFields } from './content.js';
import { itemImpact } from './impact.js';
import type { PersonalDataFinding } from './personal-data.js';
import { findPersonalData } from './personal-data.js';
import type { Db, PracticeItem } from './store.js';
import { readItem, readReviews } from './store.js';
import type { DecisionOutcome, PracticeGrade, PracticeStatus } from './tables.js';
import { practiceGrades } from './tables.js';

export type SignedIn = Extract<Viewer, { signedIn: true }>;

/** Who is acting, and from where (for the audit log). */
export interface Actor {
  viewer: SignedIn;
  ip: string;
}

export class PracticeInputError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((problem) => problem.message).join('; '));
    this.name = 'PracticeInputError';
  }
}

/** Not there, or not the asker's to see: the same answer either way, so ids cannot be probed. */
export class PracticeNotFoundError extends Error {
  constructor() {
    super('There is no such practice item, or you may not see it');
    this.name = 'PracticeNotFoundError';
  }
}

/** The item's status does not allow the step (it moved on, perhaps because someone else acted). */
export class PracticeStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PracticeStateError';
  }
}

/** Someone saved the draft after the version this change started from. */
export class PracticeConflictError extends Error {
  constructor(readonly current: number) {
    super('This draft was changed (perhaps in another tab) since you opened it. Your changes were not saved: open it again to see the latest version.');
    this.name = 'PracticeConflictError';
  }
}

export class PracticeThrottledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PracticeThrottledError';
  }
}

/** How many new items and submissions an account or an address may make in a day. */
export const submissionLimits = { itemsPerAccount: 10, submissionsPerAccount: 20, perAddress: 40, windowHours: 24 } as const;

const statusWords: Record<PracticeStatus, string> = {
  draft: 'a draft',
  submitted: 'waiting to be screened',
  'in-review': 'with its reviewers',
  'awaiting-decision': 'waiting for the panel’s decision',
  returned: 'returned to its submitter',
  published: 'published',
  rejected: 'not accepted',
  withdrawn: 'withdrawn',
};

export function statusInWords(status: PracticeStatus): string {
  return statusWords[status];
}

export interface ScreeningChoice {
  decision: 'review' | 'return' | 'reject';
  /** Two different reviewers, when sending for review. */
  reviewerIds: string[];
  /** To the submitter, when returning or rejecting. */
  feedback: string;
  /** The moderator has read the personal-data findings and the text holds none about a child. */
  personalDataChecked: boolean;
}

export interface ReviewRating {
  grade: string;
  evidenceStrength: number | null;
  studies: number | null;
  reasons: string;
}

export interface DecisionChoice {
  outcome: DecisionOutcome;
  grade: string | null;
  evidenceStrength: number | null;
  feedback: string;
  personalDataChecked: boolean;
}

function isGrade(value: string | null): value is PracticeGrade {
  return value !== null && (practiceGrades as readonly string[]).includes(value);
}

function labelOf(viewer: SignedIn): string {
  return viewer.displayName || viewer.email;
}

function require(viewer: Viewer, action: Action): asserts viewer is SignedIn {
  if (!viewerMay(viewer, action)) throw new PracticeNotFoundError();
}

/** The agreement of two reviews, in words a submitter and the panel read. */
export function agreementOf(reviews: readonly { grade: PracticeGrade | null; evidenceStrength: number | null }[]): string {
  const [first, second] = reviews;
  if (first === undefined || second === undefined) return 'Fewer than two reviews';
  const sameGrade = first.grade === second.grade;
  const gap = Math.abs((first.evidenceStrength ?? 0) - (second.evidenceStrength ?? 0));
  const grades = sameGrade ? `both ${first.grade}` : `${first.grade} and ${second.grade}`;
  const strengths = gap === 0 ? `both ${first.evidenceStrength} of 5 for evidence` : `${first.evidenceStrength} and ${second.evidenceStrength} of 5 for evidence`;
  const verdict = sameGrade && gap === 0 ? 'Reviewers agreed' : sameGrade && gap === 1 ? 'Reviewers largely agreed' : 'Reviewers differed';
  return `${verdict}: ${grades}; ${strengths}`;
}

export class PracticeWorkflow {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly vocabulary: () => Promise<Vocabulary>,
  ) {}

  private async audit(actor: Actor, action: string, itemId: string, details: Record<string, unknown> = {}, outcome: AuditEntry['outcome'] = 'success'): Promise<void> {
    await appendAudit(this.db, { action, outcome, actorUserId: actor.viewer.userId, actorEmail: actor.viewer.email, target: `practice:${itemId}`, ip: actor.ip, details });
  }

  private async event(db: Db, itemId: string, kind: string, actor: string, detail = '', shownToSubmitter = true): Promise<void> {
    await db.insertInto('practice_event').values({ item_id: itemId, kind, actor_label: actor, detail, shown_to_submitter: shownToSubmitter }).execute();
  }

  private async throttle(db: Db, actor: Actor, kind: 'item' | 'submission'): Promise<void> {
    const since = sql<Date>`now() - make_interval(hours => ${submissionLimits.windowHours})`;
    const accountKey = `${kind}:account:${actor.viewer.userId}`;
    const addressKey = `any:address:${actor.ip}`;
    const counts = await db
      .selectFrom('practice_submission_attempt')
      .select(['key', sql<number>`count(*)::int`.as('count')])
      .where('key', 'in', [accountKey, addressKey])
      .where('at', '>', since)
      .groupBy('key')
      .execute();
    const countOf = (key: string) => counts.find((row) => row.key === key)?.count ?? 0;
    const accountLimit = kind === 'item' ? submissionLimits.itemsPerAccount : submissionLimits.submissionsPerAccount;
    if (countOf(accountKey) >= accountLimit) {
      throw new PracticeThrottledError(
        kind === 'item'
          ? `You have started ${accountLimit} practice items in the last ${submissionLimits.windowHours} hours, the most one account may. Finish or withdraw one, or try again tomorrow.`
          : `You have submitted ${accountLimit} times in the last ${submissionLimits.windowHours} hours, the most one account may. Try again tomorrow.`,
      );
    }
    if (countOf(addressKey) >= submissionLimits.perAddress) {
      throw new PracticeThrottledError(`Too many practice items have been started or submitted from your network in the last ${submissionLimits.windowHours} hours. Try again tomorrow.`);
    }
    await db.insertInto('practice_submission_attempt').values([{ key: accountKey }, { key: addressKey }]).execute();
  }

  /** Checks content against the vocabulary, read beforehand: never inside a transaction, which on PGlite holds the only connection. */
  private check(content: PracticeContent, complete: boolean, vocabulary: Vocabulary): void {
    const problems = contentProblems(content, vocabulary, { complete });
    if (problems.length > 0) throw new PracticeInputError(problems);
  }

  /** Content from a form or an API body, or the problems with it. */
  parse(value: unknown): PracticeContent {
    const read = readContent(value);
    if (!read.ok) throw new PracticeInputError(read.problems);
    return read.content;
  }

  /** Starts a draft; returns its id. */
  async createDraft(actor: Actor, content: PracticeContent): Promise<string> {
    require(actor.viewer, 'practice:submit');
    this.check(content, false, await this.vocabulary());
    const id = await this.db.transaction().execute(async (trx) => {
      await this.throttle(trx, actor, 'item');
      const row = await trx
        .insertInto('practice_item')
        .values({ submitter_user_id: actor.viewer.userId, submitter_label: labelOf(actor.viewer), draft: JSON.stringify(content), title: content.title })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.event(trx, row.id, 'drafted', labelOf(actor.viewer), 'Draft started');
      return row.id;
    });
    await this.audit(actor, 'practice.draft', id);
    return id;
  }

  /** The submitter's own item, locked, in a status they may change. */
  private async ownItem(db: Db, actor: Actor, id: string, allowed: readonly PracticeStatus[], doing: string): Promise<PracticeItem> {
    const item = await readItem(db, id, { forUpdate: true });
    if (item === undefined || item.submitterUserId !== actor.viewer.userId) throw new PracticeNotFoundError();
    if (!allowed.includes(item.status)) throw new PracticeStateError(`You cannot ${doing}: this item is ${statusInWords(item.status)}.`);
    return item;
  }

  /** Saves the draft (a new item's, or a returned item's next version). */
  async saveDraft(actor: Actor, id: string, content: PracticeContent, expectedVersion: number): Promise<number> {
    require(actor.viewer, 'practice:submit');
    this.check(content, false, await this.vocabulary());
    return this.db.transaction().execute(async (trx) => {
      const item = await this.ownItem(trx, actor, id, ['draft', 'returned'], 'change it');
      if (item.version !== expectedVersion) throw new PracticeConflictError(item.version);
      const row = await trx
        .updateTable('practice_item')
        .set({ draft: JSON.stringify(content), updated_at: new Date(), version: sql`version + 1`, ...(item.status === 'draft' ? { title: content.title } : {}) })
        .where('id', '=', id)
        .returning('version')
        .executeTakeFirstOrThrow();
      return row.version;
    });
  }

  /**
   * Submits the draft as a new version, once it is complete. The personal-data check reads every
   * word; what it finds is held for the moderator, who must clear it before anything goes further.
   */
  async submit(actor: Actor, id: string, options: { expectedVersion?: number; responseToFeedback?: string } = {}): Promise<{ version: number; findings: PersonalDataFinding[] }> {
    require(actor.viewer, 'practice:submit');
    const response = (options.responseToFeedback ?? '').trim();
    if (response.length > 8_000) throw new PracticeInputError([{ field: 'responseToFeedback', message: 'Your answer to the feedback must be 8,000 characters or fewer' }]);
    const vocabulary = await this.vocabulary();
    const result = await this.db.transaction().execute(async (trx) => {
      const item = await this.ownItem(trx, actor, id, ['draft', 'returned'], 'submit it');
      if (options.expectedVersion !== undefined && item.version !== options.expectedVersion) throw new PracticeConflictError(item.version);
      this.check(item.draft, true, vocabulary);
      if (item.status === 'returned' && response === '') {
        throw new PracticeInputError([{ field: 'responseToFeedback', message: 'Say how you have answered the feedback before you resubmit' }]);
      }
      await this.throttle(trx, actor, 'submission');
      const findings = textFields(item.draft).flatMap(({ field, text }) => findPersonalData(text).map((finding) => ({ ...finding, reason: `${field}: ${finding.reason}` })));
      const version = item.currentVersion + 1;
      await trx
        .insertInto('practice_version')
        .values({ item_id: id, version, content: JSON.stringify(item.draft), response_to_feedback: response, submitted_by_label: labelOf(actor.viewer) })
        .execute();
      await trx
        .updateTable('practice_item')
        .set({
          status: 'submitted',
          current_version: version,
          submitted_at: new Date(),
          updated_at: new Date(),
          personal_data_findings: JSON.stringify(findings),
          personal_data_cleared_by_label: null,
          version: sql`version + 1`,
          ...(item.publishedVersion === null ? { title: item.draft.title } : {}),
        })
        .where('id', '=', id)
        .execute();
      await this.event(trx, id, version === 1 ? 'submitted' : 'resubmitted', labelOf(actor.viewer), version === 1 ? 'Submitted for moderation' : `Version ${version} submitted in answer to feedback`);
      if (findings.length > 0) {
        await this.event(trx, id, 'personal-data-flagged', 'Personal-data check', `${findings.length} passage${findings.length === 1 ? '' : 's'} held for the moderator to check`, true);
      }
      return { version, findings };
    });
    await this.audit(actor, 'practice.submit', id, { version: result.version, personalDataFindings: result.findings.length });
    return result;
  }

  /** Withdraws an item that no reviewer has yet started on. */
  async withdraw(actor: Actor, id: string): Promise<void> {
    require(actor.viewer, 'practice:submit');
    await this.db.transaction().execute(async (trx) => {
      await this.ownItem(trx, actor, id, ['draft', 'submitted', 'returned'], 'withdraw it (once reviewers have it, ask the national team)');
      await trx.updateTable('practice_item').set({ status: 'withdrawn', updated_at: new Date(), version: sql`version + 1` }).where('id', '=', id).execute();
      await this.event(trx, id, 'withdrawn', labelOf(actor.viewer), 'Withdrawn by the submitter');
    });
    await this.audit(actor, 'practice.withdraw', id);
  }

  /** The people who may review: holders of `practice:review`, less the item's submitter. */
  async eligibleReviewers(item: { submitterUserId: string | null }): Promise<AccountHolder[]> {
    const holders = await activeAccountsHolding(this.db, 'practice:review');
    return holders.filter((holder) => holder.userId !== item.submitterUserId);
  }

  /** The national team's first look: send for review (with two reviewers), return or reject. */
  async screen(actor: Actor, id: string, choice: ScreeningChoice): Promise<void> {
    require(actor.viewer, 'practice:moderate');
    const feedback = choice.feedback.trim();
    const problems: FieldProblem[] = [];
    if (feedback.length > 8_000) problems.push({ field: 'feedback', message: 'Feedback must be 8,000 characters or fewer' });
    if (choice.decision !== 'review' && feedback === '') problems.push({ field: 'feedback', message: 'Tell the submitter why, in the feedback' });
    const reviewers = [...new Set(choice.reviewerIds.filter((reviewerId) => reviewerId !== ''))];
    let chosen: AccountHolder[] = [];
    const item = await readItem(this.db, id);
    if (item === undefined) throw new PracticeNotFoundError();
    if (choice.decision === 'review') {
      if (reviewers.length !== 2) problems.push({ field: 'reviewers', message: 'Choose two different reviewers' });
      const eligible = await this.eligibleReviewers(item);
      chosen = reviewers.flatMap((reviewerId) => eligible.filter((holder) => holder.userId === reviewerId));
      if (reviewers.length === 2 && chosen.length !== 2) problems.push({ field: 'reviewers', message: 'Choose reviewers from the list: each must hold the reviewer role and not be the submitter' });
      if (chosen.some((holder) => holder.userId === actor.viewer.userId)) problems.push({ field: 'reviewers', message: 'You are screening this item, so choose two other people to review it' });
      if (item.personalDataFindings.length > 0 && !choice.personalDataChecked) {
        problems.push({ field: 'personalDataChecked', message: 'Confirm that you have checked the flagged passages and they hold no personal data about a child, or return the item' });
      }
    }
    if (problems.length > 0) throw new PracticeInputError(problems);
    const moderator = labelOf(actor.viewer);
    await this.db.transaction().execute(async (trx) => {
      const locked = await readItem(trx, id, { forUpdate: true });
      if (locked === undefined) throw new PracticeNotFoundError();
      if (locked.status !== 'submitted') throw new PracticeStateError(`This item has already been screened: it is ${statusInWords(locked.status)}.`);
      if (locked.currentVersion !== item.currentVersion) throw new PracticeStateError('The submitter sent a new version while you were screening: open it again.');
      const status: PracticeStatus = choice.decision === 'review' ? 'in-review' : choice.decision === 'return' ? 'returned' : 'rejected';
      await trx
        .updateTable('practice_item')
        .set({
          status,
          updated_at: new Date(),
          version: sql`version + 1`,
          ...(choice.decision === 'review' && locked.personalDataFindings.length > 0 ? { personal_data_cleared_by_label: moderator } : {}),
        })
        .where('id', '=', id)
        .execute();
      if (choice.decision === 'review') {
        if (locked.personalDataFindings.length > 0) await this.event(trx, id, 'personal-data-cleared', moderator, 'Flagged passages checked: no personal data about a child', false);
        await trx
          .insertInto('practice_review')
          .values(chosen.map((holder) => ({ item_id: id, version: locked.currentVersion, reviewer_user_id: holder.userId, reviewer_label: holder.displayName || holder.email, assigned_by_label: moderator })))
          .execute();
        await this.event(trx, id, 'screened', moderator, 'In scope and complete: sent to two reviewers');
        await this.event(trx, id, 'reviewers-assigned', moderator, `Reviewers: ${chosen.map((holder) => holder.displayName || holder.email).join(' and ')}`, false);
      } else {
        await this.event(trx, id, choice.decision === 'return' ? 'returned' : 'rejected', moderator, feedback);
      }
    });
    await this.audit(actor, 'practice.screen', id, { decision: choice.decision, reviewers: chosen.map((holder) => holder.userId) });
  }

  /** Replaces a reviewer who has not yet submitted (away, or conflicted). */
  async replaceReviewer(actor: Actor, id: string, outgoingId: string, incomingId: string): Promise<void> {
    require(actor.viewer, 'practice:moderate');
    const item = await readItem(this.db, id);
    if (item === undefined) throw new PracticeNotFoundError();
    const eligible = await this.eligibleReviewers(item);
    const incoming = eligible.find((holder) => holder.userId === incomingId);
    if (incoming === undefined) throw new PracticeInputError([{ field: 'reviewer', message: 'Choose a reviewer from the list: they must hold the reviewer role and not be the submitter' }]);
    const moderator = labelOf(actor.viewer);
    await this.db.transaction().execute(async (trx) => {
      const locked = await readItem(trx, id, { forUpdate: true });
      if (locked === undefined) throw new PracticeNotFoundError();
      if (locked.status !== 'in-review') throw new PracticeStateError(`Reviewers can be changed only while the item is with them: it is ${statusInWords(locked.status)}.`);
      const reviews = await readReviews(trx, id, locked.currentVersion);
      const outgoing = reviews.find((review) => review.reviewerUserId === outgoingId && review.status === 'assigned');
      if (outgoing === undefined) throw new PracticeStateError('That reviewer has already submitted, or is not reviewing this item.');
      if (reviews.some((review) => review.reviewerUserId === incomingId)) throw new PracticeInputError([{ field: 'reviewer', message: `${incoming.displayName} has already been asked to review this version` }]);
      await trx.updateTable('practice_review').set({ status: 'withdrawn' }).where('item_id', '=', id).where('version', '=', locked.currentVersion).where('reviewer_user_id', '=', outgoingId).execute();
      await trx
        .insertInto('practice_review')
        .values({ item_id: id, version: locked.currentVersion, reviewer_user_id: incoming.userId, reviewer_label: incoming.displayName || incoming.email, assigned_by_label: moderator })
        .execute();
      await trx.updateTable('practice_item').set({ updated_at: new Date(), version: sql`version + 1` }).where('id', '=', id).execute();
      await this.event(trx, id, 'reviewer-replaced', moderator, `${outgoing.reviewerLabel} replaced by ${incoming.displayName || incoming.email}`, false);
    });
    await this.audit(actor, 'practice.reviewer.replace', id, { outgoing: outgoingId, incoming: incomingId });
  }

  /**
   * A reviewer's rating, blind: neither reviewer sees the other's until both have submitted.
   * The second submission moves the item to the panel.
   */
  async submitReview(actor: Actor, id: string, rating: ReviewRating): Promise<void> {
    require(actor.viewer, 'practice:review');
    const problems: FieldProblem[] = [];
    if (!isGrade(rating.grade)) problems.push({ field: 'grade', message: 'Choose a grade: validated, promising or emerging' });
    if (rating.evidenceStrength === null || !Number.isInteger(rating.evidenceStrength) || rating.evidenceStrength < 1 || rating.evidenceStrength > 5) {
      problems.push({ field: 'evidenceStrength', message: 'Choose the strength of the evidence, from 1 to 5 padlocks' });
    }
    if (rating.studies !== null && (!Number.isInteger(rating.studies) || rating.studies < 0 || rating.studies > 10_000)) {
      problems.push({ field: 'studies', message: 'The number of studies must be a whole number, 0 or more' });
    }
    const reasons = rating.reasons.trim();
    if (reasons === '') problems.push({ field: 'reasons', message: 'Give the reasons for your rating against the criteria' });
    if (reasons.length > 8_000) problems.push({ field: 'reasons', message: 'Reasons must be 8,000 characters or fewer' });
    if (problems.length > 0) throw new PracticeInputError(problems);
    const reviewer = labelOf(actor.viewer);
    const bothIn = await this.db.transaction().execute(async (trx) => {
      const item = await readItem(trx, id, { forUpdate: true });
      if (item === undefined) throw new PracticeNotFoundError();
      const reviews = await readReviews(trx, id, item.currentVersion);
      const mine = reviews.find((review) => review.reviewerUserId === actor.viewer.userId && review.status !== 'withdrawn');
      if (mine === undefined) throw new PracticeNotFoundError();
      if (mine.status === 'submitted') throw new PracticeStateError('You have already submitted your review of this version.');
      if (item.status !== 'in-review') throw new PracticeStateError(`This item is no longer with its reviewers: it is ${statusInWords(item.status)}.`);
      await trx
        .updateTable('practice_review')
        .set({ status: 'submitted', submitted_at: new Date(), grade: rating.grade as PracticeGrade, evidence_strength: rating.evidenceStrength, studies: rating.studies, reasons })
        .where('item_id', '=', id)
        .where('version', '=', item.currentVersion)
        .where('reviewer_user_id', '=', actor.viewer.userId)
        .execute();
      await this.event(trx, id, 'reviewed', reviewer, 'Review submitted', false);
      const active = reviews.filter((review) => review.status !== 'withdrawn');
      const complete = active.every((review) => review.reviewerUserId === actor.viewer.userId || review.status === 'submitted');
      await trx
        .updateTable('practice_item')
        .set({ status: complete ? 'awaiting-decision' : 'in-review', updated_at: new Date(), version: sql`version + 1` })
        .where('id', '=', id)
        .execute();
      if (complete) await this.event(trx, id, 'reviews-complete', 'Moderation', 'Both reviews are in: waiting for the panel’s decision');
      return complete;
    });
    await this.audit(actor, 'practice.review', id, { grade: rating.grade, evidenceStrength: rating.evidenceStrength, complete: bothIn });
  }

  /** The panel's decision on the version both reviewers rated: publish with a grade, return, or reject. */
  async decide(actor: Actor, id: string, choice: DecisionChoice): Promise<void> {
    require(actor.viewer, 'practice:moderate');
    const feedback = choice.feedback.trim();
    const problems: FieldProblem[] = [];
    if (choice.outcome === 'publish') {
      if (!isGrade(choice.grade)) problems.push({ field: 'grade', message: 'Choose the grade to publish it with' });
      if (choice.evidenceStrength === null || !Number.isInteger(choice.evidenceStrength) || choice.evidenceStrength < 1 || choice.evidenceStrength > 5) {
        problems.push({ field: 'evidenceStrength', message: 'Choose the strength of the evidence, from 1 to 5 padlocks' });
      }
    }
    if (feedback === '') problems.push({ field: 'feedback', message: 'Write the feedback to the submitter' });
    if (feedback.length > 8_000) problems.push({ field: 'feedback', message: 'Feedback must be 8,000 characters or fewer' });
    if (problems.length > 0) throw new PracticeInputError(problems);
    const moderator = labelOf(actor.viewer);
    await this.db.transaction().execute(async (trx) => {
      const item = await readItem(trx, id, { forUpdate: true });
      if (item === undefined) throw new PracticeNotFoundError();
      if (item.status !== 'awaiting-decision') throw new PracticeStateError(`The panel can decide only once both reviews are in: this item is ${statusInWords(item.status)}.`);
      if (choice.outcome === 'publish' && item.personalDataFindings.length > 0 && item.personalDataClearedBy === null && !choice.personalDataChecked) {
        throw new PracticeInputError([{ field: 'personalDataChecked', message: 'Confirm that the flagged passages hold no personal data about a child before publishing' }]);
      }
      // In the order they were submitted, so the agreement line reads the same every time.
      const reviews = (await readReviews(trx, id, item.currentVersion))
        .filter((review) => review.status === 'submitted')
        .sort((a, b) => (a.submittedAt?.getTime() ?? 0) - (b.submittedAt?.getTime() ?? 0));
      const agreement = agreementOf(reviews);
      const grade = choice.outcome === 'publish' ? (choice.grade as PracticeGrade) : null;
      const strength = choice.outcome === 'publish' ? choice.evidenceStrength : null;
      await trx
        .insertInto('practice_decision')
        .values({
          item_id: id,
          version: item.currentVersion,
          outcome: choice.outcome,
          grade,
          evidence_strength: strength,
          agreement,
          feedback,
          decided_by_user_id: actor.viewer.userId,
          decided_by_label: moderator,
        })
        .execute();
      if (choice.outcome === 'publish') {
        await this.publishVersion(trx, item, grade!, strength!);
        await this.event(trx, id, 'published', moderator, `Published as ${grade}, evidence ${strength} of 5. ${agreement}.`);
      } else {
        await trx
          .updateTable('practice_item')
          .set({ status: choice.outcome === 'return' ? 'returned' : 'rejected', updated_at: new Date(), version: sql`version + 1` })
          .where('id', '=', id)
          .execute();
        await this.event(trx, id, choice.outcome === 'return' ? 'returned' : 'rejected', moderator, feedback);
      }
    });
    await this.audit(actor, 'practice.decide', id, { outcome: choice.outcome, grade: choice.grade, evidenceStrength: choice.evidenceStrength });
  }

  /** Sets the item's public facets and search words from the version the panel published. */
  private async publishVersion(trx: Db, item: PracticeItem, grade: PracticeGrade, strength: number): Promise<void> {
    const version = await trx.selectFrom('practice_version').select('content').where('item_id', '=', item.id).where('version', '=', item.currentVersion).executeTakeFirstOrThrow();
    const content = readContent(typeof version.content === 'string' ? JSON.parse(version.content) : version.content);
    if (!content.ok) throw new Error('Stored practice content does not match its schema');
    await trx
      .updateTable('practice_item')
      .set(publishedColumns(content.content, grade, strength, item.currentVersion))
      .where('id', '=', item.id)
      .execute();
    await writeSearchWords(trx, item.id, content.content);
  }
}

/** Puts a published item's words where the library's search reads them; run after `publishedColumns` are stored. */
export async function writeSearchWords(db: Db, itemId: string, content: PracticeContent): Promise<void> {
  await db
    .insertInto('practice_search')
    .columns(['item_id', 'reference', 'published_at', 'search_vector'])
    .expression((eb) => eb.selectFrom('practice_item').select(['id', 'reference', 'published_at', searchVector(content).as('search_vector')]).where('id', '=', itemId).where('status', '=', 'published'))
    .onConflict((conflict) => conflict.column('item_id').doUpdateSet((eb) => ({ reference: eb.ref('excluded.reference'), published_at: eb.ref('excluded.published_at'), search_vector: eb.ref('excluded.search_vector') })))
    .execute();
}

/** What the library's search matches and ranks: the title weighs most (A), then the summary (B), the body (C), the rest (D). */
export function searchVector(content: PracticeContent) {
  const body = [content.problem, content.whatWasDone, content.implementation, content.whatWentWrong, content.evaluation].join('\n');
  const minor = [content.partners, content.staffing, content.costNotes, ...content.results.flatMap((result) => [result.outcome, result.forWhom])].join('\n');
  return sql<string>`setweight(to_tsvector('english', ${content.title}), 'A') || setweight(to_tsvector('english', ${content.summary}), 'B') || setweight(to_tsvector('english', ${body}), 'C') || setweight(to_tsvector('english', ${minor}), 'D')`;
}

/** The columns a published item's facets read, from the content the panel published (its words are in `practice_search`). */
export function publishedColumns(content: PracticeContent, grade: PracticeGrade, strength: number, version: number) {
  const impact = itemImpact(content).overall;
  return {
    status: 'published' as const,
    published_version: version,
    grade,
    evidence_strength: strength,
    published_at: new Date(),
    updated_at: new Date(),
    title: content.title,
    groups: content.groups,
    outcomes: content.outcomes,
    threads: content.threads,
    statements: content.statements,
    tiers: content.tiers,
    setting_types: content.settingTypes,
    cost_band: contentCostBand(content),
    region_code: contentRegion(content),
    la_code: content.laCode,
    impact_months: impact === null ? null : impact.months,
    effect_size: impact === null ? null : Number(impact.value.toFixed(4)),
    version: sql<number>`version + 1`,
  };
}
