import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { findItems, loadCatalogue } from './catalogue.js';

const catalogue = loadCatalogue();

describe('the framework pages and API', () => {
  let testApp: TestApp;
  const get = (url: string) => testApp.app.inject({ method: 'GET', url });
  beforeAll(async () => {
    testApp = await createTestApp();
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('shows the overview with every thread, template, group, outcome and theme', async () => {
    const response = await get('/framework');
    expect(response.statusCode).toBe(200);
    for (let n = 1; n <= 10; n += 1) expect(response.body).toContain(`href="/framework/golden-threads/${n}"`);
    for (let n = 1; n <= 5; n += 1) expect(response.body).toContain(`href="/framework/templates/${n}"`);
    for (const group of findItems(catalogue, { kind: 'group' })) expect(response.body).toContain(`id="${group.id}"`);
    for (const outcome of findItems(catalogue, { kind: 'outcome' })) expect(response.body).toContain(`id="${outcome.id}"`);
    for (const theme of findItems(catalogue, { kind: 'theme' })) expect(response.body).toContain(`id="${theme.id}"`);
    for (const headline of findItems(catalogue, { kind: 'summary-headline' })) expect(response.body).toContain(`id="${headline.id}"`);
  });

  it('shows a golden thread with its headline, narrative and every "this means" item', async () => {
    const response = await get('/framework/golden-threads/4');
    expect(response.statusCode).toBe(200);
    const own = findItems(catalogue, { thread: 'GT04' });
    expect(own.length).toBeGreaterThan(5);
    for (const item of own) expect(response.body).toContain(`id="${item.id}"`);
  });

  it('answers 404 for a golden thread that does not exist', async () => {
    expect((await get('/framework/golden-threads/11')).statusCode).toBe(404);
    expect((await get('/framework/golden-threads/abc')).statusCode).toBe(400);
  });

  it('shows every statement of a template in a table with layers down and tiers across', async () => {
    const response = await get('/framework/templates/1');
    expect(response.statusCode).toBe(200);
    for (const statement of findItems(catalogue, { kind: 'matrix-statement', template: 1 })) {
      expect(response.body).toContain(`id="${statement.id}"`);
    }
    expect(response.body).toMatch(/<th scope="col" class="govuk-table__header">Universal<\/th>\s*<th scope="col" class="govuk-table__header">Targeted<\/th>/);
    expect(response.body).toContain('<th scope="row" class="govuk-table__header ntg-matrix__layer">Integrated frontline delivery</th>');
    for (const condition of findItems(catalogue, { kind: 'general-condition', template: 1 })) {
      expect(response.body).toContain(`id="${condition.id}"`);
    }
  });

  it('filters a template by layer, tier and words without JavaScript', async () => {
    const response = await get('/framework/templates/1?layer=governance&tier=universal');
    const expected = findItems(catalogue, { kind: 'matrix-statement', template: 1, layer: 'governance', tier: 'universal' });
    const shown = [...response.body.matchAll(/<li id="(T1-[A-Z]+-[A-Z]+-\d+)" class="ntg-statement">/g)].map((match) => match[1]);
    expect(shown).toEqual(expected.map((item) => item.id));
    expect(response.body).toContain(`${expected.length} statement${expected.length === 1 ? '' : 's'} match the filters.`);

    const byWords = await get('/framework/templates/1?q=parents');
    const matched = [...byWords.body.matchAll(/<li id="(T1-[A-Z]+-[A-Z]+-\d+)" class="ntg-statement">/g)].map((match) => match[1]);
    expect(matched.length).toBeGreaterThan(0);
    expect(matched.length).toBeLessThan(findItems(catalogue, { kind: 'matrix-statement', template: 1 }).length);
    expect(byWords.body).toContain('<mark>');
  });

  it('shows template three as factors for success and principles with their points', async () => {
    const response = await get('/framework/templates/3');
    expect(response.statusCode).toBe(200);
    for (const kind of ['success-factor', 'principle', 'principle-narrative', 'principle-point', 'principle-subpoint'] as const) {
      for (const item of findItems(catalogue, { kind, template: 3 })) expect(response.body).toContain(`id="${item.id}"`);
    }
  });

  it('gives each item a permalink page showing its text and source', async () => {
    const item = findItems(catalogue, { kind: 'matrix-statement', template: 2 })[5];
    const response = await get(`/framework/items/${item?.id ?? ''}`);
    expect(response.statusCode).toBe(200);
    // Where the text is in the pack, as a reader would find it: never the seed file's name or its line numbers.
    expect(response.body).not.toContain(item?.source.file);
    expect(response.body).toContain('<h1 class="govuk-heading-l">Statement</h1>');
    expect(response.body).toMatch(/Section 5 of the pack, template 2: integrated [a-z ]+ \/ [a-z/ ]+/);
    expect(response.body).toMatch(/Template 2, integrated [a-z ]+, [a-z]/);
    expect(response.body).toContain(`/framework/templates/2#${item?.id ?? ''}`);
    expect((await get('/framework/items/T9-NOPE')).statusCode).toBe(404);
  });

  it('finds "trusted adult" in threads and templates on the search page', async () => {
    const response = await get('/framework/search?q=trusted+adult');
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/\d+ items match “trusted adult”/);
    expect(response.body).toContain('href="/framework/items/GT01-H"');
    expect(response.body).toMatch(/href="\/framework\/items\/T\d-/);
    expect(response.body).toContain('<mark>trusted</mark> <mark>adult</mark>');
  });

  it('escapes what a searcher types', async () => {
    const response = await get('/framework/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(response.body).toContain('&lt;script&gt;');
  });

  it('downloads the whole catalogue as CSV, one row per item', async () => {
    const response = await get('/framework/catalogue.csv');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="narrowing-the-gap-framework-\d{4}-\d\d-\d\d\.csv"$/);
    const rows = parse<Record<string, string>>(response.body, { bom: true, columns: true });
    expect(Object.keys(rows[0] ?? {})).toEqual(['id', 'kind', 'template', 'layer', 'tier', 'thread', 'text', 'source']);
    expect(rows).toHaveLength(catalogue.items.length);
    const statement = findItems(catalogue, { kind: 'matrix-statement', template: 4, layer: 'strategy', tier: 'targeted' })[0];
    expect(rows.find((row) => row.id === statement?.id)).toMatchObject({
      kind: 'matrix-statement',
      template: '4',
      layer: 'strategy',
      tier: 'targeted',
      thread: '',
      text: statement?.text,
    });
    expect(rows.find((row) => row.id === 'GT04-M2')).toMatchObject({ kind: 'thread-means', thread: 'GT04', template: '' });
  });

  it('serves the whole catalogue from the API', async () => {
    const response = await get('/api/v1/framework');
    expect(response.statusCode).toBe(200);
    const body = response.json<{ version: string; items: { id: string }[] }>();
    expect(body.version).toBe(catalogue.version);
    expect(body.items.map((item) => item.id)).toEqual(catalogue.items.map((item) => item.id));
  });

  it('filters items in the API by template, layer and tier', async () => {
    const response = await get('/api/v1/framework/items?template=2&layer=processes&tier=targeted');
    expect(response.statusCode).toBe(200);
    const body = response.json<{ total: number; items: { id: string }[] }>();
    const expected = findItems(catalogue, { template: 2, layer: 'processes', tier: 'targeted' });
    expect(body.total).toBe(expected.length);
    expect(body.items.map((item) => item.id)).toEqual(expected.map((item) => item.id));
  });

  it('searches items in the API with highlighted matches', async () => {
    const response = await get('/api/v1/framework/items?q=trusted%20adult&limit=5');
    const body = response.json<{ total: number; limit: number; items: { id: string; highlight: string }[] }>();
    expect(body.limit).toBe(5);
    expect(body.items).toHaveLength(5);
    expect(body.total).toBeGreaterThanOrEqual(5);
    expect(body.items[0]?.highlight).toContain('<mark>');
  });

  it('refuses an invalid filter in the API with a message naming it', async () => {
    const response = await get('/api/v1/framework/items?layer=middle');
    expect(response.statusCode).toBe(400);
    expect(response.json<{ message: string }>().message).toContain('layer');
  });

  it('returns one item by id from the API, and 404 for an unknown id', async () => {
    const response = await get('/api/v1/framework/items/GT04-M2');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(findItems(catalogue, { thread: 'GT04', kind: 'thread-means' }).find((item) => item.id === 'GT04-M2'));
    const missing = await get('/api/v1/framework/items/NOPE');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ statusCode: 404 });
  });

  it('documents the framework API in OpenAPI', async () => {
    const document = (await get('/api/openapi.json')).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/framework', '/api/v1/framework/items', '/api/v1/framework/items/{id}']),
    );
  });
});
