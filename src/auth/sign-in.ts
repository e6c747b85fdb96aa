import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { appendAudit } from './audit.js';
import { requiresSecondFactor } from './permissions.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { newToken, tokenHash } from './secrets.js';
import { createSession, endSession, membershipsOf, recordSecondFactor } from './sessions.js';
import { accountRule, addressRule, claimAttempt, clearFailures, recordFailure, releaseAttempt } from './throttle.js';
import { demoTotpSecret } from './demo.js';
import { totpStep } from './totp.js';

export interface Client {
  ip: string | null;
  userAgent: string | null;
}

export type SignInResult =
  | { ok: true; sessionToken: string; secondFactor: 'not-needed' | 'verify' | 'set-up' }
  | { ok: false; reason: 'invalid' | 'locked'; lockedUntil?: Date };

/**
 * Checks an email and password. Failures count against the account and the address; too many lock
 * them for a while. Success starts a new session (replacing the caller's old one, so a session id
 * planted before sign-in is worthless). Every outcome is audited; the password never is.
 */
export async function signIn(
  db: Kysely<Schema>,
  attempt: { email: string; password: string; previousSessionToken?: string | undefined },
  client: Client,
  now = new Date(),
): Promise<SignInResult> {
  const email = attempt.email.trim().toLowerCase();
  const addressKey = `address:${client.ip ?? 'unknown'}`;
  const audit = (outcome: 'success' | 'failure', details: Record<string, unknown>, user?: { id: string; laCode?: string | null }) =>
    appendAudit(db, { action: 'sign-in', outcome, actorUserId: user?.id, actorEmail: email, laCode: user?.laCode, ip: client.ip, details });

  // Each attempt is claimed before the password is checked, so parallel guesses cannot outrun the count.
  const addressClaim = await claimAttempt(db, addressKey, addressRule, now);
  if (!addressClaim.allowed) {
    await audit('failure', { reason: 'address-locked' });
    return { ok: false, reason: 'locked', lockedUntil: addressClaim.lockedUntil };
  }
  const account = await db.selectFrom('user_account').selectAll().where('email', '=', email).executeTakeFirst();
  const accountKey = account ? `account:${account.id}` : undefined;
  const accountClaim = accountKey ? await claimAttempt(db, accountKey, accountRule, now) : undefined;
  if (accountClaim && !accountClaim.allowed) {
    // Nothing was checked, so the address is not charged for it.
    await releaseAttempt(db, addressKey);
    await audit('failure', { reason: 'account-locked' }, account ? { id: account.id } : undefined);
    return { ok: false, reason: 'locked', lockedUntil: accountClaim.lockedUntil };
  }

  const passwordMatches = await verifyPassword(account?.password_hash ?? null, attempt.password);
  if (!account || !passwordMatches || account.status !== 'active') {
    const reason = !account ? 'unknown-email' : !passwordMatches ? 'wrong-password' : `account-${account.status}`;
    await recordFailure(db, addressKey, addressRule, addressClaim, now);
    const locked = accountKey && accountClaim?.allowed ? await recordFailure(db, accountKey, accountRule, accountClaim, now) : undefined;
    await audit('failure', { reason }, account ? { id: account.id } : undefined);
    if (locked && account) {
      await appendAudit(db, { action: 'account-locked', outcome: 'success', actorUserId: account.id, actorEmail: email, ip: client.ip, details: { until: locked.toISOString() } });
    }
    return { ok: false, reason: 'invalid' };
  }

  // A right password is no failure: the account's count starts again and the address gets its attempt back.
  if (accountKey) await clearFailures(db, accountKey);
  await releaseAttempt(db, addressKey);
  return startSession(db, { id: account.id, email, totpConfirmed: account.totp_confirmed_at !== null }, attempt.previousSessionToken, client, 'password', now);
}

/**
 * Signs in a person whose identity a single sign-on provider has vouched for. Only an account that
 * already exists (invited by an administrator) may sign in; accepting the identity also accepts
 * an outstanding invitation.
 */
export async function signInWithIdentity(
  db: Kysely<Schema>,
  identity: { email: string; subject: string },
  previousSessionToken: string | undefined,
  client: Client,
  now = new Date(),
): Promise<SignInResult> {
  const account = await db.selectFrom('user_account').selectAll().where('email', '=', identity.email).executeTakeFirst();
  if (account === undefined || account.status === 'deactivated') {
    await appendAudit(db, { action: 'sign-in', outcome: 'failure', actorEmail: identity.email, ip: client.ip, details: { method: 'oidc', reason: account ? 'account-deactivated' : 'no-account' } });
    return { ok: false, reason: 'invalid' };
  }
  if (account.status === 'invited') await db.updateTable('user_account').set({ status: 'active' }).where('id', '=', account.id).execute();
  return startSession(db, { id: account.id, email: identity.email, totpConfirmed: account.totp_confirmed_at !== null }, previousSessionToken, client, 'oidc', now);
}

