/**
 * Submitting and signing off an assessment. The owner (the person who started it) submits it; if
 * the owner has left, anyone who may both write and sign off the assessment submits instead. A
 * leader of the organisation (`assessments:sign-off` reaching it) then signs it off, or returns it
 * with a reason. A signed-off assessment is read-only everywhere: the store's `lockOpenAssessment`
 * refuses any rating or evidence change unless the assessment is in progress.
 *
 * Each change is one `update … where status = … returning`: the update takes the row's exclusive
 * lock, which waits for (and is waited for by) the shared lock a rating save holds, so a sign-off
 * and a save never interleave, and two sign-offs cannot both succeed.
 */
import type { Kysely } from 'kysely';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import { maySignOffAssessment, mayWriteAssessment } from './access.js';
import type { AssessmentSummary } from './store.js';
import { readAssessmentSummary } from './store.js';
import type { AssessmentStatus } from './tables.js';

/** The rule of who submits, as the sign-off page states it. */
export const submitRule =
  'The person who started the assessment submits it for sign-off. If they have left the organisation, anyone who may both write and sign off the assessment submits it instead.';

/** The rule of who signs off, as the sign-off page states it. */
export const signOffRule = 'A leader of the organisation (a director, or a head teacher or manager for a setting) signs the assessment off or returns it with a reason. Once signed off it can no longer be changed.';

export type SignOffStep = 'submit' | 'return' | 'sign-off';

/** Why a step may not be taken, in words a person reads; `status` is the HTTP status to answer with. */
export interface StepRefusal {
  statusCode: 403 | 404 | 409 | 422;
  message: string;
  field?: string;
}

export interface SignOffActor {
  userId: string;
  label: string;
}

/** True when the assessment's owner still has an active account belonging to the assessment's authority. */
export async function ownerIsPresent(db: Kysely<Schema>, assessment: { ownerUserId: string | null; laCode: string }): Promise<boolean> {
  if (assessment.ownerUserId === null) return false;
  const row = await db
    .selectFrom('user_account as u')
    .innerJoin('membership as m', 'm.user_id', 'u.id')
    .innerJoin('organisation as o', 'o.id', 'm.organisation_id')
    .select('u.id')
    .where('u.id', '=', assessment.ownerUserId)
    .where('u.status', '=', 'active')
    .where('o.la_code', '=', assessment.laCode)
    .executeTakeFirst();
  return row !== undefined;
}

export async function ownerOf(db: Kysely<Schema>, assessmentId: string): Promise<string | null> {
  const row = await db.selectFrom('assessment').select('owner_user_id').where('id', '=', assessmentId).executeTakeFirst();
  return row?.owner_user_id ?? null;
}

/** What the viewer may do with the assessment's sign-off now, and why not when they may not. */
export interface SignOffRights {
  maySubmit: boolean;
  maySignOff: boolean;
  mayReturn: boolean;
  /** Why the viewer may not submit (undefined when they may, or when the status rules it out). */
  submitBlockedBecause?: string;
}

export async function signOffRights(db: Kysely<Schema>, viewer: Viewer, summary: AssessmentSummary): Promise<SignOffRights> {
  const signer = maySignOffAssessment(viewer, summary);
  const submit = await submitRefusal(db, viewer, summary);
  return {
    maySubmit: summary.status === 'in-progress' && submit === undefined,
    maySignOff: summary.status === 'submitted' && signer,
    mayReturn: summary.status === 'submitted' && signer,
    submitBlockedBecause: summary.status === 'in-progress' ? submit?.message : undefined,
  };
}

async function submitRefusal(db: Kysely<Schema>, viewer: Viewer, summary: AssessmentSummary): Promise<StepRefusal | undefined> {
  if (!viewer.signedIn || !mayWriteAssessment(viewer, summary)) return { statusCode: 403, message: 'You may read this assessment but not submit it: only people who may write it can.' };
  const ownerUserId = await ownerOf(db, summary.id);
  if (ownerUserId === viewer.userId) return undefined;
  if (await ownerIsPresent(db, { ownerUserId, laCode: summary.laCode })) {
    return { statusCode: 403, message: `Only ${summary.ownerLabel}, who started this assessment, may submit it for sign-off.` };
  }
  if (!maySignOffAssessment(viewer, summary)) {
    return { statusCode: 403, message: `${summary.ownerLabel}, who started this assessment, has left; it may now be submitted by someone who may both write and sign it off.` };
  }
  return undefined;
}

function wrongStatus(step: SignOffStep, status: AssessmentStatus): StepRefusal {
  const now = status === 'in-progress' ? 'is still in progress' : status === 'submitted' ? 'has already been submitted for sign-off' : 'has already been signed off';
  const verb = step === 'submit' ? 'submitted' : step === 'return' ? 'returned' : 'signed off';
  return { statusCode: 409, message: `The assessment ${now}, so it cannot be ${verb}.` };
}

