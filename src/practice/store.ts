/**
 * Reading practice items as the workflow and the pages need them. Writes live in workflow.ts,
 * where each change of status is one transaction that locks the item first.
 */
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { PracticeContent } from './content.js';
import { readContent } from './content.js';
import type { PersonalDataFinding } from './personal-data.js';
import type { DecisionOutcome, PracticeGrade, PracticeStatus, ReviewStatus } from './tables.js';

export type Db = Kysely<Schema> | Transaction<Schema>;

export interface PracticeItemHead {
  id: string;
  reference: number;
  status: PracticeStatus;
  submitterUserId: string | null;
  submitterLabel: string;
  title: string;
  currentVersion: number;
  publishedVersion: number | null;
  grade: PracticeGrade | null;
  evidenceStrength: number | null;
  personalDataFindings: PersonalDataFinding[];
  personalDataClearedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
  publishedAt: Date | null;
  version: number;
}

export interface PracticeItem extends PracticeItemHead {
  /** What the submitter is editing (or, once submitted, what they last sent). */
  draft: PracticeContent;
}

export interface PracticeVersion {
  version: number;
  content: PracticeContent;
  responseToFeedback: string;
  submittedAt: Date;
  submittedBy: string;
}

export interface PracticeReview {
  version: number;
  reviewerUserId: string;
  reviewerLabel: string;
  status: ReviewStatus;
  assignedAt: Date;
  assignedBy: string;
  submittedAt: Date | null;
  grade: PracticeGrade | null;
  evidenceStrength: number | null;
  studies: number | null;
  reasons: string;
}

export interface PracticeDecision {
  version: number;
  outcome: DecisionOutcome;
  grade: PracticeGrade | null;
  evidenceStrength: number | null;
  agreement: string;
  feedback: string;
  decidedAt: Date;
  decidedBy: string;
}

export interface PracticeEvent {
  sequence: number;
  at: Date;
  kind: string;
  actor: string;
  detail: string;
  shownToSubmitter: boolean;
}

export interface PracticeDocumentSummary {
  id: string;
  name: string;
  mediaType: string;
  sizeBytes: number;
  addedAt: Date;
}

const headColumns = [
  'id',
  'reference',
  'status',
  'submitter_user_id',
  'submitter_label',
  'title',
  'current_version',
  'published_version',
  'grade',
  'evidence_strength',
  'personal_data_findings',
  'personal_data_cleared_by_label',
  'created_at',
  'updated_at',
  'submitted_at',
  'published_at',
  'version',
] as const;

function parseJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

/** Stored content read back through the schema, so that a field added later gets its default. */
export function storedContent(value: unknown): PracticeContent {
  const read = readContent(parseJson(value));
  if (!read.ok) throw new Error(`Stored practice content does not match its schema: ${read.problems.map((problem) => problem.message).join('; ')}`);
  return read.content;
}

function headOf(row: Record<(typeof headColumns)[number], unknown>): PracticeItemHead {
  return {
    id: row.id as string,
    reference: row.reference as number,
    status: row.status as PracticeStatus,
    submitterUserId: row.submitter_user_id as string | null,
    submitterLabel: row.submitter_label as string,
    title: row.title as string,
    currentVersion: row.current_version as number,
    publishedVersion: row.published_version as number | null,
    grade: row.grade as PracticeGrade | null,
    evidenceStrength: row.evidence_strength as number | null,
    personalDataFindings: parseJson(row.personal_data_findings as PersonalDataFinding[]),
    personalDataClearedBy: row.personal_data_cleared_by_label as string | null,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
    submittedAt: row.submitted_at as Date | null,
    publishedAt: row.published_at as Date | null,
    version: row.version as number,
  };
}
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isItemId(value: string): boolean {
  return uuidPattern.test(value);
}

/** An item with its draft; `forUpdate` locks its row until the transaction ends. */
export async function readItem(db: Db, id: string, options: { forUpdate?: boolean } = {}): Promise<PracticeItem | undefined> {
  if (!isItemId(id)) return undefined;
  let query = db
    .selectFrom('practice_item')
    .select([...headColumns, 'draft'])
    .where('id', '=', id);
  if (options.forUpdate === true) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : { ...headOf(row), draft: storedContent(row.draft) };
}

export async function readVersions(db: Db, itemId: string): Promise<PracticeVersion[]> {
  const rows = await db.selectFrom('practice_version').selectAll().where('item_id', '=', itemId).orderBy('version').execute();
  return rows.map((row) => ({
    version: row.version,
    content: storedContent(row.content),
    responseToFeedback: row.response_to_feedback,
    submittedAt: row.submitted_at,
    submittedBy: row.submitted_by_label,
  }));
}

export async function readVersion(db: Db, itemId: string, version: number): Promise<PracticeVersion | undefined> {
  const row = await db.selectFrom('practice_version').selectAll().where('item_id', '=', itemId).where('version', '=', version).executeTakeFirst();
  return row === undefined
    ? undefined
    : { version: row.version, content: storedContent(row.content), responseToFeedback: row.response_to_feedback, submittedAt: row.submitted_at, submittedBy: row.submitted_by_label };
}

