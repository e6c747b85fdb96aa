/**
 * Watching and being told: a member watches a group (every new discussion and reply in it) or one
 * discussion, and is told in the service (and in their email digest, digest.ts). Someone mentioned
 * is told only if they are a member of the group: a mention of anyone else is left as text, so no
 * notification ever carries a group's words to someone outside it. A person who leaves a group stops
 * hearing from it at once, whatever they watched.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema.js';
import { activePeopleNamed } from '../auth/people.js';
import { isUuid, NetworkRefused, readGroup } from './groups.js';
import type { Person } from './groups.js';
import { isMember } from './access.js';

type Db = Kysely<Schema> | Transaction<Schema>;

export type NotificationKind = 'discussion' | 'reply' | 'mention';

export interface PostNotice {
  groupId: string;
  discussionId: string;
  postId: string;
  authorId: string;
  kind: 'discussion' | 'reply';
  /** One line: who did what, where. */
  summary: string;
  mentionSummary: string;
  mentioned: readonly string[];
}

/** Tells the watchers of the discussion or its group, and the members mentioned, of a new post. */
export async function notifyOfPost(db: Db, notice: PostNotice): Promise<number> {
  const members = db.selectFrom('network_membership').select('user_id').where('group_id', '=', notice.groupId).where('state', '=', 'member');
  const mentionedPeople = await activePeopleNamed(db, notice.mentioned);
  const mentionedIds = new Set(mentionedPeople.filter((person) => notice.mentioned.includes(person.email)).map((person) => person.id));
  const mentionedMembers = mentionedIds.size === 0 ? [] : (await members.where('user_id', 'in', [...mentionedIds]).execute()).map((row) => row.user_id);
  const watchers = await db
    .selectFrom('network_watch')
    .select('user_id')
    .distinct()
    .where('group_id', '=', notice.groupId)
    .where((eb) => eb.or([eb('discussion_id', 'is', null), eb('discussion_id', '=', notice.discussionId)]))
    .where('user_id', 'in', members)
    .execute();
  const told = new Map<string, { kind: NotificationKind; summary: string }>();
  for (const row of watchers) told.set(row.user_id, { kind: notice.kind, summary: notice.summary });
  // A mention says more than a watch: it is the one notice the person gets for this post.
  for (const userId of mentionedMembers) told.set(userId, { kind: 'mention', summary: notice.mentionSummary });
  told.delete(notice.authorId);
  if (told.size === 0) return 0;
  await db
    .insertInto('network_notification')
    .values([...told].map(([userId, entry]) => ({ user_id: userId, group_id: notice.groupId, discussion_id: notice.discussionId, post_id: notice.postId, kind: entry.kind, summary: entry.summary })))
    .execute();
  return told.size;
}

/** Watches a group, or one of its discussions; only members watch. */
export async function watch(db: Kysely<Schema>, person: Person, groupId: string, discussionId: string | null): Promise<void> {
  const group = await readGroup(db, person.userId, groupId);
  if (!isMember(group.standing)) throw new NetworkRefused('Join the group to watch it.', 403);
  if (discussionId !== null) {
    const found = isUuid(discussionId) ? await db.selectFrom('network_discussion').select('id').where('id', '=', discussionId).where('group_id', '=', groupId).executeTakeFirst() : undefined;
    if (found === undefined) throw new NetworkRefused('There is no such discussion in this group.', 404);
  }
  await db.insertInto('network_watch').values({ user_id: person.userId, group_id: groupId, discussion_id: discussionId }).onConflict((conflict) => conflict.doNothing()).execute();
}

export async function unwatch(db: Kysely<Schema>, person: Person, groupId: string, discussionId: string | null): Promise<void> {
  let query = db.deleteFrom('network_watch').where('user_id', '=', person.userId).where('group_id', '=', groupId);
  query = discussionId === null ? query.where('discussion_id', 'is', null) : query.where('discussion_id', '=', discussionId);
  await query.execute();
}

/** What the person watches in a group: the whole group, and which discussions. */
export async function watching(db: Kysely<Schema>, userId: string, groupId: string): Promise<{ group: boolean; discussions: Set<string> }> {
  const rows = await db.selectFrom('network_watch').select('discussion_id').where('user_id', '=', userId).where('group_id', '=', groupId).execute();
  return { group: rows.some((row) => row.discussion_id === null), discussions: new Set(rows.flatMap((row) => (row.discussion_id === null ? [] : [row.discussion_id]))) };
}

export interface Notification {
  id: string;
  kind: NotificationKind;
  summary: string;
  href: string;
  groupName: string;
  createdAt: Date;
  read: boolean;
}

/**
 * The person's notifications, newest first, only from groups they are still a member of (a notice
 * written before they left stays unread in the table but is never shown).
 */
export async function notificationsFor(db: Kysely<Schema>, userId: string, limit = 50): Promise<Notification[]> {
  const rows = await db
    .selectFrom('network_notification as n')
    .innerJoin('network_group as g', 'g.id', 'n.group_id')
    .innerJoin('network_membership as m', (join) => join.onRef('m.group_id', '=', 'n.group_id').onRef('m.user_id', '=', 'n.user_id').on('m.state', '=', 'member'))
    .select(['n.id', 'n.kind', 'n.summary', 'n.group_id', 'n.discussion_id', 'n.post_id', 'n.created_at', 'n.read_at', 'g.name'])
    .where('n.user_id', '=', userId)
    .orderBy('n.created_at', 'desc')
    .orderBy('n.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: String(row.id),
    kind: row.kind as NotificationKind,
    summary: row.summary,
    href: row.discussion_id === null ? `/network/groups/${row.group_id}` : `/network/groups/${row.group_id}/discussions/${row.discussion_id}${row.post_id === null ? '' : `#post-${row.post_id}`}`,
    groupName: row.name,
    createdAt: row.created_at,
    read: row.read_at !== null,
  }));
}

export async function markAllRead(db: Kysely<Schema>, userId: string): Promise<void> {
  await db.updateTable('network_notification').set({ read_at: new Date() }).where('user_id', '=', userId).where('read_at', 'is', null).execute();
}
