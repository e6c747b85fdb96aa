/**
 * Demo moderation: the demo region's adviser has moderated a signed-off assessment of the demo
 * authority, so the side-by-side pages have something to show. For the demo loader to call after
 * it has made the signed-off assessments (idempotent: an assessment with a moderation is left alone).
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { acceptInvitation, moderationStatements, readModeration, recordAgreement, saveModeratorRating, stratifiedSample, submitModeration } from './moderation.js';

/**
 * Invites `moderatorEmail` to moderate a sample of `sampleSize` statements of the assessment, rates
 * them one level apart from the self-rating on every third statement (the same elsewhere), submits,
 * and records agreed ratings for the first `agreed` statements. Returns the moderation id, or
 * undefined when the assessment already has a moderation or the moderator has no account.
 */
export async function seedDemoModeration(db: Kysely<Schema>, assessmentId: string, options: { moderatorEmail: string; sampleSize?: number; agreed?: number }): Promise<string | undefined> {
  const assessment = await db.selectFrom('assessment').select(['la_code', 'id', 'status']).where('id', '=', assessmentId).executeTakeFirst();
  const moderator = await db.selectFrom('user_account').select(['id', 'display_name', 'email']).where('email', '=', options.moderatorEmail).executeTakeFirst();
  if (assessment === undefined || moderator === undefined || assessment.status === 'in-progress') return undefined;
  const existing = await db.selectFrom('assessment_moderation').select('id').where('assessment_id', '=', assessmentId).executeTakeFirst();
  if (existing !== undefined) return undefined;
  const statements = await moderationStatements(db, assessment.la_code, assessmentId);
  const sample = stratifiedSample(statements, options.sampleSize ?? 12, assessmentId);
  const { id } = await db
    .insertInto('assessment_moderation')
    .values({
      la_code: assessment.la_code,
      assessment_id: assessmentId,
      moderator_user_id: moderator.id,
      moderator_label: moderator.display_name || moderator.email,
      moderator_organisation: 'Regional adviser (demo)',
      sample,
      invited_by_label: 'Demo leader',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const moderation = (await readModeration(db, id))!;
  await acceptInvitation(db, moderation);
  const self = new Map(
    (await db.selectFrom('assessment_rating').select(['statement_id', 'level', 'not_applicable']).where('la_code', '=', assessment.la_code).where('assessment_id', '=', assessmentId).execute()).map((row) => [row.statement_id, row]),
  );
  for (const [index, statementId] of sample.entries()) {
    const own = self.get(statementId);
    const base = own?.level ?? 2;
    const level = index % 3 === 0 ? (base >= 3 ? base - 1 : base + 1) : base;
    await saveModeratorRating(db, { ...moderation, status: 'rating' }, statementId, { level, notApplicable: false, comment: index % 3 === 0 ? 'Evidence seen in some services only' : '' });
  }
  await submitModeration(db, { ...moderation, status: 'rating' });
  const submitted = (await readModeration(db, id))!;
  for (const statementId of sample.slice(0, options.agreed ?? 3)) {
    const row = await db.selectFrom('assessment_moderation_rating').select(['version', 'level']).where('moderation_id', '=', id).where('statement_id', '=', statementId).executeTakeFirstOrThrow();
    await recordAgreement(db, submitted, statementId, row.version, { level: row.level, notApplicable: false, comment: 'Agreed at the regional review meeting' }, moderator.display_name || moderator.email);
  }
  return id;
}
