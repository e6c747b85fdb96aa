/**
 * The network's email digest: each person's notifications not yet emailed, from the groups they are
 * still a member of, in one email a day or a week (weekly unless they choose otherwise, or none).
 * Every email ends with a link that stops them in one click, with no sign-in: the link's token is
 * the person's own, random, and does nothing but turn the emails off (or back on).
 *
 * Sending is safe with several processes at once: a person's digest is claimed (their last-sent
 * time moved forward, their notifications marked emailed) in one transaction before the email goes,
 * so no two processes send the same notice; if sending fails, the claim is given back.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Mailer } from '../auth/mail.js';
import type { Schema } from '../db/schema.js';
import { activePeople } from '../auth/people.js';
import { digestFrequencies } from './tables.js';
import type { DigestFrequency } from './tables.js';

export const defaultFrequency: DigestFrequency = 'weekly';
export const digestPreferencesPath = '/network/email';

/** How long after the last digest the next one is due (a little under a day or a week, so an hourly pass never slips a day). */
const dueAfter: Record<Exclude<DigestFrequency, 'off'>, number> = { daily: 23 * 3_600_000, weekly: (7 * 24 - 1) * 3_600_000 };
/** People claimed and mailed per transaction. */
const batchSize = 500;

export function isDigestFrequency(value: unknown): value is DigestFrequency {
  return typeof value === 'string' && (digestFrequencies as readonly string[]).includes(value);
}

const newToken = () => randomBytes(24).toString('base64url');

/** The person's choice and their unsubscribe token (made on first asking). */
export async function digestPreference(db: Kysely<Schema>, userId: string): Promise<{ frequency: DigestFrequency; token: string }> {
  await db.insertInto('network_digest_preference').values({ user_id: userId, frequency: defaultFrequency, unsubscribe_token: newToken() }).onConflict((conflict) => conflict.column('user_id').doNothing()).execute();
  const row = await db.selectFrom('network_digest_preference').select(['frequency', 'unsubscribe_token']).where('user_id', '=', userId).executeTakeFirstOrThrow();
  return { frequency: row.frequency, token: row.unsubscribe_token };
}

export async function setDigestFrequency(db: Kysely<Schema>, userId: string, frequency: DigestFrequency): Promise<void> {
  await digestPreference(db, userId);
  await db.updateTable('network_digest_preference').set({ frequency }).where('user_id', '=', userId).execute();
}

/** Turns the emails of the token's owner off (or on again); false for a token no one holds. */
export async function setDigestByToken(db: Kysely<Schema>, token: string, frequency: DigestFrequency): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return false;
  const changed = await db.updateTable('network_digest_preference').set({ frequency }).where('unsubscribe_token', '=', token).executeTakeFirst();
  return Number(changed.numUpdatedRows) > 0;
}

export interface DigestNotice {
  groupName: string;
  summary: string;
  href: string;
}

/** The email for one person: their notices by group, newest first within each, and the links to choose or stop. */
export function digestMessage(person: { name: string; email: string }, notices: readonly DigestNotice[], links: { baseUrl: string; token: string; frequency: Exclude<DigestFrequency, 'off'> }): { to: string; subject: string; body: string } {
  const byGroup = new Map<string, DigestNotice[]>();
  for (const notice of notices) byGroup.set(notice.groupName, [...(byGroup.get(notice.groupName) ?? []), notice]);
  const sections = [...byGroup].map(([group, entries]) => [group, '-'.repeat(Math.min(group.length, 60)), ...entries.map((entry) => `- ${entry.summary}\n  ${links.baseUrl}${entry.href}`)].join('\n'));
  const count = notices.length;
  return {
    to: person.email,
    subject: `Narrowing the Gap network: ${count} new ${count === 1 ? 'post' : 'posts'} in your groups`,
    body: [
      `Hello ${person.name},`,
      `Here is what is new in the groups and discussions you watch since your last ${links.frequency} email.`,
      ...sections,
      `Choose how often you get this email: ${links.baseUrl}${digestPreferencesPath}`,
      `Stop these emails (one click, no sign-in needed): ${links.baseUrl}/network/unsubscribe/${links.token}`,
    ].join('\n\n'),
  };
}

export interface DigestRun {
  people: number;
  notices: number;
  failed: number;
}

/**
 * Sends every digest that is due at `now`. Returns how many people were emailed, with how many
 * notices, and how many emails failed (their notices stay for the next pass).
 */
