/**
 * The directory as an Open Referral UK read API (HSDS 3.0 API, UK profile), at
 * `/api/openreferral/v3/`. The compliance rules: open GETs with no sign-in or key, CORS for any
 * origin, the paging fields on every list, and a JSON 404 for an unknown id. Every authority's
 * active services are published here; `la_code` (our own parameter) narrows to one authority.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { apiErrorSchema } from '../web/errors.js';
import { orukPage, pageSchema } from './paging.js';
import { postcodePlace } from './postcodes.js';
import { searchServiceAtLocations, searchServices } from './search.js';
import type { ServiceFilter } from './search.js';
import { isObject } from './service-record.js';
import type { OrukService } from './service-record.js';
import { readService } from './store.js';
import { directoryTaxonomies, taxonomyByIdOrName, termById } from './taxonomies.js';

export const orukBase = '/api/openreferral/v3';
const publicRoute = { permission: 'public' } as const;
const tags = ['Open Referral UK'];

const pageProperties = (items: Record<string, unknown>) => ({ type: 'object', required: [...Object.keys(pageSchema), 'contents'], properties: { ...pageSchema, contents: { type: 'array', items } } });
const anyRecord = { type: 'object', additionalProperties: true } as const;

const listQuery = {
  type: 'object',
  properties: {
    text: { type: 'string', maxLength: 200, description: 'Words to find in the name, organisation or description' },
    search: { type: 'string', maxLength: 200, description: 'The UK profile’s name for `text`' },
    page: { type: 'integer', minimum: 1, default: 1 },
    per_page: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    taxonomy_term_id: { type: 'string', description: 'Services linked to this taxonomy term' },
    taxonomy_id: { type: 'string', description: 'Services linked to any term of this taxonomy (its id or name)' },
    organization_id: { type: 'string' },
    modified_after: { type: 'string', format: 'date-time', description: 'Services changed at or after this moment' },
    minimal: { type: 'boolean', description: 'Only each service’s id and last_modified' },
    full: { type: 'boolean', description: 'Fully nested services' },
    postcode: { type: 'string', description: 'A postcode: with proximity, only services within that distance of its centroid, nearest first' },
    proximity: { type: 'number', minimum: 0, description: 'Metres from the postcode' },
    minimum_age: { type: 'number', minimum: 0 },
    maximum_age: { type: 'number', minimum: 0 },
    la_code: { type: 'string', pattern: '^E\\d{8}$', description: 'Narrow to one authority (GSS code); our own parameter' },
  },
} as const;

type ListQuery = {
  text?: string;
  search?: string;
  page: number;
  per_page: number;
  taxonomy_term_id?: string;
  taxonomy_id?: string;
  organization_id?: string;
  modified_after?: string;
  minimal?: boolean;
  full?: boolean;
  postcode?: string;
  proximity?: number;
  minimum_age?: number;
  maximum_age?: number;
  la_code?: string;
};

/** A list item with only one-to-one fields, as the standard's lists give unless `full` is asked for. */
function oneToOne(record: OrukService): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => !Array.isArray(value) && !isObject(value)));
}

class BadQuery extends Error {}

async function filterOf(db: Kysely<Schema>, query: ListQuery): Promise<ServiceFilter> {
  const filter: ServiceFilter = {};
  const words = query.text ?? query.search;
  if (words !== undefined && words.trim() !== '') filter.text = words;
  if (query.la_code !== undefined) filter.laCode = query.la_code;
  if (query.organization_id !== undefined) filter.organisationId = query.organization_id;
  if (query.taxonomy_term_id !== undefined) filter.termIds = [query.taxonomy_term_id];
  if (query.taxonomy_id !== undefined) {
    const taxonomy = taxonomyByIdOrName(query.taxonomy_id);
    // An unknown taxonomy matches nothing, as a filter should.
    filter.termIds = taxonomy === undefined ? ['(none)'] : taxonomy.terms.map((term) => term.id);
  }
  if (query.modified_after !== undefined) {
    const moment = new Date(query.modified_after);
    if (Number.isNaN(moment.getTime())) throw new BadQuery(`modified_after: "${query.modified_after}" is not a date and time`);
    filter.modifiedAfter = moment;
  }
  if (query.minimum_age !== undefined) filter.age = query.minimum_age;
  if (query.postcode !== undefined) {
    const place = await postcodePlace(db, query.postcode);
    if (place === undefined) throw new BadQuery(`postcode: "${query.postcode}" is not a postcode this service knows`);
    filter.near = { ...place, ...(query.proximity === undefined ? {} : { withinMetres: query.proximity }) };
  }
  return filter;
}

