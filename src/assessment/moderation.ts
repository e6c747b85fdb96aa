/**
 * Moderation: the organisation invites a moderator (a regional adviser of its region, or a leader
 * of another authority: the peer "triad"), who rates all or a sample of the statements blind, that
 * is without seeing the self-ratings, notes or confidence; once the moderator submits, both sides
 * see the two ratings side by side and record an agreed rating with a comment for each statement.
 * The self-rating in `assessment_rating` is never changed by moderation.
 *
 * Status: invited → rating (accepted) → submitted (blind ratings done; comparison visible) → agreed
 * (every sampled statement has an agreed rating); or declined, or withdrawn by the organisation.
 * At most one moderation of an assessment is open (invited, rating or submitted) at a time.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { localAuthoritiesIn, localAuthorityByGss, regionOf } from '../areas/areas.js';
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import { scopeOf } from '../auth/permissions.js';
import type { Membership } from '../auth/sessions.js';
import { membershipsOf } from '../auth/sessions.js';
import type { Schema } from '../db/schema.js';
import type { AssessmentOwner } from './access.js';
import { isUuid } from './store.js';
import type { ModerationStatus } from './tables.js';
import { blindStatuses } from './tables.js';

/** Statuses in which a moderation is still going on (a new invitation waits for it to end). */
export const openModerationStatuses: readonly ModerationStatus[] = ['invited', 'rating', 'submitted'];

export const moderationStatusText: Record<ModerationStatus, string> = {
  invited: 'Invited',
  declined: 'Declined',
  rating: 'Moderator rating',
  submitted: 'Ratings compared',
  agreed: 'Agreed',
  withdrawn: 'Withdrawn',
};

/** A statement as the moderator may see it: its wording and place, nothing of the self-rating. */
export interface ModerationStatement {
  id: string;
  position: number;
  kind: string;
  section: string;
  text: string;
}

/** The section a statement belongs to, as the sample is stratified: its thread, "conditions", its layer, or its principle. */
export function sectionOf(statement: { id: string; kind: string; thread: string | null; layer: string | null; parentId: string | null }): string {
  if (statement.kind === 'golden-thread') return statement.id;
  if (statement.kind === 'thread-means') return statement.thread ?? statement.parentId ?? 'threads';
  if (statement.kind === 'general-condition') return 'conditions';
  if (statement.kind === 'matrix-statement') return statement.layer ?? 'matrix';
  if (statement.kind === 'principle') return statement.id;
  if (statement.kind === 'principle-point') return statement.parentId ?? 'principles';
  return 'other';
}

/** A 32-bit seed from text (FNV-1a), so the same assessment always draws the same sample. */
export function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Mulberry32: a small, fast seeded generator of numbers in [0, 1); good enough to draw a sample, not for secrets. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random sample of `size` statements, stratified by section: each section gets its share of the
 * sample in proportion to its size (largest remainders, so the shares add up to `size`, and every
 * section with a share of at least one half gets a statement), and the statements within a section
 * are drawn by a generator seeded with `seed` (the assessment id), so the same assessment always
 * draws the same sample. Returned in statement order.
 */
