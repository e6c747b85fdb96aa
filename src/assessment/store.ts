/**
 * Assessments in the database: starting one (copying the wording it rates and carrying the last
 * period's ratings forward), listing, reading, and saving a rating under its version.
 */
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Schema } from '../db/schema.js';
import type { FrameworkStatement } from '../framework/revisions.js';
import { RecentlyUsed, deepFreeze, mayKeep } from './read-cache.js';
import { progressOf } from './sections.js';
import type { AssessmentScope, AssessmentStatus, Confidence, EvidenceLink } from './tables.js';
import { blindStatuses } from './tables.js';

type Db = Kysely<Schema> | Transaction<Schema>;

/** Who made a change, as the history shows it. */
export interface Author {
  userId: string | null;
  label: string;
}

export interface AssessmentSummary {
  id: string;
  laCode: string;
  organisationId: string;
  organisationName: string;
  organisationKind: string;
  scope: AssessmentScope;
  period: string;
  status: AssessmentStatus;
  catalogueVersion: string;
  catalogueRevision: number;
  ownerLabel: string;
  createdAt: Date;
  submittedAt: Date | null;
  signedOffAt: Date | null;
  signedOffBy: string | null;
  previousId: string | null;
  version: number;
  /** Statements with a level or "not applicable" that were not merely carried forward. */
  rated: number;
  total: number;
}

export interface AssessmentStatementRow {
  id: string;
  position: number;
  kind: string;
  template: number | null;
  layer: string | null;
  tier: string | null;
  thread: string | null;
  parentId: string | null;
  text: string;
}

export interface EvidenceFileSummary {
  id: string;
  statementId: string;
  filename: string;
  mediaType: string;
  sizeBytes: number;
  uploadedBy: string;
  uploadedAt: Date;
  carriedForward: boolean;
}

/** A rating as stored. `version` 0 means "never rated": the version a first save names. */
export interface Rating extends RatingFields {
  statementId: string;
  carriedForward: boolean;
  version: number;
  updatedBy: string | null;
  updatedAt: Date | null;
}

export interface Assessment extends AssessmentSummary {
  statements: AssessmentStatementRow[];
  /** One per statement, in statement order; unrated statements have version 0. */
  ratings: Rating[];
  evidence: EvidenceFileSummary[];
}

/** What a rating form or API call sets. */
export interface RatingFields {
  level: number | null;
  notApplicable: boolean;
  notApplicableReason: string;
  note: string;
  links: EvidenceLink[];
  confidence: Confidence | null;
  nextStep: string;
  nextStepOwner: string;
  nextStepDue: string | null;
}

/** A save that started from an older version than the one stored: nothing was written. */
export class RatingConflictError extends Error {
  constructor(readonly current: Rating) {
    super(`The rating of ${current.statementId} was changed by ${current.updatedBy ?? 'someone else'} since you opened it`);
    this.name = 'RatingConflictError';
  }
}

/** A change to an assessment that its status no longer allows (a signed-off one is read-only). */
export class AssessmentLockedError extends Error {
  constructor(readonly status: AssessmentStatus) {
    super(status === 'signed-off' ? 'This assessment has been signed off and can no longer be changed' : 'This assessment has been submitted for sign-off; it can be changed again only if it is returned');
    this.name = 'AssessmentLockedError';
  }
}

export function unrated(statementId: string): Rating {
  return {
    statementId,
    level: null,
    notApplicable: false,
    notApplicableReason: '',
    note: '',
    links: [],
    confidence: null,
    nextStep: '',
    nextStepOwner: '',
    nextStepDue: null,
    carriedForward: false,
    version: 0,
    updatedBy: null,
    updatedAt: null,
  };
}

function parseJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/** An assessment's own row with its organisation: what every read starts from. */
function assessmentHeads(db: Db) {
  return db
    .selectFrom('assessment as a')
    .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
    .select([
      'a.id',
      'a.la_code',
      'a.organisation_id',
      'o.name as organisation_name',
      'o.kind as organisation_kind',
      'a.scope',
      'a.period',
      'a.status',
      'a.catalogue_version',
      'a.catalogue_revision',
      'a.owner_label',
      'a.created_at',
      'a.submitted_at',
      'a.signed_off_at',
      'a.signed_off_by_label',
      'a.previous_id',
      'a.version',
    ]);
}

/** The assessment list's query: each assessment with its organisation and how many statements are rated. */
function summaries(db: Db) {
  return assessmentHeads(db).select((eb) => [
    eb
      .selectFrom('assessment_rating as r')
      .select(eb.fn.countAll<string>().as('n'))
      .whereRef('r.la_code', '=', 'a.la_code')
      .whereRef('r.assessment_id', '=', 'a.id')
      .where('r.carried_forward', '=', false)
      .where((w) => w.or([w('r.level', 'is not', null), w('r.not_applicable', '=', true)]))
      .as('rated'),
    eb
      .selectFrom('assessment_statement as s')
      .select(eb.fn.countAll<string>().as('n'))
      .whereRef('s.la_code', '=', 'a.la_code')
      .whereRef('s.assessment_id', '=', 'a.id')
      .as('total'),
  ]);
}

type HeadRow = Awaited<ReturnType<ReturnType<typeof assessmentHeads>['execute']>>[number];

function summaryOf(row: HeadRow & { rated: string | number | null; total: string | number | null }): AssessmentSummary {
  return {
    id: row.id,
    laCode: row.la_code,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    organisationKind: row.organisation_kind,
    scope: row.scope,
    period: row.period,
    status: row.status,
    catalogueVersion: row.catalogue_version,
    catalogueRevision: row.catalogue_revision,
    ownerLabel: row.owner_label,
    createdAt: row.created_at,
    submittedAt: row.submitted_at,
    signedOffAt: row.signed_off_at,
    signedOffBy: row.signed_off_by_label,
    previousId: row.previous_id,
    version: row.version,
    rated: Number(row.rated ?? 0),
    total: Number(row.total ?? 0),
  };
}

export interface AssessmentFilter {
  /** Authorities whose assessments (of any of their organisations) to list. */
  laCodes?: readonly string[];
  /** Only these organisations' assessments. */
  organisationIds?: readonly string[];
  scope?: AssessmentScope;
  period?: string;
  status?: AssessmentStatus;
}

/** Assessments matching the filter: most recent period first, then organisation and scope. */
export async function listAssessments(db: Db, filter: AssessmentFilter): Promise<AssessmentSummary[]> {
  if (filter.laCodes?.length === 0 || filter.organisationIds?.length === 0) return [];
  let query = summaries(db);
  if (filter.laCodes !== undefined) query = query.where('a.la_code', 'in', filter.laCodes);
  if (filter.organisationIds !== undefined) query = query.where('a.organisation_id', 'in', filter.organisationIds);
  if (filter.scope !== undefined) query = query.where('a.scope', '=', filter.scope);
  if (filter.period !== undefined) query = query.where('a.period', '=', filter.period);
  if (filter.status !== undefined) query = query.where('a.status', '=', filter.status);
  const rows = await query.orderBy('a.period', 'desc').orderBy('o.name').orderBy('a.scope').execute();
  return rows.map(summaryOf);
}

/** Whether `readerId` is moderating the assessment `a` blind, and so may not see its self-ratings (never, for no reader). */
function readerModeratesBlind(eb: ExpressionBuilder<Schema & { a: Schema['assessment'] }, 'a'>, readerId: string | null) {
  if (readerId === null) return sql<boolean>`false`.as('reader_moderates_blind');
  return eb
    .exists(
      eb
        .selectFrom('assessment_moderation as m')
        .select('m.id')
        .whereRef('m.la_code', '=', 'a.la_code')
        .whereRef('m.assessment_id', '=', 'a.id')
        .where('m.moderator_user_id', '=', readerId)
        .where('m.status', 'in', [...blindStatuses]),
    )
    .as('reader_moderates_blind');
}

