/**
 * Discussions in a community of interest: threads of posts, replies that may quote an earlier post,
 * mentions, and moderation (a moderator hides a post with a reason; any member reports one). Only
 * members post, and no one posts faster than the limits below: a flood is refused with the time
 * to wait. Posts are never edited away: a hidden post keeps its place with the reason shown.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema.js';
import { isMember, mayModerate, mayReadGroup, mayTakePart } from './access.js';
import { isUuid, NetworkRefused, readGroup, touchGroup } from './groups.js';
import type { GroupSummary, Person } from './groups.js';
import { notifyOfPost } from './notifications.js';
import { mentionedAddresses, postExcerpt, postHtml } from './post-text.js';

/** How fast one person may post, across every group. */
export const postingLimits = { perTenMinutes: 10, perDay: 100 } as const;

export interface DiscussionSummary {
  id: string;
  title: string;
  startedBy: string;
  startedAt: Date;
  lastPostAt: Date;
  postCount: number;
}

export interface Post {
  id: string;
  authorLabel: string;
  postedAt: Date;
  /** The post as safe HTML; empty when hidden. */
  html: string;
  hidden: { reason: string; by: string; at: Date } | null;
  /** Written by the person reading. */
  byReader: boolean;
  quoted: { id: string; authorLabel: string; excerpt: string } | null;
}

export interface Discussion extends DiscussionSummary {
  group: GroupSummary;
  posts: Post[];
}

/**
 * The group, if the person may read inside it; a group they may only see says so. A group already
 * read for the same person (a page showing several of its parts) is checked without reading it again.
 */
export async function readableGroup(db: Kysely<Schema>, userId: string | null, groupOrId: string | GroupSummary): Promise<GroupSummary> {
  const group = typeof groupOrId === 'string' ? await readGroup(db, userId, groupOrId) : groupOrId;
  if (!mayReadGroup(group, group.standing, userId !== null)) {
    throw new NetworkRefused(userId === null ? 'Sign in to read the discussions of this group.' : 'Only members read this group’s discussions: ask to join it.', 403);
  }
  return group;
}

