import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { appendAuditForAuthorities } from './admin-audit.js';
import type { AuditEntry } from './audit.js';
import { appendAudit } from './audit.js';
import type { Viewer } from './gate.js';
import { issueToken } from './one-time-tokens.js';
import type { Mailer } from './mail.js';
import type { Role } from './permissions.js';
import { isRole, roles, scopeOf } from './permissions.js';
import { endAllSessions } from './sessions.js';

type SignedIn = Extract<Viewer, { signedIn: true }>;

/** Roles only the platform's administrators may grant: they reach beyond one authority. */
const nationalRoles: readonly Role[] = ['platform-admin', 'national-moderator', 'practice-reviewer', 'regional-adviser'];

export interface ManagedOrganisation {
  id: string;
  name: string;
  kind: string;
}

/** The platform's administrators: they manage accounts everywhere. */
function managesEverywhere(viewer: SignedIn): boolean {
  return viewer.memberships.some((membership) => scopeOf(membership.role, 'users:manage') === 'england');
}

/** The authorities the administrator acts for (none for the platform's administrators, who act for England). */
function actingAuthorities(viewer: SignedIn): string[] {
  return viewer.memberships.filter((membership) => scopeOf(membership.role, 'users:manage') === 'authority').flatMap((membership) => membership.laCode ?? []);
}