/** What a reader of an organisation's signed-off assessments needs without their ratings counted: whose each is, its scope, period and predecessor. */
export type SignedOffHead = Pick<AssessmentSummary, 'id' | 'laCode' | 'organisationId' | 'scope' | 'period' | 'previousId'> & {
  /** `readerId` moderates it blind, so may not see its self-ratings. */
  readerModeratesBlind: boolean;
};

/**
 * An organisation's signed-off assessments, newest period first, in one query that counts
 * nothing: for pages that weigh ratings (an improvement plan) rather than list assessments.
 */
export async function signedOffHeads(db: Db, organisationId: string, readerId: string | null): Promise<SignedOffHead[]> {
  const rows = await db
    .selectFrom('assessment as a')
    .select((eb) => [
      'a.id',
      'a.la_code',
      'a.organisation_id',
      'a.scope',
      'a.period',
      'a.previous_id',
      readerModeratesBlind(eb, readerId),
    ])
    .where('a.organisation_id', '=', organisationId)
    .where('a.status', '=', 'signed-off')
    .orderBy('a.period', 'desc')
    .orderBy('a.scope')
    .execute();
  return rows.map((row) => ({ id: row.id, laCode: row.la_code, organisationId: row.organisation_id, scope: row.scope, period: row.period, previousId: row.previous_id, readerModeratesBlind: Boolean(row.reader_moderates_blind) }));
}

/** Whose an assessment is and whether it is open, without counting its ratings: what a save needs to check. */
export async function readAssessmentOwner(db: Db, id: string): Promise<{ id: string; laCode: string; organisationId: string; status: AssessmentStatus } | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('assessment').select(['id', 'la_code', 'organisation_id', 'status']).where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : { id: row.id, laCode: row.la_code, organisationId: row.organisation_id, status: row.status };
}

/** Whose an assessment is, whether it is open, and whether `statementId` is one it rates: what a change to one statement checks first. */
export async function readStatementOwner(db: Db, id: string, statementId: string): Promise<{ id: string; laCode: string; organisationId: string; status: AssessmentStatus; ratesStatement: boolean } | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db
    .selectFrom('assessment as a')
    .select((eb) => [
      'a.id',
      'a.la_code',
      'a.organisation_id',
      'a.status',
      eb
        .exists(eb.selectFrom('assessment_statement as s').select('s.statement_id').whereRef('s.la_code', '=', 'a.la_code').whereRef('s.assessment_id', '=', 'a.id').where('s.statement_id', '=', statementId))
        .as('rates_statement'),
    ])
    .where('a.id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : { id: row.id, laCode: row.la_code, organisationId: row.organisation_id, status: row.status, ratesStatement: Boolean(row.rates_statement) };
}

/** One assessment's summary, or undefined when there is none with that id. */
export async function readAssessmentSummary(db: Db, id: string): Promise<AssessmentSummary | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await summaries(db).where('a.id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : summaryOf(row);
}

function ratingOf(row: {
  statement_id: string;
  level: number | null;
  not_applicable: boolean;
  not_applicable_reason: string;
  note: string;
  links: EvidenceLink[] | string;
  confidence: Confidence | null;
  next_step: string;
  next_step_owner: string;
  next_step_due: string | null;
  carried_forward: boolean;
  version: number;
  updated_by_label: string;
  updated_at: Date;
}): Rating {
  return {
    statementId: row.statement_id,
    level: row.level,
    notApplicable: row.not_applicable,
    notApplicableReason: row.not_applicable_reason,
    note: row.note,
    links: parseJson(row.links),
    confidence: row.confidence,
    nextStep: row.next_step,
    nextStepOwner: row.next_step_owner,
    nextStepDue: row.next_step_due,
    carriedForward: row.carried_forward,
    version: row.version,
    updatedBy: row.updated_by_label,
    updatedAt: row.updated_at,
  };
}