export async function sendDigests(db: Kysely<Schema>, mailer: Mailer, options: { now?: Date; baseUrl: string; log?: { error(object: unknown, message: string): void } }): Promise<DigestRun> {
  const now = options.now ?? new Date();
  const run: DigestRun = { people: 0, notices: 0, failed: 0 };
  // Everyone with a notice not yet emailed from a group they are still in.
  const waiting = await db
    .selectFrom('network_notification as n')
    .innerJoin('network_membership as m', (join) => join.onRef('m.group_id', '=', 'n.group_id').onRef('m.user_id', '=', 'n.user_id').on('m.state', '=', 'member'))
    .select('n.user_id')
    .distinct()
    .where('n.emailed_at', 'is', null)
    .execute();
  const userIds = waiting.map((row) => row.user_id);
  for (let start = 0; start < userIds.length; start += batchSize) {
    const batch = userIds.slice(start, start + batchSize);
    if (batch.length > 0) {
      await db
        .insertInto('network_digest_preference')
        .values(batch.map((userId) => ({ user_id: userId, frequency: defaultFrequency, unsubscribe_token: newToken() })))
        .onConflict((conflict) => conflict.column('user_id').doNothing())
        .execute();
    }
    const claimed = await db.transaction().execute(async (transaction) => {
      // Claimed by moving the last-sent time on, only where a digest is due: another process running the same pass claims none of them.
      const due = await transaction
        .updateTable('network_digest_preference')
        .set({ last_sent_at: now })
        .where('user_id', 'in', batch)
        .where((eb) =>
          eb.or([
            eb.and([eb('frequency', '=', 'daily'), eb.or([eb('last_sent_at', 'is', null), eb('last_sent_at', '<', new Date(now.getTime() - dueAfter.daily))])]),
            eb.and([eb('frequency', '=', 'weekly'), eb.or([eb('last_sent_at', 'is', null), eb('last_sent_at', '<', new Date(now.getTime() - dueAfter.weekly))])]),
          ]),
        )
        .returning(['user_id', 'frequency', 'unsubscribe_token'])
        .execute();
      if (due.length === 0) return { due, notices: [] };
      const notices = await transaction
        .updateTable('network_notification as n')
        .set({ emailed_at: now })
        .from('network_group as g')
        .whereRef('g.id', '=', 'n.group_id')
        .where('n.user_id', 'in', due.map((row) => row.user_id))
        .where('n.emailed_at', 'is', null)
        .where((eb) => eb.exists(eb.selectFrom('network_membership as m').select('m.user_id').whereRef('m.group_id', '=', 'n.group_id').whereRef('m.user_id', '=', 'n.user_id').where('m.state', '=', 'member')))
        .returning(['n.id', 'n.user_id', 'n.summary', 'n.group_id', 'n.discussion_id', 'n.post_id', 'n.created_at', 'g.name'])
        .execute();
      return { due, notices };
    });
    if (claimed.due.length === 0) continue;
    const people = await activePeople(
      db,
      claimed.due.map((row) => row.user_id),
    );
    for (const preference of claimed.due) {
      const mine = claimed.notices.filter((notice) => notice.user_id === preference.user_id).sort((a, b) => b.created_at.getTime() - a.created_at.getTime());
      const person = people.get(preference.user_id);
      if (mine.length === 0 || person === undefined || preference.frequency === 'off') continue;
      const message = digestMessage(
        { name: person.displayName, email: person.email },
        mine.map((notice) => ({
          groupName: notice.name,
          summary: notice.summary,
          href: notice.discussion_id === null ? `/network/groups/${notice.group_id}` : `/network/groups/${notice.group_id}/discussions/${notice.discussion_id}${notice.post_id === null ? '' : `#post-${notice.post_id}`}`,
        })),
        { baseUrl: options.baseUrl, token: preference.unsubscribe_token, frequency: preference.frequency },
      );
      try {
        await mailer.send(message);
        run.people += 1;
        run.notices += mine.length;
      } catch (error) {
        run.failed += 1;
        options.log?.error({ err: error }, 'a network digest email was not sent');
        // Given back: the notices wait for the next pass.
        await db
          .updateTable('network_notification')
          .set({ emailed_at: null })
          .where(
            'id',
            'in',
            mine.map((notice) => notice.id),
          )
          .execute();
        await db.updateTable('network_digest_preference').set({ last_sent_at: null }).where('user_id', '=', preference.user_id).execute();
      }
    }
  }
  return run;
}
