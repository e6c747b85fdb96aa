import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, signedInPeople } from '../../test/support/accounts.js';
import { Agent } from '../../test/support/agent.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import type { ChildFields } from '../../test/support/child-files.js';
import { testEngines } from '../../test/support/database.js';
import { settingProfiles } from '../aggregates/setting-profiles.js';
import { sessionCookieName } from '../auth/gate.js';
import type { Role } from '../auth/permissions.js';
import { importChildFile } from '../ingest/child-import.js';
import { localitiesOf, replaceLocalities } from './localities.js';

const camden = 'E09000007';
const hackney = 'E09000012';
const north = '100001';
const south = '100002';
const operator = { userId: null, organisationId: null, label: 'operator (command line)' };

/**
 * Camden, 2024/25: North Primary has 40 children, 30 of them disadvantaged, 2 in care; deciles 1
 * to 2 for 24 of them, 5 for 14, and 2 without one. South Primary has 60 children, 6 disadvantaged,
 * all in decile 8. Three children have no setting.
 */
function camdenChildren(): ChildFields[] {
  const rows: ChildFields[] = [];
  let number = 1;
  for (let index = 0; index < 40; index++) {
    rows.push(child(number++, { academic_year: '2024/25', la_code: camden, setting_urn: north, disadvantaged: index < 30 ? 'Y' : 'N', child_in_care: index < 2 ? 'Y' : 'N', idaci_decile: index < 24 ? String(1 + (index % 2)) : index < 38 ? '5' : '' }));
  }
  for (let index = 0; index < 60; index++) {
    rows.push(child(number++, { academic_year: '2024/25', la_code: camden, setting_urn: south, disadvantaged: index < 6 ? 'Y' : 'N', child_in_care: 'N', idaci_decile: '8' }));
  }
  for (let index = 0; index < 3; index++) rows.push(child(number++, { academic_year: '2024/25', la_code: camden, disadvantaged: 'N', child_in_care: 'N' }));
  return rows;
}