/** A rating's columns as a Rating is made from them. */
const ratingColumnList = [
  'statement_id',
  'level',
  'not_applicable',
  'not_applicable_reason',
  'note',
  'links',
  'confidence',
  'next_step',
  'next_step_owner',
  sql<string | null>`next_step_due::text`.as('next_step_due'),
  'carried_forward',
  'version',
  'updated_by_label',
  'updated_at',
] as const;

function ratingColumns(db: Db) {
  return db.selectFrom('assessment_rating').select(ratingColumnList);
}

/** One statement's rating as stored (version 0 when never rated). */
export async function readRating(db: Db, laCode: string, assessmentId: string, statementId: string): Promise<Rating> {
  const row = await ratingColumns(db).where('la_code', '=', laCode).where('assessment_id', '=', assessmentId).where('statement_id', '=', statementId).executeTakeFirst();
  return row === undefined ? unrated(statementId) : ratingOf(row);
}

/** The wording an assessment rates, in order. */
async function readWording(db: Db, laCode: string, id: string): Promise<readonly AssessmentStatementRow[]> {
  const rows = await db
    .selectFrom('assessment_statement')
    .select(['statement_id', 'position', 'kind', 'template', 'layer', 'tier', 'thread', 'parent_id', 'text'])
    .where('la_code', '=', laCode)
    .where('assessment_id', '=', id)
    .orderBy('position')
    .execute();
  return rows.map((row) => ({
    id: row.statement_id,
    position: row.position,
    kind: row.kind,
    template: row.template,
    layer: row.layer,
    tier: row.tier,
    thread: row.thread,
    parentId: row.parent_id,
    text: row.text,
  }));
}

const wordingKept = new RecentlyUsed<readonly AssessmentStatementRow[]>(200);
const ratingsKept = new RecentlyUsed<{ stamp: string; ratings: ReadonlyMap<string, Rating> }>(200);

async function keptWording(db: Db, laCode: string, id: string): Promise<readonly AssessmentStatementRow[]> {
  const kept = wordingKept.get(id);
  if (kept !== undefined) return kept;
  const wording = deepFreeze(await readWording(db, laCode, id));
  if (mayKeep(db)) wordingKept.set(id, wording);
  return wording;
}

/** The assessment's ratings by statement, read again only when `stamp` (taken before) differs from the kept one's. */
async function keptRatings(db: Db, laCode: string, id: string, stamp: string): Promise<ReadonlyMap<string, Rating>> {
  const kept = ratingsKept.get(id);
  if (kept?.stamp === stamp) return kept.ratings;
  const rows = await ratingColumns(db).where('la_code', '=', laCode).where('assessment_id', '=', id).execute();
  const ratings = new Map(rows.map((row) => [row.statement_id, deepFreeze(ratingOf(row))]));
  if (mayKeep(db)) ratingsKept.set(id, { stamp, ratings });
  return ratings;
}

/**
 * An assessment's row with its evidence files and, for a reader, whether they moderate it blind:
 * one round trip, since every page that shows an assessment starts here.
 */
function assessmentWithEvidence(db: Db, id: string, readerId: string | null) {
  return assessmentHeads(db)
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('assessment_evidence_file as f')
          .select(['f.id', 'f.statement_id', 'f.filename', 'f.media_type', 'f.size_bytes', 'f.uploaded_by_label', 'f.uploaded_at', 'f.carried_from'])
          .whereRef('f.la_code', '=', 'a.la_code')
          .whereRef('f.assessment_id', '=', 'a.id')
          .orderBy('f.uploaded_at')
          .orderBy('f.id'),
      ).as('evidence'),
      readerModeratesBlind(eb, readerId),
      eb
        .selectFrom('assessment_rating as r')
        .select(sql<string>`count(*) || ':' || coalesce(sum(r.version), 0)`.as('stamp'))
        .whereRef('r.la_code', '=', 'a.la_code')
        .whereRef('r.assessment_id', '=', 'a.id')
        .as('ratings_stamp'),
    ])
    .where('a.id', '=', id);
}

