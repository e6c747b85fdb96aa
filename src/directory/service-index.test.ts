import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import type { TestDatabase } from '../../test/support/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { coreOfferStrandIds } from './core-offer.js';
import { replaceLocalities, localitiesOf } from './localities.js';
import { importOpenReferral } from './open-referral.js';
import { recordFromInput } from './record-input.js';
import { searchServices, searchServicesInDatabase } from './search.js';
import type { ServiceFilter } from './search.js';
import { stableUuid } from './taxonomies.js';

const leeds = 'E08000035';
const bradford = 'E08000032';
const words = ['stay and play', 'homework club', 'football', 'music', 'parenting course', 'speech therapy', 'youth club', 'breakfast club', 'family support', 'swimming'];
const districts = ['LS1', 'LS6', 'LS9', 'LS12', 'BD1'];
const serviceCount = 60;

/** A place of each district, a few kilometres apart. */
const postcodes = districts.flatMap((district, d) => [0, 1, 2].map((n) => ({ postcode: `${district} ${n + 1}AB`, latitude: 53.78 + d * 0.02 + n * 0.004, longitude: -1.6 + d * 0.03 - n * 0.005 })));

function services(laCode: string, offset: number) {
  return Array.from({ length: serviceCount / 2 }, (_, i) => {
    const n = offset + i;
    const place = postcodes[(n * 7) % postcodes.length]!;
    return recordFromInput(
      {
        id: stableUuid(`index-test/${n}`),
        name: `${words[n % words.length]!} ${['Harehills', 'Otley', 'Armley', 'Chapeltown'][n % 4]!} ${n}`,
        description: `A ${words[(n * 3) % words.length]!} for families, with ${words[(n * 7) % words.length]!} on Saturdays.`,
        status: n % 11 === 0 ? 'inactive' : 'active',
        organisationName: `Organisation ${n % 5}`,
        strands: [coreOfferStrandIds[n % coreOfferStrandIds.length]!, ...(n % 3 === 0 ? [coreOfferStrandIds[(n + 2) % coreOfferStrandIds.length]!] : [])],
        groups: n % 4 === 0 ? ['young-carers'] : n % 4 === 1 ? ['children-in-care', 'young-carers'] : [],
        tier: 'universal',
        statements: [],
        referralRoutes: ['drop-in'],
        minimumAge: n % 5 === 0 ? null : n % 3 === 0 ? 0 : 5,
        maximumAge: n % 5 === 0 ? null : n % 3 === 0 ? 11 : 16,
        cost: 'Free',
        openingTimes: '',
        phone: '',
        email: '',
        website: '',
        // Some services are offered across the authority, with no place; some at two places.
        locations: n % 9 === 0 ? [] : [{ name: `Centre ${n}`, address: `${n} Test Road`, postcode: place.postcode }, ...(n % 6 === 0 ? [{ name: `Annexe ${n}`, address: `${n} Side Street`, postcode: postcodes[(n * 5 + 3) % postcodes.length]!.postcode }] : [])],
        authorityWide: n % 9 === 0,
      },
      laCode,
    );
  });
}

/** Filters a person could set on the page or the API, in any combination. */
const filters: fc.Arbitrary<ServiceFilter> = fc.record(
  {
    text: fc.constantFrom('club', 'football', 'music OR swimming', 'club -youth', 'family support', 'Saturdays', 'harehills', 'play', 'nothing-matches-this'),
    strands: fc.subarray([...coreOfferStrandIds], { minLength: 1, maxLength: 2 }),
    age: fc.integer({ min: 0, max: 18 }),
    laCode: fc.constantFrom(leeds, bradford),
    group: fc.constantFrom('young-carers', 'children-in-care'),
    near: fc.record({ latitude: fc.double({ min: 53.77, max: 53.9, noNaN: true }), longitude: fc.double({ min: -1.62, max: -1.45, noNaN: true }), withinMetres: fc.constantFrom(1000, 3000, 8000, 50_000) }),
    districts: fc.subarray(districts, { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: [] },
);

describe.each(testEngines)('the in-memory index of services on %s', (engine) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    const db = database.db;
    await db.insertInto('directory_postcode').values(postcodes).execute();
    for (const [laCode, offset] of [[leeds, 0], [bradford, serviceCount / 2]] as const) {
      const imported = await importOpenReferral(db, laCode, JSON.stringify(services(laCode, offset)), 'tester');
      if (!imported.ok) throw new Error(imported.problems.join('\n'));
    }
    await replaceLocalities(db, leeds, [{ name: 'Inner', districts: ['LS1', 'LS9'] }], 'tester');
    expect(await localitiesOf(db, leeds)).toHaveLength(1);
  });
  afterAll(async () => database?.dispose());

  it('finds exactly the services PostgreSQL finds, whatever the filters, nearest first given a point', async () => {
    await fc.assert(
      fc.asyncProperty(filters, async (filter) => {
        const paging = { page: 1, perPage: 200 };
        const fromIndex = await searchServices(database.db, filter, paging);
        const fromDatabase = await searchServicesInDatabase(database.db, filter, paging);
        expect(fromIndex.total).toBe(fromDatabase.total);
        expect(fromIndex.hits.map((hit) => hit.id).sort()).toEqual(fromDatabase.hits.map((hit) => hit.id).sort());
        if (filter.near !== undefined) {
          // Nearest first in both; the distances agree to the centimetre (names may collate differently where two are equally far).
          expect(fromIndex.hits.map((hit) => hit.distanceMetres?.toFixed(2) ?? null)).toEqual(fromDatabase.hits.map((hit) => hit.distanceMetres?.toFixed(2) ?? null));
        }
      }),
      { numRuns: engine === 'pglite' ? 150 : 60 },
    );
  });

  it('ranks a service with the words in its name above one with them only in its description, as ts_rank does', async () => {
    const found = await searchServices(database.db, { text: 'football' }, { page: 1, perPage: 200 });
    const named = found.hits.findIndex((hit) => !/football/i.test(hit.name));
    expect(named).toBeGreaterThan(0);
    expect(found.hits.slice(named).every((hit) => !/football/i.test(hit.name))).toBe(true);
  });

  it('pages as PostgreSQL pages, with the total on every page', async () => {
    const filter: ServiceFilter = { laCode: leeds };
    const all = await searchServicesInDatabase(database.db, filter, { page: 1, perPage: 200 });
    const pages = await Promise.all([1, 2, 3].map((page) => searchServices(database.db, filter, { page, perPage: 10 })));
    expect(pages.map((page) => page.total)).toEqual([all.total, all.total, all.total]);
    expect(pages.flatMap((page) => page.hits.map((hit) => hit.id)).sort()).toEqual(all.hits.map((hit) => hit.id).sort());
  });
});
