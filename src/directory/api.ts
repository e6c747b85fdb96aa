/**
 * The directory in our own JSON API: `/api/v1/services`, searched as the public page searches, and
 * `?format=openreferral&la=…` for an authority's services as the Open Referral UK export.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { apiErrorSchema } from '../web/errors.js';
import { findServices } from './finder.js';
import type { FinderQuery } from './finder.js';
import { exportOpenReferral } from './open-referral.js';

const tags = ['Directory'];
const term = { type: 'object', required: ['id', 'label'], properties: { id: { type: 'string' }, label: { type: 'string' } } } as const;

const serviceSchema = {
  type: 'object',
  required: ['id', 'name', 'authority', 'strands', 'groups', 'ages', 'cost', 'free', 'href'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    authority: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } },
    organisation: { type: ['string', 'null'] },
    description: { type: 'string' },
    strands: { type: 'array', items: term, description: 'The core-offer strands it delivers' },
    groups: { type: 'array', items: term, description: 'The groups of children it is for; empty means everyone' },
    tier: { ...term, type: ['object', 'null'] },
    minimumAge: { type: ['number', 'null'] },
    maximumAge: { type: ['number', 'null'] },
    ages: { type: 'string' },
    cost: { type: 'string' },
    free: { type: 'boolean' },
    openingTimes: { type: 'string' },
    phone: { type: 'string' },
    email: { type: ['string', 'null'] },
    website: { type: ['string', 'null'] },
    referralRoutes: { type: 'array', items: term },
    locations: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, address: { type: 'string' }, postcode: { type: ['string', 'null'] } } } },
    authorityWide: { type: 'boolean' },
    distanceMetres: { type: ['number', 'null'] },
    href: { type: 'string', description: 'The service’s page' },
  },
} as const;

export function registerDirectoryApi(app: FastifyInstance, db: Kysely<Schema>): void {
  app.get<{ Querystring: FinderQuery & { format?: 'json' | 'openreferral'; per_page?: number } }>(
    '/api/v1/services',
    {
      config: { permission: 'public' },
      schema: {
        summary: 'Search the directory of services',
        description:
          'Active services, filtered by words (q), core-offer strand (strand, repeatable), group of children (group), a child’s age (age), an authority (la), a locality (locality, as `E08000035:North`) and distance from a postcode (postcode, with miles); nearest first given a postcode. `format=openreferral` with `la` gives the authority’s services as the Open Referral UK export (an array of fully nested services).',
        tags,
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 200 },
            strand: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
            group: { type: 'string' },
            age: { type: 'string' },
            la: { type: 'string' },
            locality: { type: 'string' },
            postcode: { type: 'string' },
            miles: { type: 'string' },
            page: { type: 'string' },
            per_page: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            format: { type: 'string', enum: ['json', 'openreferral'], default: 'json' },
          },
        },
        response: {
          200: {
            description: 'A page of services, or (format=openreferral) the Open Referral UK export',
            anyOf: [
              { type: 'object', required: ['total', 'page', 'perPage', 'services'], properties: { total: { type: 'integer' }, page: { type: 'integer' }, perPage: { type: 'integer' }, services: { type: 'array', items: serviceSchema } } },
              { type: 'array', items: { type: 'object', additionalProperties: true } },
            ],
          },
          400: { ...apiErrorSchema, description: 'A filter is not understood: the message says which' },
        },
      },
    },
    async (request, reply) => {
      const { format, per_page: perPage, ...query } = request.query;
      if (format === 'openreferral') {
        if (query.la === undefined || !/^E\d{8}$/.test(query.la)) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'la: give the authority’s GSS code (such as E08000035) for its Open Referral UK export', requestId: request.id });
        return exportOpenReferral(db, query.la);
      }
      const result = await findServices(db, query, perPage ?? 20);
      if (result.problems.length > 0) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: result.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '), requestId: request.id });
      return {
        total: result.total,
        page: result.page,
        perPage: result.perPage,
        services: result.services.map((service) => ({
          id: service.id,
          name: service.name,
          authority: { code: service.laCode, name: service.authorityName },
          organisation: service.organisation,
          description: service.description,
          strands: service.strands,
          groups: service.groups,
          tier: service.tier,
          minimumAge: service.minimumAge,
          maximumAge: service.maximumAge,
          ages: service.ages,
          cost: service.cost,
          free: service.free,
          openingTimes: service.openingTimes,
          phone: service.phone,
          email: service.email,
          website: service.website,
          referralRoutes: service.referralRoutes,
          locations: service.locations.map((location) => ({ name: location.name, address: location.address, postcode: location.postcode })),
          authorityWide: service.authorityWide,
          distanceMetres: service.distanceMetres === null ? null : Math.round(service.distanceMetres),
          href: `/directory/services/${service.id}`,
        })),
      };
    },
  );
}