export async function readReviews(db: Db, itemId: string, version?: number): Promise<PracticeReview[]> {
  let query = db.selectFrom('practice_review').selectAll().where('item_id', '=', itemId);
  if (version !== undefined) query = query.where('version', '=', version);
  const rows = await query.orderBy('version').orderBy('assigned_at').orderBy('reviewer_label').execute();
  return rows.map((row) => ({
    version: row.version,
    reviewerUserId: row.reviewer_user_id,
    reviewerLabel: row.reviewer_label,
    status: row.status,
    assignedAt: row.assigned_at,
    assignedBy: row.assigned_by_label,
    submittedAt: row.submitted_at,
    grade: row.grade,
    evidenceStrength: row.evidence_strength,
    studies: row.studies,
    reasons: row.reasons,
  }));
}

export async function readDecisions(db: Db, itemId: string): Promise<PracticeDecision[]> {
  const rows = await db.selectFrom('practice_decision').selectAll().where('item_id', '=', itemId).orderBy('version').execute();
  return rows.map((row) => ({
    version: row.version,
    outcome: row.outcome,
    grade: row.grade,
    evidenceStrength: row.evidence_strength,
    agreement: row.agreement,
    feedback: row.feedback,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by_label,
  }));
}

export async function readEvents(db: Db, itemId: string, options: { submitterView?: boolean } = {}): Promise<PracticeEvent[]> {
  let query = db.selectFrom('practice_event').selectAll().where('item_id', '=', itemId);
  if (options.submitterView === true) query = query.where('shown_to_submitter', '=', true);
  const rows = await query.orderBy('sequence').execute();
  return rows.map((row) => ({ sequence: row.sequence, at: row.at, kind: row.kind, actor: row.actor_label, detail: row.detail, shownToSubmitter: row.shown_to_submitter }));
}

export async function readDocuments(db: Db, itemId: string): Promise<PracticeDocumentSummary[]> {
  const rows = await db
    .selectFrom('practice_document')
    .select(['id', 'name', 'media_type', 'size_bytes', 'added_at'])
    .where('item_id', '=', itemId)
    .where('removed_at', 'is', null)
    .orderBy('added_at')
    .execute();
  return rows.map((row) => ({ id: row.id, name: row.name, mediaType: row.media_type, sizeBytes: row.size_bytes, addedAt: row.added_at }));
}

export async function readDocumentContent(db: Db, itemId: string, documentId: string): Promise<{ name: string; mediaType: string; content: Buffer } | undefined> {
  if (!isItemId(documentId)) return undefined;
  const row = await db
    .selectFrom('practice_document')
    .select(['name', 'media_type', 'content'])
    .where('item_id', '=', itemId)
    .where('id', '=', documentId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return row === undefined ? undefined : { name: row.name, mediaType: row.media_type, content: row.content };
}

/** Items by status, newest change first: the moderation queue and the submitter's own list. */
export async function listItems(db: Db, filter: { statuses?: readonly PracticeStatus[]; submitterUserId?: string; limit?: number }): Promise<PracticeItemHead[]> {
  let query = db.selectFrom('practice_item').select([...headColumns]);
  if (filter.statuses !== undefined) query = query.where('status', 'in', filter.statuses.length > 0 ? [...filter.statuses] : ['__none__' as PracticeStatus]);
  if (filter.submitterUserId !== undefined) query = query.where('submitter_user_id', '=', filter.submitterUserId);
  const rows = await query.orderBy('updated_at', 'desc').limit(filter.limit ?? 500).execute();
  return rows.map(headOf);
}

/** How many items are in each status: the moderation dashboard's counts. */
export async function countByStatus(db: Db): Promise<Map<PracticeStatus, number>> {
  const rows = await db.selectFrom('practice_item').select(['status', sql<number>`count(*)::int`.as('count')]).groupBy('status').execute();
  return new Map(rows.map((row) => [row.status, row.count]));
}

/** Reviews assigned to a reviewer, with their items' titles, open ones first. */
export async function reviewsAssignedTo(db: Db, reviewerUserId: string) {
  return db
    .selectFrom('practice_review')
    .innerJoin('practice_item', 'practice_item.id', 'practice_review.item_id')
    .select([
      'practice_item.id',
      'practice_item.reference',
      'practice_item.status as item_status',
      'practice_review.version',
      'practice_review.status',
      'practice_review.assigned_at',
      'practice_review.submitted_at',
      sql<string>`practice_item.draft->>'title'`.as('title'),
    ])
    .where('practice_review.reviewer_user_id', '=', reviewerUserId)
    .where('practice_review.status', '<>', 'withdrawn')
    .orderBy(sql`practice_review.status = 'submitted'`)
    .orderBy('practice_review.assigned_at', 'desc')
    .limit(500)
    .execute();
}
