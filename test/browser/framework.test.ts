import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findItems, loadCatalogue } from '../../src/framework/catalogue.js';
import { BrowserSession, expectNoAxeViolations, skipBrowserTests } from '../support/browser.js';

const catalogue = loadCatalogue();

describe.skipIf(skipBrowserTests)('the framework in a browser', { timeout: 120_000 }, () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await BrowserSession.start();
  });
  afterAll(async () => {
    await session?.stop();
  });

  it('shows the overview, which passes axe', async () => {
    const { page, status, errors, close } = await session.open('/framework');
    expect(status).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('The Narrowing the Gap framework');
    expect(await page.getByRole('link', { name: 'spreadsheet (CSV)' }).getAttribute('href')).toBe('/framework/catalogue.csv');
    expect(errors).toEqual([]);
    await expectNoAxeViolations(page);
    await close();
  });

  it('shows a golden thread with its "this means" items, which passes axe', async () => {
    const { page, status, close } = await session.open('/framework/golden-threads/1');
    expect(status).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('You can do it!');
    const means = findItems(catalogue, { kind: 'thread-means', thread: 'GT01' });
    for (const item of means) expect(await page.locator(`[id="${item.id}"]`).count()).toBe(1);
    await page.getByRole('link', { name: 'Next' }).click();
    expect(page.url()).toMatch(/\/framework\/golden-threads\/2$/);
    await expectNoAxeViolations(page);
    await close();
  });

  it('shows a template as a table on a wide screen, which passes axe', async () => {
    const { page, status, close } = await session.open('/framework/templates/2', { viewport: { width: 1280, height: 900 } });
    expect(status).toBe(200);
    const table = page.getByRole('table');
    expect(await table.getByRole('columnheader').allTextContents()).toEqual(['Layer', 'Universal', 'Targeted', 'Complex/multiple needs', 'Specialist/acute']);
    expect(await table.getByRole('rowheader').allTextContents()).toEqual([
      'Integrated frontline delivery',
      'Integrated processes',
      'Integrated strategy',
      'Integrated governance',
    ]);
    await expectNoAxeViolations(page);
    await close();
  });

  it('shows a template layer by layer on a narrow screen, each cell headed by its tier', async () => {
    const { page, close } = await session.open('/framework/templates/2', { viewport: { width: 375, height: 800 } });
    expect(await page.locator('.ntg-matrix thead').isVisible()).toBe(false);
    const headings = page.locator('.ntg-matrix__cell-heading');
    expect(await headings.first().isVisible()).toBe(true);
    expect(await headings.first().textContent()).toBe('Integrated frontline delivery: universal');
    await expectNoAxeViolations(page);
    await close();
  });

  it('filters a template by layer, tier and words with JavaScript switched off', async () => {
    const { page, close } = await session.open('/framework/templates/1', { javaScriptEnabled: false });
    await page.getByLabel('Layer').selectOption('strategy');
    await page.getByLabel('Tier of need').selectOption('targeted');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/layer=strategy/);
    const expected = findItems(catalogue, { kind: 'matrix-statement', template: 1, layer: 'strategy', tier: 'targeted' });
    const shownIds = await Promise.all((await page.locator('li.ntg-statement').all()).map((statement) => statement.getAttribute('id')));
    expect(shownIds).toEqual(expected.map((item) => item.id));

    await page.getByLabel('Words in the statement').fill('plan');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/q=plan/);
    const matched = await page.locator('li.ntg-statement').count();
    expect(matched).toBeGreaterThan(0);
    expect(matched).toBeLessThanOrEqual(expected.length);
    expect(await page.locator('li.ntg-statement mark').count()).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'Clear filters' }).click();
    expect(await page.locator('li.ntg-statement').count()).toBe(findItems(catalogue, { kind: 'matrix-statement', template: 1 }).length);
    await close();
  });

  it('finds "trusted adult" items in threads and templates from the search box without JavaScript', async () => {
    const { page, close } = await session.open('/framework', { javaScriptEnabled: false });
    await page.getByRole('searchbox', { name: 'Search the framework' }).fill('trusted adult');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/framework\/search\?q=trusted\+adult/);
    const places = await page.locator('.ntg-result .ntg-muted').allTextContents();
    expect(places.some((place) => place.startsWith('Golden thread'))).toBe(true);
    expect(places.some((place) => place.startsWith('Template'))).toBe(true);
    expect(await page.locator('.ntg-result mark').first().textContent()).toMatch(/trusted|adult/i);
    // Each result opens on its own page, headed by what it is and where it sits in the pack, not its id.
    await page.locator('a[href="/framework/items/GT01-H"]').click();
    await page.waitForURL(/\/framework\/items\/GT01-H$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).not.toContain('GT01-H');
    expect(await page.locator('.govuk-caption-l').textContent()).toMatch(/^Golden thread 1/);
    await close();
  });

  // axe runs as a script in the page, so these checks need JavaScript on.
  it('shows search results and an item page that pass axe', async () => {
    const results = await session.open('/framework/search?q=trusted+adult');
    expect(await results.page.locator('.ntg-result').count()).toBeGreaterThan(1);
    await expectNoAxeViolations(results.page);
    await results.close();
    const item = await session.open('/framework/items/T1-FRONTLINE-UNIVERSAL-03');
    expect(item.status).toBe(200);
    await expectNoAxeViolations(item.page);
    await item.close();
  });
});
