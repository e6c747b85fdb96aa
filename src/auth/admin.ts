import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { appendAudit } from './audit.js';
import type { Viewer } from './gate.js';
import { issueToken } from './one-time-tokens.js';
import type { Mailer } from './mail.js';
import type { Role } from './permissions.js';
import { roles, scopeOf } from './permissions.js';
import { endAllSessions } from './sessions.js';

type SignedIn = Extract<Viewer, { signedIn: true }>;

/** Roles only the platform's administrators may grant: they reach beyond one authority. */
const nationalRoles: readonly Role[] = ['platform-admin', 'national-moderator', 'regional-adviser'];

export interface ManagedOrganisation {
  id: string;
  name: string;
  kind: string;
}

/** The organisations whose members this administrator may manage. */
export async function manageableOrganisations(db: Kysely<Schema>, viewer: SignedIn): Promise<ManagedOrganisation[]> {
  const everywhere = viewer.memberships.some((membership) => scopeOf(membership.role, 'users:manage') === 'england');
  let query = db.selectFrom('organisation').select(['id', 'name', 'kind']).orderBy('kind').orderBy('name');
  if (!everywhere) {
    const authorities = viewer.memberships.filter((membership) => scopeOf(membership.role, 'users:manage') === 'authority').flatMap((membership) => membership.laCode ?? []);
    if (authorities.length === 0) return [];
    query = query.where('la_code', 'in', authorities);
  }
  return query.execute();
}

export function grantableRoles(viewer: SignedIn): Role[] {
  const everywhere = viewer.memberships.some((membership) => scopeOf(membership.role, 'users:manage') === 'england');
  return roles.filter((role) => everywhere || !nationalRoles.includes(role));
}

export class AdminInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'AdminInputError';
  }
}

/** The accounts holding any role in an organisation the administrator manages. */
export async function manageableUsers(db: Kysely<Schema>, viewer: SignedIn) {
  const organisations = await manageableOrganisations(db, viewer);
  if (organisations.length === 0) return [];
  const rows = await db
    .selectFrom('user_account')
    .innerJoin('membership', 'membership.user_id', 'user_account.id')
    .innerJoin('organisation', 'organisation.id', 'membership.organisation_id')
    .select(['user_account.id', 'user_account.email', 'user_account.display_name', 'user_account.status', 'user_account.last_sign_in_at', 'membership.role', 'organisation.name as organisation_name'])
    .where('membership.organisation_id', 'in', organisations.map((organisation) => organisation.id))
    .orderBy('user_account.email')
    .execute();
  const byUser = new Map<string, { id: string; email: string; displayName: string; status: string; lastSignInAt: Date | null; roles: string[] }>();
  for (const row of rows) {
    const entry = byUser.get(row.id) ?? { id: row.id, email: row.email, displayName: row.display_name, status: row.status, lastSignInAt: row.last_sign_in_at, roles: [] };
    entry.roles.push(`${row.role} in ${row.organisation_name}`);
    byUser.set(row.id, entry);
  }
  return [...byUser.values()];
}

/** One account, if the administrator may manage it; otherwise undefined (shown as not found). */
export async function manageableUser(db: Kysely<Schema>, viewer: SignedIn, userId: string) {
  if (!/^[0-9a-f-]{36}$/.test(userId)) return undefined;
  const organisations = await manageableOrganisations(db, viewer);
  const organisationIds = new Set(organisations.map((organisation) => organisation.id));
  const account = await db.selectFrom('user_account').select(['id', 'email', 'display_name', 'status', 'last_sign_in_at', 'totp_confirmed_at']).where('id', '=', userId).executeTakeFirst();
  if (account === undefined) return undefined;
  const memberships = await db
    .selectFrom('membership')
    .innerJoin('organisation', 'organisation.id', 'membership.organisation_id')
    .select(['membership.organisation_id', 'membership.role', 'organisation.name'])
    .where('membership.user_id', '=', userId)
    .execute();
  if (!memberships.some((membership) => organisationIds.has(membership.organisation_id))) return undefined;
  const sessions = await db.selectFrom('user_session').select(['created_at', 'last_seen_at', 'ip']).where('user_id', '=', userId).orderBy('last_seen_at', 'desc').execute();
  return {
    account,
    memberships: memberships.map((membership) => ({ ...membership, manageable: organisationIds.has(membership.organisation_id) })),
    sessions,
  };
}

async function checkGrant(db: Kysely<Schema>, viewer: SignedIn, organisationId: string, role: string): Promise<{ organisation: ManagedOrganisation; role: Role }> {
  const organisation = (await manageableOrganisations(db, viewer)).find((candidate) => candidate.id === organisationId);
  if (organisation === undefined) throw new AdminInputError('organisation', 'Select an organisation you manage');
  const grantable = grantableRoles(viewer).find((candidate) => candidate === role);
  if (grantable === undefined) throw new AdminInputError('role', 'Select a role you may grant');
  return { organisation, role: grantable };
}

