import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';

export interface ThrottleRule {
  /** Failures allowed within the window before the key is locked. */
  limit: number;
  windowMinutes: number;
  lockMinutes: number;
}

/** Per account: five wrong passwords in 15 minutes lock it for 15 minutes. */
export const accountRule: ThrottleRule = { limit: 5, windowMinutes: 15, lockMinutes: 15 };
/** Per address: twenty failures in 15 minutes, whichever accounts, block the address for 15 minutes. */
export const addressRule: ThrottleRule = { limit: 20, windowMinutes: 15, lockMinutes: 15 };

/**
 * The outcome of claiming an attempt: either the caller may check this one credential (it is the
 * `attempt`th in the window), or the key is locked until the time given and nothing may be checked.
 */
export type AttemptClaim = { allowed: true; attempt: number } | { allowed: false; lockedUntil: Date };

/**
 * Claims one attempt against the key BEFORE the credential is checked, in a single statement, so
 * the count is exact however many attempts arrive at once: a parallel attacker gets at most
 * `limit` checks per window, never one per request in flight (which is what checking first and
 * counting afterwards allowed). An attempt beyond the limit locks the key at once; the attempt that
 * reaches the limit is still checked, and locks the key if it fails (`recordFailure`).
 *
 * The claim counts as a failure until the caller says otherwise: `clearFailures` after a right
 * credential for an account, `releaseAttempt` for an address.
 */
export async function claimAttempt(db: Kysely<Schema>, key: string, rule: ThrottleRule, now = new Date()): Promise<AttemptClaim> {
  const windowStart = new Date(now.getTime() - rule.windowMinutes * 60_000);
  const lockEnd = new Date(now.getTime() + rule.lockMinutes * 60_000);
  // While locked the row is left as it is; an expired window starts afresh; otherwise one more.
  const { rows } = await sql<{ failures: number; locked_until: Date | null }>`
    insert into sign_in_throttle as t (key, window_started_at, failures, locked_until)
    values (${key}, ${now}, 1, null)
    on conflict (key) do update set
      window_started_at = case
        when t.locked_until > ${now} then t.window_started_at
        when t.window_started_at < ${windowStart} then ${now}
        else t.window_started_at end,
      failures = case
        when t.locked_until > ${now} then t.failures
        when t.window_started_at < ${windowStart} then 1
        else t.failures + 1 end,
      locked_until = case
        when t.locked_until > ${now} then t.locked_until
        when t.window_started_at >= ${windowStart} and t.failures + 1 > ${rule.limit} then ${lockEnd}::timestamptz
        else null end
    returning failures, locked_until`.execute(db);
  const row = rows[0];
  if (row === undefined) throw new Error(`claiming a sign-in attempt for ${key} returned no row`);
  const lockedUntil = row.locked_until === null ? null : new Date(row.locked_until);
  if (lockedUntil !== null && lockedUntil > now) return { allowed: false, lockedUntil };
  return { allowed: true, attempt: row.failures };
}

/**
 * The claimed attempt failed. Its failure is already counted (by the claim); the attempt that
 * reached the limit locks the key. Returns the time the key is now locked until, if this failure
 * locked it.
 */
export async function recordFailure(db: Kysely<Schema>, key: string, rule: ThrottleRule, claim: { attempt: number }, now = new Date()): Promise<Date | undefined> {
  if (claim.attempt < rule.limit) return undefined;
  const lock = new Date(now.getTime() + rule.lockMinutes * 60_000);
  await db.updateTable('sign_in_throttle').set({ failures: 0, window_started_at: now, locked_until: lock }).where('key', '=', key).execute();
  return lock;
}

/**
 * Gives back a claimed attempt that was not a failure (a right password from an address, or an
 * attempt refused before anything was checked), so people signing in correctly from one shared
 * address never block it.
 */
export async function releaseAttempt(db: Kysely<Schema>, key: string): Promise<void> {
  await db
    .updateTable('sign_in_throttle')
    .set({ failures: sql<number>`greatest(failures - 1, 0)` })
    .where('key', '=', key)
    .execute();
}

/** A right credential for an account: its failures are forgotten. */
export async function clearFailures(db: Kysely<Schema>, key: string): Promise<void> {
  await db.deleteFrom('sign_in_throttle').where('key', '=', key).execute();
}
