import type { FastifyInstance } from 'fastify';
import { apiErrorSchema } from '../web/errors.js';
import { offsetQuerySchema, pageQuerySchema } from '../web/pagination.js';
import { queryText } from '../web/query.js';
import type { ItemKind, LayerId, TierId } from './catalogue.js';
import { ITEM_KINDS, LAYER_IDS, TIER_IDS } from './catalogue.js';
import { catalogueToCsv, catalogueToJson } from './export.js';
import type { FrameworkService } from './service.js';
import { kindLabels } from './service.js';

const pageSize = 20;

/** The framework is public: anyone may read it without signing in. */
const publicRoute = { permission: 'public' } as const;

const filterQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 200, description: 'Words to search for. "Quoted words" match a phrase; or, and -word work as in web search.' },
    template: { type: 'integer', minimum: 1, maximum: 5, description: 'Template number, 1 to 5' },
    layer: { type: 'string', enum: [...LAYER_IDS], description: 'Layer of the onion' },
    tier: { type: 'string', enum: [...TIER_IDS], description: 'Tier of need' },
    kind: { type: 'string', enum: [...ITEM_KINDS], description: 'Kind of item' },
    thread: { type: 'string', pattern: '^GT(0[1-9]|10)$', description: 'Golden thread id, GT01 to GT10' },
  },
} as const;

interface Filters {
  q?: string;
  template?: number;
  layer?: LayerId;
  tier?: TierId;
  kind?: ItemKind;
  thread?: string;
}

const itemJsonSchema = {
  type: 'object',
  required: ['id', 'kind', 'text', 'source'],
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: [...ITEM_KINDS] },
    text: { type: 'string' },
    source: {
      type: 'object',
      additionalProperties: true,
      properties: { file: { type: 'string' }, section: { type: 'string' }, lines: { type: 'array', items: { type: 'integer' } } },
    },
  },
} as const;

/** What a catalogue page lists beside a golden thread or template statement: the practice that serves it. */
export type PracticeServing = (target: { thread: string } | { statement: string }) => Promise<unknown>;

/** Catalogue items that practice can serve: template statements (golden threads are served by thread). */
const servedKinds: ReadonlySet<string> = new Set(['general-condition', 'matrix-statement']);

/** The framework's pages: public, no sign-in. */
export function registerFrameworkPages(app: FastifyInstance, framework: FrameworkService, practiceServing?: PracticeServing): void {
  const hidden = { hide: true };

  app.get('/framework', { schema: hidden, config: publicRoute }, (_request, reply) =>
    reply.view('framework/overview.njk', { pageTitle: 'The Narrowing the Gap framework', ...framework.overview() }),
  );

  app.get<{ Params: { number: number } }>(
    '/framework/golden-threads/:number',
    { schema: { ...hidden, params: { type: 'object', properties: { number: { type: 'integer' } } } }, config: publicRoute },
    async (request, reply) => {
      const thread = await framework.goldenThreadAtLatest(request.params.number);
      if (thread === undefined) return reply.callNotFound();
      return reply.view('framework/golden-thread.njk', {
        pageTitle: `Golden thread ${thread.thread.number}: ${thread.thread.shortTitle}`,
        breadcrumbs: [{ text: 'Framework', href: '/framework' }],
        ...thread,
        practice: practiceServing === undefined ? undefined : await practiceServing({ thread: thread.thread.id }),
      });
    },
  );

  app.get<{ Params: { number: number }; Querystring: { layer?: string; tier?: string; q?: string } }>(
    '/framework/templates/:number',
    { schema: { ...hidden, params: { type: 'object', properties: { number: { type: 'integer' } } } }, config: publicRoute },
    async (request, reply) => {
      // Unknown filter values from a hand-edited address are ignored rather than refused.
      const layer = LAYER_IDS.find((id) => id === request.query.layer);
      const tier = TIER_IDS.find((id) => id === request.query.tier);
      const q = queryText(request.query.q)?.slice(0, 200);
      const template = await framework.template(request.params.number, { layer, tier, q });
      if (template === undefined) return reply.callNotFound();
      return reply.view('framework/template.njk', {
        pageTitle: `Template ${template.template.number}`,
        breadcrumbs: [{ text: 'Framework', href: '/framework' }],
        filters: { layer, tier, q },
        layerOptions: framework.layers(),
        tierOptions: framework.tiers(),
        ...template,
      });
    },
  );

  app.get<{ Params: { id: string } }>('/framework/items/:id', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const found = await framework.itemAtLatest(request.params.id);
    if (found === undefined) return reply.callNotFound();
    return reply.view('framework/item.njk', {
      pageTitle: `${kindLabels[found.item.kind].replace(/^./, (first) => first.toUpperCase())}: ${found.place}`,
      breadcrumbs: [{ text: 'Framework', href: '/framework' }],
      kindLabel: kindLabels[found.item.kind],
      ...found,
      practice: practiceServing === undefined || !servedKinds.has(found.item.kind) ? undefined : await practiceServing({ statement: found.item.id }),
    });
  });

  app.get<{ Querystring: Filters & { page?: number } }>(
    '/framework/search',
    {
      config: publicRoute,
      schema: {
        ...hidden,
        querystring: {
          ...filterQuery,
          // A hand-edited address should not fail: unknown parameters are dropped, not refused.
          additionalProperties: true,
          properties: { ...filterQuery.properties, page: pageQuerySchema },
        },
      },
    },
    async (request, reply) => {
      const { page = 1, ...filters } = request.query;
      const q = filters.q?.trim() ?? '';
      const found = q ? await framework.search(filters, { limit: pageSize, offset: (page - 1) * pageSize }) : undefined;
      return reply.view('framework/search.njk', {
        pageTitle: q ? `Search results for “${q}”` : 'Search the framework',
        breadcrumbs: [{ text: 'Framework', href: '/framework' }],
        q,
        filters,
        page,
        pageSize,
        found,
        pages: found ? Math.ceil(found.total / pageSize) : 0,
        // Nunjucks has no min filter: the last result shown is worked out here.
        shownTo: found ? Math.min(page * pageSize, found.total) : 0,
        templateOptions: framework.overview().templates,
        layerOptions: framework.layers(),
        tierOptions: framework.tiers(),
      });
    },
  );

  app.get('/framework/catalogue.csv', { schema: hidden, config: publicRoute }, (_request, reply) =>
    reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="narrowing-the-gap-framework-${framework.catalogue.version.slice(0, 10)}.csv"`)
      .send(catalogueToCsv(framework.catalogue)),
  );

  app.get('/framework/catalogue.json', { schema: hidden, config: publicRoute }, (_request, reply) =>
    reply
      .type('application/json; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="narrowing-the-gap-framework-${framework.catalogue.version.slice(0, 10)}.json"`)
      .send(catalogueToJson(framework.catalogue)),
  );
}