/** The email address as accounts store it, or an error saying what is wrong with it. */
export function normaliseEmail(email: string): string {
  const normalised = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normalised)) throw new AdminInputError('email', 'Enter an email address in the correct format, like name@example.gov.uk');
  return normalised;
}

/**
 * Records an invitation: the account (waiting for its password) if it is new, the role, the audit
 * entry, and, while the account has no password yet, a single-use link token.
 */
export async function recordInvitation(
  db: Kysely<Schema>,
  invitation: { email: string; name: string; organisation: { id: string; name: string }; role: Role },
  invitedBy: { userId: string; email: string } | undefined,
  ip: string | null,
): Promise<{ userId: string; invited: boolean; token: string | undefined }> {
  const { email, organisation, role } = invitation;
  const existing = await db.selectFrom('user_account').select(['id', 'status']).where('email', '=', email).executeTakeFirst();
  const userId =
    existing?.id ??
    (await db.insertInto('user_account').values({ email, display_name: invitation.name, status: 'invited', password_hash: null, totp_secret: null }).returning('id').executeTakeFirstOrThrow()).id;
  await db
    .insertInto('membership')
    .values({ user_id: userId, organisation_id: organisation.id, role, granted_by: invitedBy?.userId ?? null })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
  await appendAudit(db, {
    action: existing ? 'role-granted' : 'account-invited',
    outcome: 'success',
    actorUserId: invitedBy?.userId,
    // Without a signed-in inviter, the operator at the command line did it.
    actorEmail: invitedBy?.email ?? 'operator (command line)',
    organisationId: organisation.id,
    laCode: (await db.selectFrom('organisation').select('la_code').where('id', '=', organisation.id).executeTakeFirst())?.la_code,
    target: email,
    ip,
    details: { role, organisation: organisation.name },
  });
  const token = !existing || existing.status === 'invited' ? await issueToken(db, userId, 'invitation') : undefined;
  return { userId, invited: !existing, token };
}

/** Invites a person on an administrator's behalf, within what the administrator may grant, and emails the link. */
export async function invite(
  db: Kysely<Schema>,
  mailer: Mailer,
  viewer: SignedIn,
  invitation: { email: string; name: string; organisationId: string; role: string },
  context: { publicUrl: string; ip: string },
): Promise<{ userId: string; invited: boolean }> {
  const email = normaliseEmail(invitation.email);
  const name = invitation.name.trim();
  if (name === '') throw new AdminInputError('name', 'Enter the person’s name');
  const { organisation, role } = await checkGrant(db, viewer, invitation.organisationId, invitation.role);
  const recorded = await recordInvitation(db, { email, name, organisation, role }, viewer, context.ip);
  if (recorded.token !== undefined) {
    await mailer.send({
      to: email,
      subject: 'You have been invited to Narrowing the Gap',
      body: `${viewer.displayName} has invited you to Narrowing the Gap as ${role} in ${organisation.name}.\n\nChoose your password here (the link works once, for 72 hours):\n${context.publicUrl}/invitation/${recorded.token}\n`,
    });
  }
  return { userId: recorded.userId, invited: recorded.invited };
}

export async function grantRole(db: Kysely<Schema>, viewer: SignedIn, userId: string, organisationId: string, role: string, ip: string): Promise<void> {
  const checked = await checkGrant(db, viewer, organisationId, role);
  await db.insertInto('membership').values({ user_id: userId, organisation_id: checked.organisation.id, role: checked.role, granted_by: viewer.userId }).onConflict((c) => c.doNothing()).execute();
  await appendAudit(db, { action: 'role-granted', outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, organisationId, target: userId, ip, details: { role: checked.role } });
}

export async function revokeRole(db: Kysely<Schema>, viewer: SignedIn, userId: string, organisationId: string, role: string, ip: string): Promise<void> {
  await checkGrant(db, viewer, organisationId, role);
  await db.deleteFrom('membership').where('user_id', '=', userId).where('organisation_id', '=', organisationId).where('role', '=', role).execute();
  // A role's sessions are re-read on each request, so the change takes effect at once.
  await appendAudit(db, { action: 'role-revoked', outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, organisationId, target: userId, ip, details: { role } });
}

/** Deactivates an account; its sessions end at once. */
export async function setAccountStatus(db: Kysely<Schema>, viewer: SignedIn, userId: string, status: 'active' | 'deactivated', ip: string): Promise<void> {
  if (userId === viewer.userId && status === 'deactivated') throw new AdminInputError('status', 'You cannot deactivate your own account');
  await db.updateTable('user_account').set({ status }).where('id', '=', userId).where('status', '!=', 'invited').execute();
  if (status === 'deactivated') await endAllSessions(db, userId);
  await appendAudit(db, { action: status === 'deactivated' ? 'account-deactivated' : 'account-reactivated', outcome: 'success', actorUserId: viewer.userId, actorEmail: viewer.email, target: userId, ip });
}
