/**
 * Practice as each reader may see it. The submitter sees their own item, its feedback and the
 * steps shown to them; a reviewer sees the version they were assigned and, until both reviews are
 * in, only their own rating; the national team sees everything; the public sees published items
 * only, as the panel published them. Every other request gets "not found", so ids cannot be probed.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { evidenceTypeOf } from '../assessment/evidence-files.js';
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import type { AccountHolder } from '../auth/holders.js';
import type { Schema } from '../db/schema.js';
import type { Catalogue } from '../framework/catalogue.js';
import type { PracticeContent } from './content.js';
import type { ItemImpact } from './impact.js';
import { itemImpact } from './impact.js';
import type { PracticeDecision, PracticeDocumentSummary, PracticeEvent, PracticeItem, PracticeReview, PracticeVersion } from './store.js';
import { readDecisions, readDocumentContent, readDocuments, readEvents, readItem, readReviews, readVersion, readVersions } from './store.js';
import { practiceVocabulary } from './vocabulary.js';
import type { Actor } from './workflow.js';
import { PracticeInputError, PracticeNotFoundError, PracticeStateError, PracticeWorkflow } from './workflow.js';

export interface SubmitterView {
  item: PracticeItem;
  versions: PracticeVersion[];
  /** The panel's and the screener's feedback, newest last (never the reviewers' own words). */
  decisions: Pick<PracticeDecision, 'version' | 'outcome' | 'grade' | 'evidenceStrength' | 'feedback' | 'decidedAt'>[];
  events: PracticeEvent[];
  documents: PracticeDocumentSummary[];
}

export interface ModeratorView extends SubmitterView {
  reviews: PracticeReview[];
  decisions: PracticeDecision[];
  eligibleReviewers: AccountHolder[];
  impact: ItemImpact;
}

export interface ReviewerView {
  item: PracticeItem;
  version: PracticeVersion;
  impact: ItemImpact;
  mine: PracticeReview;
  /** The other reviewer's rating: null until both have submitted. */
  other: PracticeReview | null;
  documents: PracticeDocumentSummary[];
}

export interface PublishedView {
  id: string;
  reference: number;
  content: PracticeContent;
  grade: NonNullable<PracticeItem['grade']>;
  evidenceStrength: number;
  publishedAt: Date;
  submittedAt: Date | null;
  submitter: string;
  impact: ItemImpact;
  /** The panel's decision that published it: its agreement line and date. */
  decision: { agreement: string; decidedAt: Date } | null;
  documents: PracticeDocumentSummary[];
  /** The public trail: when it was submitted, reviewed, resubmitted and published. */
  trail: { at: Date; what: string }[];
}

const publicTrailKinds: Record<string, string> = {
  submitted: 'Submitted to the call for evidence',
  resubmitted: 'Revised and resubmitted',
  screened: 'Screened by the national team and sent to two reviewers',
  'reviews-complete': 'Reviewed independently by two reviewers',
  published: 'Graded and published by the moderation panel',
};

export interface DocumentLimits {
  bytes: number;
  perItem: number;
}