/** A new session for the account, replacing the caller's old one, and the sign-in audited. */
async function startSession(
  db: Kysely<Schema>,
  account: { id: string; email: string; totpConfirmed: boolean },
  previousSessionToken: string | undefined,
  client: Client,
  method: 'password' | 'oidc',
  now: Date,
): Promise<SignInResult> {
  if (previousSessionToken) await endSession(db, tokenHash(previousSessionToken));
  const sessionToken = await createSession(db, account.id, client, now);
  await db.updateTable('user_account').set({ last_sign_in_at: now }).where('id', '=', account.id).execute();
  const memberships = await membershipsOf(db, account.id);
  await appendAudit(db, { action: 'sign-in', outcome: 'success', actorUserId: account.id, actorEmail: account.email, laCode: memberships[0]?.laCode, ip: client.ip, details: { method } });
  const needsSecondFactor = memberships.some((membership) => requiresSecondFactor(membership.role));
  return { ok: true, sessionToken, secondFactor: !needsSecondFactor ? 'not-needed' : account.totpConfirmed ? 'verify' : 'set-up' };
}

/**
 * Checks a one-time code from the authenticator app, or a recovery code (each works once).
 * Wrong codes count against the account like wrong passwords.
 */
export async function verifySecondFactor(
  db: Kysely<Schema>,
  session: { userId: string; email: string; sessionIdHash: string },
  code: string,
  client: Client,
  now = new Date(),
): Promise<'verified' | 'invalid' | 'locked'> {
  const accountKey = `account:${session.userId}`;
  // Claimed before the code is checked, as for passwords, so parallel guesses cannot outrun the count.
  const claim = await claimAttempt(db, accountKey, accountRule, now);
  if (!claim.allowed) return 'locked';
  const account = await db.selectFrom('user_account').select(['totp_secret', 'totp_confirmed_at']).where('id', '=', session.userId).executeTakeFirstOrThrow();
  let method: 'totp' | 'recovery-code' | undefined;
  const step = account.totp_secret && account.totp_confirmed_at ? totpStep(account.totp_secret, code, now.getTime()) : undefined;
  if (step !== undefined && account.totp_secret && (await claimTotpStep(db, session.userId, account.totp_secret, step))) method = 'totp';
  else if (await useRecoveryCode(db, session.userId, code, now)) method = 'recovery-code';
  if (method === undefined) {
    const locked = await recordFailure(db, accountKey, accountRule, claim, now);
    await appendAudit(db, { action: 'second-factor', outcome: 'failure', actorUserId: session.userId, actorEmail: session.email, ip: client.ip });
    return locked ? 'locked' : 'invalid';
  }
  await clearFailures(db, accountKey);
  await recordSecondFactor(db, session.sessionIdHash, now);
  await appendAudit(db, { action: 'second-factor', outcome: 'success', actorUserId: session.userId, actorEmail: session.email, ip: client.ip, details: { method } });
  return 'verified';
}

/**
 * Records that the account used the code of `step`, in one conditional update so two requests racing
 * with the same code cannot both pass: false when a code of this step or a later one was used before.
 * Demo accounts share a secret published on the sign-in page, so anyone can make any of their codes;
 * refusing a repeated code would protect nothing and stop two visitors trying the demo at once.
 */
export async function claimTotpStep(db: Kysely<Schema>, userId: string, secret: string, step: number): Promise<boolean> {
  if (secret === demoTotpSecret) return true;
  const result = await db
    .updateTable('user_account')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

async function useRecoveryCode(db: Kysely<Schema>, userId: string, code: string, now: Date): Promise<boolean> {
  const normalised = code.replace(/[\s-]/g, '').toLowerCase();
  if (normalised.length < 10) return false;
  const result = await db
    .updateTable('recovery_code')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', tokenHash(normalised))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ten new single-use recovery codes, replacing any earlier ones; shown once, stored hashed. */
export async function newRecoveryCodes(db: Kysely<Schema>, userId: string): Promise<string[]> {
  const codes = Array.from({ length: 10 }, () => newToken().replace(/[^a-z0-9]/gi, '').slice(0, 10).toLowerCase());
  await db.transaction().execute(async (transaction) => {
    await transaction.deleteFrom('recovery_code').where('user_id', '=', userId).execute();
    await transaction.insertInto('recovery_code').values(codes.map((code) => ({ user_id: userId, code_hash: tokenHash(code), used_at: null }))).execute();
  });
  return codes.map((code) => `${code.slice(0, 5)}-${code.slice(5)}`);
}

/** Sets a password (already checked against the policy by the caller). */
export async function setPassword(db: Kysely<Schema>, userId: string, password: string): Promise<void> {
  await db.updateTable('user_account').set({ password_hash: await hashPassword(password) }).where('id', '=', userId).execute();
}
