import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { version } from '../version.js';
import type { ApiLink } from './capability.js';

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: { type?: string; enum?: unknown[] };
}

interface OpenApiOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: OpenApiParameter[];
  requestBody?: { description?: string; content?: Record<string, unknown> };
  responses?: Record<string, { description?: string }>;
}

interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, OpenApiOperation>>;
}

const httpMethods = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Registers the OpenAPI generator. Must run before any route is added so every route is seen. */
export async function setUpOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Narrowing the Gap API',
        version,
        description:
          'Read the framework, the gaps in outcomes between groups of children and the plans to close them. Responses are JSON. Every error answer has the fields statusCode, error, message and requestId.',
      },
      tags: [
        { name: 'Operations', description: 'Service status' },
        { name: 'API', description: 'Discovery' },
        { name: 'Framework', description: 'The Narrowing the Gap framework: golden threads, templates, groups and outcomes' },
        { name: 'Gaps', description: 'The gap matrix, curves to turn and gaps in the data of an authority' },
        { name: 'Plans', description: 'Turn-the-curve plans: read them, start one, change its text (actions and measures are changed on the plan’s page)' },
        { name: 'Improvement plans', description: 'An organisation’s improvement plan: its priorities, success measures and actions; read them, start a plan, add a priority or an action, and post an action’s update' },
        { name: 'Assessments', description: 'Self-assessments against the golden threads and templates: list, start, read, and rate a statement under the version you read, and a moderator’s view of a moderation' },
        { name: 'Children', description: 'Child-level records (signed in, only those within reach: one’s own authority, or a setting’s own pupils); every call is audited' },
        { name: 'Practice', description: 'The library of effective practice: published items with their grade, evidence and impact, searched and filtered; no sign-in needed' },
        { name: 'Directory', description: 'The directory of services for children and families (the local offer): search by need, age, group, place and distance; no sign-in needed' },
        { name: 'Open Referral UK', description: 'The directory as an Open Referral UK (HSDS 3.0, UK profile) read API: open, CORS for any origin, paged' },
        { name: 'Network', description: 'England’s regions and their authorities, councils’ profiles, and the communities of interest and discussions the caller may see' },
        { name: 'Surveys', description: 'Surveys of children and parents, and their results by group (aggregates only, small numbers withheld; never free text)' },
      ],
    },
  });
}

/** `/api/v1` (the index), `/api/openapi.json` (the document) and `/api/docs` (a readable page of it). */
export function registerApiRoutes(app: FastifyInstance, links: ApiLink[]): void {
  app.get(
    '/api/v1',
    {
      config: { permission: 'public' },
      schema: {
        summary: 'API index',
        description: 'Lists the resources of version 1 of the API and where the documentation is.',
        tags: ['API'],
        response: {
          200: {
            description: 'The index of the API',
            type: 'object',
            required: ['name', 'version', 'openapi', 'documentation', 'links'],
            properties: {
              name: { type: 'string' },
              version: { type: 'string' },
              openapi: { type: 'string', description: 'URL of the OpenAPI document' },
              documentation: { type: 'string', description: 'URL of the readable documentation' },
              links: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['rel', 'href', 'title'],
                  properties: { rel: { type: 'string' }, href: { type: 'string' }, title: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    },
    () => ({
      name: 'Narrowing the Gap API',
      version,
      openapi: '/api/openapi.json',
      documentation: '/api/docs',
      links: [{ rel: 'health', href: '/health', title: 'Service health' }, ...links],
    }),
  );

  app.get('/api/openapi.json', { schema: { hide: true }, config: { permission: 'public' } }, () => app.swagger());

  app.get('/api/docs', { schema: { hide: true }, config: { permission: 'public' } }, (_request, reply) => {
    const document = app.swagger() as unknown as OpenApiDocument;
    return reply.view('api-docs.njk', {
      pageTitle: 'API documentation',
      info: document.info,
      operations: listOperations(document),
    });
  });
}

function listOperations(document: OpenApiDocument) {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    httpMethods
      .filter((method) => item[method] !== undefined)
      .map((method) => {
        const operation = item[method] as OpenApiOperation;
        return {
          id: `${method}-${path}`.replace(/[^a-zA-Z0-9]+/g, '-').replace(/-$/, ''),
          method: method.toUpperCase(),
          path,
          summary: operation.summary ?? `${method.toUpperCase()} ${path}`,
          description: operation.description,
          tag: operation.tags?.[0] ?? 'Other',
          parameters: (operation.parameters ?? []).map((parameter) => ({
            name: parameter.name,
            location: parameter.in,
            required: parameter.required === true,
            type: parameter.schema?.enum ? parameter.schema.enum.join(', ') : (parameter.schema?.type ?? ''),
            description: parameter.description ?? '',
          })),
          requestBody: operation.requestBody ? Object.keys(operation.requestBody.content ?? {}).join(', ') : undefined,
          responses: Object.entries(operation.responses ?? {}).map(([status, response]) => ({
            status,
            description: response.description ?? '',
          })),
        };
      }),
  );
}
