import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { newToken, tokenHash } from './secrets.js';

/** What a link in an email is for: choosing a password after an invitation, after a reset, or after registering (which confirms the address). */
export type TokenPurpose = 'password-reset' | 'invitation' | 'email-verification';

/** How long a link in an email works. */
export const tokenLifetimeHours: Record<TokenPurpose, number> = { 'password-reset': 1, invitation: 72, 'email-verification': 24 };

/** Issues a single-use token for the account; only its hash is stored. Earlier unused ones of the same purpose stop working. */
export async function issueToken(db: Kysely<Schema>, userId: string, purpose: TokenPurpose, now = new Date()): Promise<string> {
  const token = newToken();
  await db.transaction().execute(async (transaction) => {
    await transaction.updateTable('one_time_token').set({ used_at: now }).where('user_id', '=', userId).where('purpose', '=', purpose).where('used_at', 'is', null).execute();
    await transaction
      .insertInto('one_time_token')
      .values({ token_hash: tokenHash(token), purpose, user_id: userId, created_at: now, expires_at: new Date(now.getTime() + tokenLifetimeHours[purpose] * 3_600_000), used_at: null })
      .execute();
  });
  return token;
}

export type TokenCheck = { ok: true; userId: string } | { ok: false; reason: 'unknown' | 'expired' | 'used' };

/** Whether the token would work now, without using it (to show the form it leads to). */
export async function checkToken(db: Kysely<Schema>, token: string, purpose: TokenPurpose, now = new Date()): Promise<TokenCheck> {
  const row = await db.selectFrom('one_time_token').selectAll().where('token_hash', '=', tokenHash(token)).where('purpose', '=', purpose).executeTakeFirst();
  if (row === undefined) return { ok: false, reason: 'unknown' };
  if (row.used_at !== null) return { ok: false, reason: 'used' };
  if (row.expires_at <= now) return { ok: false, reason: 'expired' };
  return { ok: true, userId: row.user_id };
}

/** Uses the token: succeeds once, atomically, however many requests race for it. */
export async function consumeToken(db: Kysely<Schema>, token: string, purpose: TokenPurpose, now = new Date()): Promise<TokenCheck> {
  const row = await db
    .updateTable('one_time_token')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('user_id')
    .executeTakeFirst();
  if (row !== undefined) return { ok: true, userId: row.user_id };
  const check = await checkToken(db, token, purpose, now);
  return check.ok ? { ok: false, reason: 'used' } : check;
}