export function stratifiedSample(statements: readonly ModerationStatement[], size: number, seed: string): string[] {
  if (size >= statements.length) return statements.map((statement) => statement.id);
  const sections = new Map<string, ModerationStatement[]>();
  for (const statement of statements) sections.set(statement.section, [...(sections.get(statement.section) ?? []), statement]);
  const quotas = [...sections.entries()].map(([section, members]) => {
    const exact = (members.length * size) / statements.length;
    return { section, members, quota: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = size - quotas.reduce((sum, entry) => sum + entry.quota, 0);
  for (const entry of [...quotas].sort((a, b) => b.remainder - a.remainder || a.section.localeCompare(b.section))) {
    if (left === 0) break;
    entry.quota += 1;
    left -= 1;
  }
  const random = mulberry32(seedOf(seed));
  const chosen = new Set<string>();
  for (const entry of quotas) {
    // A partial Fisher–Yates shuffle: the first `quota` places are a uniform random choice.
    const pool = [...entry.members];
    for (let index = 0; index < entry.quota; index += 1) {
      const pick = index + Math.floor(random() * (pool.length - index));
      [pool[index], pool[pick]] = [pool[pick]!, pool[index]!];
      chosen.add(pool[index]!.id);
    }
  }
  return statements.filter((statement) => chosen.has(statement.id)).map((statement) => statement.id);
}

/** The assessment's statements, wording only: what a moderator may read through an invitation. */
export async function moderationStatements(db: Kysely<Schema>, laCode: string, assessmentId: string): Promise<ModerationStatement[]> {
  const rows = await db
    .selectFrom('assessment_statement')
    .select(['statement_id', 'position', 'kind', 'thread', 'layer', 'parent_id', 'text'])
    .where('la_code', '=', laCode)
    .where('assessment_id', '=', assessmentId)
    .orderBy('position')
    .execute();
  return rows.map((row) => ({
    id: row.statement_id,
    position: row.position,
    kind: row.kind,
    section: sectionOf({ id: row.statement_id, kind: row.kind, thread: row.thread, layer: row.layer, parentId: row.parent_id }),
    text: row.text,
  }));
}

/** A moderation as both sides see its header. */
export interface Moderation {
  id: string;
  laCode: string;
  assessmentId: string;
  moderatorUserId: string;
  moderatorLabel: string;
  moderatorOrganisation: string;
  sample: string[] | null;
  status: ModerationStatus;
  invitedBy: string;
  invitedAt: Date;
  submittedAt: Date | null;
  agreedAt: Date | null;
}

function moderationOf(row: {
  id: string;
  la_code: string;
  assessment_id: string;
  moderator_user_id: string;
  moderator_label: string;
  moderator_organisation: string;
  sample: string[] | null;
  status: ModerationStatus;
  invited_by_label: string;
  invited_at: Date;
  submitted_at: Date | null;
  agreed_at: Date | null;
}): Moderation {
  return {
    id: row.id,
    laCode: row.la_code,
    assessmentId: row.assessment_id,
    moderatorUserId: row.moderator_user_id,
    moderatorLabel: row.moderator_label,
    moderatorOrganisation: row.moderator_organisation,
    sample: row.sample,
    status: row.status,
    invitedBy: row.invited_by_label,
    invitedAt: row.invited_at,
    submittedAt: row.submitted_at,
    agreedAt: row.agreed_at,
  };
}

function moderationColumns(db: Kysely<Schema>) {
  return db
    .selectFrom('assessment_moderation')
    .select(['id', 'la_code', 'assessment_id', 'moderator_user_id', 'moderator_label', 'moderator_organisation', 'sample', 'status', 'invited_by_label', 'invited_at', 'submitted_at', 'agreed_at']);
}

export async function readModeration(db: Kysely<Schema>, id: string): Promise<Moderation | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await moderationColumns(db).where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : moderationOf(row);
}

/** Every moderation of an assessment, latest invitation first. */
export async function moderationsOf(db: Kysely<Schema>, laCode: string, assessmentId: string): Promise<Moderation[]> {
  const rows = await moderationColumns(db).where('la_code', '=', laCode).where('assessment_id', '=', assessmentId).orderBy('invited_at', 'desc').execute();
  return rows.map(moderationOf);
}

/** The invitations a moderator holds, with the assessment each is for (organisation, scope and period only). */
export async function invitationsOf(db: Kysely<Schema>, userId: string) {
  const rows = await db
    .selectFrom('assessment_moderation as m')
    .innerJoin('assessment as a', (join) => join.onRef('a.la_code', '=', 'm.la_code').onRef('a.id', '=', 'm.assessment_id'))
    .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
    .select(['m.id', 'm.status', 'm.invited_at', 'm.invited_by_label', 'm.submitted_at', 'm.agreed_at', 'm.sample', 'a.scope', 'a.period', 'a.la_code', 'o.name as organisation_name'])
    .where('m.moderator_user_id', '=', userId)
    .orderBy('m.invited_at', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    status: row.status,
    invitedAt: row.invited_at,
    invitedBy: row.invited_by_label,
    submittedAt: row.submitted_at,
    agreedAt: row.agreed_at,
    sampleSize: row.sample?.length ?? null,
    scope: row.scope,
    period: row.period,
    organisationName: row.organisation_name,
  }));
}

