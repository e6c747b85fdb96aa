/**
 * The pages of communities of interest: finding and starting groups, a group's page (its
 * discussions, members, requests, invitations and reports), discussions with their replies, and a
 * person's notifications. Every action posts a form and redirects back (Post/Redirect/Get); a
 * refusal says what is wrong on the page it came from, or as a page of its own.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { formatDateTime } from '../web/format.js';
import { appendAudit } from '../auth/audit.js';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import { queryList, queryText, queryTexts } from '../web/query.js';
import { mayModerate, mayReadGroup, mayTakePart, readerId } from './access.js';
import { dismissReports, hidePost, listDiscussions, openReports, readDiscussion, reply as postReply, reportPost, startDiscussion } from './discussions.js';
import { createGroup, decideRequest, invite, joinGroup, leaveGroup, listGroups, membersOf, NetworkRefused, readGroup, setMemberRole, visibilityText } from './groups.js';
import type { GroupFilter, Person } from './groups.js';
import { listDocuments } from './documents.js';
import { upcomingEvents } from './events.js';
import { eventWhen } from './content-routes.js';
import { markAllRead, notificationsFor, unwatch, watch, watching } from './notifications.js';
import { groupVisibilities, memberRoles } from './tables.js';
import type { MemberRole } from './tables.js';
import { networkVocabulary, termLabel } from './vocabulary.js';

const hidden = { hide: true } as const;
const publicRoute = { permission: 'public' } as const;
const signedIn = { permission: 'signed-in' } as const;

/** A group's page lists at most this many discussions (the most recently active) and members (owners and moderators first). */
const discussionsShown = 50;
const membersShown = 100;

type SignedIn = Extract<Viewer, { signedIn: true }>;
type ErrorItem = { text: string; href: string };

