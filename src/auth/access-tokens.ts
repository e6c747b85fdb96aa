import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { appendAudit } from './audit.js';
import type { Action } from './permissions.js';
import { actions, scopeOf } from './permissions.js';
import { newToken, tokenHash } from './secrets.js';
import type { Membership } from './sessions.js';
import { membershipsFrom, membershipsOfAccountRow } from './sessions.js';

/** Recognisable in logs and by secret scanners, so a leaked token can be found and revoked. */
export const accessTokenPrefix = 'ntg_pat_';
export const tokenLifetimeOptions = [30, 90, 365] as const;

export interface TokenUser {
  userId: string;
  email: string;
  displayName: string;
  memberships: Membership[];
  scopes: Action[];
}

/** The actions the account may use at all: a token may carry any of these, no more. */
export function grantableScopes(memberships: Membership[]): Action[] {
  return actions.filter((action) => memberships.some((membership) => scopeOf(membership.role, action) !== undefined));
}

export async function createAccessToken(
  db: Kysely<Schema>,
  owner: { userId: string; email: string; memberships: Membership[] },
  request: { name: string; days: number; scopes: string[] },
  ip: string,
  now = new Date(),
): Promise<string> {
  const allowed = grantableScopes(owner.memberships);
  const scopes = allowed.filter((action) => request.scopes.includes(action));
  const token = `${accessTokenPrefix}${newToken()}`;
  await db
    .insertInto('personal_access_token')
    .values({
      user_id: owner.userId,
      name: request.name,
      token_hash: tokenHash(token),
      scopes: scopes.join(' '),
      created_at: now,
      expires_at: new Date(now.getTime() + request.days * 86_400_000),
      revoked_at: null,
      last_used_at: null,
    })
    .execute();
  await appendAudit(db, { action: 'access-token-created', outcome: 'success', actorUserId: owner.userId, actorEmail: owner.email, ip, details: { name: request.name, scopes, days: request.days } });
  return token;
}

/** The account behind a bearer token, if the token is live and the account active. */
export async function findTokenUser(db: Kysely<Schema>, token: string, now = new Date()): Promise<TokenUser | undefined> {
  if (!token.startsWith(accessTokenPrefix)) return undefined;
  const row = await db
    .selectFrom('personal_access_token')
    .innerJoin('user_account', 'user_account.id', 'personal_access_token.user_id')
    .select(['personal_access_token.id', 'personal_access_token.scopes', 'personal_access_token.expires_at', 'personal_access_token.revoked_at', 'personal_access_token.last_used_at', 'user_account.id as user_id', 'user_account.email', 'user_account.display_name', 'user_account.status', membershipsOfAccountRow(db)])
    .where('personal_access_token.token_hash', '=', tokenHash(token))
    .executeTakeFirst();
  if (row === undefined || row.revoked_at !== null || row.expires_at <= now || row.status !== 'active') return undefined;
  if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() > 60_000) {
    await db.updateTable('personal_access_token').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  const memberships = membershipsFrom(row.memberships);
  const held = grantableScopes(memberships);
  return {
    userId: row.user_id,
    email: row.email,
    displayName: row.display_name,
    memberships,
    // A role revoked since the token was made takes its actions away from the token too.
    scopes: row.scopes.split(' ').filter((scope): scope is Action => held.includes(scope as Action)),
  };
}

export async function listAccessTokens(db: Kysely<Schema>, userId: string) {
  return db
    .selectFrom('personal_access_token')
    .select(['id', 'name', 'scopes', 'created_at', 'expires_at', 'revoked_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function revokeAccessToken(db: Kysely<Schema>, owner: { userId: string; email: string }, tokenId: string, ip: string, now = new Date()): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/.test(tokenId)) return false;
  const result = await db.updateTable('personal_access_token').set({ revoked_at: now }).where('id', '=', tokenId).where('user_id', '=', owner.userId).where('revoked_at', 'is', null).executeTakeFirst();
  const revoked = Number(result.numUpdatedRows) === 1;
  if (revoked) await appendAudit(db, { action: 'access-token-revoked', outcome: 'success', actorUserId: owner.userId, actorEmail: owner.email, target: tokenId, ip });
  return revoked;
}

/** Revokes every live token of the account (signing out everywhere): a stolen token must stop too. Returns how many. */
export async function revokeAllAccessTokens(db: Kysely<Schema>, userId: string, now = new Date()): Promise<number> {
  const result = await db.updateTable('personal_access_token').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