/** True when the viewer is this moderation's moderator and still holds the moderate permission. */
export function isModeratorOf(viewer: Viewer, moderation: Moderation): boolean {
  return viewer.signedIn && viewer.userId === moderation.moderatorUserId && viewerMay(viewer, 'assessments:moderate');
}

/**
 * True when the viewer is moderating this assessment and has not yet submitted their ratings: every
 * route that shows the assessment's self-ratings must refuse them until then (AssessmentService
 * checks this when it reads an assessment for someone).
 */
export async function isBlindModerator(db: Kysely<Schema>, viewer: Viewer, laCode: string, assessmentId: string): Promise<boolean> {
  if (!viewer.signedIn || !isUuid(assessmentId)) return false;
  const row = await db
    .selectFrom('assessment_moderation')
    .select('id')
    .where('la_code', '=', laCode)
    .where('assessment_id', '=', assessmentId)
    .where('moderator_user_id', '=', viewer.userId)
    .where('status', 'in', [...blindStatuses])
    .executeTakeFirst();
  return row !== undefined;
}

/** A membership that lets its holder moderate the owner's assessment, described as the organisation meets them; undefined when none does. */
export function moderatingMembership(memberships: readonly Membership[], owner: AssessmentOwner): { membership: Membership; introduction: string } | undefined {
  // Never someone of the same organisation, nor (as a peer) of the same authority.
  if (memberships.some((membership) => membership.organisationId === owner.organisationId)) return undefined;
  for (const membership of memberships) {
    const scope = scopeOf(membership.role, 'assessments:moderate');
    if (scope === 'region') {
      const region = membership.areaCode ?? (membership.laCode === null ? undefined : regionOf(membership.laCode)?.code);
      if (region !== undefined && localAuthoritiesIn(region).some((la) => la.gss === owner.laCode)) {
        return { membership, introduction: `Regional adviser, ${membership.organisationName}` };
      }
    }
    if (scope === 'england' && membership.laCode !== null && membership.laCode !== owner.laCode) {
      return { membership, introduction: `Leader, ${localAuthorityByGss(membership.laCode)?.name ?? membership.organisationName} (peer authority)` };
    }
  }
  return undefined;
}

export interface InviteRequest {
  email: string;
  /** `all`, `random` (a stratified random sample of `size`) or `picked` (the `picked` statements). */
  sample: 'all' | 'random' | 'picked';
  size?: number;
  picked?: readonly string[];
}

export interface FieldProblem {
  field: string;
  text: string;
}

/**
 * Invites a moderator to an assessment that is submitted or signed off. The account must exist,
 * be active and hold `assessments:moderate` reaching the assessment's authority (see
 * `moderatingMembership`). Returns the new moderation's id, or the problems naming their fields.
 */