export async function listDiscussions(db: Kysely<Schema>, userId: string | null, groupOrId: string | GroupSummary, limit = 10_000): Promise<DiscussionSummary[]> {
  const groupId = (await readableGroup(db, userId, groupOrId)).id;
  const rows = await db
    .selectFrom('network_discussion as d')
    .leftJoin('network_post as first', (join) => join.onRef('first.discussion_id', '=', 'd.id').onRef('first.posted_at', '=', 'd.started_at'))
    .select(['d.id', 'd.title', 'd.started_at', 'd.last_post_at', 'd.posts', 'first.author_label'])
    .where('d.group_id', '=', groupId)
    .orderBy('d.last_post_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ id: row.id, title: row.title, startedBy: row.author_label ?? 'A former member', startedAt: row.started_at, lastPostAt: row.last_post_at, postCount: row.posts }));
}

export async function readDiscussion(db: Kysely<Schema>, userId: string | null, groupId: string, discussionId: string): Promise<Discussion> {
  const group = await readableGroup(db, userId, groupId);
  if (!isUuid(discussionId)) throw new NetworkRefused('There is no such discussion in this group.', 404);
  const discussion = await db.selectFrom('network_discussion').selectAll().where('id', '=', discussionId).where('group_id', '=', groupId).executeTakeFirst();
  if (discussion === undefined) throw new NetworkRefused('There is no such discussion in this group.', 404);
  const rows = await db
    .selectFrom('network_post as p')
    .leftJoin('network_post as q', 'q.id', 'p.quoted_post_id')
    .select(['p.id', 'p.author_id', 'p.author_label', 'p.body', 'p.posted_at', 'p.hidden_at', 'p.hidden_by_label', 'p.hidden_reason', 'q.id as quoted_id', 'q.author_label as quoted_author', 'q.body as quoted_body', 'q.hidden_at as quoted_hidden_at'])
    .where('p.discussion_id', '=', discussionId)
    .orderBy('p.posted_at')
    .orderBy('p.id')
    .execute();
  const posts = rows.map(
    (row): Post => ({
      id: row.id,
      authorLabel: row.author_label,
      postedAt: row.posted_at,
      html: row.hidden_at === null ? postHtml(row.body) : '',
      hidden: row.hidden_at === null ? null : { reason: row.hidden_reason ?? '', by: row.hidden_by_label ?? '', at: row.hidden_at },
      byReader: userId !== null && row.author_id === userId,
      quoted:
        row.quoted_id === null
          ? null
          : { id: row.quoted_id, authorLabel: row.quoted_author ?? '', excerpt: row.quoted_hidden_at === null ? postExcerpt(row.quoted_body ?? '', 300) : 'This post was hidden by a moderator.' },
    }),
  );
  return { id: discussion.id, title: discussion.title, startedBy: posts[0]?.authorLabel ?? '', startedAt: discussion.started_at, lastPostAt: discussion.last_post_at, postCount: discussion.posts, group, posts };
}

function checkedBody(body: string): string {
  const text = body.replace(/\r\n/g, '\n').trim();
  if (text.length === 0) throw new NetworkRefused('Write your post.', 400, 'body');
  if (text.length > 20000) throw new NetworkRefused(`Write your post in 20,000 characters or fewer (it has ${text.length.toLocaleString('en-GB')}).`, 400, 'body');
  return text;
}

/** Refuses a post beyond the limits, saying how long to wait. */
async function checkPostingRate(db: Kysely<Schema>, userId: string, now: Date): Promise<void> {
  const row = await db
    .selectFrom('network_post')
    .select([
      sql<string>`count(*) filter (where posted_at > ${new Date(now.getTime() - 10 * 60_000)})`.as('recent'),
      sql<string>`count(*)`.as('today'),
      sql<Date | null>`min(posted_at) filter (where posted_at > ${new Date(now.getTime() - 10 * 60_000)})`.as('oldest_recent'),
    ])
    .where('author_id', '=', userId)
    .where('posted_at', '>', new Date(now.getTime() - 24 * 3_600_000))
    .executeTakeFirstOrThrow();
  if (Number(row.today) >= postingLimits.perDay) throw new NetworkRefused(`You have posted ${postingLimits.perDay} times in the last day, the most anyone may: try again tomorrow.`, 429, 'body');
  if (Number(row.recent) >= postingLimits.perTenMinutes) {
    const oldest = row.oldest_recent === null ? now : new Date(row.oldest_recent);
    const minutes = Math.max(1, Math.ceil((oldest.getTime() + 10 * 60_000 - now.getTime()) / 60_000));
    throw new NetworkRefused(`You have posted ${postingLimits.perTenMinutes} times in ten minutes, the most anyone may: wait ${minutes} minute${minutes === 1 ? '' : 's'} and post again.`, 429, 'body');
  }
}

async function member(db: Kysely<Schema>, person: Person, groupId: string): Promise<GroupSummary> {
  const group = await readGroup(db, person.userId, groupId);
  if (!mayTakePart(group.standing)) throw new NetworkRefused('Only members post in this group: join it first.', 403);
  return group;
}

/** Starts a discussion with its first post; the author watches it. */
export async function startDiscussion(db: Kysely<Schema>, author: Person, groupId: string, fields: { title: string; body: string }, now = new Date()): Promise<{ discussionId: string; postId: string }> {
  const group = await member(db, author, groupId);
  const title = fields.title.trim().replace(/\s+/g, ' ');
  if (title.length === 0) throw new NetworkRefused('Give the discussion a title.', 400, 'title');
  if (title.length > 200) throw new NetworkRefused('Write the title in 200 characters or fewer.', 400, 'title');
  const body = checkedBody(fields.body);
  await checkPostingRate(db, author.userId, now);
  const ids = await db.transaction().execute(async (transaction) => {
    const discussion = await transaction.insertInto('network_discussion').values({ group_id: groupId, title, started_by: author.userId, started_at: now, last_post_at: now, posts: 1 }).returning('id').executeTakeFirstOrThrow();
    const post = await transaction
      .insertInto('network_post')
      .values({ discussion_id: discussion.id, group_id: groupId, author_id: author.userId, author_label: author.label, body, posted_at: now, search_vector: sql<string>`to_tsvector('english', ${`${title}\n${body}`})` })
      .returning('id')
      .executeTakeFirstOrThrow();
    await transaction.insertInto('network_watch').values({ user_id: author.userId, group_id: groupId, discussion_id: discussion.id }).onConflict((conflict) => conflict.doNothing()).execute();
    await notifyOfPost(transaction, {
      groupId,
      discussionId: discussion.id,
      postId: post.id,
      authorId: author.userId,
      kind: 'discussion',
      summary: `${author.label} started “${title}” in ${group.name}`,
      mentionSummary: `${author.label} mentioned you in “${title}” in ${group.name}`,
      mentioned: mentionedAddresses(body),
    });
    return { discussionId: discussion.id, postId: post.id };
  });
  await touchGroup(db, groupId, now);
  return ids;
}

/** Replies in a discussion, optionally quoting one of its posts that is not hidden. */
export async function reply(db: Kysely<Schema>, author: Person, groupId: string, discussionId: string, fields: { body: string; quotedPostId?: string | undefined }, now = new Date()): Promise<string> {
  const group = await member(db, author, groupId);
  if (!isUuid(discussionId)) throw new NetworkRefused('There is no such discussion in this group.', 404);
  const discussion = await db.selectFrom('network_discussion').select(['id', 'title']).where('id', '=', discussionId).where('group_id', '=', groupId).executeTakeFirst();
  if (discussion === undefined) throw new NetworkRefused('There is no such discussion in this group.', 404);
  const body = checkedBody(fields.body);
  const quoted = fields.quotedPostId === undefined || fields.quotedPostId === '' ? null : fields.quotedPostId;
  if (quoted !== null) {
    const found = isUuid(quoted) ? await db.selectFrom('network_post').select('hidden_at').where('id', '=', quoted).where('discussion_id', '=', discussionId).executeTakeFirst() : undefined;
    if (found === undefined) throw new NetworkRefused('You can only quote a post of this discussion.', 400, 'body');
    if (found.hidden_at !== null) throw new NetworkRefused('That post was hidden by a moderator, so it cannot be quoted.', 400, 'body');
  }
  await checkPostingRate(db, author.userId, now);
  const postId = await db.transaction().execute(async (transaction) => {
    const post = await transaction
      .insertInto('network_post')
      .values({ discussion_id: discussionId, group_id: groupId, author_id: author.userId, author_label: author.label, body, quoted_post_id: quoted, posted_at: now, search_vector: sql<string>`to_tsvector('english', ${body})` })
      .returning('id')
      .executeTakeFirstOrThrow();
    await transaction
      .updateTable('network_discussion')
      .set((eb) => ({ posts: eb('posts', '+', 1), last_post_at: now }))
      .where('id', '=', discussionId)
      .execute();
    await transaction.insertInto('network_watch').values({ user_id: author.userId, group_id: groupId, discussion_id: discussionId }).onConflict((conflict) => conflict.doNothing()).execute();
    await notifyOfPost(transaction, {
      groupId,
      discussionId,
      postId: post.id,
      authorId: author.userId,
      kind: 'reply',
      summary: `${author.label} replied in “${discussion.title}” in ${group.name}`,
      mentionSummary: `${author.label} mentioned you in “${discussion.title}” in ${group.name}`,
      mentioned: mentionedAddresses(body),
    });
    return post.id;
  });
  await touchGroup(db, groupId, now);
  return postId;
}

async function postIn(db: Kysely<Schema>, groupId: string, postId: string) {
  const post = isUuid(postId) ? await db.selectFrom('network_post').select(['id', 'discussion_id', 'hidden_at', 'author_id']).where('id', '=', postId).where('group_id', '=', groupId).executeTakeFirst() : undefined;
  if (post === undefined) throw new NetworkRefused('There is no such post in this group.', 404);
  return post;
}

/** Hides a post, with the reason everyone will see in its place; moderators only. */
export async function hidePost(db: Kysely<Schema>, moderator: Person, groupId: string, postId: string, reason: string): Promise<{ discussionId: string }> {
  const group = await readGroup(db, moderator.userId, groupId);
  if (!mayModerate(group.standing)) throw new NetworkRefused('Only the group’s owners and moderators may hide posts.', 403);
  const why = reason.trim();
  if (why.length === 0) throw new NetworkRefused('Say why the post is hidden: members will see the reason in its place.', 400, 'reason');
  if (why.length > 500) throw new NetworkRefused('Write the reason in 500 characters or fewer.', 400, 'reason');
  const post = await postIn(db, groupId, postId);
  if (post.hidden_at !== null) throw new NetworkRefused('That post is already hidden.', 409);
  await db.transaction().execute(async (transaction) => {
    await transaction.updateTable('network_post').set({ hidden_at: new Date(), hidden_by_label: moderator.label, hidden_reason: why, changed_at: sql<Date>`now()` }).where('id', '=', postId).execute();
    await transaction.updateTable('network_post_report').set({ resolved_at: new Date(), resolved_by_label: moderator.label }).where('post_id', '=', postId).where('resolved_at', 'is', null).execute();
  });
  return { discussionId: post.discussion_id };
}

/** Reports a post to the group's moderators; members only, once each. */
export async function reportPost(db: Kysely<Schema>, reporter: Person, groupId: string, postId: string, reason: string): Promise<{ discussionId: string }> {
  const group = await readGroup(db, reporter.userId, groupId);
  if (!isMember(group.standing)) throw new NetworkRefused('Only members report posts in this group.', 403);
  const why = reason.trim();
  if (why.length === 0) throw new NetworkRefused('Say what is wrong with the post.', 400, 'reason');
  if (why.length > 1000) throw new NetworkRefused('Write what is wrong in 1,000 characters or fewer.', 400, 'reason');
  const post = await postIn(db, groupId, postId);
  if (post.author_id === reporter.userId) throw new NetworkRefused('You cannot report your own post.', 409);
  const inserted = await db.insertInto('network_post_report').values({ post_id: postId, reported_by: reporter.userId, reason: why }).onConflict((conflict) => conflict.doNothing()).returning('id').executeTakeFirst();
  if (inserted === undefined) throw new NetworkRefused('You have already reported this post: the moderators will look at it.', 409);
  return { discussionId: post.discussion_id };
}

export interface OpenReport {
  postId: string;
  discussionId: string;
  discussionTitle: string;
  authorLabel: string;
  excerpt: string;
  reasons: string[];
  firstReportedAt: Date;
}

/** Reports not yet dealt with, for the group's moderators. */
export async function openReports(db: Kysely<Schema>, groupId: string): Promise<OpenReport[]> {
  const rows = await db
    .selectFrom('network_post_report as r')
    .innerJoin('network_post as p', 'p.id', 'r.post_id')
    .innerJoin('network_discussion as d', 'd.id', 'p.discussion_id')
    .select(['p.id', 'p.discussion_id', 'd.title', 'p.author_label', 'p.body', 'r.reason', 'r.reported_at'])
    .where('p.group_id', '=', groupId)
    .where('r.resolved_at', 'is', null)
    .where('p.hidden_at', 'is', null)
    .orderBy('r.reported_at')
    .execute();
  const reports = new Map<string, OpenReport>();
  for (const row of rows) {
    const entry = reports.get(row.id) ?? { postId: row.id, discussionId: row.discussion_id, discussionTitle: row.title, authorLabel: row.author_label, excerpt: postExcerpt(row.body, 300), reasons: [], firstReportedAt: row.reported_at };
    entry.reasons.push(row.reason);
    reports.set(row.id, entry);
  }
  return [...reports.values()];
}

/** Leaves a reported post as it is: the reports are closed. */
export async function dismissReports(db: Kysely<Schema>, moderator: Person, groupId: string, postId: string): Promise<void> {
  const group = await readGroup(db, moderator.userId, groupId);
  if (!mayModerate(group.standing)) throw new NetworkRefused('Only the group’s owners and moderators deal with reports.', 403);
  await postIn(db, groupId, postId);
  await db.updateTable('network_post_report').set({ resolved_at: new Date(), resolved_by_label: moderator.label }).where('post_id', '=', postId).where('resolved_at', 'is', null).execute();
}
