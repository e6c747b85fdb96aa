import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { Agent } from '../../test/support/agent.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { orukService } from '../../test/support/directory.js';
import { sessionCookieName } from '../auth/gate.js';
import { replaceLocalities } from './localities.js';
import { exportOpenReferral, importOpenReferral } from './open-referral.js';

const leeds = 'E08000035';
const bradford = 'E08000032';

describe.each(testEngines)('the directory’s pages and API on %s', (engine) => {
  let test: TestApp;
  let staff: Agent;
  const harehills = orukService('Harehills Stay and Play', { strands: ['parenting-support'], postcode: 'LS9 7AA', minimumAge: 0, maximumAge: 4 });
  const otley = orukService('Otley Youth Club', { strands: ['varied-activities'], postcode: 'LS21 1AA', minimumAge: 11, maximumAge: 18 });
  const bradfordLibrary = orukService('Bradford Toy Library', { postcode: 'BD1 1AA' });

  beforeAll(async () => {
    test = await createTestApp({ engine });
    const db = test.database.db;
    await db
      .insertInto('directory_postcode')
      .values([
        { postcode: 'LS9 8AB', latitude: 53.8, longitude: -1.51 },
        { postcode: 'LS9 7AA', latitude: 53.805, longitude: -1.515 },
        { postcode: 'LS21 1AA', latitude: 53.905, longitude: -1.69 },
      ])
      .execute();
    await importOpenReferral(db, leeds, JSON.stringify([harehills, otley]), 'tester');
    await importOpenReferral(db, bradford, JSON.stringify([bradfordLibrary]), 'tester');
    await replaceLocalities(db, leeds, [{ name: 'East', districts: ['LS9'] }, { name: 'North', districts: ['LS21'] }], 'tester');
    const council = await newOrganisation(db, { kind: 'local-authority', name: 'Leeds City Council', areaCode: leeds, laCode: leeds });
    const session = await newSignedInUser(db, { email: 'directory@example.org', role: 'analyst', organisationId: council });
    staff = new Agent(test.app);
    staff.cookies.set(sessionCookieName(false), session.sessionToken);
  });
  afterAll(async () => test?.close());

  it('finds services by postcode and distance, nearest first, for anyone', async () => {
    const page = await test.app.inject({ method: 'GET', url: '/directory?postcode=ls9+8ab&miles=2&strand=parenting-support' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('1 service<');
    expect(page.body).toContain('Harehills Stay and Play');
    expect(page.body).toContain('0.4 miles');
    expect(page.body).not.toContain('Otley Youth Club');
    const byAge = await test.app.inject({ method: 'GET', url: '/directory?age=14&la=E08000035' });
    expect(byAge.body).toContain('Otley Youth Club');
    expect(byAge.body).not.toContain('Harehills Stay and Play');
    const byLocality = await test.app.inject({ method: 'GET', url: '/directory?locality=E08000035%3AEast' });
    expect(byLocality.body).toContain('Harehills Stay and Play');
    expect(byLocality.body).not.toContain('Otley Youth Club');
  });

  it('says clearly when a postcode is not in the lookup', async () => {
    const page = await test.app.inject({ method: 'GET', url: '/directory?postcode=LS99+9ZZ' });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('We cannot find LS99 9ZZ in our postcode list');
    expect(page.body).toContain('href="#postcode"');
  });

  it('answers a search with every field given twice (a mangled or hostile link) as a search, not an error page', async () => {
    const twice = ['q=play', 'q=club', 'age=3', 'age=14', 'postcode=LS9+8AB', 'postcode=LS21+1AA', 'la=E08000035', 'la=E08000032', 'miles=2', 'miles=5', 'group=young-carers', 'group=x', 'locality=E08000035%3AEast', 'locality=E08000035%3ANorth'].join('&');
    const page = await test.app.inject({ method: 'GET', url: `/directory?${twice}` });
    expect([200, 400]).toContain(page.statusCode);
    expect(page.body).toContain('Find services for children and families');
    const api = await test.app.inject({ method: 'GET', url: `/api/v1/services?${twice}` });
    expect([200, 400]).toContain(api.statusCode);
  });

  it('shows a service’s own page and 404 for an unknown one', async () => {
    const page = await test.app.inject({ method: 'GET', url: `/directory/services/${String(harehills.id)}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Run by Chapeltown Family Trust');
    expect(page.body).toContain('0 to 4 years');
    expect((await test.app.inject({ method: 'GET', url: '/directory/services/nope' })).statusCode).toBe(404);
  });

  it('searches through /api/v1/services and gives the Open Referral export', async () => {
    const found = (await test.app.inject({ method: 'GET', url: '/api/v1/services?postcode=LS9%208AB&la=E08000035' })).json<{ total: number; services: { name: string; distanceMetres: number }[] }>();
    expect(found.services.map((service) => service.name)).toEqual(['Harehills Stay and Play', 'Otley Youth Club']);
    const exported = (await test.app.inject({ method: 'GET', url: '/api/v1/services?format=openreferral&la=E08000032' })).json<{ name: string }[]>();
    expect(exported.map((service) => service.name)).toEqual(['Bradford Toy Library']);
    expect((await test.app.inject({ method: 'GET', url: '/api/v1/services?age=old' })).statusCode).toBe(400);
  });

  it('lets staff edit their authority’s service, and answers 404 for another authority’s', async () => {
    expect((await staff.get('/directory/manage')).body).toContain('Otley Youth Club');
    expect((await staff.get(`/directory/manage/services/${String(bradfordLibrary.id)}`)).statusCode).toBe(404);
    const url = `/directory/manage/services/${String(otley.id)}`;
    const form = await staff.get(url);
    const value = (name: string) => new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(form.body)?.[1] ?? '';
    const fields = { name: 'Otley Youth Club', organisation: value('organisation'), description: 'Open on Saturdays too', strands: 'varied-activities', minimumAge: '11', maximumAge: '18', cost: 'Free', openingTimes: value('openingTimes'), phone: value('phone'), email: value('email'), website: value('website'), status: 'active', location0Id: value('location0Id'), location0Name: value('location0Name'), location0Address: value('location0Address'), location0Postcode: 'LS21 1AA' };
    expect((await staff.submit(url, url, { ...fields, maximumAge: '9' })).body).toContain('The oldest age 9 is below the minimum age 11');
    const saved = await staff.submit(url, url, fields);
    expect(saved.statusCode).toBe(303);
    const record = (await exportOpenReferral(test.database.db, leeds)).find((service) => service.id === otley.id)!;
    expect(record).toMatchObject({ description: 'Open on Saturdays too', languages: otley.languages, schedules: otley.schedules, x_supplier_reference: otley.x_supplier_reference });
    expect((await staff.submit(url, `/directory/manage/services/${String(bradfordLibrary.id)}`, fields)).statusCode).toBe(404);
    expect((await staff.submit(url, url, fields, { csrf: false })).statusCode).toBe(403);
  });

  it('withdraws a service, which then leaves the public directory', async () => {
    const withdrawn = await staff.submit('/directory/manage', `/directory/manage/services/${String(harehills.id)}/withdraw`, {});
    expect(withdrawn.statusCode).toBe(303);
    expect((await test.app.inject({ method: 'GET', url: `/directory/services/${String(harehills.id)}` })).statusCode).toBe(404);
  });

  it('refuses an uploaded file with its problems listed, and changes nothing', async () => {
    const before = JSON.stringify(await exportOpenReferral(test.database.db, leeds));
    const bad = orukService('Broken Club', { postcode: 'LS1 XYZ' });
    const response = await staff.upload('/directory/manage', '/directory/manage/upload', { format: 'openreferral' }, [{ field: 'file', fileName: 'services.json', content: JSON.stringify([bad]) }]);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(`services.json: record 1 (id ${String(bad.id)}): service_at_locations[0].location.addresses[0].postal_code: &quot;LS1 XYZ&quot; is not a postcode`);
    expect(JSON.stringify(await exportOpenReferral(test.database.db, leeds))).toBe(before);
    const template = await staff.get('/directory/manage/template.csv');
    expect(template.headers['content-type']).toContain('text/csv');
    expect(template.body).toContain('service name');
  });

  it('sends someone without directory:write away from the manage pages', async () => {
    expect((await test.app.inject({ method: 'GET', url: '/directory/manage' })).statusCode).toBe(303);
  });
});