/** The organisations whose members this administrator may manage. */
export async function manageableOrganisations(db: Kysely<Schema>, viewer: SignedIn): Promise<ManagedOrganisation[]> {
  const everywhere = managesEverywhere(viewer);
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

/** An action the administrator may not take on this account: 404 when they may not see it, 403 when they may see it. */
export class AdminRefusal extends Error {
  constructor(
    readonly status: 403 | 404,
    message: string,
  ) {
    super(message);
    this.name = 'AdminRefusal';
  }
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

interface AccountMembership {
  organisation_id: string;
  role: string;
  name: string;
  la_code: string | null;
}

async function membershipsOfAccounts(db: Kysely<Schema>, userIds: readonly string[]): Promise<Map<string, AccountMembership[]>> {
  const byUser = new Map<string, AccountMembership[]>();
  if (userIds.length === 0) return byUser;
  const rows = await db
    .selectFrom('membership')
    .innerJoin('organisation', 'organisation.id', 'membership.organisation_id')
    .select(['membership.user_id', 'membership.organisation_id', 'membership.role', 'organisation.name', 'organisation.la_code'])
    .where('membership.user_id', 'in', userIds)
    .orderBy('organisation.name')
    .execute();
  for (const { user_id: userId, ...membership } of rows) byUser.set(userId, [...(byUser.get(userId) ?? []), membership]);
  return byUser;
}

/**
 * Whether the administrator manages the account as a whole (its sessions, status and second factor):
 * the platform's administrators always; an authority administrator only when every role the account
 * holds is in an organisation they manage. An account that also holds a role elsewhere (another
 * authority's, or a national one such as platform-admin) is that other side's as much as theirs, so
 * they may only remove the roles their own authority granted.
 */
function managesWholeAccount(viewer: SignedIn, memberships: readonly AccountMembership[], organisationIds: ReadonlySet<string>): boolean {
  if (managesEverywhere(viewer)) return true;
  return memberships.length > 0 && memberships.every((membership) => organisationIds.has(membership.organisation_id));
}

/**
 * The accounts holding any role in an organisation the administrator manages, with only those roles.
 * An account shared with another authority shows no status or sign-in details: they are not this
 * administrator's to see.
 */
export async function manageableUsers(db: Kysely<Schema>, viewer: SignedIn) {
  const organisations = await manageableOrganisations(db, viewer);
  if (organisations.length === 0) return [];
  const organisationIds = new Set(organisations.map((organisation) => organisation.id));
  const accounts = await db
    .selectFrom('user_account')
    .select(['id', 'email', 'display_name', 'status', 'last_sign_in_at'])
    .where('id', 'in', (eb) => eb.selectFrom('membership').select('user_id').where('organisation_id', 'in', [...organisationIds]))
    .orderBy('email')
    .execute();
  const memberships = await membershipsOfAccounts(
    db,
    accounts.map((account) => account.id),
  );
  return accounts.map((account) => {
    const held = memberships.get(account.id) ?? [];
    const whole = managesWholeAccount(viewer, held, organisationIds);
    return {
      id: account.id,
      email: account.email,
      displayName: account.display_name,
      status: whole ? account.status : 'shared with another organisation',
      lastSignInAt: whole ? account.last_sign_in_at : null,
      wholeAccount: whole,
      roles: held.filter((membership) => organisationIds.has(membership.organisation_id)).map((membership) => `${membership.role} in ${membership.name}`),
    };
  });
}

/**
 * One account, if the administrator may manage any of it; otherwise undefined (shown as not found).
 * Only the roles in organisations they manage are listed; sessions and account details only when
 * they manage the whole account. `authorities` are every authority the account belongs to, for the
 * audit log: each of them should see what an administrator did to it.
 */
export async function manageableUser(db: Kysely<Schema>, viewer: SignedIn, userId: string) {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(userId)) return undefined;
  const organisations = await manageableOrganisations(db, viewer);
  const organisationIds = new Set(organisations.map((organisation) => organisation.id));
  const account = await db.selectFrom('user_account').select(['id', 'email', 'display_name', 'status', 'last_sign_in_at', 'totp_confirmed_at']).where('id', '=', userId).executeTakeFirst();
  if (account === undefined) return undefined;
  const memberships = (await membershipsOfAccounts(db, [userId])).get(userId) ?? [];
  if (!memberships.some((membership) => organisationIds.has(membership.organisation_id))) return undefined;
  const wholeAccount = managesWholeAccount(viewer, memberships, organisationIds);
  const sessions = wholeAccount
    ? await db.selectFrom('user_session').select(['created_at', 'last_seen_at', 'ip']).where('user_id', '=', userId).orderBy('last_seen_at', 'desc').execute()
    : [];
  return {
    account,
    wholeAccount,
    memberships: memberships.filter((membership) => organisationIds.has(membership.organisation_id)).map((membership) => ({ ...membership, manageable: true })),
    sessions,
    authorities: memberships.flatMap((membership) => membership.la_code ?? []),
  };
}

/** Audits an administrator's action on an account to their own authority and every authority the account belongs to. */
function auditAccountAction(db: Kysely<Schema>, viewer: SignedIn, entry: Omit<AuditEntry, 'laCode' | 'actorUserId' | 'actorEmail'>, accountAuthorities: readonly (string | null)[]) {
  return appendAuditForAuthorities(db, { ...entry, actorUserId: viewer.userId, actorEmail: viewer.email }, [...actingAuthorities(viewer), ...accountAuthorities]);
}

/**
 * The account, when the administrator manages all of it; refuses otherwise, auditing a refusal they
 * could see coming (the account is partly theirs) to every authority concerned.
 */
async function wholeAccountFor(db: Kysely<Schema>, viewer: SignedIn, userId: string, attempted: { action: string; ip: string }) {
  const found = await manageableUser(db, viewer, userId);
  if (found === undefined) throw new AdminRefusal(404, 'There is no such account among those you manage');
  if (!found.wholeAccount) {
    await auditAccountAction(db, viewer, { action: attempted.action, outcome: 'denied', target: userId, ip: attempted.ip, details: { reason: 'account holds roles outside the organisations the administrator manages' } }, found.authorities);
    throw new AdminRefusal(
      403,
      'This account also holds roles outside the organisations you manage, or is a platform administrator, so only the platform admin can end its sessions or deactivate it. You can revoke the roles your authority granted.',
    );
  }
  return found;
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

/** How long an offered role waits for the person to accept it. */
export const offerLifetimeDays = 14;

/**
 * Offers a role to someone who already has an account. Nothing is granted: the person accepts or
 * declines it signed in as themselves, on their account page. Until then the administrator sees
 * nothing of the account, so inviting an address cannot attach another authority's account (or the
 * platform administrator's) to theirs.
 */
async function offerRole(
  db: Kysely<Schema>,
  mailer: Mailer,
  viewer: SignedIn,
  offer: { userId: string; email: string; organisation: ManagedOrganisation; role: Role },
  context: { publicUrl: string; ip: string },
): Promise<void> {
  const expiresAt = new Date(Date.now() + offerLifetimeDays * 86_400_000);
  await db
    .insertInto('membership_invitation')
    .values({ user_id: offer.userId, organisation_id: offer.organisation.id, role: offer.role, invited_by: viewer.userId, expires_at: expiresAt })
    .onConflict((conflict) => conflict.columns(['user_id', 'organisation_id', 'role']).where('decided_at', 'is', null).doUpdateSet({ invited_by: viewer.userId, expires_at: expiresAt }))
    .execute();
  const accountAuthorities = ((await membershipsOfAccounts(db, [offer.userId])).get(offer.userId) ?? []).map((membership) => membership.la_code);
  const organisationAuthority = (await db.selectFrom('organisation').select('la_code').where('id', '=', offer.organisation.id).executeTakeFirst())?.la_code ?? null;
  await auditAccountAction(
    db,
    viewer,
    { action: 'role-offered', outcome: 'success', organisationId: offer.organisation.id, target: offer.email, ip: context.ip, details: { role: offer.role, organisation: offer.organisation.name } },
    [organisationAuthority, ...accountAuthorities],
  );
  await mailer.send({
    to: offer.email,
    subject: 'You have been offered a role in Narrowing the Gap',
    body: `${viewer.displayName} (${viewer.email}) has offered you the role ${offer.role} in ${offer.organisation.name} on Narrowing the Gap.\n\nNothing changes unless you accept it. Sign in and accept or decline it on your account page within ${offerLifetimeDays} days:\n${context.publicUrl}/account\n\nIf you did not expect this, decline it and tell your own administrator.\n`,
  });
}

/**
 * Invites a person on an administrator's behalf, within what the administrator may grant. A new
 * address gets an account and a link to choose a password. An address that already has an account
 * is offered the role instead, to accept or decline (see `offerRole`); the one exception is an
 * account still waiting for its password whose roles are all the administrator's own, which simply
 * gets the role and a fresh link. The answer is the same either way, so it does not tell the
 * administrator whether an account exists.
 */
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
  const existing = await db.selectFrom('user_account').select(['id', 'status']).where('email', '=', email).executeTakeFirst();
  if (existing !== undefined) {
    const organisationIds = new Set((await manageableOrganisations(db, viewer)).map((candidate) => candidate.id));
    const held = (await membershipsOfAccounts(db, [existing.id])).get(existing.id) ?? [];
    if (existing.status !== 'invited' || !managesWholeAccount(viewer, held, organisationIds)) {
      await offerRole(db, mailer, viewer, { userId: existing.id, email, organisation, role }, context);
      return { userId: existing.id, invited: false };
    }
  }
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

/** Roles offered to this person and waiting for their answer. */
export async function pendingOffersFor(db: Kysely<Schema>, userId: string) {
  return db
    .selectFrom('membership_invitation')
    .innerJoin('organisation', 'organisation.id', 'membership_invitation.organisation_id')
    .leftJoin('user_account as inviter', 'inviter.id', 'membership_invitation.invited_by')
    .select(['membership_invitation.id', 'membership_invitation.role', 'membership_invitation.expires_at', 'organisation.name as organisation_name', 'inviter.email as invited_by_email'])
    .where('membership_invitation.user_id', '=', userId)
    .where('membership_invitation.decided_at', 'is', null)
    .where('membership_invitation.expires_at', '>', new Date())
    .orderBy('membership_invitation.invited_at')
    .execute();
}

/** Roles offered in organisations the administrator manages, still waiting for an answer. */
export async function pendingOffersBy(db: Kysely<Schema>, viewer: SignedIn) {
  const organisations = await manageableOrganisations(db, viewer);
  if (organisations.length === 0) return [];
  return db
    .selectFrom('membership_invitation')
    .innerJoin('organisation', 'organisation.id', 'membership_invitation.organisation_id')
    .innerJoin('user_account', 'user_account.id', 'membership_invitation.user_id')
    .select(['membership_invitation.id', 'membership_invitation.role', 'membership_invitation.expires_at', 'organisation.name as organisation_name', 'user_account.email'])
    .where('membership_invitation.organisation_id', 'in', organisations.map((organisation) => organisation.id))
    .where('membership_invitation.decided_at', 'is', null)
    .where('membership_invitation.expires_at', '>', new Date())
    .orderBy('user_account.email')
    .execute();
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The person's answer to a role offered to them: accepting grants it, declining ends the offer.
 * Only the person themselves, signed in, and only while the offer stands; anything else is not
 * found. Audited to the offering organisation's authority and every authority the person belongs to.
 */
export async function answerOffer(db: Kysely<Schema>, viewer: SignedIn, offerId: string, answer: string, ip: string): Promise<'accepted' | 'declined' | undefined> {
  const outcome = answer === 'accept' ? 'accepted' : answer === 'decline' ? 'declined' : undefined;
  if (outcome === undefined || !uuid.test(offerId)) return undefined;
  const offer = await db
    .selectFrom('membership_invitation')
    .innerJoin('organisation', 'organisation.id', 'membership_invitation.organisation_id')
    .select(['membership_invitation.id', 'membership_invitation.role', 'membership_invitation.organisation_id', 'membership_invitation.invited_by', 'organisation.name', 'organisation.la_code'])
    .where('membership_invitation.id', '=', offerId)
    .where('membership_invitation.user_id', '=', viewer.userId)
    .where('membership_invitation.decided_at', 'is', null)
    .where('membership_invitation.expires_at', '>', new Date())
    .executeTakeFirst();
  if (offer === undefined || !isRole(offer.role)) return undefined;
  const role = offer.role;
  const decided = await db.transaction().execute(async (transaction) => {
    const updated = await transaction.updateTable('membership_invitation').set({ decided_at: new Date(), outcome }).where('id', '=', offer.id).where('decided_at', 'is', null).executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return false;
    if (outcome === 'accepted') {
      await transaction
        .insertInto('membership')
        .values({ user_id: viewer.userId, organisation_id: offer.organisation_id, role, granted_by: offer.invited_by })
        .onConflict((conflict) => conflict.doNothing())
        .execute();
    }
    return true;
  });
  if (!decided) return undefined;
  await appendAuditForAuthorities(
    db,
    {
      action: outcome === 'accepted' ? 'role-offer-accepted' : 'role-offer-declined',
      outcome: 'success',
      actorUserId: viewer.userId,
      actorEmail: viewer.email,
      organisationId: offer.organisation_id,
      target: viewer.userId,
      ip,
      details: { role, organisation: offer.name },
    },
    [offer.la_code, ...viewer.memberships.map((membership) => membership.laCode)],
  );
  return outcome;
}

/** Withdraws a role offered in an organisation the administrator manages. */
export async function withdrawOffer(db: Kysely<Schema>, viewer: SignedIn, offerId: string, ip: string): Promise<boolean> {
  if (!uuid.test(offerId)) return false;
  const organisationIds = (await manageableOrganisations(db, viewer)).map((organisation) => organisation.id);
  if (organisationIds.length === 0) return false;
  const withdrawn = await db
    .updateTable('membership_invitation')
    .set({ decided_at: new Date(), outcome: 'withdrawn' })
    .where('id', '=', offerId)
    .where('organisation_id', 'in', organisationIds)
    .where('decided_at', 'is', null)
    .returning(['user_id', 'role', 'organisation_id'])
    .executeTakeFirst();
  if (withdrawn === undefined) return false;
  const organisationAuthority = (await db.selectFrom('organisation').select('la_code').where('id', '=', withdrawn.organisation_id).executeTakeFirst())?.la_code ?? null;
  const accountAuthorities = ((await membershipsOfAccounts(db, [withdrawn.user_id])).get(withdrawn.user_id) ?? []).map((membership) => membership.la_code);
  await auditAccountAction(
    db,
    viewer,
    { action: 'role-offer-withdrawn', outcome: 'success', organisationId: withdrawn.organisation_id, target: withdrawn.user_id, ip, details: { role: withdrawn.role } },
    [organisationAuthority, ...accountAuthorities],
  );
  return true;
}

/** Grants a role in an organisation the administrator manages to an account they already manage part of. */
export async function grantRole(db: Kysely<Schema>, viewer: SignedIn, userId: string, organisationId: string, role: string, ip: string): Promise<void> {
  const found = await manageableUser(db, viewer, userId);
  if (found === undefined) throw new AdminRefusal(404, 'There is no such account among those you manage');
  const checked = await checkGrant(db, viewer, organisationId, role);
  await db.insertInto('membership').values({ user_id: userId, organisation_id: checked.organisation.id, role: checked.role, granted_by: viewer.userId }).onConflict((c) => c.doNothing()).execute();
  const organisationAuthority = (await db.selectFrom('organisation').select('la_code').where('id', '=', organisationId).executeTakeFirst())?.la_code ?? null;
  await auditAccountAction(db, viewer, { action: 'role-granted', outcome: 'success', organisationId, target: userId, ip, details: { role: checked.role } }, [organisationAuthority, ...found.authorities]);
}

/** Revokes a role, only in an organisation the administrator manages: another authority's grants are theirs. */
export async function revokeRole(db: Kysely<Schema>, viewer: SignedIn, userId: string, organisationId: string, role: string, ip: string): Promise<void> {
  const found = await manageableUser(db, viewer, userId);
  if (found === undefined) throw new AdminRefusal(404, 'There is no such account among those you manage');
  await checkGrant(db, viewer, organisationId, role);
  await db.deleteFrom('membership').where('user_id', '=', userId).where('organisation_id', '=', organisationId).where('role', '=', role).execute();
  // A role's sessions are re-read on each request, so the change takes effect at once.
  await auditAccountAction(db, viewer, { action: 'role-revoked', outcome: 'success', organisationId, target: userId, ip, details: { role } }, found.authorities);
}

/** Deactivates (its sessions end at once) or reactivates an account the administrator manages as a whole. */
export async function setAccountStatus(db: Kysely<Schema>, viewer: SignedIn, userId: string, status: 'active' | 'deactivated', ip: string): Promise<void> {
  const action = status === 'deactivated' ? 'account-deactivated' : 'account-reactivated';
  const found = await wholeAccountFor(db, viewer, userId, { action, ip });
  if (userId === viewer.userId && status === 'deactivated') throw new AdminInputError('status', 'You cannot deactivate your own account');
  await db.updateTable('user_account').set({ status }).where('id', '=', userId).where('status', '!=', 'invited').execute();
  if (status === 'deactivated') await endAllSessions(db, userId);
  await auditAccountAction(db, viewer, { action, outcome: 'success', target: userId, ip }, found.authorities);
}

/** Ends every session of an account the administrator manages as a whole. */
export async function endAccountSessions(db: Kysely<Schema>, viewer: SignedIn, userId: string, ip: string): Promise<number> {
  const found = await wholeAccountFor(db, viewer, userId, { action: 'sessions-ended', ip });
  const ended = await endAllSessions(db, userId);
  await auditAccountAction(db, viewer, { action: 'sessions-ended', outcome: 'success', target: userId, ip, details: { sessions: ended } }, found.authorities);
  return ended;
}