/** A file's size as people read it: 850 KB, 2.4 MB. */
const sizeText = (bytes: number) => (bytes < 1_048_576 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1_048_576).toFixed(1)} MB`);

const dateTimeText = (date: Date) => formatDateTime(date);

function personOf(viewer: SignedIn): Person {
  return { userId: viewer.userId, label: viewer.displayName || viewer.email };
}

/** A form field as one string: the first value of a repeated field, empty when missing. */
const text = (value: unknown): string => queryText(value) ?? '';

const groupFilterFields = ['q', 'theme', 'group', 'thread', 'template', 'mine'] as const;

function filterFrom(query: Partial<Record<(typeof groupFilterFields)[number], string>>): GroupFilter {
  // Only a template the framework has: any other number (1e23, say) would match nothing, or not fit the column.
  const template = query.template !== undefined && termLabel('templates', query.template) !== undefined ? Number(query.template) : undefined;
  return {
    ...(query.q ? { words: query.q } : {}),
    ...(query.theme ? { theme: query.theme } : {}),
    ...(query.group ? { group: query.group } : {}),
    ...(query.thread ? { thread: query.thread } : {}),
    ...(template === undefined ? {} : { template }),
    ...(query.mine === '1' ? { mine: true } : {}),
  };
}

/** Options for a select: an empty first choice, then the terms. */
const choices = (terms: readonly { id: string; label: string }[], chosen: string | undefined, empty: string) => [{ value: '', text: empty }, ...terms.map((term) => ({ value: term.id, text: term.label, selected: term.id === chosen }))];

export function registerGroupRoutes(app: FastifyInstance, db: Kysely<Schema>): void {
  const vocabulary = networkVocabulary();

  async function refusal(reply: FastifyReply, error: unknown, back?: { href: string; text: string }) {
    if (!(error instanceof NetworkRefused)) throw error;
    if (error.statusCode === 404) return reply.callNotFound();
    const title = error.statusCode === 429 ? 'Wait before posting again' : error.statusCode === 403 ? 'You cannot do that' : 'That could not be done';
    return reply.code(error.statusCode).view('network/refused.njk', { pageTitle: title, title, message: error.message, back });
  }

  const audit = (request: FastifyRequest, entry: { action: string; outcome: 'success' | 'denied'; target: string; details?: Record<string, unknown> }) => {
    const viewer = request.viewer as SignedIn;
    return appendAudit(db, { ...entry, actorUserId: viewer.userId, actorEmail: viewer.email, ip: request.ip });
  };

  app.get<{ Querystring: Record<string, unknown> }>('/network/groups', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const viewer = request.viewer;
    const asked = queryTexts(request.query, groupFilterFields);
    const filter = filterFrom(asked);
    const groups = await listGroups(db, readerId(viewer), filter);
    return reply.view('network/groups.njk', {
      pageTitle: 'Communities of interest',
      breadcrumbs: [{ text: 'The network', href: '/network' }],
      groups: groups.map((group) => ({ ...group, activeText: dateTimeText(group.lastActivityAt) })),
      query: asked,
      filtered: Object.keys(filter).length > 0,
      themeItems: choices(vocabulary.themes, asked.theme, 'Any theme'),
      groupItems: choices(vocabulary.groups, asked.group, 'Any group of children'),
      threadItems: choices(vocabulary.threads, asked.thread, 'Any golden thread'),
      templateItems: choices(vocabulary.templates, asked.template, 'Any template'),
    });
  });

  function groupForm(reply: FastifyReply, values: Record<string, unknown>, errors: ErrorItem[] = []) {
    const chosen = (name: string) => queryList(values[name]);
    return reply.code(errors.length > 0 ? (errors.some((error) => error.text.startsWith('A group with that name')) ? 409 : 400) : 200).view('network/group-form.njk', {
      pageTitle: 'Start a community of interest',
      breadcrumbs: [
        { text: 'The network', href: '/network' },
        { text: 'Communities of interest', href: '/network/groups' },
      ],
      values,
      errors,
      errorSummaryShown: errors.length > 0,
      errorFor: Object.fromEntries(errors.map((error) => [error.href.slice(1), { text: error.text }])),
      visibilityItems: groupVisibilities.map((visibility) => ({ value: visibility, text: visibilityText[visibility].split(':')[0], hint: { text: visibilityText[visibility].split(': ')[1] }, checked: values.visibility === visibility })),
      themeItems: choices(vocabulary.themes, values.theme as string | undefined, 'None'),
      groupItems: choices(vocabulary.groups, values.frameworkGroup as string | undefined, 'None'),
      threadItems: vocabulary.threads.map((term) => ({ value: term.id, text: term.label, checked: chosen('threads').includes(term.id) })),
      templateItems: vocabulary.templates.map((term) => ({ value: term.id, text: term.label, checked: chosen('templates').includes(term.id) })),
    });
  }

  app.get('/network/groups/new', { schema: hidden, config: signedIn }, async (_request, reply) => groupForm(reply, { visibility: 'open' }));

  app.post<{ Body: Record<string, string | string[] | undefined> | undefined }>('/network/groups/new', { schema: hidden, config: signedIn }, async (request, reply) => {
    const viewer = request.viewer as SignedIn;
    const body = request.body ?? {};
    try {
      const id = await createGroup(db, personOf(viewer), {
        name: text(body.name),
        purpose: text(body.purpose),
        visibility: text(body.visibility),
        theme: body.theme === undefined ? undefined : text(body.theme),
        frameworkGroup: body.frameworkGroup === undefined ? undefined : text(body.frameworkGroup),
        threads: queryList(body.threads),
        templates: queryList(body.templates),
      });
      await audit(request, { action: 'network-group.create', outcome: 'success', target: id, details: { name: text(body.name).trim(), visibility: text(body.visibility) } });
      return reply.redirect(`/network/groups/${id}`, 303);
    } catch (error) {
      if (!(error instanceof NetworkRefused) || error.field === undefined) throw error;
      return groupForm(reply, body, [{ text: error.message, href: `#${error.field}` }]);
    }
  });

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>('/network/groups/:id', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const viewer = request.viewer;
    const userId = readerId(viewer);
    try {
      const group = await readGroup(db, userId, request.params.id);
      const readable = mayReadGroup(group, group.standing, userId !== null);
      const moderating = mayModerate(group.standing);
      const [discussions, documents, events, members, reports, watched] = await Promise.all([
        readable ? listDiscussions(db, userId, group, discussionsShown) : Promise.resolve([]),
        readable ? listDocuments(db, userId, group) : Promise.resolve([]),
        readable ? upcomingEvents(db, userId, group) : Promise.resolve([]),
        readable ? membersOf(db, group.id, moderating, membersShown) : Promise.resolve([]),
        moderating ? openReports(db, group.id) : Promise.resolve([]),
        userId === null ? Promise.resolve({ group: false, discussions: new Set<string>() }) : watching(db, userId, group.id),
      ]);
      const notices: Record<string, string> = {
        joined: `You are a member of ${group.name}.`,
        requested: 'You have asked to join. The group’s moderators will decide, and the group will show here once you are in.',
        left: `You have left ${group.name}.`,
        invited: 'The invitation is sent: they will see the group on their list of groups and can accept it.',
        decided: 'The request is decided.',
        watching: 'You will be told of every new discussion and reply in this group.',
        unwatched: 'You will no longer be told of new discussions in this group (you still hear of the discussions you watch).',
        role: 'The member’s role is changed.',
        shared: 'The document is shared with the group.',
      };
      return reply.view('network/group.njk', {
        pageTitle: group.name,
        breadcrumbs: [
          { text: 'The network', href: '/network' },
          { text: 'Communities of interest', href: '/network/groups' },
        ],
        group,
        visibilityText: visibilityText[group.visibility],
        readable,
        moderating,
        mayPost: mayTakePart(group.standing),
        isOwner: group.standing.role === 'owner' && group.standing.state === 'member',
        discussions: discussions.map((discussion) => ({ ...discussion, lastText: dateTimeText(discussion.lastPostAt) })),
        documents: documents.map((document) => ({ ...document, latest: document.versions[0]!, latestText: dateTimeText(document.versions[0]!.uploadedAt), sizeText: sizeText(document.versions[0]!.sizeBytes) })),
        events: events.map((event) => ({ ...event, whenText: eventWhen(event.startsAt, event.endsAt) })),
        members: members.filter((member) => member.state === 'member'),
        requests: members.filter((member) => member.state === 'requested'),
        invitations: members.filter((member) => member.state === 'invited'),
        reports,
        watchingGroup: watched.group,
        roles: memberRoles,
        notice: request.query.done === undefined ? undefined : notices[request.query.done],
      });
    } catch (error) {
      return refusal(reply, error);
    }
  });

  /** A group action: run it, audit it, and go back to the group's page with a notice. */
  function groupAction<Body>(path: string, action: string, run: (person: Person, groupId: string, body: Body) => Promise<string>) {
    app.post<{ Params: { id: string }; Body: Body }>(path, { schema: hidden, config: signedIn }, async (request, reply) => {
      const viewer = request.viewer as SignedIn;
      const groupId = request.params.id;
      try {
        const done = await run(personOf(viewer), groupId, request.body as Body);
        await audit(request, { action, outcome: 'success', target: groupId, details: { done } });
        return reply.redirect(`/network/groups/${groupId}?done=${done}`, 303);
      } catch (error) {
        if (error instanceof NetworkRefused && error.statusCode === 403) await audit(request, { action, outcome: 'denied', target: groupId, details: { reason: error.message } });
        return refusal(reply, error, { href: `/network/groups/${groupId}`, text: 'Back to the group' });
      }
    });
  }

  groupAction('/network/groups/:id/join', 'network-group.join', (person, groupId) => joinGroup(db, person, groupId));
  groupAction('/network/groups/:id/leave', 'network-group.leave', async (person, groupId) => {
    await leaveGroup(db, person, groupId);
    return 'left';
  });
  groupAction<{ email?: string } | undefined>('/network/groups/:id/invite', 'network-group.invite', async (person, groupId, body) => {
    await invite(db, person, groupId, String(body?.email ?? ''));
    return 'invited';
  });
  groupAction<{ userId?: string; decision?: string } | undefined>('/network/groups/:id/requests', 'network-group.decide-request', async (person, groupId, body) => {
    await decideRequest(db, person, groupId, String(body?.userId ?? ''), body?.decision === 'admit');
    return 'decided';
  });
  groupAction<{ userId?: string; role?: string } | undefined>('/network/groups/:id/roles', 'network-group.set-role', async (person, groupId, body) => {
    const role = String(body?.role ?? '');
    if (!(memberRoles as readonly string[]).includes(role)) throw new NetworkRefused('Choose owner, moderator or member.');
    await setMemberRole(db, person, groupId, String(body?.userId ?? ''), role as MemberRole);
    return 'role';
  });
  groupAction<{ discussion?: string } | undefined>('/network/groups/:id/watch', 'network-group.watch', async (person, groupId, body) => {
    const discussion = body?.discussion ? String(body.discussion) : null;
    await watch(db, person, groupId, discussion);
    return 'watching';
  });
  groupAction<{ discussion?: string } | undefined>('/network/groups/:id/unwatch', 'network-group.unwatch', async (person, groupId, body) => {
    await unwatch(db, person, groupId, body?.discussion ? String(body.discussion) : null);
    return 'unwatched';
  });

  function discussionForm(reply: FastifyReply, groupName: string, groupId: string, values: { title: string; body: string }, errors: ErrorItem[] = [], status = 200) {
    return reply.code(status).view('network/discussion-form.njk', {
      pageTitle: 'Start a discussion',
      breadcrumbs: [
        { text: 'Communities of interest', href: '/network/groups' },
        { text: groupName, href: `/network/groups/${groupId}` },
      ],
      groupId,
      groupName,
      values,
      errors,
      errorSummaryShown: errors.length > 0,
      errorFor: Object.fromEntries(errors.map((error) => [error.href.slice(1), { text: error.text }])),
    });
  }

  app.get<{ Params: { id: string } }>('/network/groups/:id/discussions/new', { schema: hidden, config: signedIn }, async (request, reply) => {
    const viewer = request.viewer as SignedIn;
    try {
      const group = await readGroup(db, viewer.userId, request.params.id);
      if (!mayTakePart(group.standing)) throw new NetworkRefused('Only members start discussions in this group: join it first.', 403);
      return discussionForm(reply, group.name, group.id, { title: '', body: '' });
    } catch (error) {
      return refusal(reply, error, { href: `/network/groups/${request.params.id}`, text: 'Back to the group' });
    }
  });

  app.post<{ Params: { id: string }; Body: { title?: string; body?: string } | undefined }>('/network/groups/:id/discussions/new', { schema: hidden, config: signedIn }, async (request, reply) => {
    const viewer = request.viewer as SignedIn;
    const values = { title: String(request.body?.title ?? ''), body: String(request.body?.body ?? '') };
    try {
      const group = await readGroup(db, viewer.userId, request.params.id);
      try {
        const { discussionId } = await startDiscussion(db, personOf(viewer), group.id, values);
        return reply.redirect(`/network/groups/${group.id}/discussions/${discussionId}`, 303);
      } catch (error) {
        if (error instanceof NetworkRefused && error.field !== undefined && error.statusCode !== 403) {
          return discussionForm(reply, group.name, group.id, values, [{ text: error.message, href: `#${error.field}` }], error.statusCode);
        }
        throw error;
      }
    } catch (error) {
      return refusal(reply, error, { href: `/network/groups/${request.params.id}`, text: 'Back to the group' });
    }
  });

  async function discussionPage(request: FastifyRequest<{ Params: { id: string; discussion: string }; Querystring: { quote?: string; done?: string } }>, reply: FastifyReply, form?: { body: string; quote: string; errors: ErrorItem[]; status: number }) {
    const viewer = request.viewer;
    const userId = readerId(viewer);
    try {
      const discussion = await readDiscussion(db, userId, request.params.id, request.params.discussion);
      const watched = userId === null ? undefined : await watching(db, userId, discussion.group.id);
      const quote = form?.quote ?? request.query.quote ?? '';
      const quoted = discussion.posts.find((post) => post.id === quote && post.hidden === null);
      const notices: Record<string, string> = { hidden: 'The post is hidden, with your reason in its place.', reported: 'Thank you: the group’s moderators will look at the post.', dismissed: 'The reports are closed and the post stays as it is.' };
      return reply.code(form?.status ?? 200).view('network/discussion.njk', {
        pageTitle: discussion.title,
        breadcrumbs: [
          { text: 'Communities of interest', href: '/network/groups' },
          { text: discussion.group.name, href: `/network/groups/${discussion.group.id}` },
        ],
        discussion,
        posts: discussion.posts.map((post) => ({ ...post, postedText: dateTimeText(post.postedAt), hiddenText: post.hidden === null ? null : dateTimeText(post.hidden.at) })),
        mayPost: mayTakePart(discussion.group.standing),
        moderating: mayModerate(discussion.group.standing),
        watchingDiscussion: watched?.discussions.has(discussion.id) ?? false,
        watchingGroup: watched?.group ?? false,
        quoted,
        values: { body: form?.body ?? '' },
        errors: form?.errors ?? [],
        errorSummaryShown: (form?.errors.length ?? 0) > 0,
        notice: request.query.done === undefined ? undefined : notices[request.query.done],
        userId,
      });
    } catch (error) {
      return refusal(reply, error, { href: `/network/groups/${request.params.id}`, text: 'Back to the group' });
    }
  }

  app.get<{ Params: { id: string; discussion: string }; Querystring: { quote?: string; done?: string } }>('/network/groups/:id/discussions/:discussion', { schema: hidden, config: publicRoute }, discussionPage);

  app.post<{ Params: { id: string; discussion: string }; Querystring: { quote?: string; done?: string }; Body: { body?: string; quote?: string } | undefined }>(
    '/network/groups/:id/discussions/:discussion',
    { schema: hidden, config: signedIn },
    async (request, reply) => {
      const viewer = request.viewer as SignedIn;
      const body = String(request.body?.body ?? '');
      const quote = String(request.body?.quote ?? '');
      try {
        const postId = await postReply(db, personOf(viewer), request.params.id, request.params.discussion, { body, quotedPostId: quote });
        return reply.redirect(`/network/groups/${request.params.id}/discussions/${request.params.discussion}#post-${postId}`, 303);
      } catch (error) {
        if (error instanceof NetworkRefused && error.field !== undefined && error.statusCode !== 403) {
          return discussionPage(request, reply, { body, quote, errors: [{ text: error.message, href: '#body' }], status: error.statusCode });
        }
        return refusal(reply, error, { href: `/network/groups/${request.params.id}`, text: 'Back to the group' });
      }
    },
  );

  /** A moderation action on one post, back to its discussion. */
  function postAction(path: string, action: string, run: (person: Person, groupId: string, postId: string, reason: string) => Promise<{ discussionId: string }>, done: string) {
    app.post<{ Params: { id: string; post: string }; Body: { reason?: string } | undefined }>(path, { schema: hidden, config: signedIn }, async (request, reply) => {
      const viewer = request.viewer as SignedIn;
      const { id, post } = request.params;
      try {
        const { discussionId } = await run(personOf(viewer), id, post, String(request.body?.reason ?? ''));
        await audit(request, { action, outcome: 'success', target: post, details: { group: id } });
        return reply.redirect(`/network/groups/${id}/discussions/${discussionId}?done=${done}#post-${post}`, 303);
      } catch (error) {
        if (error instanceof NetworkRefused && error.statusCode === 403) await audit(request, { action, outcome: 'denied', target: post, details: { group: id, reason: error.message } });
        return refusal(reply, error, { href: `/network/groups/${id}`, text: 'Back to the group' });
      }
    });
  }

  postAction('/network/groups/:id/posts/:post/hide', 'network-post.hide', (person, groupId, postId, reason) => hidePost(db, person, groupId, postId, reason), 'hidden');
  postAction('/network/groups/:id/posts/:post/report', 'network-post.report', (person, groupId, postId, reason) => reportPost(db, person, groupId, postId, reason), 'reported');
  postAction(
    '/network/groups/:id/posts/:post/dismiss',
    'network-post.dismiss-reports',
    async (person, groupId, postId) => {
      await dismissReports(db, person, groupId, postId);
      const row = await db.selectFrom('network_post').select('discussion_id').where('id', '=', postId).executeTakeFirstOrThrow();
      return { discussionId: row.discussion_id };
    },
    'dismissed',
  );

  app.get('/network/notifications', { schema: hidden, config: signedIn }, async (request, reply) => {
    const viewer = request.viewer as SignedIn;
    const notifications = await notificationsFor(db, viewer.userId);
    return reply.view('network/notifications.njk', {
      pageTitle: 'Notifications',
      breadcrumbs: [{ text: 'The network', href: '/network' }],
      notifications: notifications.map((notification) => ({ ...notification, whenText: dateTimeText(notification.createdAt) })),
      unread: notifications.filter((notification) => !notification.read).length,
    });
  });

  app.post('/network/notifications/read', { schema: hidden, config: signedIn }, async (request, reply) => {
    await markAllRead(db, (request.viewer as SignedIn).userId);
    return reply.redirect('/network/notifications', 303);
  });
}