/**
 * An assessment with its statements (the wording it rates), every rating and its evidence files,
 * and whether `readerId` is moderating it blind (and so may not see it).
 */
export async function readAssessmentAs(db: Db, id: string, readerId: string | null): Promise<{ assessment: Assessment; readerModeratesBlind: boolean } | undefined> {
  if (!isUuid(id)) return undefined;
  const head = await assessmentWithEvidence(db, id, readerId).executeTakeFirst();
  if (head === undefined) return undefined;
  const [statements, kept] = await Promise.all([keptWording(db, head.la_code, id), keptRatings(db, head.la_code, id, head.ratings_stamp ?? '')]);
  const ratings = statements.map((statement) => kept.get(statement.id) ?? unrated(statement.id));
  const assessment: Assessment = {
    // Counted here from the rows already read, by the rule the pages show, rather than by the database a second time.
    ...summaryOf({ ...head, rated: progressOf(ratings).rated, total: statements.length }),
    statements: [...statements],
    ratings,
    evidence: head.evidence.map((file) => ({
      id: file.id,
      statementId: file.statement_id,
      filename: file.filename,
      mediaType: file.media_type,
      sizeBytes: file.size_bytes,
      uploadedBy: file.uploaded_by_label,
      // JSON carries a timestamp as text.
      uploadedAt: new Date(file.uploaded_at),
      carriedForward: file.carried_from !== null,
    })),
  };
  return { assessment, readerModeratesBlind: Boolean(head.reader_moderates_blind) };
}

/** An assessment with its statements (the wording it rates), every rating and its evidence files. */
export async function readAssessment(db: Db, id: string): Promise<Assessment | undefined> {
  return (await readAssessmentAs(db, id, null))?.assessment;
}

export interface NewAssessment {
  laCode: string;
  organisationId: string;
  scope: AssessmentScope;
  period: string;
  catalogueVersion: string;
  catalogueRevision: number;
  /** The wording to rate, in order: the scope's statements at the catalogue revision. */
  statements: readonly FrameworkStatement[];
}

/** A statement's wording as an assessment keeps it: a row of assessment_statement. */
export function statementRowOf(laCode: string, assessmentId: string, statement: FrameworkStatement, position: number) {
  return {
    la_code: laCode,
    assessment_id: assessmentId,
    statement_id: statement.id,
    position,
    kind: statement.kind,
    template: statement.template,
    layer: statement.layer,
    tier: statement.tier,
    thread: statement.thread,
    parent_id: statement.parentId,
    text: statement.text,
  };
}

/** An organisation already has an assessment of this scope for this period. */
export class DuplicateAssessmentError extends Error {
  constructor(readonly existingId: string) {
    super('This organisation already has an assessment of this scope for this period');
    this.name = 'DuplicateAssessmentError';
  }
}

/**
 * Starts an assessment: copies the wording of every statement in scope, and carries forward the
 * ratings, next steps and evidence of the organisation's latest earlier assessment of the same
 * scope (marked "carried forward" until someone rates the statement again). Statements that are new
 * since then start unrated; retired ones are not carried.
 */