describe.each(testEngines)('coverage of the core offer on %s', (engine) => {
  let testApp: TestApp;
  let folder: string;
  const sessions = new Map<string, string>();
  const as = (who: string, url: string) => testApp.app.inject({ method: 'GET', url, cookies: { [sessionCookieName(false)]: sessions.get(who)! } });
  const agentFor = (who: string) => {
    const agent = new Agent(testApp.app);
    agent.cookies.set(sessionCookieName(false), sessions.get(who)!);
    return agent;
  };

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    folder = mkdtempSync(join(tmpdir(), 'ntg-coverage-'));
    const path = join(folder, 'camden.csv');
    writeFileSync(path, childCsv(camdenChildren(), ['child_id', 'academic_year', 'la_code', 'setting_urn', 'disadvantaged', 'child_in_care', 'idaci_decile']));
    const result = await importChildFile({ path, fileName: 'camden.csv', laCode: camden, acceptValid: false, actor: operator }, { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey });
    expect(result.outcome).toBe('loaded');
    const db = testApp.database.db;
    const camdenOrganisation = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const hackneyOrganisation = await newOrganisation(db, { kind: 'local-authority', name: 'Hackney', areaCode: hackney, laCode: hackney });
    await newOrganisation(db, { kind: 'setting', name: 'North Primary', laCode: camden, urn: north });
    await newOrganisation(db, { kind: 'setting', name: 'South Primary', laCode: camden, urn: south });
    for (const [urn, locality] of [[north, 'Kentish Town'], [south, 'Holborn']] as const) await db.updateTable('organisation').set({ locality }).where('urn', '=', urn).execute();
    const people: [string, Role, string][] = [
      ['camden-analyst', 'analyst', camdenOrganisation],
      ['camden-leader', 'leader', camdenOrganisation],
      ['hackney-analyst', 'analyst', hackneyOrganisation],
      ['camden-admin', 'authority-admin', camdenOrganisation],
    ];
    for (const [who, token] of await signedInPeople(db, people)) sessions.set(who, token);
  }, 120_000);
  afterAll(async () => {
    await testApp?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('stores each setting’s children, those in any group and their IDACI deciles with the load', async () => {
    const { profiles, groupCounts } = await settingProfiles(testApp.database.db, camden, 2024);
    const byUrn = new Map(profiles.map((profile) => [profile.settingUrn, profile]));
    expect(byUrn.get(Number(north))).toEqual({ settingUrn: Number(north), children: 40, inAnyGroup: 30, idaciKnown: 38, idaciMostDeprived: 24 });
    expect(byUrn.get(Number(south))).toEqual({ settingUrn: Number(south), children: 60, inAnyGroup: 6, idaciKnown: 60, idaciMostDeprived: 0 });
    expect(byUrn.get(-1)).toMatchObject({ children: 3, inAnyGroup: 0 });
    expect(groupCounts.find((count) => count.settingUrn === Number(north) && count.group === 'children-in-care')?.children).toBe(2);
  });

  it('lets the authority’s staff draw localities, refusing bad districts by locality and field and keeping what was stored', async () => {
    const agent = agentFor('camden-admin');
    const refused = await agent.submit(`/directory/localities?la=${camden}`, `/directory/localities?la=${camden}`, { 'name-1': 'Kentish Town', 'districts-1': 'NW5, XX', 'name-2': 'Holborn', 'districts-2': 'WC1, NW5' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Locality 1: postcode districts: “XX” is not a postcode district, such as LS12');
    expect(refused.body).toContain('Locality 2: postcode districts: “NW5” is not a district not already in Kentish Town');
    expect(await localitiesOf(testApp.database.db, camden)).toEqual([]);
    const saved = await agent.submit(`/directory/localities?la=${camden}`, `/directory/localities?la=${camden}`, { 'name-1': 'Kentish Town', 'districts-1': 'nw5, NW1', 'name-2': 'Holborn', 'districts-2': 'WC1 WC2' });
    expect(saved.statusCode).toBe(303);
    expect(await localitiesOf(testApp.database.db, camden)).toEqual([
      { name: 'Holborn', districts: ['WC1', 'WC2'] },
      { name: 'Kentish Town', districts: ['NW1', 'NW5'] },
    ]);
    const withoutToken = await agent.submit(`/directory/localities?la=${camden}`, `/directory/localities?la=${camden}`, { 'name-1': 'Gone', 'districts-1': 'NW3' }, { csrf: false });
    expect(withoutToken.statusCode).toBe(403);
    expect((await localitiesOf(testApp.database.db, camden)).map((locality) => locality.name)).toEqual(['Holborn', 'Kentish Town']);
  });

  it('refuses another authority’s staff and those without directory:write', async () => {
    expect((await as('hackney-analyst', `/directory/localities?la=${camden}`)).statusCode).toBe(403);
    const leader = agentFor('camden-leader');
    expect((await leader.get(`/directory/localities?la=${camden}`)).statusCode).toBe(403);
    expect((await as('camden-analyst', '/directory/localities?la=E08999999')).statusCode).toBe(404);
  });

  it('shows need by locality exactly to the authority’s analyst, and released to others', async () => {
    await replaceLocalities(testApp.database.db, camden, [{ name: 'Holborn', districts: ['WC1'] }, { name: 'Kentish Town', districts: ['NW5'] }], 'test');
    const exact = await as('camden-analyst', `/api/v1/areas/${camden}/coverage/offer`);
    expect(exact.statusCode).toBe(200);
    const answer = exact.json<{ year: string; released: boolean; localities: { locality: string; children: number; vulnerable_children: number; most_deprived_share: number; high_need: boolean; groups: { group: string; children: number | null }[] }[]; unplaced: { settings: number; children: number | null; children_without_setting: number | null } }>();
    expect(answer).toMatchObject({ year: '2024/25', released: false });
    expect(answer.localities.map((locality) => [locality.locality, locality.children, locality.vulnerable_children, locality.high_need])).toEqual([
      ['Holborn', 60, 6, false],
      ['Kentish Town', 40, 30, true],
    ]);
    expect(answer.localities[1]!.most_deprived_share).toBeCloseTo(24 / 38, 12);
    expect(answer.unplaced).toMatchObject({ settings: 0, children: 0, children_without_setting: 3 });
    expect(answer.localities[1]!.groups.find((group) => group.group === 'children-in-care')?.children).toBe(2);

    const released = (await as('camden-leader', `/api/v1/areas/${camden}/coverage/offer`)).json<typeof answer>();
    expect(released.released).toBe(true);
    expect(released.localities[1]!.groups.find((group) => group.group === 'children-in-care')?.children).toBeNull();
    for (const locality of released.localities) expect(locality.children % 5).toBe(0);
    expect(released.unplaced.children_without_setting).toBeNull();
    // The same children always give the same released figure.
    expect((await as('camden-leader', `/api/v1/areas/${camden}/coverage/offer`)).json()).toEqual(released);
  });

  it('tells the data-gap audit what coverage cannot count', async () => {
    const page = await as('camden-analyst', `/gaps/data?la=${camden}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Every setting and every located service is in one of the 2 localities');
    await replaceLocalities(testApp.database.db, camden, [{ name: 'Holborn', districts: ['WC1'] }, { name: 'Camden Town', districts: [] }], 'test');
    const gaps = await as('camden-analyst', `/gaps/data?la=${camden}`);
    expect(gaps.body).toContain('1 setting is in no drawn locality (40 children); localities named but not drawn: Kentish Town.');
    expect(gaps.body).toContain('Localities with no postcode districts: Camden Town.');
    await replaceLocalities(testApp.database.db, camden, [{ name: 'Holborn', districts: ['WC1'] }, { name: 'Kentish Town', districts: ['NW5'] }], 'test');
  });

  it('refuses another authority’s coverage and answers an unknown one as not found', async () => {
    const other = await as('hackney-analyst', `/api/v1/areas/${camden}/coverage/offer`);
    expect(other.statusCode).toBe(200);
    expect(other.json<{ released: boolean }>().released).toBe(true);
    const admin = await as('camden-admin', `/api/v1/areas/${hackney}/coverage/offer`);
    expect(admin.statusCode).toBe(403);
    expect((await as('camden-analyst', '/api/v1/areas/E08999999/coverage/offer')).statusCode).toBe(404);
  });

  it('shows the page with the matrix, the ranked thin offers, the chart and its table', async () => {
    const page = await as('camden-leader', `/directory/coverage?la=${camden}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Coverage of the core offer: Camden');
    expect(page.body).toContain('Where need is high and the offer thin');
    expect(page.body).toContain('Thin, high need');
    expect(page.body).toContain('The core offer in Camden’s localities');
    expect(page.body).toContain('Counts are adjusted slightly and rounded to the nearest 5');
    const csv = await as('camden-leader', `/directory/coverage/figures/coverage.csv?la=${camden}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('Kentish Town,Childcare 8am to 6pm,0,');
    expect(csv.body).toContain('Thin offer where need is high');
  });
});
