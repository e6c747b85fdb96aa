/**
 * Break the glass: a practitioner who must see one child outside their usual reach (an emergency
 * duty worker covering a neighbouring authority at night, say) states why, and gets that child's
 * records for a few hours. The access is flagged to the child's authority's administrators, shown
 * in the audit with its reason, and ends by itself.
 */
import type { Kysely } from 'kysely';
import { appendAudit } from '../auth/audit.js';
import type { Viewer } from '../auth/gate.js';
import { grantReaches } from '../auth/grant-reach.js';
import { scopeOf } from '../auth/permissions.js';
import type { Schema } from '../db/schema.js';
import { isChildRef } from './child-records.js';

/** The longest a break-the-glass access may last. */
export const breakGlassMaxHours = 12;
export const breakGlassReasonLength = { min: 20, max: 2000 } as const;

export class BreakGlassRefused extends Error {
  constructor(
    readonly statusCode: 400 | 403 | 404,
    readonly field: 'reason' | 'hours' | 'child' | 'authority',
    message: string,
  ) {
    super(message);
    this.name = 'BreakGlassRefused';
  }
}

export interface BreakGlassAccess {
  id: string;
  laCode: string;
  childRef: string;
  reason: string;
  grantedAt: Date;
  expiresAt: Date;
  userEmail: string;
  seenByAdmin: boolean;
}

/** Whether the viewer may break the glass for a child in this authority: `child-records:break-glass` in a scope that reaches it. */
export function mayBreakGlass(viewer: Viewer, laCode: string): boolean {
  return viewer.signedIn && viewer.memberships.some((membership) => grantReaches(membership, scopeOf(membership.role, 'child-records:break-glass'), { laCode }));
}

/**
 * Grants a time-limited access to one child. Refused without a reason of at least 20 characters,
 * beyond the longest allowed time, for an authority out of the role's reach, or for a child the
 * authority has no record of; every attempt is audited.
 */
export async function breakGlass(
  db: Kysely<Schema>,
  viewer: Extract<Viewer, { signedIn: true }>,
  request: { laCode: string; childRef: string; reason: string; hours: number },
  context: { ip: string; now?: Date },
): Promise<BreakGlassAccess> {
  const reason = request.reason.trim();
  const audit = (outcome: 'success' | 'denied' | 'failure', details: Record<string, unknown>) =>
    appendAudit(db, {
      action: 'break-glass.granted',
      outcome,
      actorUserId: viewer.userId,
      actorEmail: viewer.email,
      laCode: request.laCode,
      target: isChildRef(request.childRef) ? `child:${request.childRef}` : 'child:(malformed reference)',
      ip: context.ip,
      details: { ...details, reason, hours: request.hours, flagged: true },
    });
  const refuse = async (refusal: BreakGlassRefused, outcome: 'denied' | 'failure') => {
    await audit(outcome, { refused: refusal.message });
    return refusal;
  };
  if (!mayBreakGlass(viewer, request.laCode)) throw await refuse(new BreakGlassRefused(403, 'authority', 'Your role does not allow emergency access to this authority’s children.'), 'denied');
  if (reason.length < breakGlassReasonLength.min || reason.length > breakGlassReasonLength.max) {
    throw await refuse(new BreakGlassRefused(400, 'reason', `Say why you need this child’s records now, in ${breakGlassReasonLength.min} to ${breakGlassReasonLength.max.toLocaleString('en-GB')} characters: it is shown to the authority’s administrators.`), 'failure');
  }
  if (!Number.isInteger(request.hours) || request.hours < 1 || request.hours > breakGlassMaxHours) {
    throw await refuse(new BreakGlassRefused(400, 'hours', `Choose how long you need, from 1 to ${breakGlassMaxHours} hours.`), 'failure');
  }
  const known = isChildRef(request.childRef) ? await db.selectFrom('child_record').select('la_code').where('la_code', '=', request.laCode).where('child_key', '=', request.childRef).limit(1).executeTakeFirst() : undefined;
  if (known === undefined) throw await refuse(new BreakGlassRefused(404, 'child', 'The authority has no record of that child.'), 'failure');
  const now = context.now ?? new Date();
  const expiresAt = new Date(now.getTime() + request.hours * 3_600_000);
  const row = await db
    .insertInto('break_glass_access')
    .values({ user_id: viewer.userId, user_email: viewer.email, la_code: request.laCode, child_key: request.childRef, reason, expires_at: expiresAt })
    .returning(['id', 'granted_at'])
    .executeTakeFirstOrThrow();
  await audit('success', { access: row.id, expiresAt: expiresAt.toISOString() });
  return { id: row.id, laCode: request.laCode, childRef: request.childRef, reason, grantedAt: row.granted_at, expiresAt, userEmail: viewer.email, seenByAdmin: false };
}

/** Ends one of the viewer's own accesses before its time. */
export async function endBreakGlass(db: Kysely<Schema>, viewer: Extract<Viewer, { signedIn: true }>, id: string, ip: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return false;
  const ended = await db.updateTable('break_glass_access').set({ ended_at: new Date() }).where('id', '=', id).where('user_id', '=', viewer.userId).where('ended_at', 'is', null).returning(['la_code', 'child_key']).executeTakeFirst();
  if (ended === undefined) return false;
  await appendAudit(db, { action: 'break-glass.ended', outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, laCode: ended.la_code, target: `child:${ended.child_key}`, ip });
  return true;
}

function toAccess(row: { id: string; la_code: string; child_key: string; reason: string; granted_at: Date; expires_at: Date; ended_at: Date | null; user_email: string; seen_by_admin_at: Date | null }): BreakGlassAccess {
  const expiresAt = row.ended_at !== null && row.ended_at < row.expires_at ? row.ended_at : row.expires_at;
  return { id: row.id, laCode: row.la_code, childRef: row.child_key, reason: row.reason, grantedAt: row.granted_at, expiresAt, userEmail: row.user_email, seenByAdmin: row.seen_by_admin_at !== null };
}

const accessColumns = ['id', 'la_code', 'child_key', 'reason', 'granted_at', 'expires_at', 'ended_at', 'user_email', 'seen_by_admin_at'] as const;

/** The viewer's accesses still running. */
export async function activeAccesses(db: Kysely<Schema>, userId: string, now = new Date()): Promise<BreakGlassAccess[]> {
  const rows = await db.selectFrom('break_glass_access').select(accessColumns).where('user_id', '=', userId).where('ended_at', 'is', null).where('expires_at', '>', now).orderBy('granted_at', 'desc').execute();
  return rows.map(toAccess);
}

/** An authority's break-the-glass accesses, newest first: what its administrators are shown. */
export async function accessesInAuthority(db: Kysely<Schema>, laCode: string, limit = 50): Promise<BreakGlassAccess[]> {
  const rows = await db.selectFrom('break_glass_access').select(accessColumns).where('la_code', '=', laCode).orderBy('granted_at', 'desc').limit(limit).execute();
  return rows.map(toAccess);
}

/** An administrator marks the authority's flagged accesses as looked at. */
export async function markAccessesSeen(db: Kysely<Schema>, viewer: Extract<Viewer, { signedIn: true }>, laCode: string, ip: string): Promise<number> {
  const seen = await db.updateTable('break_glass_access').set({ seen_by_admin_at: new Date() }).where('la_code', '=', laCode).where('seen_by_admin_at', 'is', null).returning('id').execute();
  await appendAudit(db, { action: 'break-glass.reviewed', outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, laCode, ip, details: { accesses: seen.map((row) => row.id) } });
  return seen.length;
}