export async function createAssessment(db: Kysely<Schema>, assessment: NewAssessment, owner: Author): Promise<string> {
  return db.transaction().execute(async (transaction) => {
    const existing = await transaction
      .selectFrom('assessment')
      .select('id')
      .where('organisation_id', '=', assessment.organisationId)
      .where('scope', '=', assessment.scope)
      .where('period', '=', assessment.period)
      .executeTakeFirst();
    if (existing !== undefined) throw new DuplicateAssessmentError(existing.id);
    const previous = await transaction
      .selectFrom('assessment')
      .select('id')
      .where('organisation_id', '=', assessment.organisationId)
      .where('scope', '=', assessment.scope)
      .where('period', '<', assessment.period)
      .orderBy('period', 'desc')
      .limit(1)
      .executeTakeFirst();
    const { id } = await transaction
      .insertInto('assessment')
      .values({
        la_code: assessment.laCode,
        organisation_id: assessment.organisationId,
        scope: assessment.scope,
        period: assessment.period,
        catalogue_version: assessment.catalogueVersion,
        catalogue_revision: assessment.catalogueRevision,
        previous_id: previous?.id ?? null,
        owner_user_id: owner.userId,
        owner_label: owner.label,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const rows = assessment.statements.map((statement, position) => statementRowOf(assessment.laCode, id, statement, position));
    for (let start = 0; start < rows.length; start += 500) {
      await transaction.insertInto('assessment_statement').values(rows.slice(start, start + 500)).execute();
    }
    if (previous !== undefined) await carryForward(transaction, assessment.laCode, previous.id, id, owner);
    return id;
  });
}

/** Copies the previous assessment's ratings and evidence onto the statements the new one shares with it. */
async function carryForward(transaction: Transaction<Schema>, laCode: string, fromId: string, toId: string, owner: Author): Promise<void> {
  await sql`
    insert into assessment_rating (la_code, assessment_id, statement_id, level, not_applicable, not_applicable_reason, note, links,
      confidence, next_step, next_step_owner, next_step_due, carried_forward, updated_by, updated_by_label)
    select r.la_code, ${toId}::uuid, r.statement_id, r.level, r.not_applicable, r.not_applicable_reason, r.note, r.links,
      r.confidence, r.next_step, r.next_step_owner, r.next_step_due, true, ${owner.userId}::uuid, ${owner.label}
    from assessment_rating r
    join assessment_statement s on s.la_code = r.la_code and s.assessment_id = ${toId}::uuid and s.statement_id = r.statement_id
    where r.la_code = ${laCode} and r.assessment_id = ${fromId}::uuid`.execute(transaction);
  await sql`
    insert into assessment_evidence_file (la_code, assessment_id, statement_id, filename, media_type, size_bytes, sha256, content,
      carried_from, uploaded_by, uploaded_by_label, uploaded_at)
    select f.la_code, ${toId}::uuid, f.statement_id, f.filename, f.media_type, f.size_bytes, f.sha256, f.content,
      f.id, f.uploaded_by, f.uploaded_by_label, f.uploaded_at
    from assessment_evidence_file f
    join assessment_statement s on s.la_code = f.la_code and s.assessment_id = ${toId}::uuid and s.statement_id = f.statement_id
    where f.la_code = ${laCode} and f.assessment_id = ${fromId}::uuid`.execute(transaction);
}

/**
 * Locks the assessment row for the rest of the transaction (shared: saves do not wait for each
 * other, but a sign-off waits for them and they for it) and refuses a change unless it is in progress.
 */
export async function lockOpenAssessment(transaction: Transaction<Schema>, laCode: string, assessmentId: string): Promise<void> {
  const row = await transaction.selectFrom('assessment').select('status').where('la_code', '=', laCode).where('id', '=', assessmentId).forShare().executeTakeFirst();
  if (row === undefined) throw new Error(`No assessment ${assessmentId} in ${laCode}`);
  if (row.status !== 'in-progress') throw new AssessmentLockedError(row.status);
}

/**
 * Saves one statement's rating if it is still at `expectedVersion` (0: never rated) and the
 * assessment is in progress, in one statement: two saves cannot both pass the version check, and
 * the assessment row is share-locked while it runs, so a sign-off waits for the save and a save for
 * the sign-off. A stale save changes nothing and throws RatingConflictError carrying what is stored
 * now; a save to an assessment no longer in progress throws AssessmentLockedError.
 */
export async function saveRating(
  db: Kysely<Schema>,
  target: { laCode: string; assessmentId: string; statementId: string; expectedVersion: number },
  fields: RatingFields,
  author: Author,
): Promise<Rating> {
  const level = fields.notApplicable ? null : fields.level;
  const reason = fields.notApplicable ? fields.notApplicableReason : '';
  const links = JSON.stringify(fields.links);
  const now = new Date();
  const saved =
    target.expectedVersion === 0
      ? await db
          .insertInto('assessment_rating')
          .columns(['la_code', 'assessment_id', 'statement_id', 'level', 'not_applicable', 'not_applicable_reason', 'note', 'links', 'confidence', 'next_step', 'next_step_owner', 'next_step_due', 'carried_forward', 'updated_by', 'updated_by_label', 'updated_at'])
          .expression(
            sql`select a.la_code, a.id, ${target.statementId}, ${level}::integer, ${fields.notApplicable}, ${reason}, ${fields.note}, ${links}::jsonb,
              ${fields.confidence}::text, ${fields.nextStep}, ${fields.nextStepOwner}, ${fields.nextStepDue}::date, false, ${author.userId}::uuid, ${author.label}, ${now}::timestamptz
            from assessment a
            where a.la_code = ${target.laCode} and a.id = ${target.assessmentId}::uuid and a.status = 'in-progress'
            for share`,
          )
          .onConflict((conflict) => conflict.columns(['la_code', 'assessment_id', 'statement_id']).doNothing())
          .returning(ratingColumnList)
          .executeTakeFirst()
      : await db
          .updateTable('assessment_rating')
          .set((eb) => ({
            level,
            not_applicable: fields.notApplicable,
            not_applicable_reason: reason,
            note: fields.note,
            links,
            confidence: fields.confidence,
            next_step: fields.nextStep,
            next_step_owner: fields.nextStepOwner,
            next_step_due: fields.nextStepDue,
            carried_forward: false,
            updated_by: author.userId,
            updated_by_label: author.label,
            updated_at: now,
            version: eb('version', '+', 1),
          }))
          .where('la_code', '=', target.laCode)
          .where('assessment_id', '=', target.assessmentId)
          .where('statement_id', '=', target.statementId)
          .where('version', '=', target.expectedVersion)
          .where((eb) => eb.exists(eb.selectFrom('assessment').select('id').where('la_code', '=', target.laCode).where('id', '=', target.assessmentId).where('status', '=', 'in-progress').forShare()))
          .returning(ratingColumnList)
          .executeTakeFirst();
  if (saved !== undefined) return ratingOf(saved);
  // Nothing was written: say why, from what is stored now.
  const status = await db.selectFrom('assessment').select('status').where('la_code', '=', target.laCode).where('id', '=', target.assessmentId).executeTakeFirst();
  if (status === undefined) throw new Error(`No assessment ${target.assessmentId} in ${target.laCode}`);
  if (status.status !== 'in-progress') throw new AssessmentLockedError(status.status);
  throw new RatingConflictError(await readRating(db, target.laCode, target.assessmentId, target.statementId));
}

/**
 * The levels some assessments gave some statements (null: not applicable, or not rated): what an
 * improvement plan shows of the statements it links to, without reading whole assessments.
 * The caller has checked the reader may read these assessments.
 */
export async function levelsOf(db: Db, laCode: string, assessmentIds: readonly string[], statementIds: readonly string[]): Promise<{ assessmentId: string; statementId: string; level: number | null }[]> {
  const ids = assessmentIds.filter(isUuid);
  if (ids.length === 0 || statementIds.length === 0) return [];
  const rows = await db
    .selectFrom('assessment_rating')
    .select(['assessment_id', 'statement_id', 'level', 'not_applicable'])
    .where('la_code', '=', laCode)
    .where('assessment_id', 'in', ids)
    .where('statement_id', 'in', [...statementIds])
    .execute();
  return rows.map((row) => ({ assessmentId: row.assessment_id, statementId: row.statement_id, level: row.not_applicable ? null : row.level }));
}