/**
 * Submits an in-progress assessment for sign-off. Refuses someone who is not the owner (unless the
 * owner has left and they may sign off), and an assessment that is not in progress.
 */
export async function submitAssessment(db: Kysely<Schema>, viewer: Viewer, id: string): Promise<AssessmentSummary | StepRefusal> {
  const summary = await readAssessmentSummary(db, id);
  if (summary === undefined) return { statusCode: 404, message: 'There is no assessment at this address, or it is not one you may see.' };
  const refusal = await submitRefusal(db, viewer, summary);
  if (refusal !== undefined) return refusal;
  if (!viewer.signedIn) throw new Error('unreachable: refused above');
  const updated = await db
    .updateTable('assessment')
    .set((eb) => ({ status: 'submitted', submitted_at: new Date(), submitted_by_label: viewer.displayName || viewer.email, version: eb('version', '+', 1) }))
    .where('la_code', '=', summary.laCode)
    .where('id', '=', id)
    .where('status', '=', 'in-progress')
    .returning('id')
    .executeTakeFirst();
  if (updated === undefined) return wrongStatus('submit', (await readAssessmentSummary(db, id))!.status);
  return (await readAssessmentSummary(db, id))!;
}

/** Signs off a submitted assessment, recording who and when. Only a leader who may sign it off. */
export async function signOffAssessment(db: Kysely<Schema>, viewer: Viewer, id: string): Promise<AssessmentSummary | StepRefusal> {
  const summary = await readAssessmentSummary(db, id);
  if (summary === undefined) return { statusCode: 404, message: 'There is no assessment at this address, or it is not one you may see.' };
  if (!viewer.signedIn || !maySignOffAssessment(viewer, summary)) return { statusCode: 403, message: `Only a leader of ${summary.organisationName} may sign this assessment off.` };
  const updated = await db
    .updateTable('assessment')
    .set((eb) => ({ status: 'signed-off', signed_off_at: new Date(), signed_off_by: viewer.userId, signed_off_by_label: viewer.displayName || viewer.email, version: eb('version', '+', 1) }))
    .where('la_code', '=', summary.laCode)
    .where('id', '=', id)
    .where('status', '=', 'submitted')
    .returning('id')
    .executeTakeFirst();
  if (updated === undefined) return wrongStatus('sign-off', (await readAssessmentSummary(db, id))!.status);
  return (await readAssessmentSummary(db, id))!;
}

/** Returns a submitted assessment to "in progress" with a reason (kept in the audit trail and shown on the sign-off page). */
export async function returnAssessment(db: Kysely<Schema>, viewer: Viewer, id: string, reason: string): Promise<AssessmentSummary | StepRefusal> {
  const summary = await readAssessmentSummary(db, id);
  if (summary === undefined) return { statusCode: 404, message: 'There is no assessment at this address, or it is not one you may see.' };
  if (!viewer.signedIn || !maySignOffAssessment(viewer, summary)) return { statusCode: 403, message: `Only a leader of ${summary.organisationName} may return this assessment.` };
  if (reason.trim() === '') return { statusCode: 422, message: 'Say why the assessment is being returned, so the team knows what to change', field: 'reason' };
  if (reason.length > 2000) return { statusCode: 422, message: 'The reason must be 2,000 characters or fewer', field: 'reason' };
  const updated = await db
    .updateTable('assessment')
    .set((eb) => ({ status: 'in-progress', submitted_at: null, submitted_by_label: null, version: eb('version', '+', 1) }))
    .where('la_code', '=', summary.laCode)
    .where('id', '=', id)
    .where('status', '=', 'submitted')
    .returning('id')
    .executeTakeFirst();
  if (updated === undefined) return wrongStatus('return', (await readAssessmentSummary(db, id))!.status);
  return (await readAssessmentSummary(db, id))!;
}

export function isStepRefusal(value: unknown): value is StepRefusal {
  return typeof value === 'object' && value !== null && 'statusCode' in value && 'message' in value && !('id' in value);
}

/** The latest return of the assessment (who, when, why), read from the audit trail, or undefined. */
export async function lastReturn(db: Kysely<Schema>, laCode: string, id: string): Promise<{ by: string; at: Date; reason: string } | undefined> {
  const row = await db
    .selectFrom('audit_log')
    .select(['actor_email', 'at', 'details'])
    .where('la_code', '=', laCode)
    .where('target', '=', `assessment:${id}`)
    .where('action', '=', 'assessment-returned')
    .where('outcome', '=', 'success')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const details = (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as { reason?: unknown; by?: unknown };
  return { by: typeof details.by === 'string' ? details.by : (row.actor_email ?? 'someone'), at: row.at, reason: typeof details.reason === 'string' ? details.reason : '' };
}