export async function inviteModerator(
  db: Kysely<Schema>,
  assessment: { id: string; laCode: string; organisationId: string; status: string },
  request: InviteRequest,
  invitedBy: string,
): Promise<{ id: string } | { problems: FieldProblem[]; statusCode: 409 | 422 }> {
  if (assessment.status === 'in-progress') {
    return { statusCode: 409, problems: [{ field: 'email', text: 'Moderation starts once the assessment has been submitted for sign-off or signed off' }] };
  }
  const problems: FieldProblem[] = [];
  const email = request.email.trim().toLowerCase();
  let moderator: { userId: string; label: string; introduction: string } | undefined;
  if (email === '') problems.push({ field: 'email', text: 'Enter the email address of the moderator’s account' });
  else {
    const account = await db.selectFrom('user_account').select(['id', 'display_name', 'email', 'status']).where(sql`lower(email)`, '=', email).executeTakeFirst();
    if (account === undefined || account.status !== 'active') problems.push({ field: 'email', text: 'There is no active account with that email address: the moderator needs an account first' });
    else {
      const found = moderatingMembership(await membershipsOf(db, account.id), assessment);
      if (found === undefined) {
        problems.push({ field: 'email', text: 'That person cannot moderate this assessment: invite a regional adviser of your region or a leader of another authority, never someone of your own organisation' });
      } else moderator = { userId: account.id, label: account.display_name || account.email, introduction: found.introduction };
    }
  }
  const statements = await moderationStatements(db, assessment.laCode, assessment.id);
  let sample: string[] | null = null;
  if (request.sample === 'random') {
    const size = request.size ?? Number.NaN;
    if (!Number.isInteger(size) || size < 1 || size > statements.length) problems.push({ field: 'size', text: `Enter how many statements to sample, a whole number from 1 to ${statements.length}` });
    else sample = stratifiedSample(statements, size, assessment.id);
  } else if (request.sample === 'picked') {
    const known = new Set(statements.map((statement) => statement.id));
    const picked = [...new Set(request.picked ?? [])];
    if (picked.length === 0) problems.push({ field: 'picked', text: 'Choose at least one statement to moderate' });
    else if (picked.some((id) => !known.has(id))) problems.push({ field: 'picked', text: 'Choose statements of this assessment only' });
    else sample = statements.filter((statement) => picked.includes(statement.id)).map((statement) => statement.id);
  } else if (request.sample !== 'all') problems.push({ field: 'sample', text: 'Choose which statements the moderator rates: all of them, a random sample, or the ones you pick' });
  if (problems.length > 0 || moderator === undefined) return { statusCode: 422, problems };
  const chosen = moderator;
  return db.transaction().execute(async (transaction) => {
    // The assessment row's lock makes two invitations at once queue, so only one open moderation exists.
    await transaction.selectFrom('assessment').select('id').where('la_code', '=', assessment.laCode).where('id', '=', assessment.id).forUpdate().executeTakeFirst();
    const open = await transaction.selectFrom('assessment_moderation').select('id').where('la_code', '=', assessment.laCode).where('assessment_id', '=', assessment.id).where('status', 'in', [...openModerationStatuses]).executeTakeFirst();
    if (open !== undefined) return { statusCode: 409 as const, problems: [{ field: 'email', text: 'A moderation of this assessment is already under way: withdraw it or finish it before inviting someone else' }] };
    const row = await transaction
      .insertInto('assessment_moderation')
      .values({ la_code: assessment.laCode, assessment_id: assessment.id, moderator_user_id: chosen.userId, moderator_label: chosen.label, moderator_organisation: chosen.introduction, sample, invited_by_label: invitedBy })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id };
  });
}

export class ModerationStepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModerationStepError';
  }
}

/** The statement ids a moderation covers, in statement order. */
export async function sampledStatements(db: Kysely<Schema>, moderation: Moderation): Promise<ModerationStatement[]> {
  const statements = await moderationStatements(db, moderation.laCode, moderation.assessmentId);
  if (moderation.sample === null) return statements;
  const sample = new Set(moderation.sample);
  return statements.filter((statement) => sample.has(statement.id));
}

/** Moves a moderation from one status to the next, or throws ModerationStepError naming where it stands. */
async function step(db: Kysely<Schema>, moderation: Moderation, from: ModerationStatus, to: ModerationStatus, extra: { submitted_at?: Date; agreed_at?: Date } = {}): Promise<void> {
  const updated = await db
    .updateTable('assessment_moderation')
    .set({ status: to, ...extra })
    .where('la_code', '=', moderation.laCode)
    .where('id', '=', moderation.id)
    .where('status', '=', from)
    .returning('id')
    .executeTakeFirst();
  if (updated === undefined) {
    const now = await readModeration(db, moderation.id);
    throw new ModerationStepError(`This moderation is now “${moderationStatusText[now?.status ?? moderation.status].toLowerCase()}”, so that step is no longer open`);
  }
}

/** The moderator accepts: their blank ratings are made for every sampled statement. */
export async function acceptInvitation(db: Kysely<Schema>, moderation: Moderation): Promise<void> {
  const statements = await sampledStatements(db, moderation);
  await db.transaction().execute(async (transaction) => {
    await step(transaction, moderation, 'invited', 'rating');
    for (let start = 0; start < statements.length; start += 500) {
      await transaction
        .insertInto('assessment_moderation_rating')
        .values(statements.slice(start, start + 500).map((statement) => ({ la_code: moderation.laCode, moderation_id: moderation.id, statement_id: statement.id, level: null })))
        .onConflict((conflict) => conflict.doNothing())
        .execute();
    }
  });
}

export async function declineInvitation(db: Kysely<Schema>, moderation: Moderation): Promise<void> {
  await step(db, moderation, 'invited', 'declined');
}

