/**
 * The public directory: anyone (no sign-in) searches services by need, age, group, locality and
 * distance from a postcode, and reads each service's page. Plain GET forms, so it works without
 * JavaScript.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { localAuthorityByGss } from '../areas/areas.js';
import type { Schema } from '../db/schema.js';
import { paginationHtml } from '../web/govuk-html.js';
import { coreOfferStrands } from './core-offer.js';
import { findServices, readFinderQuery } from './finder.js';
import { searchFormHtml, serviceResultsHtml } from './search-html.js';
import { serviceView } from './service-view.js';
import { readService } from './store.js';
import { taxonomyNamed } from './taxonomies.js';

const hidden = { hide: true } as const;
const publicRoute = { permission: 'public' } as const;
export const distanceChoices = ['1', '2', '5', '10'];

export function registerPublicDirectoryRoutes(app: FastifyInstance, db: Kysely<Schema>): void {
  app.get<{ Querystring: Record<string, unknown> }>('/directory', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const query = readFinderQuery(request.query);
    const strands = [query.strand ?? []].flat();
    const result = await findServices(db, query);
    const authorities = result.authorities;
    const localities = result.localities.filter((locality) => authorities.includes(locality.laCode));
    const localityItems = localities.map((locality) => ({ value: `${locality.laCode}:${locality.name}`, text: `${locality.name} (${localAuthorityByGss(locality.laCode)?.name ?? locality.laCode})` }));
    const pageLink = (page: number) => `/directory?${new URLSearchParams([...Object.entries(query).flatMap(([key, value]) => (key === 'page' ? [] : [value ?? ''].flat().map((entry) => [key, entry] as [string, string]))), ['page', String(page)]]).toString()}`;
    const pages = Math.ceil(result.total / result.perPage);
    const formHtml = searchFormHtml({
      query,
      errorFor: Object.fromEntries(result.problems.map((problem) => [problem.field, problem.message])),
      searched: result.searched,
      strandItems: coreOfferStrands.map((strand) => ({ value: strand.id, text: strand.label, checked: strands.includes(strand.id) })),
      groupItems: [{ value: '', text: 'Any child' }, ...taxonomyNamed('ntg-framework-groups').terms.map((term) => ({ value: term.code, text: term.name, selected: term.code === query.group }))],
      areaItems: [{ value: '', text: 'Anywhere' }, ...authorities.map((laCode) => ({ value: laCode, text: localAuthorityByGss(laCode)?.name ?? laCode, selected: laCode === query.la }))],
      localityItems: [{ value: '', text: 'Any locality' }, ...localityItems.map((item) => ({ ...item, selected: item.value === query.locality }))],
      milesItems: [{ value: '', text: 'Any distance' }, ...distanceChoices.map((miles) => ({ value: miles, text: `Within ${miles} ${miles === '1' ? 'mile' : 'miles'}`, selected: miles === query.miles }))],
    });
    return reply.code(result.problems.length > 0 ? 400 : 200).view('directory/search.njk', {
      pageTitle: 'Find services for children and families',
      result,
      formHtml,
      resultsHtml: serviceResultsHtml(result.services),
      errors: result.problems.map((problem) => ({ text: problem.message, href: `#${problem.field}` })),
      errorSummaryShown: result.problems.length > 0,
      paginationHtml:
        pages > 1
          ? paginationHtml({
              ...(result.page > 1 ? { previous: { href: pageLink(result.page - 1) } } : {}),
              ...(result.page < pages ? { next: { href: pageLink(result.page + 1) } } : {}),
              items: Array.from({ length: pages }, (_, index) => index + 1)
                .filter((page) => page === 1 || page === pages || Math.abs(page - result.page) <= 2)
                .map((page) => ({ number: page, href: pageLink(page), current: page === result.page })),
            })
          : '',
    });
  });

  app.get<{ Params: { id: string } }>('/directory/services/:id', { schema: hidden, config: publicRoute }, async (request, reply) => {
    const stored = await readService(db, request.params.id);
    if (stored === undefined || stored.facts.status !== 'active') return reply.callNotFound();
    const service = serviceView(stored.record, stored.laCode);
    return reply.view('directory/service.njk', { pageTitle: service.name, breadcrumbs: [{ text: 'Find services', href: '/directory' }], service });
  });
}
