import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { appendAudit } from './audit.js';
import type { Mailer } from './mail.js';
import { issueToken, tokenLifetimeHours } from './one-time-tokens.js';
import { englandCode } from './organisations.js';
import type { ThrottleRule } from './throttle.js';
import { claimAttempt } from './throttle.js';

/**
 * A member of the public registering a contributor account (issue 15): the only way into the
 * service without an invitation, so it grants one role, `contributor` in England (submitting
 * practice, nothing else), and only once the person has shown they read the email address.
 */

/** Per address: five registrations an hour, then none for an hour, so a bot cannot create accounts in bulk. */
export const registrationAddressRule: ThrottleRule = { limit: 5, windowMinutes: 60, lockMinutes: 60 };
/** Per email address: three an hour, so nobody can use the form to flood someone's inbox. */
export const registrationEmailRule: ThrottleRule = { limit: 3, windowMinutes: 60, lockMinutes: 60 };

export const nameMaxLength = 200;
export const organisationMaxLength = 200;
/** The longest address SMTP can carry (RFC 5321, as amended by its errata). */
const emailMaxLength = 254;

export interface RegistrationForm {
  name: string;
  email: string;
  organisation: string;
  terms: boolean;
}

export interface FieldProblem {
  field: 'name' | 'email' | 'organisation' | 'terms';
  text: string;
}

/** A form field as one string: a field sent twice, or not at all, is treated as empty. */
function field(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The form as submitted, trimmed; the email address in the lower case accounts store it in. */
export function readRegistrationForm(body: Record<string, unknown>): RegistrationForm {
  return {
    name: field(body.name).trim(),
    email: field(body.email).trim().toLowerCase(),
    organisation: field(body.organisation).trim(),
    terms: field(body.terms) === 'agree',
  };
}

/** What is wrong with the form, field by field in the order the page shows them; empty when nothing is. */
export function registrationProblems(form: RegistrationForm): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (form.name === '') problems.push({ field: 'name', text: 'Enter your full name' });
  else if (form.name.length > nameMaxLength) problems.push({ field: 'name', text: `Full name must be ${nameMaxLength} characters or fewer` });
  if (form.email === '') problems.push({ field: 'email', text: 'Enter your email address' });
  else if (form.email.length > emailMaxLength || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email)) {
    problems.push({ field: 'email', text: 'Enter an email address in the correct format, like name@example.com' });
  }
  if (form.organisation.length > organisationMaxLength) problems.push({ field: 'organisation', text: `Organisation must be ${organisationMaxLength} characters or fewer` });
  if (!form.terms) problems.push({ field: 'terms', text: 'Confirm that you agree to the terms to create an account' });
  return problems;
}

export type RegistrationOutcome = { ok: true } | { ok: false; refusedBy: 'address' | 'email'; lockedUntil: Date };

/**
 * Registers a contributor from a valid form, answering the same whether or not the address already
 * has an account, so the form cannot be used to find out who has one. A new address gets a pending
 * account (status `invited`, no password, no role) and a link to confirm it; an address waiting
 * for that link gets a fresh one (earlier links stop working); any other account gets a note
 * instead, and nothing about it changes.
 *
 * Every registration counts against the client's address and the email address (`claimAttempt`,
 * counted before anything is done, so parallel requests get no more than the limit).
 */