/** The organisation withdraws an invitation before the moderator has submitted. */
export async function withdrawModeration(db: Kysely<Schema>, moderation: Moderation): Promise<void> {
  if (moderation.status !== 'invited' && moderation.status !== 'rating') throw new ModerationStepError('Only a moderation whose ratings are not yet submitted can be withdrawn');
  await step(db, moderation, moderation.status, 'withdrawn');
}

/** The moderator's own rating of one statement, as their blind form shows it. */
export interface ModeratorRating {
  statementId: string;
  level: number | null;
  notApplicable: boolean;
  comment: string;
  version: number;
}

/** A rating or agreement a form sends. */
export interface ModerationRatingInput {
  level: number | null;
  notApplicable: boolean;
  comment: string;
}

/** Reads a level-or-N/A answer and comment from a form (`level` 1–4 or `na`; `comment`). */
export function parseModerationRating(body: Record<string, unknown>, options: { commentRequired: boolean; field: string }): { ok: true; value: ModerationRatingInput } | { ok: false; problems: FieldProblem[] } {
  const text = (value: unknown): string => (Array.isArray(value) ? text(value[0]) : typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '');
  const answer = text(body.level);
  const comment = text(body.comment);
  const problems: FieldProblem[] = [];
  let value: ModerationRatingInput | undefined;
  if (answer === 'na') value = { level: null, notApplicable: true, comment };
  else if (/^[1-4]$/.test(answer)) value = { level: Number(answer), notApplicable: false, comment };
  else problems.push({ field: options.field, text: answer === '' ? 'Choose a level, or “not applicable”' : 'Choose one of the four levels, or “not applicable”' });
  if (options.commentRequired && comment === '') problems.push({ field: 'comment', text: 'Say in a comment why this rating was agreed' });
  if (comment.length > 4000) problems.push({ field: 'comment', text: 'The comment must be 4,000 characters or fewer' });
  return problems.length > 0 || value === undefined ? { ok: false, problems } : { ok: true, value };
}

/** The moderator's ratings, by statement: what their own pages show (never the self-rating). */
export async function moderatorRatings(db: Kysely<Schema>, moderation: Moderation): Promise<Map<string, ModeratorRating>> {
  const rows = await db
    .selectFrom('assessment_moderation_rating')
    .select(['statement_id', 'level', 'not_applicable', 'comment', 'version'])
    .where('la_code', '=', moderation.laCode)
    .where('moderation_id', '=', moderation.id)
    .execute();
  return new Map(rows.map((row) => [row.statement_id, { statementId: row.statement_id, level: row.level, notApplicable: row.not_applicable, comment: row.comment, version: row.version }]));
}

/** Saves the moderator's blind rating of one sampled statement while the moderation is at "rating". */
export async function saveModeratorRating(db: Kysely<Schema>, moderation: Moderation, statementId: string, input: ModerationRatingInput): Promise<void> {
  await db.transaction().execute(async (transaction) => {
    const current = await transaction.selectFrom('assessment_moderation').select('status').where('la_code', '=', moderation.laCode).where('id', '=', moderation.id).forShare().executeTakeFirst();
    if (current?.status !== 'rating') throw new ModerationStepError('Your ratings can be changed only while you are rating, before you submit them');
    const updated = await transaction
      .updateTable('assessment_moderation_rating')
      .set((eb) => ({ level: input.notApplicable ? null : input.level, not_applicable: input.notApplicable, comment: input.comment, updated_at: new Date(), version: eb('version', '+', 1) }))
      .where('la_code', '=', moderation.laCode)
      .where('moderation_id', '=', moderation.id)
      .where('statement_id', '=', statementId)
      .returning('statement_id')
      .executeTakeFirst();
    if (updated === undefined) throw new ModerationStepError('That statement is not in the sample you were asked to moderate');
  });
}

/** The moderator submits: refused while any sampled statement is unrated. Afterwards the comparison is visible to both sides. */
export async function submitModeration(db: Kysely<Schema>, moderation: Moderation): Promise<void> {
  const ratings = await moderatorRatings(db, moderation);
  const unratedCount = [...ratings.values()].filter((rating) => rating.level === null && !rating.notApplicable).length;
  if (unratedCount > 0) throw new ModerationStepError(`Rate every statement in the sample before submitting: ${unratedCount} ${unratedCount === 1 ? 'is' : 'are'} not rated yet`);
  await step(db, moderation, 'rating', 'submitted', { submitted_at: new Date() });
}

