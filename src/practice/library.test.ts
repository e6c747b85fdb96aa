import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { meansResult } from '../../test/support/practice.js';
import type { FixtureOptions } from '../../test/support/practice-library.js';
import { practiceDocument, practiceItem } from '../../test/support/practice-library.js';
import type { PracticeContent } from './content.js';
import type { Schema } from '../db/schema.js';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { LibraryQuery, LibraryResults , facetNames} from './library.js';
import { practiceLibrary, readLibraryQuery, searchLibrary } from './library.js';

const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

function effect(value: number, lower: number, upper: number, outcome = 'Attainment', forWhom = 'Children in care') {
  return { ...meansResult(), measure: 'effect' as const, effectSize: value, lower, upper, n: 80, outcome, forWhom };
}

/** Text of no interest to the searches below, so only the words a test gives an item match. */
const plain: Partial<PracticeContent> = {
  problem: 'Children in the group did less well than others.',
  whatWasDone: 'Staff ran sessions each week.',
  implementation: 'A coordinator and trained staff.',
  whatWentWrong: 'Some sessions were missed.',
  evaluation: 'Compared with a similar group.',
  partners: 'Local services',
  staffing: 'One coordinator',
  costNotes: 'Staff time',
  results: [effect(0.3, 0.1, 0.5)],
};

function item(db: Kysely<Schema>, overrides: Partial<PracticeContent>, options: FixtureOptions = {}) {
  return practiceItem(db, { ...plain, ...overrides }, options);
}

