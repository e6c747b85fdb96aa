/**
 * The network in the JSON API: England's regions with their authorities, a council's profile, and
 * the communities of interest and their discussions that the caller may see (signed out: open and
 * restricted groups' names and purposes; a hidden group, to anyone not in it, does not exist).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { apiErrorSchema } from '../web/errors.js';
import { readerId } from './access.js';
import { listDiscussions } from './discussions.js';
import { listGroups, NetworkRefused, readGroup } from './groups.js';
import type { GroupSummary } from './groups.js';
import { councilProfile } from './profiles.js';
import { networkRegion, networkRegions } from './regions.js';

const publicRoute = { permission: 'public' } as const;
const tags = ['Network'];

const place = { type: 'object', required: ['code', 'name'], properties: { code: { type: 'string', description: 'GSS code' }, name: { type: 'string' } } } as const;
const term = { type: 'object', required: ['id', 'label'], properties: { id: { type: 'string' }, label: { type: 'string' } } } as const;
const nullableTerm = { ...term, type: ['object', 'null'] } as const;

const regionSchema = {
  type: 'object',
  required: ['code', 'name', 'authorities'],
  properties: { code: { type: 'string', description: 'Region GSS code (E12…)' }, name: { type: 'string' }, authorities: { type: 'array', items: place, description: 'Its current local authorities, by name' }, href: { type: 'string' } },
} as const;

const groupSchema = {
  type: 'object',
  required: ['id', 'name', 'purpose', 'visibility', 'theme', 'frameworkGroup', 'threads', 'templates', 'members', 'discussions', 'lastActivityAt', 'membership', 'href'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    purpose: { type: 'string' },
    visibility: { type: 'string', enum: ['open', 'restricted', 'hidden'] },
    theme: nullableTerm,
    frameworkGroup: nullableTerm,
    threads: { type: 'array', items: term },
    templates: { type: 'array', items: term },
    members: { type: 'integer' },
    discussions: { type: 'integer' },
    lastActivityAt: { type: 'string', format: 'date-time' },
    membership: { type: ['string', 'null'], enum: ['owner', 'moderator', 'member', 'requested', 'invited', null], description: 'The caller’s standing in the group' },
    href: { type: 'string' },
  },
} as const;

function groupJson(group: GroupSummary) {
  const membership = group.standing.state === 'member' ? group.standing.role : group.standing.state;
  return {
    id: group.id,
    name: group.name,
    purpose: group.purpose,
    visibility: group.visibility,
    theme: group.theme,
    frameworkGroup: group.frameworkGroup,
    threads: group.threads,
    templates: group.templates,
    members: group.members,
    discussions: group.discussions,
    lastActivityAt: group.lastActivityAt.toISOString(),
    membership,
    href: `/api/v1/groups/${group.id}`,
  };
}

export function registerNetworkApi(app: FastifyInstance, db: Kysely<Schema>): void {
  const refused = (reply: FastifyReply, error: unknown) => {
    if (!(error instanceof NetworkRefused)) throw error;
    if (error.statusCode === 404) return reply.callNotFound();
    return reply.code(error.statusCode).send({ statusCode: error.statusCode, error: error.statusCode === 403 ? 'Forbidden' : 'Bad Request', message: error.message, requestId: reply.request.id });
  };

  app.get(
    '/api/v1/regions',
    {
      config: publicRoute,
      schema: { summary: 'England’s nine regions', description: 'Each region with its code, name and current local authorities (code and name).', tags, response: { 200: { description: 'The regions, in code order', type: 'array', items: regionSchema } } },
    },
    () => Promise.resolve(networkRegions().map((region) => ({ ...region, href: `/api/v1/regions/${region.code}` }))),
  );

  app.get<{ Params: { code: string } }>(
    '/api/v1/regions/:code',
    {
      config: publicRoute,
      schema: {
        summary: 'One region',
        tags,
        params: { type: 'object', required: ['code'], properties: { code: { type: 'string', description: 'Region GSS code (E12…)' } } },
        response: { 200: { description: 'The region', ...regionSchema }, 404: { ...apiErrorSchema, description: 'No region has this code' } },
      },
    },
    async (request, reply) => {
      const region = networkRegion(request.params.code);
      if (region === undefined) return reply.callNotFound();
      return { ...region, href: `/api/v1/regions/${region.code}` };
    },
  );

  app.get<{ Params: { code: string } }>(
    '/api/v1/authorities/:code',
    {
      config: publicRoute,
      schema: {
        summary: 'A council’s profile in the network',
        description: 'Who takes part, what the council says it works on, the priorities of the improvement plan it published (with the groups of children and golden threads they name), its published practice and its listed contacts.',
        tags,
        params: { type: 'object', required: ['code'], properties: { code: { type: 'string', description: 'Local authority GSS code' } } },
        response: {
          200: {
            description: 'The profile',
            type: 'object',
            required: ['code', 'name', 'region', 'statement', 'takingPart', 'priorities', 'practice', 'contacts'],
            properties: {
              code: { type: 'string' },
              name: { type: 'string' },
              region: place,
              statement: { type: 'string' },
              takingPart: {
                type: 'object',
                required: ['people', 'organisations'],
                properties: { people: { type: 'integer' }, organisations: { type: 'array', items: { type: 'object', required: ['name', 'kind'], properties: { name: { type: 'string' }, kind: { type: 'string', enum: ['local-authority', 'setting', 'partner'] } } } } },
              },
              plan: { type: ['object', 'null'], properties: { title: { type: 'string' }, periodStart: { type: 'string', format: 'date' }, periodEnd: { type: 'string', format: 'date' } } },
              priorities: { type: 'array', items: { type: 'object', required: ['title', 'groups', 'threads'], properties: { title: { type: 'string' }, groups: { type: 'array', items: term }, threads: { type: 'array', items: term } } } },
              practice: { type: 'array', items: { type: 'object', required: ['id', 'reference', 'title', 'href'], properties: { id: { type: 'string' }, reference: { type: 'string' }, title: { type: 'string' }, href: { type: 'string' } } } },
              contacts: { type: 'array', items: { type: 'object', required: ['name', 'jobTitle', 'email'], properties: { name: { type: 'string' }, jobTitle: { type: 'string' }, email: { type: 'string' } } } },
            },
          },
          404: { ...apiErrorSchema, description: 'No current local authority has this code' },
        },
      },
    },
    async (request, reply) => {
      const profile = await councilProfile(db, request.params.code);
      if (profile === undefined) return reply.callNotFound();
      const plan = profile.publishedPlan;
      return {
        code: profile.authority.code,
        name: profile.authority.name,
        region: profile.authority.region,
        statement: profile.statement,
        takingPart: { people: profile.takingPart?.people ?? 0, organisations: (profile.takingPart?.organisations ?? []).map((organisation) => ({ name: organisation.name, kind: organisation.kind })) },
        plan: plan === null ? null : { title: plan.title, periodStart: plan.periodStart, periodEnd: plan.periodEnd },
        priorities: (plan?.priorities ?? []).map((priority) => ({ title: priority.title, groups: priority.groups, threads: priority.threads })),
        practice: profile.practice.map((item) => ({ id: item.id, reference: item.reference, title: item.title, href: `/api/v1/practice/${item.id}` })),
        contacts: profile.contacts,
      };
    },
  );

  app.get<{ Querystring: { q?: string; theme?: string; group?: string; thread?: string } }>(
    '/api/v1/groups',
    {
      config: publicRoute,
      schema: {
        summary: 'Communities of interest the caller may see',
        description: 'Open and restricted groups for anyone; hidden groups only for their members and the people invited to them. Filter by words in the name or purpose, a theme (THEME-1…5), a group of children or a golden thread (GT01…GT10).',
        tags,
        querystring: { type: 'object', properties: { q: { type: 'string', maxLength: 200 }, theme: { type: 'string' }, group: { type: 'string' }, thread: { type: 'string' } } },
        response: { 200: { description: 'The groups, most recently active first', type: 'array', items: groupSchema } },
      },
    },
    async (request) => {
      const viewer = request.viewer;
      const { q, theme, group, thread } = request.query;
      const groups = await listGroups(db, readerId(viewer), { ...(q ? { words: q } : {}), ...(theme ? { theme } : {}), ...(group ? { group } : {}), ...(thread ? { thread } : {}) });
      return groups.map(groupJson);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/groups/:id',
    {
      config: publicRoute,
      schema: {
        summary: 'One community of interest',
        tags,
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        response: { 200: { description: 'The group', ...groupSchema }, 404: { ...apiErrorSchema, description: 'No group with this id that the caller may see' } },
      },
    },
    async (request, reply) => {
      const viewer = request.viewer;
      try {
        return groupJson(await readGroup(db, readerId(viewer), request.params.id));
      } catch (error) {
        return refused(reply, error);
      }
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/groups/:id/discussions',
    {
      config: publicRoute,
      schema: {
        summary: 'A group’s discussions',
        description: 'For anyone signed in, an open group’s; for its members, any group’s. A restricted group answers 403 to others; a hidden group is not found.',
        tags,
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        response: {
          200: {
            description: 'The discussions, most recent post first',
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'title', 'startedBy', 'startedAt', 'lastPostAt', 'posts', 'url'],
              properties: { id: { type: 'string' }, title: { type: 'string' }, startedBy: { type: 'string' }, startedAt: { type: 'string', format: 'date-time' }, lastPostAt: { type: 'string', format: 'date-time' }, posts: { type: 'integer' }, url: { type: 'string' } },
            },
          },
          403: { ...apiErrorSchema, description: 'The caller may not read this group' },
          404: { ...apiErrorSchema, description: 'No group with this id that the caller may see' },
        },
      },
    },
    async (request, reply) => {
      const viewer = request.viewer;
      try {
        const discussions = await listDiscussions(db, readerId(viewer), request.params.id);
        return discussions.map((discussion) => ({
          id: discussion.id,
          title: discussion.title,
          startedBy: discussion.startedBy,
          startedAt: discussion.startedAt.toISOString(),
          lastPostAt: discussion.lastPostAt.toISOString(),
          posts: discussion.postCount,
          url: `/network/groups/${request.params.id}/discussions/${discussion.id}`,
        }));
      } catch (error) {
        return refused(reply, error);
      }
    },
  );
}
