import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { orukService } from '../../test/support/directory.js';
import { importOpenReferral } from './open-referral.js';
import { taxonomyNamed, termOf } from './taxonomies.js';

const leeds = 'E08000035';
const bradford = 'E08000032';

interface Page {
  total_items: number;
  total_pages: number;
  page_number: number;
  size: number;
  first_page: boolean;
  last_page: boolean;
  empty: boolean;
  contents: Record<string, unknown>[];
}

describe.each(testEngines)('the Open Referral UK read API on %s', (engine) => {
  let test: TestApp;
  const get = (url: string) => test.app.inject({ method: 'GET', url });

  beforeAll(async () => {
    test = await createTestApp({ engine });
    const db = test.database.db;
    // Harehills (LS9 7) is nearer to LS9 8AB than Chapeltown (LS7 3); Otley (LS21) far away; one place takes its postcode's centroid.
    await db
      .insertInto('directory_postcode')
      .values([
        { postcode: 'LS9 8AB', latitude: 53.8, longitude: -1.51 },
        { postcode: 'LS7 3AB', latitude: 53.82, longitude: -1.53 },
        { postcode: 'LS21 1AA', latitude: 53.905, longitude: -1.69 },
      ])
      .execute();
    const services = [
      orukService('Harehills Stay and Play', { strands: ['parenting-support', 'childcare'], postcode: 'LS9 7AA', latitude: 53.805, longitude: -1.515 }),
      orukService('Chapeltown Parenting Course', { strands: ['parenting-support'], postcode: 'LS7 3AB' }),
      orukService('Otley Youth Club', { strands: ['varied-activities'], postcode: 'LS21 1AA', minimumAge: 11, maximumAge: 18 }),
    ];
    expect(await importOpenReferral(db, leeds, JSON.stringify(services), 'tester')).toMatchObject({ ok: true });
    expect(await importOpenReferral(db, bradford, JSON.stringify([orukService('Bradford Toy Library', { postcode: 'BD1 1AA' })]), 'tester')).toMatchObject({ ok: true });
  });
  afterAll(async () => test?.close());

  it('says which version and profile it follows, openly, with CORS for any origin', async () => {
    const response = await get('/api/openreferral/v3/');
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    const about = response.json<{ version: string; profile: string; openapi_url: string }>();
    expect(about.version).toBe('3.0');
    expect(about.profile).toMatch(/^https:/);
    expect(about.openapi_url).toMatch(/\/api\/openapi\.json$/);
    expect((await get('/api/v1')).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('pages services with every paging field', async () => {
    const first = (await get('/api/openreferral/v3/services?per_page=3&page=1')).json<Page>();
    expect(first).toMatchObject({ total_items: 4, total_pages: 2, page_number: 1, size: 3, first_page: true, last_page: false, empty: false });
    expect(first.contents[0]).not.toHaveProperty('service_at_locations');
    const second = (await get('/api/openreferral/v3/services?per_page=3&page=2')).json<Page>();
    expect(second).toMatchObject({ total_items: 4, total_pages: 2, page_number: 2, size: 1, first_page: false, last_page: true, empty: false });
    const beyond = (await get('/api/openreferral/v3/services?per_page=3&page=3')).json<Page>();
    expect(beyond).toMatchObject({ total_items: 4, size: 0, empty: true, contents: [] });
  });

  it('filters services by words, taxonomy term, taxonomy, organisation, modification and authority, minimal and full', async () => {
    const names = async (query: string) => (await get(`/api/openreferral/v3/services?${query}`)).json<Page>().contents.map((service) => service.name);
    expect(await names('text=parenting')).toEqual(['Chapeltown Parenting Course']);
    expect(await names('search=youth')).toEqual(['Otley Youth Club']);
    expect(await names(`taxonomy_term_id=${termOf('ntg-core-offer', 'childcare')!.id}`)).toEqual(['Harehills Stay and Play']);
    expect(await names(`taxonomy_id=${taxonomyNamed('ntg-core-offer').id}&la_code=${bradford}`)).toEqual(['Bradford Toy Library']);
    expect(await names('taxonomy_id=not-a-taxonomy')).toEqual([]);
    expect(await names('modified_after=2100-01-01T00:00:00Z')).toEqual([]);
    const full = (await get('/api/openreferral/v3/services?text=youth&full=true')).json<Page>();
    expect(full.contents[0]).toHaveProperty('service_at_locations');
    const minimal = (await get('/api/openreferral/v3/services?text=youth&minimal=true')).json<Page>();
    expect(Object.keys(minimal.contents[0]!).sort()).toEqual(['id', 'last_modified']);
  });

  it('orders services at locations by distance from a postcode, and keeps to the proximity', async () => {
    const near = (await get('/api/openreferral/v3/service_at_locations?postcode=ls98ab')).json<Page>();
    expect(near.contents.map((entry) => (entry.service as { name: string }).name)).toEqual(['Harehills Stay and Play', 'Chapeltown Parenting Course', 'Otley Youth Club', 'Bradford Toy Library']);
    const distances = near.contents.map((entry) => entry.distance as number | undefined);
    expect(distances[0]).toBeGreaterThan(500);
    expect(distances[0]).toBeLessThan(800);
    expect(distances[3]).toBeUndefined();
    const within = (await get('/api/openreferral/v3/service_at_locations?postcode=LS9%208AB&proximity=5000')).json<Page>();
    expect(within.contents.map((entry) => (entry.service as { name: string }).name)).toEqual(['Harehills Stay and Play', 'Chapeltown Parenting Course']);
    expect(within.total_items).toBe(2);
    const services = (await get('/api/openreferral/v3/services?postcode=LS9%208AB&proximity=5000')).json<Page>();
    expect(services.contents.map((service) => service.name)).toEqual(['Harehills Stay and Play', 'Chapeltown Parenting Course']);
    const unknown = await get('/api/openreferral/v3/services?postcode=ZZ99%209ZZ');
    expect(unknown.statusCode).toBe(400);
  });

  it('gives one service, one service at a location and the taxonomies, and 404 JSON for unknown ids', async () => {
    const list = (await get('/api/openreferral/v3/service_at_locations?text=youth')).json<Page>();
    const sal = await get(`/api/openreferral/v3/service_at_locations/${String(list.contents[0]!.id)}`);
    expect(sal.statusCode).toBe(200);
    expect(sal.json<{ service: { name: string } }>().service.name).toBe('Otley Youth Club');
    const serviceId = String(list.contents[0]!.service_id);
    expect((await get(`/api/openreferral/v3/services/${serviceId}`)).json()).toMatchObject({ id: serviceId, name: 'Otley Youth Club', languages: [{ name: 'Urdu' }] });
    for (const url of ['/api/openreferral/v3/services/no-such-id', '/api/openreferral/v3/service_at_locations/no-such-id', '/api/openreferral/v3/taxonomies/nope', '/api/openreferral/v3/taxonomy_terms/nope']) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ statusCode: 404 });
      expect(response.headers['access-control-allow-origin'], url).toBe('*');
    }
    const taxonomies = (await get('/api/openreferral/v3/taxonomies')).json<Page>();
    expect(taxonomies.contents.map((taxonomy) => taxonomy.name)).toEqual(['ntg-core-offer', 'ntg-framework-groups', 'ntg-tier-of-need', 'ntg-framework-statements', 'ntg-referral-route']);
    const terms = (await get(`/api/openreferral/v3/taxonomy_terms?taxonomy_id=ntg-core-offer&per_page=2&page=3`)).json<Page>();
    expect(terms).toMatchObject({ total_items: 5, total_pages: 3, page_number: 3, size: 1, last_page: true });
    expect(terms.contents[0]).toMatchObject({ code: 'community-access', taxonomy: 'ntg-core-offer' });
  });

  it('describes its routes in the OpenAPI document', async () => {
    const paths = Object.keys((await get('/api/openapi.json')).json<{ paths: Record<string, unknown> }>().paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/openreferral/v3/', '/api/openreferral/v3/services', '/api/openreferral/v3/services/{id}', '/api/openreferral/v3/service_at_locations', '/api/openreferral/v3/taxonomies', '/api/openreferral/v3/taxonomy_terms']));
  });
});