export function registerOrukApi(app: FastifyInstance, db: Kysely<Schema>, options: { baseUrl: string }): void {
  // Compliance: any web page may read the directory (the API is open and holds no personal data).
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith(`${orukBase}/`) || request.url === orukBase) reply.header('Access-Control-Allow-Origin', '*');
  });

  const badQuery = (reply: FastifyReply, error: unknown) => {
    if (!(error instanceof BadQuery)) throw error;
    return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: error.message, requestId: reply.request.id });
  };

  /** A list route's handler: the query read into a filter, one page searched, each hit written as the list gives it. */
  const pagedList =
    <Hit>(search: (db: Kysely<Schema>, filter: ServiceFilter, paging: { page: number; perPage: number }) => Promise<{ hits: Hit[]; total: number }>, content: (hit: Hit, query: ListQuery) => unknown) =>
    async (request: FastifyRequest<{ Querystring: ListQuery }>, reply: FastifyReply) => {
      const query = request.query;
      try {
        const found = await search(db, await filterOf(db, query), { page: query.page, perPage: query.per_page });
        return orukPage(found.hits.map((hit) => content(hit, query)), found.total, query.page, query.per_page);
      } catch (error) {
        return badQuery(reply, error);
      }
    };

  const index = {
    config: publicRoute,
    schema: {
      summary: 'About this Open Referral API',
      description: 'The HSDS version, the profile it follows and where its OpenAPI document is.',
      tags,
      response: { 200: { type: 'object', required: ['version', 'profile', 'openapi_url'], properties: { version: { type: 'string' }, profile: { type: 'string' }, openapi_url: { type: 'string' } } } },
    },
  };
  const about = () => Promise.resolve({ version: '3.0', profile: 'https://openreferraluk.org/', openapi_url: `${options.baseUrl}/api/openapi.json` });
  app.get(`${orukBase}/`, index, about);
  app.get(orukBase, { ...index, schema: { ...index.schema, hide: true } }, about);

  app.get<{ Querystring: ListQuery }>(
    `${orukBase}/services`,
    {
      config: publicRoute,
      schema: {
        summary: 'Services, a page at a time',
        description: 'Active services, filtered by words, taxonomy term or taxonomy, organisation, modification time, age and distance from a postcode. `full=true` gives fully nested services; `minimal=true` only ids and modification times.',
        tags,
        querystring: listQuery,
        response: { 200: pageProperties(anyRecord), 400: apiErrorSchema },
      },
    },
    pagedList(searchServices, (hit, query) => (query.minimal === true ? { id: hit.id, last_modified: hit.lastModified.toISOString() } : query.full === true ? hit.record : oneToOne(hit.record))),
  );

  app.get<{ Params: { id: string } }>(
    `${orukBase}/services/:id`,
    {
      config: publicRoute,
      schema: { summary: 'One fully nested service', tags, params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } }, response: { 200: anyRecord, 404: { ...apiErrorSchema, description: 'No active service has this id' } } },
    },
    async (request, reply) => {
      const service = await readService(db, request.params.id);
      if (service === undefined || service.facts.status !== 'active') return reply.callNotFound();
      return service.record;
    },
  );

  app.get<{ Querystring: ListQuery }>(
    `${orukBase}/service_at_locations`,
    {
      config: publicRoute,
      schema: {
        summary: 'Services at their locations, a page at a time',
        description: 'Each place an active service is delivered, nearest first given `postcode` (and within `proximity` metres when given). A location without coordinates is placed at its postcode’s centroid.',
        tags,
        querystring: listQuery,
        response: { 200: pageProperties(anyRecord), 400: apiErrorSchema },
      },
    },
    pagedList(searchServiceAtLocations, (hit, query) => {
      const link = ((hit.record.service_at_locations as Record<string, unknown>[] | undefined) ?? []).find((entry) => isObject(entry) && entry.id === hit.id) ?? {};
      return {
        id: hit.id,
        service_id: hit.serviceId,
        location_id: hit.locationId,
        ...(hit.distanceMetres === null ? {} : { distance: Math.round(hit.distanceMetres) }),
        ...(query.full === true ? { ...link, service: hit.record } : { location: link.location, service: oneToOne(hit.record) }),
      };
    }),
  );

  app.get<{ Params: { id: string } }>(
    `${orukBase}/service_at_locations/:id`,
    {
      config: publicRoute,
      schema: { summary: 'One service at one location, fully nested', tags, params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } }, response: { 200: anyRecord, 404: { ...apiErrorSchema, description: 'No active service is delivered under this id' } } },
    },
    async (request, reply) => {
      const row = await db.selectFrom('directory_service_at_location').select(['service_id', 'la_code']).where('id', '=', request.params.id).executeTakeFirst();
      const service = row === undefined ? undefined : await readService(db, row.service_id, row.la_code);
      if (service === undefined || service.facts.status !== 'active') return reply.callNotFound();
      const link = ((service.record.service_at_locations as unknown[] | undefined) ?? []).find((entry) => isObject(entry) && entry.id === request.params.id) as Record<string, unknown>;
      return { ...link, service_id: service.facts.id, service: service.record };
    },
  );

  const taxonomyJson = (taxonomy: ReturnType<typeof directoryTaxonomies>[number]) => ({ id: taxonomy.id, name: taxonomy.name, description: taxonomy.description, uri: taxonomy.uri, version: taxonomy.version });
  const pagingQuery = { type: 'object', properties: { page: { type: 'integer', minimum: 1, default: 1 }, per_page: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, taxonomy_id: { type: 'string' } } } as const;

  app.get<{ Querystring: { page: number; per_page: number } }>(
    `${orukBase}/taxonomies`,
    { config: publicRoute, schema: { summary: 'The taxonomies services are classified by', tags, querystring: pagingQuery, response: { 200: pageProperties(anyRecord) } } },
    (request) => {
      const { page, per_page: perPage } = request.query;
      const all = directoryTaxonomies().map(taxonomyJson);
      return Promise.resolve(orukPage(all.slice((page - 1) * perPage, page * perPage), all.length, page, perPage));
    },
  );

  app.get<{ Params: { id: string } }>(
    `${orukBase}/taxonomies/:id`,
    { config: publicRoute, schema: { summary: 'One taxonomy', tags, params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } }, response: { 200: anyRecord, 404: apiErrorSchema } } },
    (request, reply) => {
      const taxonomy = taxonomyByIdOrName(request.params.id);
      return taxonomy === undefined ? reply.callNotFound() : Promise.resolve(taxonomyJson(taxonomy));
    },
  );

  const termJson = (id: string) => {
    const found = termById(id)!;
    return { id: found.term.id, code: found.term.code, name: found.term.name, description: found.term.description, taxonomy: found.taxonomy.name, taxonomy_id: found.taxonomy.id, taxonomy_detail: taxonomyJson(found.taxonomy) };
  };

  app.get<{ Querystring: { page: number; per_page: number; taxonomy_id?: string } }>(
    `${orukBase}/taxonomy_terms`,
    { config: publicRoute, schema: { summary: 'The terms of the taxonomies, a page at a time', description: '`taxonomy_id` (an id or name) narrows to one taxonomy.', tags, querystring: pagingQuery, response: { 200: pageProperties(anyRecord) } } },
    (request) => {
      const { page, per_page: perPage, taxonomy_id: taxonomyId } = request.query;
      const chosen = taxonomyId === undefined ? directoryTaxonomies() : [taxonomyByIdOrName(taxonomyId)].filter((entry) => entry !== undefined);
      const all = chosen.flatMap((taxonomy) => taxonomy.terms.map((term) => term.id));
      return Promise.resolve(orukPage(all.slice((page - 1) * perPage, page * perPage).map(termJson), all.length, page, perPage));
    },
  );

  app.get<{ Params: { id: string } }>(
    `${orukBase}/taxonomy_terms/:id`,
    { config: publicRoute, schema: { summary: 'One taxonomy term', tags, params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } }, response: { 200: anyRecord, 404: apiErrorSchema } } },
    (request, reply) => (termById(request.params.id) === undefined ? reply.callNotFound() : Promise.resolve(termJson(request.params.id))),
  );
}