/** The framework in the JSON API. */
export function registerFrameworkApi(app: FastifyInstance, framework: FrameworkService): void {
  app.get(
    '/api/v1/framework',
    {
      config: publicRoute,
      schema: {
        summary: 'The whole framework catalogue',
        description:
          'Every theme, outcome, group of children, layer, tier, golden thread and template item, each with its stable id, exact text and source in the seed pack.',
        tags: ['Framework'],
        response: {
          200: {
            description: 'The catalogue',
            type: 'object',
            required: ['version', 'items'],
            additionalProperties: true,
            properties: { version: { type: 'string' }, contentHash: { type: 'string' }, items: { type: 'array', items: itemJsonSchema } },
          },
        },
      },
    },
    (_request, reply) => reply.type('application/json; charset=utf-8').send(catalogueToJson(framework.catalogue)),
  );

  app.get<{ Querystring: Filters & { limit: number; offset: number } }>(
    '/api/v1/framework/items',
    {
      config: publicRoute,
      schema: {
        summary: 'Find framework items',
        description:
          'Items matching every given filter, in the order of the pack; with q, ranked by relevance (full-text search, English), each with `highlight`: its text as HTML with matches in <mark>.',
        tags: ['Framework'],
        querystring: {
          ...filterQuery,
          properties: {
            ...filterQuery.properties,
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            offset: offsetQuerySchema,
          },
        },
        response: {
          200: {
            description: 'The matching items',
            type: 'object',
            required: ['total', 'limit', 'offset', 'items'],
            properties: {
              total: { type: 'integer', description: 'How many items match in all' },
              limit: { type: 'integer' },
              offset: { type: 'integer' },
              items: {
                type: 'array',
                items: { ...itemJsonSchema, properties: { ...itemJsonSchema.properties, highlight: { type: 'string' } } },
              },
            },
          },
          400: { ...apiErrorSchema, description: 'A filter is not valid' },
        },
      },
    },
    async (request) => {
      const { limit, offset, ...filters } = request.query;
      const found = await framework.search(filters, { limit, offset });
      return {
        total: found.total,
        limit,
        offset,
        items: found.results.map((result) =>
          result.highlightedHtml === undefined ? result.item : { ...result.item, highlight: result.highlightedHtml },
        ),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/framework/items/:id',
    {
      config: publicRoute,
      schema: {
        summary: 'One framework item',
        description: 'The item with this id, e.g. T1-FRONTLINE-UNIVERSAL-03 or GT04-M2, with its wording at the latest revision of the catalogue. An item the reality check changed carries `revision` (number, published_at, change, previous_text); a retired one carries `retired: true`. Statements added since the pack have ids ending -X01, -X02...',
        tags: ['Framework'],
        params: { type: 'object', properties: { id: { type: 'string', description: 'The item id' } } },
        response: { 200: { ...itemJsonSchema, description: 'The item' }, 404: { ...apiErrorSchema, description: 'No item has this id' } },
      },
    },
    async (request, reply) => {
      // The wording at the latest revision; a changed item says which revision changed it, a retired one says so.
      const found = await framework.itemAtLatest(request.params.id);
      if (found === undefined) return reply.callNotFound();
      if (found.revisionNote === undefined) return found.item;
      const note = found.revisionNote;
      return { ...found.item, revision: { number: note.revision, published_at: note.publishedAt?.toISOString() ?? null, change: note.change, previous_text: note.previousText }, ...(found.retired ? { retired: true } : {}) };
    },
  );
}