describe.each(testEngines)('the practice library on %s', (engine) => {
  let testApp: TestApp;
  let db: Kysely<Schema>;
  const get = (url: string) => testApp.app.inject({ method: 'GET', url });
  const ids: Record<string, string> = {};

  async function search(parameters: Record<string, string | string[]>): Promise<LibraryResults> {
    const vocabulary = await practiceLibrary(db).vocabulary();
    const { query, problems } = readLibraryQuery(parameters, vocabulary, { refuseUnknownParameters: true });
    expect(problems).toEqual([]);
    return searchLibrary(db, query);
  }
  const titles = (results: LibraryResults) => results.items.map((item) => item.title);

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    db = testApp.database.db;
    const day = (n: number) => new Date(Date.UTC(2026, 0, n, 12));
    // A title match and a body match for "origami"; "folds" only in the body of a third.
    ids.titleMatch = (await item(db, { title: 'Origami buddies for children in care', summary: 'Volunteers pair up with children twice a week.' }, { publishedAt: day(1) })).id;
    ids.bodyMatch = (
      await practiceItem(
        db,
        { title: 'Volunteer mentors in primary schools', summary: 'Mentors meet pupils after school.', whatWasDone: 'Mentors taught origami, origami for families and origami at home.', groups: ['young-carers'] },
        { publishedAt: day(2), grade: 'validated', strength: 5 },
      )
    ).id;
    ids.stemmed = (await item(db, { title: 'Family learning evenings', summary: 'Parents come to school.', whatWasDone: 'Each child folds paper into origami animals with a parent.', groups: ['poor-attendance'], outcomes: ['be-healthy'] }, { publishedAt: day(3), grade: 'emerging', strength: 1 })).id;
    // Facets: one item for each value that matters, so each filter has a single answer.
    ids.northEast = (
      await practiceItem(
        db,
        {
          title: 'Breakfast club for young carers',
          summary: 'A free breakfast before school.',
          groups: ['young-carers', 'poorer-socio-economic-groups'],
          outcomes: ['be-healthy', 'enjoy-and-achieve'],
          threads: ['GT08'],
          statements: ['T2-FRONTLINE-UNIVERSAL-01'],
          tiers: ['universal'],
          settingTypes: ['secondary'],
          laCode: 'E06000001',
          costPerChild: 0,
          results: [effect(0.5, 0.3, 0.7), effect(0.1, -0.1, 0.3, 'Attendance', 'Young carers, Year 7')],
        },
        { publishedAt: day(4), grade: 'validated', strength: 4 },
      )
    ).id;
    ids.expensive = (await item(db, { title: 'Therapeutic foster care', summary: 'Specialist carers.', costPerChild: 5000, tiers: ['specialist'], settingTypes: ['social-care'], laCode: null, threads: [], statements: [], results: [] }, { publishedAt: day(5), strength: 2 })).id;
    // Unpublished items in every other state, with words that would match.
    for (const status of ['draft', 'submitted', 'in-review', 'returned', 'rejected', 'withdrawn'] as const) {
      ids[status] = (await item(db, { title: `Origami scheme still ${status}` }, { status })).id;
    }
    ids.documented = ids.titleMatch;
    ids.document = await practiceDocument(db, ids.titleMatch, 'evaluation "report".pdf', 'application/pdf', pdf);
    ids.draftDocument = await practiceDocument(db, ids.draft!, 'draft.pdf', 'application/pdf', pdf);
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('ranks an item whose title matches above one that matches only in its text', async () => {
    const results = await search({ q: 'origami' });
    expect(titles(results).slice(0, 2)).toEqual(['Origami buddies for children in care', 'Volunteer mentors in primary schools']);
    expect(results.sort).toBe('relevance');
    expect(results.items[0]!.titleHtml).toBe('<mark>Origami</mark> buddies for children in care');
  });

  it('stems English words: folding finds folds', async () => {
    const results = await search({ q: 'folding' });
    expect(titles(results)).toEqual(['Family learning evenings']);
    expect(results.items[0]!.snippetHtml).toContain('<mark>folds</mark>');
  });

  it('never finds an item that is not published', async () => {
    const results = await search({ q: 'scheme' });
    expect(results.total).toBe(0);
    const all = await search({});
    expect(all.total).toBe(5);
  });

  it('filters by each facet: AND across facets, OR within one', async () => {
    const only = async (parameters: Record<string, string | string[]>) => titles(await search(parameters)).sort();
    expect(await only({ group: 'young-carers' })).toEqual(['Breakfast club for young carers', 'Volunteer mentors in primary schools']);
    expect(await only({ group: ['young-carers', 'poor-attendance'] })).toEqual(['Breakfast club for young carers', 'Family learning evenings', 'Volunteer mentors in primary schools']);
    expect(await only({ group: 'young-carers', grade: 'validated', outcome: 'be-healthy' })).toEqual(['Breakfast club for young carers']);
    expect(await only({ outcome: 'be-healthy' })).toEqual(['Breakfast club for young carers', 'Family learning evenings']);
    expect(await only({ thread: 'GT08' })).toEqual(['Breakfast club for young carers']);
    expect(await only({ template: 'T2' })).toEqual(['Breakfast club for young carers']);
    expect(await only({ statement: 'T2-FRONTLINE-UNIVERSAL-01' })).toEqual(['Breakfast club for young carers']);
    expect(await only({ tier: 'specialist' })).toEqual(['Therapeutic foster care']);
    expect(await only({ setting: 'social-care' })).toEqual(['Therapeutic foster care']);
    expect(await only({ grade: 'emerging' })).toEqual(['Family learning evenings']);
    expect(await only({ strength: ['5', '4'] })).toEqual(['Breakfast club for young carers', 'Volunteer mentors in primary schools']);
    expect(await only({ cost: 'no-cost' })).toEqual(['Breakfast club for young carers']);
    expect(await only({ cost: 'very-high' })).toEqual(['Therapeutic foster care']);
    expect(await only({ region: 'E12000001' })).toEqual(['Breakfast club for young carers']);
    expect(await only({ region: 'E12000007', q: 'origami' })).toEqual(['Family learning evenings', 'Origami buddies for children in care', 'Volunteer mentors in primary schools']);
  });

  it('counts each facet’s values given the other facets’ choices and the words', async () => {
    const results = await search({ group: 'young-carers', grade: 'validated' });
    const count = (facet: (typeof facetNames)[number], value: string) => results.facets[facet].find((option) => option.value === value)?.count;
    // Grade is counted among the young carers' items, whatever grade is chosen.
    expect(count('grade', 'validated')).toBe(2);
    expect(count('grade', 'promising')).toBe(0);
    // Group is counted among validated items: two validated items in all, one each for poorer groups and young carers...
    expect(count('group', 'young-carers')).toBe(2);
    expect(count('group', 'poorer-socio-economic-groups')).toBe(1);
    expect(count('group', 'children-in-care')).toBe(0);
    // Others are counted among the items found.
    expect(count('region', 'E12000001')).toBe(1);
    expect(count('region', 'E12000007')).toBe(1);
    expect(results.facets.group.find((option) => option.value === 'young-carers')?.selected).toBe(true);
    const words = await search({ q: 'origami' });
    expect(words.facets.grade.map((option) => [option.value, option.count])).toEqual([
      ['validated', 1],
      ['promising', 1],
      ['emerging', 1],
    ]);
    expect(words.facets.statement.map((option) => option.value)).toEqual(['T1-FRONTLINE-UNIVERSAL-01']);
  });

  it('sorts by newest, by impact (none last) and by relevance', async () => {
    expect(titles(await search({})).slice(0, 2)).toEqual(['Therapeutic foster care', 'Breakfast club for young carers']);
    const byImpact = await search({ sort: 'impact' });
    expect(byImpact.items.at(-1)!.title).toBe('Therapeutic foster care');
    expect(byImpact.items.map((item) => item.impact?.months ?? null)).toEqual([...byImpact.items.map((item) => item.impact?.months ?? null)].sort((a, b) => (a === null ? 1 : b === null ? -1 : b - a)));
    const newest = await search({ q: 'origami', sort: 'newest' });
    expect(titles(newest)).toEqual(['Family learning evenings', 'Volunteer mentors in primary schools', 'Origami buddies for children in care']);
  });

  it('pages through results twenty at a time, and sees newly published items at once', async () => {
    const before = await search({ q: 'paging' });
    expect(before.total).toBe(0);
    for (let index = 0; index < 23; index++) await item(db, { title: `Paging test item ${index + 1}`, groups: ['asylum-seekers-refugees'] }, { publishedAt: new Date(Date.UTC(2025, 0, index + 1)) });
    const first = await search({ group: 'asylum-seekers-refugees' });
    expect(first.total).toBe(23);
    expect(first.pageCount).toBe(2);
    expect(first.items).toHaveLength(20);
    expect(first.items[0]!.title).toBe('Paging test item 23');
    const second = await search({ group: 'asylum-seekers-refugees', page: '2' });
    expect(titles(second)).toEqual(['Paging test item 3', 'Paging test item 2', 'Paging test item 1']);
    const beyond = await search({ group: 'asylum-seekers-refugees', page: '3' });
    expect(beyond.items).toEqual([]);
    // An item leaving the library (here: withdrawn by hand) leaves the results and the counts at once.
    await db.updateTable('practice_item').set({ status: 'withdrawn', updated_at: new Date() }).where('title', '=', 'Paging test item 23').execute();
    const after = await search({ group: 'asylum-seekers-refugees' });
    expect(after.total).toBe(22);
    expect(after.facets.group.find((option) => option.value === 'asylum-seekers-refugees')?.count).toBe(22);
  });

  it('shows a newly published item on pages and in the API at once, though earlier answers are kept', async () => {
    const before = await get('/practice?q=zeppelin');
    expect(before.body).toContain('No items match “zeppelin”');
    expect((await get('/api/v1/practice?q=zeppelin')).json<{ total: number }>().total).toBe(0);
    const { id } = await item(db, { title: 'Zeppelin club', summary: 'Model airships.' });
    const after = await get('/practice?q=zeppelin');
    expect(after.body).toContain('1 item matches “zeppelin”');
    expect((await get('/api/v1/practice?q=zeppelin')).json<{ total: number }>().total).toBe(1);
    // And leaves them at once when it leaves the library, as the workflow would take it out (time and version moved on).
    await db.updateTable('practice_item').set({ status: 'withdrawn', updated_at: new Date(), version: sql`version + 1` }).where('id', '=', id).execute();
    expect((await get('/practice?q=zeppelin')).body).toContain('No items match “zeppelin”');
    expect((await get('/api/v1/practice?q=zeppelin')).json<{ total: number }>().total).toBe(0);
  });

  it('reads a page’s query: a problem named for each parameter that is not valid', async () => {
    const vocabulary = await practiceLibrary(db).vocabulary();
    const { query, problems } = readLibraryQuery({ q: '  reading   club ', group: ['children-in-care', 'martians'], strength: '9', sort: 'loudest', page: '0', colour: 'red' }, vocabulary, { refuseUnknownParameters: true });
    expect(query).toMatchObject<Partial<LibraryQuery>>({ q: 'reading club', sort: 'relevance', page: 1 });
    expect(query.filters.group).toEqual(['children-in-care']);
    expect(problems.map((problem) => problem.parameter)).toEqual(['group', 'strength', 'sort', 'page', 'colour']);
    expect(problems[0]!.message).toBe('group: “martians” is not a group in the framework: use poorer-socio-economic-groups, children-in-care, children-with-disabilities, children-with-sen, excluded-from-school, poor-attendance, ethnic-minority-backgrounds, young-offenders, young-carers, at-risk-of-significant-harm, living-with-vulnerable-adults, not-fluent-in-english, asylum-seekers-refugees');
    expect(readLibraryQuery({ colour: 'red' }, vocabulary, { refuseUnknownParameters: false }).problems).toEqual([]);
  });

  it('says when the words are all too common to search for', async () => {
    const results = await search({ q: 'the and' });
    expect(results.total).toBe(0);
    expect(results.noSearchableWords).toBe(true);
  });

  it('shows the library page without signing in: results, facets, counts and downloads', async () => {
    const response = await get('/practice?q=origami&group=children-in-care');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<mark>Origami</mark> buddies for children in care');
    expect(response.body).toMatch(/1 item matches “origami”\./);
    expect(response.body).toMatch(/id="f-group-\d+" name="group" type="checkbox" value="children-in-care" checked/);
    expect(response.body).toContain('href="/practice.csv?q=origami&amp;group=children-in-care"');
    expect(response.body).toContain('3 of 5<span class="govuk-visually-hidden"> padlocks for the strength of the evidence</span>');
    expect(response.body).not.toContain('still draft');
    const paged = await get('/practice?group=asylum-seekers-refugees&page=2');
    expect(paged.body).toContain('href="/practice?group=asylum-seekers-refugees" rel="prev"');
    expect(paged.body).toContain('showing 21 to 22');
  });

  it('tells a reader what was wrong with the address, and still searches with the rest', async () => {
    const response = await get('/practice?group=martians&grade=validated');
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('There is a problem with the address of this search');
    expect(response.body).toContain('group: “martians” is not a group in the framework');
    expect(response.body).toContain('Volunteer mentors in primary schools');
    const empty = await get('/practice?q=zzzzqqq');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('fewer or different words');
  });

  it('shows a published item with its grade, evidence, impact, purpose, documents and trail', async () => {
    const response = await get(`/practice/${ids.northEast}`);
    expect(response.statusCode).toBe(200);
    const { reference } = await db.selectFrom('practice_item').select('reference').where('id', '=', ids.northEast!).executeTakeFirstOrThrow();
    expect(response.body).toContain(`<span class="govuk-caption-l">P-${String(reference).padStart(4, '0')}</span>Breakfast club for young carers`);
    expect(response.body).toContain('Validated: Robust evidence of impact in more than one place');
    expect(response.body).toContain('4 of 5<span class="govuk-visually-hidden">');
    expect(response.body).toMatch(/<strong>\+\d+ months<\/strong> of additional progress/);
    expect(response.body).toContain('The results differ a lot');
    expect(response.body).toContain('href="/framework/golden-threads/8"');
    expect(response.body).toContain('href="/framework/items/T2-FRONTLINE-UNIVERSAL-01"');
    expect(response.body).toContain('href="/framework/items/young-carers"');
    expect(response.body).toContain('Hartlepool, North East');
    expect(response.body).toContain('No cost');
    expect(response.body).toContain('<svg role="img" aria-label="Forest plot');
    expect(response.body).toContain('Young carers, Year 7');
    const withDocument = await get(`/practice/${ids.documented}`);
    expect(withDocument.body).toContain(`href="/practice/${ids.documented}/documents/${ids.document}"`);
    expect(withDocument.body).toContain('Submitted to the call for evidence');
    // Every catalogue link on the page leads somewhere.
    for (const href of new Set([...response.body.matchAll(/href="(\/framework\/[^"]+)"/g)].map((match) => match[1]!))) expect({ href, status: (await get(href)).statusCode }).toEqual({ href, status: 200 });
  });

  it('answers 404 for anything not published: pages, API and documents alike', async () => {
    for (const status of ['draft', 'submitted', 'in-review', 'returned', 'rejected', 'withdrawn']) {
      const id = ids[status]!;
      expect({ status, page: (await get(`/practice/${id}`)).statusCode, api: (await get(`/api/v1/practice/${id}`)).statusCode }).toEqual({ status, page: 404, api: 404 });
    }
    expect((await get(`/practice/${ids.draft}/documents/${ids.draftDocument}`)).statusCode).toBe(404);
    expect((await get(`/practice/${ids.titleMatch}/documents/${ids.draftDocument}`)).statusCode).toBe(404);
    expect((await get('/practice/GT01-H')).statusCode).toBe(404);
    expect((await get('/practice/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await get('/api/v1/practice/not-an-id')).statusCode).toBe(404);
    expect((await get(`/practice/${ids.titleMatch}/documents/nope`)).statusCode).toBe(404);
  });

  it('sends a published item’s document as an attachment of its stored type, never sniffed', async () => {
    const response = await get(`/practice/${ids.documented}/documents/${ids.document}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="evaluation _report_.pdf"; filename*=UTF-8''evaluation%20%22report%22.pdf`);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.rawPayload.equals(pdf)).toBe(true);
  });

  it('escapes HTML in an item’s text everywhere it is shown', async () => {
    const { id } = await item(db, { title: 'Script <script>alert(1)</script> club', summary: 'A <b>bold</b> summary & more about kites.', problem: '<img src=x onerror=alert(2)>' });
    const list = await get('/practice?q=kites');
    expect(list.body).toContain('Script &lt;script&gt;alert(1)&lt;/script&gt; club');
    expect(list.body).toContain('A &lt;b&gt;bold&lt;/b&gt; summary &amp; more about <mark>kites</mark>.');
    expect(list.body).not.toContain('<script>alert(1)');
    const page = await get(`/practice/${id}`);
    expect(page.body).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(page.body).not.toContain('<img src=x');
    const api = (await get('/api/v1/practice?q=kites')).json<{ items: { title: string; snippetHtml: string }[] }>();
    expect(api.items[0]!.title).toBe('Script <script>alert(1)</script> club');
    expect(api.items[0]!.snippetHtml).toBe('A &lt;b&gt;bold&lt;/b&gt; summary &amp; more about <mark>kites</mark>.');
  });

  it('answers the API search with items, facets and paging, and refuses a bad parameter by name', async () => {
    const response = await get('/api/v1/practice?q=origami&grade=validated,promising');
    expect(response.statusCode).toBe(200);
    const body = response.json<{ total: number; items: Record<string, unknown>[]; facets: Record<string, { value: string; count: number }[]> }>();
    expect(body.total).toBe(2);
    expect(body.items[0]).toMatchObject({ title: 'Origami buddies for children in care', grade: 'promising', evidenceStrength: 3, costBand: 'low', costPerChild: 150, url: `/practice/${ids.titleMatch}`, groups: [{ id: 'children-in-care', label: 'Children in care' }], region: { code: 'E12000007', name: 'London' } });
    expect(typeof body.items[0]!.impactMonths).toBe('number');
    expect(body.facets.grade!.find((option) => option.value === 'emerging')?.count).toBe(1);
    const bad = await get('/api/v1/practice?group=martians&sort=up&colour=red');
    expect(bad.statusCode).toBe(400);
    const problem = bad.json<{ message: string; errors: { field: string; message: string }[] }>();
    expect(problem.errors.map((error) => error.field)).toEqual(['group', 'sort', 'colour']);
    expect(problem.message).toContain('group: “martians” is not a group in the framework');
  });

  it('answers the API item with each result’s effect and months, and its overall effect', async () => {
    const response = await get(`/api/v1/practice/${ids.northEast}`);
    expect(response.statusCode).toBe(200);
    const body = response.json<{ results: { effectSize: number; months: number; forWhom: string }[]; overall: { pooledFrom: number; iSquared: number; agreement: string }; reference: string; documents: unknown[] }>();
    expect(body.results.map((result) => [result.effectSize, result.months, result.forWhom])).toEqual([
      [0.5, 6, 'Children in care'],
      [0.1, 2, 'Young carers, Year 7'],
    ]);
    expect(body.overall.pooledFrom).toBe(2);
    expect(body.overall.iSquared).toBeGreaterThan(0.6);
    expect(body.reference).toMatch(/^P-\d{4}$/);
  });

  it('lists both routes in the OpenAPI document and the API index', async () => {
    const document = (await get('/api/openapi.json')).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/practice', '/api/v1/practice/{id}']));
    expect((await get('/api/v1')).body).toContain('/api/v1/practice');
    const docs = await get('/api/docs');
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('Search the practice library');
  });

  it('downloads a search as CSV and Excel, text neutralised and the search described', async () => {
    await item(db, { title: '=HYPERLINK("http://example.com","click") tulips', summary: 'Tulips for every child.' });
    const csv = await get('/practice.csv?q=tulips');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="practice-library-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^Reference,Title,Summary,Grade,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://example.com"",""click"") tulips"`);
    const xlsx = await get('/practice.xlsx?q=tulips&grade=promising');
    expect(xlsx.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Practice', 'Notes']);
    const notes = workbook.getWorksheet('Notes')!.getSheetValues().flat().map(String);
    expect(notes).toEqual(expect.arrayContaining(['Search words', 'tulips', 'Grade', 'Promising']));
    expect((await get('/practice.csv?grade=excellent')).statusCode).toBe(400);
  });

  it('downloads the results figure’s table', async () => {
    const response = await get(`/practice/${ids.northEast}/figures/results.csv`);
    expect(response.statusCode).toBe(200);
    expect(response.body.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('Outcome measured,For whom,Effect size,Lower 95% limit,Upper 95% limit,Months of progress,Children,How the effect was found');
    expect((await get(`/practice/${ids.draft}/figures/results.csv`)).statusCode).toBe(404);
  });
});
