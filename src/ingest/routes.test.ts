import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../test/support/agent.js';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { sessionCookieName } from '../auth/gate.js';
import type { Role } from '../auth/permissions.js';
import { packageRoot } from '../package-root.js';
import { loadedDataVersion } from './batches.js';
import { standardColumns } from './child-standard.js';

const camden = 'E09000007';
const hackney = 'E09000012';

describe('loading files on the web', () => {
  let testApp: TestApp;
  const agents = new Map<string, Agent>();
  const agent = (who: string) => agents.get(who)!;

  beforeAll(async () => {
    testApp = await createTestApp({ environment: { NTG_PSEUDONYM_KEY: testPseudonymKey, NTG_UPLOAD_LIMIT_MB: '1' } });
    const db = testApp.database.db;
    const camdenOrganisation = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const hackneyOrganisation = await newOrganisation(db, { kind: 'local-authority', name: 'Hackney', areaCode: hackney, laCode: hackney });
    const nationalTeam = await newOrganisation(db, { kind: 'national', name: 'Department for Education' });
    const people: [string, Role, string][] = [
      ['camden-analyst', 'analyst', camdenOrganisation],
      ['hackney-analyst', 'analyst', hackneyOrganisation],
      ['camden-leader', 'leader', camdenOrganisation],
      ['moderator', 'national-moderator', nationalTeam],
    ];
    for (const [who, role, organisationId] of people) {
      const { sessionToken } = await newSignedInUser(db, { email: `${who}@example.org`, role, organisationId });
      const signedIn = new Agent(testApp.app);
      signedIn.cookies.set(sessionCookieName(false), sessionToken);
      agents.set(who, signedIn);
    }
  });
  afterAll(async () => {
    await testApp.close();
  });

  /** The versions of the data the authority's kept gap figures were computed from. */
  const keptFigureVersions = async (laCode: string) =>
    new Set((await testApp.database.db.selectFrom('gap_figures').select('data_version').where('la_code', '=', laCode).execute()).map((row) => row.data_version));

  const upload = (who: string, fileName: string, content: string | Buffer, fields: Record<string, string> = {}) =>
    agent(who).upload('/imports/children/new', '/imports/children', fields, [{ field: 'file', fileName, content }]);

  it('loads a valid file in one upload and shows the batch', async () => {
    const response = await upload('camden-analyst', 'pupils.csv', childCsv([child(1), child(2), child(3)]));
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toMatch(/^\/imports\/\d+\?outcome=loaded$/);
    const page = await agent('camden-analyst').get(String(response.headers.location));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('3 records loaded from pupils.csv.');
    expect(page.body).toContain('Child-level records for Camden (E09000007)');
    const history = await agent('camden-analyst').get('/imports');
    expect(history.body).toContain('pupils.csv');
    // The authority's gap figures are computed as the load ends, so no reader waits for them.
    expect(await keptFigureVersions(camden)).toEqual(new Set([await loadedDataVersion(testApp.database.db, camden)]));
  });

  it('refuses a bad file, lists each problem on the batch page and as CSV', async () => {
    const response = await upload('camden-analyst', 'bad.csv', childCsv([child(10, { academic_year: '2022/23' }), child(11, { academic_year: '2022/23', attendance_pct: '101' }), child(12, { academic_year: '22/23' })]));
    const location = String(response.headers.location);
    expect(location).toMatch(/outcome=rejected$/);
    const page = await agent('camden-analyst').get(location);
    expect(page.body).toContain('The file was refused: nothing was loaded');
    expect(page.body).toMatch(/<td class="govuk-table__cell">3<\/td><td class="govuk-table__cell">attendance_pct<\/td><td class="govuk-table__cell">101<\/td>/);
    const csv = await agent('camden-analyst').get(`${location.split('?')[0]}/problems.csv`);
    expect(parse(csv.body, { bom: true })).toEqual([
      ['row', 'column', 'value', 'expected'],
      ['3', 'attendance_pct', '101', 'a number from 0 to 100, or blank'],
      ['4', 'academic_year', '22/23', 'an academic year written 2023/24 or 202324'],
    ]);
    // On the history the refused file is listed apart from the files loaded, with why, and no batch number.
    const history = (await agent('camden-analyst').get('/imports')).body;
    const loaded = history.slice(history.indexOf('Files loaded'), history.indexOf('Files refused'));
    const refused = history.slice(history.indexOf('Files refused'));
    expect(history.indexOf('Files refused')).toBeGreaterThan(0);
    expect(loaded).toContain('pupils.csv');
    expect(loaded).not.toContain('bad.csv');
    expect(refused).toContain('bad.csv');
    expect(refused).toContain('row 3, column attendance_pct: “101” expected a number from 0 to 100, or blank (and 1 more problem)');
    expect(history).toMatch(/<a class="govuk-link" href="\/imports\/\d+">\d{1,2} [A-Z][a-z]+ \d{4}, \d{1,2}:\d{2}[ap]m<span class="govuk-visually-hidden">: bad\.csv<\/span><\/a>/);
  });

  it('answers a script with JSON, for the progress display', async () => {
    const page = await agent('camden-analyst').get('/imports/children/new');
    const uploadId = /name="upload_id" value="([^"]+)"/.exec(page.body)![1]!;
    const csrf = /name="_csrf" value="([^"]*)"/.exec(page.body)![1]!;
    const { multipartBody } = await import('../../test/support/agent.js');
    const { payload, contentType } = multipartBody({ _csrf: csrf, upload_id: uploadId }, [{ field: 'file', fileName: 'json.csv', content: childCsv([child(20, { academic_year: '2021/22' })]) }]);
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/imports/children',
      payload,
      headers: { 'content-type': contentType, accept: 'application/json' },
      cookies: Object.fromEntries(agent('camden-analyst').cookies),
    });
    expect(response.json()).toMatchObject({ outcome: 'loaded', message: '1 records loaded.', location: expect.stringMatching(/^\/imports\/\d+\?outcome=loaded$/) as unknown });
    const progress = await agent('camden-analyst').get(`/imports/progress/${uploadId}`);
    expect(progress.json()).toMatchObject({ phase: 'finished', rows: 1 });
    // Someone else asking for the same upload sees nothing of it.
    expect((await agent('hackney-analyst').get(`/imports/progress/${uploadId}`)).json()).toMatchObject({ phase: 'waiting', rows: 0 });
  });

  it('refuses a file over the size limit by name, and stores nothing', async () => {
    const big = Buffer.alloc(1_200_000, 'a');
    const response = await upload('camden-analyst', 'huge.csv', big);
    expect(response.statusCode).toBe(413);
    expect(response.body).toContain('huge.csv is larger than the upload limit of 1 MB');
    expect((await agent('camden-analyst').get('/imports')).body).not.toContain('huge.csv');
  });

  it('asks for a file when none is chosen, and for a CSV or XLSX one', async () => {
    const none = await agent('camden-analyst').upload('/imports/children/new', '/imports/children', {}, []);
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Choose a CSV or XLSX file of child-level records');
    const wrongKind = await upload('camden-analyst', 'pupils.pdf', 'not a csv');
    expect(wrongKind.body).toContain('pupils.pdf is not a CSV or XLSX file');
  });

  it('restores an earlier batch from its page', async () => {
    const first = String((await upload('camden-analyst', 'v1.csv', childCsv([child(30, { academic_year: '2020/21' })]))).headers.location).split('?')[0]!;
    await upload('camden-analyst', 'v2.csv', childCsv([child(30, { academic_year: '2020/21' }), child(31, { academic_year: '2020/21' })]));
    const page = await agent('camden-analyst').get(first);
    expect(page.body).toContain('Restore this batch');
    const restored = await agent('camden-analyst').submit(first, `${first}/restore`, {});
    expect(restored.statusCode).toBe(303);
    expect((await agent('camden-analyst').get(String(restored.headers.location))).body).toContain('is the current data again for 2020/21');
    expect(await keptFigureVersions(camden)).toEqual(new Set([await loadedDataVersion(testApp.database.db, camden)]));
  });

  it('keeps one authority’s batches from another, and the page from roles that do not load data', async () => {
    const location = String((await upload('camden-analyst', 'private.csv', childCsv([child(40, { academic_year: '2019/20' })]))).headers.location).split('?')[0]!;
    expect((await agent('hackney-analyst').get(location)).statusCode).toBe(404);
    expect((await agent('hackney-analyst').get(`${location}/problems.csv`)).statusCode).toBe(404);
    expect((await agent('hackney-analyst').get('/imports')).body).not.toContain('private.csv');
    expect((await agent('camden-leader').get('/imports')).statusCode).toBe(403);
  });

  it('loads a published statistics file and its metadata in one upload, and refuses an invalid pair with its problems', async () => {
    const samples = join(packageRoot, '..', 'shared', 'data', 'ees-samples');
    const send = (data: string, meta: string) =>
      agent('camden-analyst').upload('/imports/statistics/new', '/imports/statistics', {}, [
        { field: 'data', fileName: data, content: readFileSync(join(samples, data)) },
        { field: 'meta', fileName: meta, content: readFileSync(join(samples, meta)) },
      ]);
    const loaded = await send('absence_school.csv', 'absence_school.meta.csv');
    expect(loaded.statusCode).toBe(303);
    expect(String(loaded.headers.location)).toMatch(/outcome=loaded$/);
    const page = await agent('camden-analyst').get(String(loaded.headers.location));
    expect(page.body).toContain('Published statistics (DfE open data standard)');
    expect(page.body).toContain('absence_school.csv');
    // Its School rows are ignored as EES ignores them in a file of several levels, and the page says so.
    expect(page.body).toContain('2020/21, 2021/22, 2022/23 (Academic year)');
    expect(page.body).toContain('Left out, as Explore Education Statistics leaves it out');
    expect(page.body).toContain('Ignored 12 rows at School level: EES loads School, Provider, Institution and Planning area rows only from a file of that level alone.');
    const refused = await send('invalid-data-set.csv', 'invalid-data-set.meta.csv');
    const refusedPage = await agent('camden-analyst').get(String(refused.headers.location));
    expect(refusedPage.body).toContain('The file was refused: nothing was loaded');
    expect(refusedPage.body).toContain('invalid-data-set.meta.csv, row');
    // An analyst's statistics file is kept as the authority's own: another authority does not see it in its history.
    expect((await agent('camden-analyst').get('/imports')).body).toContain('absence_school.csv');
    expect((await agent('hackney-analyst').get('/imports')).body).not.toContain('absence_school.csv');
  });

  it('tells the national team on its upload page what was ignored, as EES ignores it', async () => {
    const fixtures = join(packageRoot, 'test', 'fixtures', 'ees');
    const response = await agent('moderator').upload('/imports/statistics/national/new', '/imports/statistics/national', {}, [
      { field: 'data', fileName: 'undescribed-columns.csv', content: readFileSync(join(fixtures, 'undescribed-columns.csv')) },
      { field: 'meta', fileName: 'absence.meta.csv', content: readFileSync(join(fixtures, 'absence.meta.csv')) },
    ]);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Loaded “Undescribed columns”');
    expect(response.body).toContain('Ignored 1 column the metadata file does not describe (as EES ignores them): colours.');
  });

  it('offers the templates to download', async () => {
    const template = await agent('camden-leader').get('/imports/templates/children.csv');
    expect(template.body).toBe(`\uFEFF${standardColumns.join(',')}\r\n`);
    const mapping = parse((await agent('camden-leader').get('/imports/templates/mapping.csv')).body, { bom: true, columns: true });
    expect(mapping).toHaveLength(2);
  });
});