export async function register(
  db: Kysely<Schema>,
  mailer: Mailer,
  form: RegistrationForm,
  context: { ip: string; publicUrl: string },
): Promise<RegistrationOutcome> {
  const { email } = form;
  for (const [refusedBy, key, rule] of [
    ['address', `registration-address:${context.ip}`, registrationAddressRule],
    ['email', `registration-email:${email}`, registrationEmailRule],
  ] as const) {
    const claim = await claimAttempt(db, key, rule);
    if (!claim.allowed) {
      await appendAudit(db, { action: 'account-registered', outcome: 'denied', actorEmail: email, target: email, ip: context.ip, details: { reason: `too many registrations from this ${refusedBy}` } });
      return { ok: false, refusedBy, lockedUntil: claim.lockedUntil };
    }
  }

  // A registration racing another for the same address finds the account the other made.
  const created = await db
    .insertInto('user_account')
    .values({ email, display_name: form.name, status: 'invited', password_hash: null, totp_secret: null, stated_organisation: form.organisation || null })
    .onConflict((conflict) => conflict.column('email').doNothing())
    .returning('id')
    .executeTakeFirst();
  const account =
    created === undefined ? await db.selectFrom('user_account').select(['id', 'status']).where('email', '=', email).executeTakeFirstOrThrow() : { id: created.id, status: 'invited' as const };
  const pending = created !== undefined || (account.status === 'invited' && !(await holdsAnyRole(db, account.id)));

  if (pending) {
    // Asked again before the link was used: the newest form wins, as only the newest link works.
    if (created === undefined) await db.updateTable('user_account').set({ display_name: form.name, stated_organisation: form.organisation || null }).where('id', '=', account.id).execute();
    await sendConfirmationLink(db, mailer, account.id, email, context.publicUrl);
  } else {
    await mailer.send({ to: email, subject: 'Someone tried to register with your email address', body: alreadyRegisteredNote(account.status, context.publicUrl) });
  }
  await appendAudit(db, {
    action: 'account-registered',
    outcome: pending ? 'success' : 'failure',
    actorEmail: email,
    target: email,
    ip: context.ip,
    details: pending ? { account: created === undefined ? 'pending, link sent again' : 'pending' } : { reason: 'the address already has an account' },
  });
  return { ok: true };
}

async function holdsAnyRole(db: Kysely<Schema>, userId: string): Promise<boolean> {
  return (await db.selectFrom('membership').select('role').where('user_id', '=', userId).executeTakeFirst()) !== undefined;
}

/**
 * The link that confirms the address. The message names no one and quotes nothing typed in the
 * form: anyone can make the service send it to any address, so it must carry no words of theirs.
 */
async function sendConfirmationLink(db: Kysely<Schema>, mailer: Mailer, userId: string, email: string, publicUrl: string): Promise<void> {
  const token = await issueToken(db, userId, 'email-verification');
  await mailer.send({
    to: email,
    subject: 'Confirm your email address for Narrowing the Gap',
    body:
      `Someone asked to create a contributor account on Narrowing the Gap with this email address.\n\n` +
      `If it was you, confirm your address and choose a password here (the link works once, for ${tokenLifetimeHours['email-verification']} hours):\n` +
      `${publicUrl}/register/verify/${token}\n\n` +
      `If it was not you, ignore this message: nothing happens unless the link is used.\n`,
  });
}

/** What an address that already has an account is told instead: how to get in, never a new account. */
function alreadyRegisteredNote(status: 'invited' | 'active' | 'deactivated', publicUrl: string): string {
  const opening = 'Someone asked to create a contributor account on Narrowing the Gap with this email address. It already has an account, so no new one was made and nothing about your account has changed.\n\n';
  const closing = '\nIf it was not you, you can ignore this message.\n';
  if (status === 'active') {
    return `${opening}If it was you, sign in here:\n${publicUrl}/sign-in\n\nIf you have forgotten your password, ask for a link to reset it here:\n${publicUrl}/password-reset\n${closing}`;
  }
  if (status === 'invited') {
    return `${opening}You have been invited but have not chosen a password yet. Use the link in your invitation email, or ask the administrator who invited you for a new one.\n${closing}`;
  }
  return `${opening}The account has been deactivated. If you think that is a mistake, ask the administrator of your organisation or the service's team.\n${closing}`;
}

/**
 * The last step of registering, once the person has confirmed the address and chosen a password:
 * the account gets the contributor role in England (the national organisation), granted by no one.
 * Returns the organisation's id, for the audit log.
 */
export async function grantContributorRole(db: Kysely<Schema>, userId: string): Promise<string> {
  const england = await db.selectFrom('organisation').select('id').where('kind', '=', 'national').where('area_code', '=', englandCode).executeTakeFirstOrThrow();
  await db.insertInto('membership').values({ user_id: userId, organisation_id: england.id, role: 'contributor', granted_by: null }).onConflict((conflict) => conflict.doNothing()).execute();
  return england.id;
}
