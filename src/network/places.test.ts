import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allAreas, allLocalAuthorities, localAuthoritiesIn } from '../areas/areas.js';
import { sessionCookieName } from '../auth/gate.js';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { Agent } from '../../test/support/agent.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { englandHexes, parseHexLayout } from './hex-layout.js';
import { hexMapFigure } from './hex-map.js';
import { networkRegions } from './regions.js';

describe('the hex map layout', () => {
  it('has one hexagon for every current authority and none for any other', () => {
    const codes = englandHexes().map((cell) => cell.code).sort();
    expect(codes).toEqual(allLocalAuthorities().map((la) => la.gss).sort());
  });

  it('refuses a layout with two authorities on one hexagon, naming both', () => {
    const layout = { layout: 'odd-r', hexes: { E06000001: { n: 'A', q: 1, r: 1 }, E06000002: { n: 'B', q: 1, r: 1 } } };
    expect(() => parseHexLayout(layout, 'test')).toThrow(/E06000002 and E06000001 are both at q 1, r 1/);
  });

  it('draws a region close up with only its authorities in the table, and says which have no figure', () => {
    const yorkshire = 'E12000003';
    const figure = hexMapFigure({ id: 'x', title: 't', summary: 's', measure: { label: 'Count', kind: 'number' }, values: new Map([['E08000035', 3]]), missingText: 'None yet', region: yorkshire });
    expect(figure.table.rows).toHaveLength(localAuthoritiesIn(yorkshire).length);
    expect(figure.table.rows.find((row) => row[0] === 'Leeds')).toEqual(['Leeds', 'Yorkshire and The Humber', 3]);
    expect(figure.notes?.[0]).toBe(`${localAuthoritiesIn(yorkshire).length - 1} authorities have no figure (grey on the map): none yet.`);
  });
});

describe.each(testEngines)('regions and councils on %s', (engine) => {
  let test: TestApp;
  let leaderSession = '';
  let settingSession = '';

  beforeAll(async () => {
    test = await createTestApp({ engine });
    const db = test.database.db;
    const council = await newOrganisation(db, { kind: 'local-authority', name: 'Leeds City Council', areaCode: 'E08000035', laCode: 'E08000035' });
    const school = await newOrganisation(db, { kind: 'setting', name: 'Chapel Fold Primary School', laCode: 'E08000035', urn: '999001' });
    leaderSession = (await newSignedInUser(db, { email: 'director@example.org', role: 'leader', organisationId: council })).sessionToken;
    settingSession = (await newSignedInUser(db, { email: 'head@example.org', role: 'setting-leader', organisationId: school })).sessionToken;
  });
  afterAll(async () => test?.close());

  it('lists the nine regions with their current authorities in the API', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/api/v1/regions' });
    expect(response.statusCode).toBe(200);
    const regions = response.json<{ code: string; name: string; authorities: { code: string; name: string }[] }[]>();
    expect(regions.map((region) => region.code)).toEqual(allAreas('region').map((region) => region.code));
    expect(regions).toHaveLength(9);
    const authorities = regions.flatMap((region) => region.authorities.map((la) => la.code)).sort();
    expect(authorities).toEqual(allLocalAuthorities().map((la) => la.gss).sort());
    const yorkshire = regions.find((region) => region.code === 'E12000003')!;
    expect(yorkshire.name).toBe('Yorkshire and The Humber');
    expect(yorkshire.authorities).toContainEqual({ code: 'E08000035', name: 'Leeds' });
    expect((await test.app.inject({ method: 'GET', url: '/api/v1/regions/E12000003' })).json<{ authorities: unknown[] }>().authorities).toHaveLength(yorkshire.authorities.length);
    expect((await test.app.inject({ method: 'GET', url: '/api/v1/regions/E12000099' })).statusCode).toBe(404);
  });

  it('shows who takes part, on the England, region and council pages', async () => {
    const england = await test.app.inject({ method: 'GET', url: '/network' });
    expect(england.statusCode).toBe(200);
    for (const region of networkRegions()) expect(england.body).toContain(`/network/regions/${region.code}`);
    expect(england.body).toContain('<svg role="img"');
    const region = await test.app.inject({ method: 'GET', url: '/network/regions/E12000003?map=people' });
    expect(region.statusCode).toBe(200);
    expect(region.body).toContain('The council takes part (2 people)');
    const council = await test.app.inject({ method: 'GET', url: '/api/v1/authorities/E08000035' });
    expect(council.json()).toMatchObject({ code: 'E08000035', name: 'Leeds', region: { code: 'E12000003', name: 'Yorkshire and The Humber' }, takingPart: { people: 2 } });
    expect((await test.app.inject({ method: 'GET', url: '/api/v1/authorities/E10000021' })).statusCode).toBe(404);
    expect((await test.app.inject({ method: 'GET', url: '/network/authorities/nonsense' })).statusCode).toBe(404);
  });

  it('lets the council’s own leader change its page, and no one else', async () => {
    const leader = new Agent(test.app);
    leader.cookies.set(sessionCookieName(false), leaderSession);
    const saved = await leader.submit('/network/authorities/E08000035/profile', '/network/authorities/E08000035/profile', { statement: 'We work on attendance <b>first</b>.', plan: '' });
    expect(saved.statusCode).toBe(303);
    const page = await test.app.inject({ method: 'GET', url: '/network/authorities/E08000035' });
    expect(page.body).toContain('We work on attendance &lt;b&gt;first&lt;/b&gt;.');
    const head = new Agent(test.app);
    head.cookies.set(sessionCookieName(false), settingSession);
    expect((await head.get('/network/authorities/E08000035/profile')).statusCode).toBe(403);
    expect((await leader.get('/network/authorities/E08000032/profile')).statusCode).toBe(403);
    const tooLong = await leader.submit('/network/authorities/E08000035/profile', '/network/authorities/E08000035/profile', { statement: 'x'.repeat(2001), plan: '' });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain('2,000 characters or fewer');
    const notOurs = await leader.submit('/network/authorities/E08000035/profile', '/network/authorities/E08000035/profile', { statement: 'x', plan: '00000000-0000-4000-8000-000000000000' });
    expect(notOurs.statusCode).toBe(400);
  });

  it('lists a person as a contact only when they choose to, and only for their own authority', async () => {
    const head = new Agent(test.app);
    head.cookies.set(sessionCookieName(false), settingSession);
    expect((await test.app.inject({ method: 'GET', url: '/network/authorities/E08000035' })).body).not.toContain('head@example.org');
    const elsewhere = await head.submit('/network/contact', '/network/contact', { authority: 'E08000032', jobTitle: 'Head teacher' });
    expect(elsewhere.statusCode).toBe(400);
    expect((await head.submit('/network/contact', '/network/contact', { authority: 'E08000035', jobTitle: 'Head teacher' })).statusCode).toBe(303);
    const listed = await test.app.inject({ method: 'GET', url: '/api/v1/authorities/E08000035' });
    expect(listed.json<{ contacts: unknown[] }>().contacts).toEqual([{ name: 'head', jobTitle: 'Head teacher', email: 'head@example.org' }]);
    expect((await head.submit('/network/contact', '/network/contact', { remove: '1' })).statusCode).toBe(303);
    expect((await test.app.inject({ method: 'GET', url: '/api/v1/authorities/E08000035' })).json<{ contacts: unknown[] }>().contacts).toEqual([]);
  });
});