export class PracticeService {
  readonly workflow: PracticeWorkflow;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly catalogue: Catalogue,
    private readonly documentLimits: DocumentLimits,
  ) {
    this.workflow = new PracticeWorkflow(db, () => practiceVocabulary(db, catalogue));
  }

  async submitterView(viewer: Viewer, id: string): Promise<SubmitterView> {
    if (!viewer.signedIn) throw new PracticeNotFoundError();
    const item = await readItem(this.db, id);
    if (item === undefined || item.submitterUserId !== viewer.userId) throw new PracticeNotFoundError();
    const [versions, decisions, events, documents] = await Promise.all([
      readVersions(this.db, id),
      readDecisions(this.db, id),
      readEvents(this.db, id, { submitterView: true }),
      readDocuments(this.db, id),
    ]);
    return {
      item,
      versions,
      decisions: decisions.map(({ version, outcome, grade, evidenceStrength, feedback, decidedAt }) => ({ version, outcome, grade, evidenceStrength, feedback, decidedAt })),
      events,
      documents,
    };
  }

  async moderatorView(viewer: Viewer, id: string): Promise<ModeratorView> {
    if (!viewerMay(viewer, 'practice:moderate')) throw new PracticeNotFoundError();
    const item = await readItem(this.db, id);
    if (item === undefined || item.status === 'draft') throw new PracticeNotFoundError();
    const [versions, reviews, decisions, events, documents, eligibleReviewers] = await Promise.all([
      readVersions(this.db, id),
      readReviews(this.db, id),
      readDecisions(this.db, id),
      readEvents(this.db, id),
      readDocuments(this.db, id),
      this.workflow.eligibleReviewers(item),
    ]);
    const current = versions.find((version) => version.version === item.currentVersion);
    return { item, versions, reviews, decisions, events, documents, eligibleReviewers, impact: itemImpact(current?.content ?? item.draft) };
  }

  async reviewerView(viewer: Viewer, id: string): Promise<ReviewerView> {
    if (!viewer.signedIn || !viewerMay(viewer, 'practice:review')) throw new PracticeNotFoundError();
    const item = await readItem(this.db, id);
    if (item === undefined) throw new PracticeNotFoundError();
    const reviews = (await readReviews(this.db, id)).filter((review) => review.status !== 'withdrawn');
    const mine = reviews.filter((review) => review.reviewerUserId === viewer.userId).at(-1);
    if (mine === undefined) throw new PracticeNotFoundError();
    const sameVersion = reviews.filter((review) => review.version === mine.version);
    const bothIn = sameVersion.length >= 2 && sameVersion.every((review) => review.status === 'submitted');
    const other = bothIn ? (sameVersion.find((review) => review.reviewerUserId !== viewer.userId) ?? null) : null;
    const [version, documents] = await Promise.all([readVersion(this.db, id, mine.version), readDocuments(this.db, id)]);
    if (version === undefined) throw new PracticeNotFoundError();
    return { item, version, impact: itemImpact(version.content), mine, other, documents };
  }

  /** A published item as the public reads it; anything else is not found. */
  async publishedView(id: string): Promise<PublishedView> {
    const item = await readItem(this.db, id);
    if (item === undefined || item.status !== 'published' || item.publishedVersion === null || item.grade === null || item.evidenceStrength === null) throw new PracticeNotFoundError();
    const [version, decisions, events, documents] = await Promise.all([
      readVersion(this.db, id, item.publishedVersion),
      readDecisions(this.db, id),
      readEvents(this.db, id),
      readDocuments(this.db, id),
    ]);
    if (version === undefined) throw new PracticeNotFoundError();
    const decision = decisions.find((entry) => entry.version === item.publishedVersion && entry.outcome === 'publish');
    const content = version.content;
    return {
      id: item.id,
      reference: item.reference,
      content: content.contactPublic ? content : { ...content, contactName: '', contactEmail: '' },
      grade: item.grade,
      evidenceStrength: item.evidenceStrength,
      publishedAt: item.publishedAt ?? version.submittedAt,
      submittedAt: item.submittedAt,
      submitter: content.contactPublic ? item.submitterLabel : '',
      impact: itemImpact(content),
      decision: decision === undefined ? null : { agreement: decision.agreement, decidedAt: decision.decidedAt },
      documents,
      trail: events.flatMap((event) => (publicTrailKinds[event.kind] === undefined ? [] : [{ at: event.at, what: publicTrailKinds[event.kind]! }])),
    };
  }

  /**
   * A document attached to an item: the submitter while they may edit it, and anyone once it is
   * published. Its type is judged by its content; its size is limited.
   */
  async addDocument(actor: Actor, id: string, name: string, content: Buffer): Promise<string> {
    // eslint-disable-next-line no-control-regex
    const cleanName = name.replace(/[\\/\x00-\x1f]/g, '_').slice(0, 200) || 'document';
    if (content.length === 0) throw new PracticeInputError([{ field: 'document', message: `${cleanName} is empty` }]);
    if (content.length > this.documentLimits.bytes) {
      throw new PracticeInputError([{ field: 'document', message: `${cleanName} is larger than the ${Math.round(this.documentLimits.bytes / 1_048_576)} MB a document may be` }]);
    }
    const type = await evidenceTypeOf(cleanName, content);
    // The check's message names the file and the types allowed.
    if (!type.ok) throw new PracticeInputError([{ field: 'document', message: type.message }]);
    const documentId = await this.db.transaction().execute(async (trx) => {
      const item = await readItem(trx, id, { forUpdate: true });
      if (item === undefined || item.submitterUserId !== actor.viewer.userId) throw new PracticeNotFoundError();
      if (item.status !== 'draft' && item.status !== 'returned') throw new PracticeStateError('Documents can be added only while the item is a draft or has been returned to you.');
      const count = await trx
        .selectFrom('practice_document')
        .select(sql<number>`count(*)::int`.as('count'))
        .where('item_id', '=', id)
        .where('removed_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (count.count >= this.documentLimits.perItem) throw new PracticeInputError([{ field: 'document', message: `An item may have at most ${this.documentLimits.perItem} documents: remove one first` }]);
      const row = await trx
        .insertInto('practice_document')
        .values({
          item_id: id,
          name: cleanName,
          media_type: type.mediaType,
          size_bytes: content.length,
          sha256: createHash('sha256').update(content).digest('hex'),
          content,
          added_by_label: actor.viewer.displayName || actor.viewer.email,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx.insertInto('practice_event').values({ item_id: id, kind: 'document-added', actor_label: actor.viewer.displayName || actor.viewer.email, detail: cleanName }).execute();
      return row.id;
    });
    return documentId;
  }

  async removeDocument(actor: Actor, id: string, documentId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const item = await readItem(trx, id, { forUpdate: true });
      if (item === undefined || item.submitterUserId !== actor.viewer.userId) throw new PracticeNotFoundError();
      if (item.status !== 'draft' && item.status !== 'returned') throw new PracticeStateError('Documents can be removed only while the item is a draft or has been returned to you.');
      const removed = await trx
        .updateTable('practice_document')
        .set({ removed_at: new Date() })
        .where('item_id', '=', id)
        .where('id', '=', documentId)
        .where('removed_at', 'is', null)
        .returning('name')
        .executeTakeFirst();
      if (removed === undefined) throw new PracticeNotFoundError();
      await trx.insertInto('practice_event').values({ item_id: id, kind: 'document-removed', actor_label: actor.viewer.displayName || actor.viewer.email, detail: removed.name }).execute();
    });
  }

  /**
   * A document's bytes for a reader who may see the item: the public for a published item, the
   * submitter, the national team, and its reviewers.
   */
  async document(viewer: Viewer, id: string, documentId: string): Promise<{ name: string; mediaType: string; content: Buffer }> {
    const item = await readItem(this.db, id);
    if (item === undefined) throw new PracticeNotFoundError();
    const allowed =
      item.status === 'published' ||
      (viewer.signedIn && item.submitterUserId === viewer.userId) ||
      (viewerMay(viewer, 'practice:moderate') && item.status !== 'draft') ||
      (viewer.signedIn && viewerMay(viewer, 'practice:review') && (await readReviews(this.db, id)).some((review) => review.reviewerUserId === viewer.userId && review.status !== 'withdrawn'));
    if (!allowed) throw new PracticeNotFoundError();
    const document = await readDocumentContent(this.db, id, documentId);
    if (document === undefined) throw new PracticeNotFoundError();
    return document;
  }
}
