import type { Kysely } from 'kysely';
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

/** When the key is locked, until when; otherwise undefined. */
export async function lockedUntil(db: Kysely<Schema>, key: string, now = new Date()): Promise<Date | undefined> {
  const row = await db.selectFrom('sign_in_throttle').select('locked_until').where('key', '=', key).executeTakeFirst();
  return row?.locked_until && row.locked_until > now ? row.locked_until : undefined;
}

/** Counts a failure; returns the time the key is now locked until, if this failure locked it. */
export async function recordFailure(db: Kysely<Schema>, key: string, rule: ThrottleRule, now = new Date()): Promise<Date | undefined> {
  return db.transaction().execute(async (transaction) => {
    const row = await transaction.selectFrom('sign_in_throttle').selectAll().where('key', '=', key).forUpdate().executeTakeFirst();
    const windowStart = new Date(now.getTime() - rule.windowMinutes * 60_000);
    const fresh = row === undefined || row.window_started_at < windowStart;
    const failures = fresh ? 1 : row.failures + 1;
    const lock = failures >= rule.limit ? new Date(now.getTime() + rule.lockMinutes * 60_000) : null;
    await transaction
      .insertInto('sign_in_throttle')
      .values({ key, window_started_at: fresh ? now : row.window_started_at, failures: lock ? 0 : failures, locked_until: lock })
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet({ window_started_at: fresh ? now : row.window_started_at, failures: lock ? 0 : failures, locked_until: lock }),
      )
      .execute();
    return lock ?? undefined;
  });
}

export async function clearFailures(db: Kysely<Schema>, key: string): Promise<void> {
  await db.deleteFrom('sign_in_throttle').where('key', '=', key).execute();
}
