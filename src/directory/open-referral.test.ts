import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { orukService } from '../../test/support/directory.js';
import { offerReach } from './offer.js';
import { exportOpenReferral, importOpenReferral } from './open-referral.js';
import { attributeFor } from './service-record.js';
import type { OrukService } from './service-record.js';

const leeds = 'E08000035';
const bradford = 'E08000032';

describe.each(testEngines)('Open Referral UK import and export on %s', (engine) => {
  let test: TestApp;
  beforeAll(async () => {
    test = await createTestApp({ engine });
  });
  afterAll(async () => test?.close());

  const snapshot = async () => JSON.stringify(await exportOpenReferral(test.database.db, null));

  it('imports fully nested services and exports them back unchanged, unknown fields kept', async () => {
    const services = [orukService('Stay and Play', { strands: ['parenting-support', 'childcare'] }), orukService('Homework Club', { strands: ['varied-activities'], postcode: 'ls16 5aa', minimumAge: 5, maximumAge: 16 })];
    const result = await importOpenReferral(test.database.db, leeds, JSON.stringify(services), 'tester');
    expect(result).toEqual({ ok: true, added: 2, replaced: 0 });
    const exported = await exportOpenReferral(test.database.db, leeds);
    const byName = (list: readonly Record<string, unknown>[]) => [...list].sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(byName(exported)).toEqual(byName(services));
    expect(exported[0]).toHaveProperty('x_supplier_reference', { system: 'ExampleDirectory', ref: 1234 });
  });

  it('accepts a page of the /services answer and replaces a service with the same id', async () => {
    const changed = { ...orukService('Stay and Play', { strands: ['childcare'] }), description: 'Now on Fridays too' };
    const page = { total_items: 1, total_pages: 1, page_number: 1, size: 1, first_page: true, last_page: true, empty: false, contents: [changed] };
    expect(await importOpenReferral(test.database.db, leeds, JSON.stringify(page), 'tester')).toEqual({ ok: true, added: 0, replaced: 1 });
    const reach = await offerReach(test.database.db, leeds);
    expect(reach.map((service) => [service.name, service.strands, service.districts])).toEqual([
      ['Homework Club', ['varied-activities'], ['LS16']],
      ['Stay and Play', ['childcare'], ['LS7']],
    ]);
    expect(reach[0]).toMatchObject({ authorityWide: false, minimumAge: 5, maximumAge: 16, groups: [], tier: null });
  });

  it('refuses a file with bad records, naming each by record, id and field, and changes nothing', async () => {
    const before = await snapshot();
    const good = orukService('Toy Library');
    const noName: OrukService = { ...orukService('Nameless'), name: '' };
    const badPostcode = orukService('Dad’s Club', { postcode: 'LS1 XYZ' });
    const badStrand = orukService('Holiday Club');
    (badStrand.attributes as unknown[]).push({ ...attributeFor(String(badStrand.id), 'ntg-core-offer', 'childcare'), taxonomy_term: { code: 'holiday-clubs', name: 'Holiday clubs', taxonomy: 'ntg-core-offer' } });
    const badAges: OrukService = { ...orukService('Youth Club'), minimum_age: 16, maximum_age: 11 };
    const negativeAge: OrukService = { ...orukService('Baby Massage'), minimum_age: -1 };
    const duplicate = { ...orukService('Toy Library'), name: 'Toy Library again' };
    const noStatus: Record<string, unknown> = { ...orukService('Statusless') };
    delete noStatus.status;
    const result = await importOpenReferral(test.database.db, leeds, JSON.stringify([good, noName, badPostcode, badStrand, badAges, negativeAge, duplicate, noStatus]), 'tester');
    expect(result).toEqual({
      ok: false,
      problems: [
        `record 2 (id ${String(noName.id)}): name: is missing: every service needs a name`,
        `record 3 (id ${String(badPostcode.id)}): service_at_locations[0].location.addresses[0].postal_code: "LS1 XYZ" is not a postcode`,
        `record 4 (id ${String(badStrand.id)}): attributes[2].taxonomy_term.code: "holiday-clubs" is not a core-offer strand (childcare, varied-activities, parenting-support, swift-access, community-access)`,
        `record 5 (id ${String(badAges.id)}): maximum_age: 11 is below the minimum age 16`,
        `record 6 (id ${String(negativeAge.id)}): minimum_age: -1 is not an age in years (a number from 0 to 120)`,
        `record 7 (id ${String(good.id)}): id: is the id of record 1 too: each service needs its own id`,
        `record 8 (id ${String(noStatus.id)}): status: is missing: one of active, inactive, defunct, temporarily closed`,
      ],
    });
    expect(await snapshot()).toBe(before);
  });

  it('refuses what is not a services file, and an id another authority holds', async () => {
    const before = await snapshot();
    expect(await importOpenReferral(test.database.db, leeds, '{"services": []}', 'tester')).toEqual({
      ok: false,
      problems: ['the file is neither a list of services nor a page of the /services answer (an object with total_items, total_pages, page_number, size, first_page, last_page, empty, contents)'],
    });
    expect(await importOpenReferral(test.database.db, leeds, 'not json', 'tester')).toMatchObject({ ok: false, problems: [expect.stringMatching(/^the file is not JSON: /)] });
    const taken = orukService('Homework Club');
    expect(await importOpenReferral(test.database.db, bradford, JSON.stringify([taken]), 'tester')).toEqual({
      ok: false,
      problems: [`record 1 (id ${String(taken.id)}): id: belongs to a service in another authority’s directory (${leeds}): ids are unique across the service`],
    });
    expect(await snapshot()).toBe(before);
  });

  it('counts a service with no postcoded location as authority-wide, and leaves withdrawn services out of the offer', async () => {
    const helpline = { ...orukService('Family Helpline', { postcode: null, strands: ['swift-access'] }) };
    const closed = { ...orukService('Old Club', { strands: ['varied-activities'] }), status: 'inactive' };
    expect(await importOpenReferral(test.database.db, leeds, JSON.stringify([helpline, closed]), 'tester')).toMatchObject({ ok: true, added: 2 });
    const reach = await offerReach(test.database.db, leeds);
    expect(reach.find((service) => service.name === 'Family Helpline')).toMatchObject({ authorityWide: true, districts: [], strands: ['swift-access'] });
    expect(reach.some((service) => service.name === 'Old Club')).toBe(false);
  });
});