/** One row of the side-by-side comparison. */
export interface ComparisonRow {
  statementId: string;
  section: string;
  text: string;
  selfLevel: number | null;
  selfNotApplicable: boolean;
  moderatedLevel: number | null;
  moderatedNotApplicable: boolean;
  moderatorComment: string;
  /** Moderated level minus self level, when both are levels. */
  difference: number | null;
  /** The two differ: by one level or more, or one says "not applicable" and the other does not. */
  disagree: boolean;
  agreedLevel: number | null;
  agreedNotApplicable: boolean;
  agreedComment: string;
  agreedBy: string | null;
  agreedAt: Date | null;
  version: number;
}

/**
 * The side-by-side comparison of a moderation. Throws when the moderator has not submitted: the
 * self-ratings are never put next to the moderator's before then.
 */
export async function moderationComparison(db: Kysely<Schema>, moderation: Moderation): Promise<ComparisonRow[]> {
  if (blindStatuses.includes(moderation.status) || moderation.status === 'declined' || moderation.status === 'withdrawn' || moderation.submittedAt === null) {
    throw new ModerationStepError('The comparison is shown once the moderator has submitted their ratings');
  }
  const statements = await sampledStatements(db, moderation);
  const rows = await db
    .selectFrom('assessment_moderation_rating as m')
    .leftJoin('assessment_rating as r', (join) => join.onRef('r.la_code', '=', 'm.la_code').on('r.assessment_id', '=', moderation.assessmentId).onRef('r.statement_id', '=', 'm.statement_id'))
    .select([
      'm.statement_id',
      'm.level',
      'm.not_applicable',
      'm.comment',
      'm.agreed_level',
      'm.agreed_not_applicable',
      'm.agreed_comment',
      'm.agreed_by_label',
      'm.agreed_at',
      'm.version',
      'r.level as self_level',
      'r.not_applicable as self_not_applicable',
    ])
    .where('m.la_code', '=', moderation.laCode)
    .where('m.moderation_id', '=', moderation.id)
    .execute();
  const byStatement = new Map(rows.map((row) => [row.statement_id, row]));
  return statements.flatMap((statement) => {
    const row = byStatement.get(statement.id);
    if (row === undefined) return [];
    const selfNotApplicable = row.self_not_applicable ?? false;
    const difference = row.level !== null && row.self_level !== null ? row.level - row.self_level : null;
    const disagree = difference !== null ? Math.abs(difference) >= 1 : row.not_applicable !== selfNotApplicable || row.self_level !== row.level;
    return [
      {
        statementId: statement.id,
        section: statement.section,
        text: statement.text,
        selfLevel: row.self_level ?? null,
        selfNotApplicable,
        moderatedLevel: row.level,
        moderatedNotApplicable: row.not_applicable,
        moderatorComment: row.comment,
        difference,
        disagree,
        agreedLevel: row.agreed_level,
        agreedNotApplicable: row.agreed_not_applicable,
        agreedComment: row.agreed_comment,
        agreedBy: row.agreed_by_label,
        agreedAt: row.agreed_at,
        version: row.version,
      },
    ];
  });
}

/** Someone saved the agreement of this statement after the form was opened: nothing was written. */
export class AgreementConflictError extends Error {
  constructor() {
    super('Someone recorded an agreed rating for this statement after you opened it: check theirs and save again if you still want yours');
    this.name = 'AgreementConflictError';
  }
}

/**
 * Records the agreed rating of one statement (either party), under the version the form read.
 * When every sampled statement has an agreed rating the moderation becomes "agreed". The
 * self-rating is not touched.
 */
