import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Schema } from '../db/schema.js';
import type { OrganisationKind } from './tables.js';
import type { Role } from './permissions.js';
import { isRole } from './permissions.js';
import { newToken, tokenHash } from './secrets.js';

/** A session ends after this long without a request… */
export const sessionIdleMinutes = 30;
/** …and after this long in any case. */
export const sessionAbsoluteHours = 12;

export interface Membership {
  organisationId: string;
  organisationKind: OrganisationKind;
  organisationName: string;
  /** GSS code of the organisation's local authority, if it belongs to one. */
  laCode: string | null;
  /** GSS code of a region or local authority organisation. */
  areaCode: string | null;
  /** Unique reference number of a setting organisation. */
  urn: string | null;
  role: Role;
}

export interface SessionUser {
  sessionIdHash: string;
  userId: string;
  email: string;
  displayName: string;
  secondFactorDone: boolean;
  totpConfigured: boolean;
  memberships: Membership[];
}

/** Memberships with their organisations, by organisation name. */
function membershipRows(db: Kysely<Schema>) {
  return db
    .selectFrom('membership')
    .innerJoin('organisation', 'organisation.id', 'membership.organisation_id')
    .select(['organisation.id', 'organisation.kind', 'organisation.name', 'organisation.la_code', 'organisation.area_code', 'organisation.urn', 'membership.role'])
    .orderBy('organisation.name');
}

type MembershipRow = Awaited<ReturnType<ReturnType<typeof membershipRows>['execute']>>[number];

/**
 * The memberships of the `user_account` row a query reads, as one JSON column: read with the
 * account rather than after it, since each query is a round trip and every request asks this.
 */
export function membershipsOfAccountRow(db: Kysely<Schema>) {
  return jsonArrayFrom(membershipRows(db).where('membership.user_id', '=', sql.ref<string>('user_account.id'))).as('memberships');
}

export function membershipsFrom(rows: readonly MembershipRow[]): Membership[] {
  return rows.flatMap((row) =>
    isRole(row.role)
      ? [{ organisationId: row.id, organisationKind: row.kind, organisationName: row.name, laCode: row.la_code, areaCode: row.area_code, urn: row.urn, role: row.role }]
      : [],
  );
}

export async function membershipsOf(db: Kysely<Schema>, userId: string): Promise<Membership[]> {
  return membershipsFrom(await membershipRows(db).where('membership.user_id', '=', userId).execute());
}

/** Starts a new session (a fresh id every sign-in, so a planted id is never promoted) and returns its token. */
export async function createSession(
  db: Kysely<Schema>,
  userId: string,
  client: { ip: string | null; userAgent: string | null },
  now = new Date(),
): Promise<string> {
  const token = newToken();
  await db
    .insertInto('user_session')
    .values({
      id_hash: tokenHash(token),
      user_id: userId,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + sessionAbsoluteHours * 3_600_000),
      second_factor_at: null,
      ip: client.ip,
      user_agent: client.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return token;
}

/**
 * The signed-in person behind a session token, or undefined when the session does not exist, has
 * timed out, or belongs to an account that is no longer active (which then ends at once).
 */
export async function findSessionUser(db: Kysely<Schema>, token: string, now = new Date()): Promise<SessionUser | undefined> {
  const idHash = tokenHash(token);
  const row = await db
    .selectFrom('user_session')
    .innerJoin('user_account', 'user_account.id', 'user_session.user_id')
    .select([
      'user_session.id_hash',
      'user_session.last_seen_at',
      'user_session.expires_at',
      'user_session.second_factor_at',
      'user_account.id as user_id',
      'user_account.email',
      'user_account.display_name',
      'user_account.status',
      'user_account.totp_confirmed_at',
      membershipsOfAccountRow(db),
    ])
    .where('user_session.id_hash', '=', idHash)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const idleLimit = new Date(row.last_seen_at.getTime() + sessionIdleMinutes * 60_000);
  if (row.status !== 'active' || now > row.expires_at || now > idleLimit) {
    await db.deleteFrom('user_session').where('id_hash', '=', idHash).execute();
    return undefined;
  }
  // Writing on every request would make each page a write; a minute's precision is enough for the idle limit.
  if (now.getTime() - row.last_seen_at.getTime() > 60_000) {
    await db.updateTable('user_session').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
  }
  return {
    sessionIdHash: idHash,
    userId: row.user_id,
    email: row.email,
    displayName: row.display_name,
    secondFactorDone: row.second_factor_at !== null,
    totpConfigured: row.totp_confirmed_at !== null,
    memberships: membershipsFrom(row.memberships),
  };
}

export async function recordSecondFactor(db: Kysely<Schema>, sessionIdHash: string, now = new Date()): Promise<void> {
  await db.updateTable('user_session').set({ second_factor_at: now }).where('id_hash', '=', sessionIdHash).execute();
}

export async function endSession(db: Kysely<Schema>, sessionIdHash: string): Promise<void> {
  await db.deleteFrom('user_session').where('id_hash', '=', sessionIdHash).execute();
}

/** Signs the account out everywhere: every session ends. */
export async function endAllSessions(db: Kysely<Schema>, userId: string): Promise<number> {
  const result = await db.deleteFrom('user_session').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