export async function recordAgreement(db: Kysely<Schema>, moderation: Moderation, statementId: string, expectedVersion: number, input: ModerationRatingInput, by: string): Promise<{ allAgreed: boolean }> {
  return db.transaction().execute(async (transaction) => {
    const current = await transaction.selectFrom('assessment_moderation').select('status').where('la_code', '=', moderation.laCode).where('id', '=', moderation.id).forUpdate().executeTakeFirst();
    if (current?.status !== 'submitted' && current?.status !== 'agreed') throw new ModerationStepError('Agreed ratings are recorded once the moderator has submitted, and before the moderation is withdrawn');
    const exists = await transaction.selectFrom('assessment_moderation_rating').select('version').where('la_code', '=', moderation.laCode).where('moderation_id', '=', moderation.id).where('statement_id', '=', statementId).executeTakeFirst();
    if (exists === undefined) throw new ModerationStepError('That statement is not in this moderation’s sample');
    const updated = await transaction
      .updateTable('assessment_moderation_rating')
      .set((eb) => ({
        agreed_level: input.notApplicable ? null : input.level,
        agreed_not_applicable: input.notApplicable,
        agreed_comment: input.comment,
        agreed_by_label: by,
        agreed_at: new Date(),
        updated_at: new Date(),
        version: eb('version', '+', 1),
      }))
      .where('la_code', '=', moderation.laCode)
      .where('moderation_id', '=', moderation.id)
      .where('statement_id', '=', statementId)
      .where('version', '=', expectedVersion)
      .returning('statement_id')
      .executeTakeFirst();
    if (updated === undefined) throw new AgreementConflictError();
    const waiting = await transaction
      .selectFrom('assessment_moderation_rating')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('la_code', '=', moderation.laCode)
      .where('moderation_id', '=', moderation.id)
      .where('agreed_at', 'is', null)
      .executeTakeFirstOrThrow();
    const allAgreed = Number(waiting.n) === 0;
    if (allAgreed && current.status === 'submitted') {
      await transaction.updateTable('assessment_moderation').set({ status: 'agreed', agreed_at: new Date() }).where('la_code', '=', moderation.laCode).where('id', '=', moderation.id).execute();
    }
    return { allAgreed };
  });
}

/** What the board report and the command-line export say about moderation. */
export interface ModerationSummary {
  moderationId: string;
  status: ModerationStatus;
  moderator: string;
  moderatorOrganisation: string;
  submittedAt: Date | null;
  agreedAt: Date | null;
  statements: {
    statementId: string;
    text: string;
    selfLevel: number | null;
    selfNotApplicable: boolean;
    moderatedLevel: number | null;
    moderatedNotApplicable: boolean;
    agreedLevel: number | null;
    agreedNotApplicable: boolean;
    agreed: boolean;
    difference: number | null;
    disagree: boolean;
  }[];
  /** Statements where moderator and self-rating match. */
  agreements: number;
  /** Statements where they differ by one level or more (or over "not applicable"). */
  disagreements: number;
  /** Statements with an agreed rating recorded. */
  agreedCount: number;
}

/**
 * The latest moderation of an assessment whose ratings have been submitted (submitted or agreed),
 * statement by statement with the self, moderated and agreed levels; undefined when there is none.
 * A moderation still being rated is never summarised, so nothing leaks its blind state.
 */
export async function moderationSummary(db: Kysely<Schema>, assessmentId: string): Promise<ModerationSummary | undefined> {
  if (!isUuid(assessmentId)) return undefined;
  const row = await moderationColumns(db).where('assessment_id', '=', assessmentId).where('status', 'in', ['submitted', 'agreed']).orderBy('submitted_at', 'desc').limit(1).executeTakeFirst();
  if (row === undefined) return undefined;
  const moderation = moderationOf(row);
  const rows = await moderationComparison(db, moderation);
  return {
    moderationId: moderation.id,
    status: moderation.status,
    moderator: moderation.moderatorLabel,
    moderatorOrganisation: moderation.moderatorOrganisation,
    submittedAt: moderation.submittedAt,
    agreedAt: moderation.agreedAt,
    statements: rows.map((entry) => ({
      statementId: entry.statementId,
      text: entry.text,
      selfLevel: entry.selfLevel,
      selfNotApplicable: entry.selfNotApplicable,
      moderatedLevel: entry.moderatedLevel,
      moderatedNotApplicable: entry.moderatedNotApplicable,
      agreedLevel: entry.agreedLevel,
      agreedNotApplicable: entry.agreedNotApplicable,
      agreed: entry.agreedAt !== null,
      difference: entry.difference,
      disagree: entry.disagree,
    })),
    agreements: rows.filter((entry) => !entry.disagree).length,
    disagreements: rows.filter((entry) => entry.disagree).length,
    agreedCount: rows.filter((entry) => entry.agreedAt !== null).length,
  };
}
