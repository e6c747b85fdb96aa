import ExcelJS from 'exceljs';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, expectNoAxeViolations, skipBrowserTests } from '../support/browser.js';

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe.skipIf(skipBrowserTests)('the gap pages’ figures in a browser', { timeout: 180_000 }, () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await BrowserSession.start({ NTG_DEMO: 'true' });
  });
  afterAll(async () => {
    await session?.stop();
  });

  const signInAs = (email: string, options: BrowserContextOptions = {}) => session.signInAs(email, options);

  async function openIndicatorFromMatrix(page: Page, { axe = true } = {}) {
    await page.goto(`${session.baseUrl}/gaps`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Gaps: Leeds, 2024/25');
    if (axe) await expectNoAxeViolations(page);
    await page.locator('table.ntg-matrix a.ntg-gap').first().click();
    await page.waitForURL(/\/gaps\/indicator\?/);
  }

  it('opens an indicator page from the gap matrix with its figures, each with its chart, table and downloads, passing axe', async () => {
    const { page, errors, close } = await signInAs('analyst@demo.invalid');
    await openIndicatorFromMatrix(page);
    const figures = page.locator('section.ntg-figure');
    // The group against the other children, the gap, and the authority's settings on a funnel plot.
    expect(await figures.count()).toBe(3);
    expect(await figures.nth(0).getByRole('heading', { level: 2 }).textContent()).toMatch(/ and all other children$/);
    expect(await figures.nth(1).getByRole('heading', { level: 2 }).textContent()).toMatch(/^The gap between /);
    expect(await figures.nth(2).getAttribute('id')).toBe('figure-settings-funnel');
    for (const figure of await figures.all()) {
      // A chart, or words saying why there is none (and then only the figures to download).
      const charts = await figure.locator('figure.ntg-chart svg[role="img"]').count();
      expect(charts + (await figure.getByText('No chart:').count())).toBe(1);
      expect(await figure.getByRole('table').first().locator('caption').count()).toBe(1);
      expect(await figure.getByRole('link', { name: /^(Chart \((PNG|SVG) image\)|Figures \((CSV|Excel spreadsheet)\)) of “/ }).count()).toBe(charts === 1 ? 4 : 2);
    }
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await close();
  });

  it('benchmarks the group against England, the region and chosen authorities when published statistics are loaded', async () => {
    const { page, errors, close } = await signInAs('analyst@demo.invalid');
    await page.goto(`${session.baseUrl}/gaps/indicator?la=E08000035&indicator=ks2_rwm_expected&group=poorer-socio-economic-groups`);
    const benchmarks = page.locator('#figure-benchmarks');
    expect(await benchmarks.count()).toBe(1);
    const summary = (await benchmarks.textContent()) ?? '';
    expect(summary).toContain('England');
    expect(summary).toContain('Yorkshire and The Humber');
    await page.getByText('Compare with other authorities').click();
    await page.getByLabel('Authority 1').selectOption({ label: 'Bradford' });
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.waitForURL(/compare=E08000032/);
    expect(await page.locator('#figure-benchmarks table').textContent()).toContain('Bradford');
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await close();
  });

  it('downloads a figure as a PNG image and an Excel spreadsheet through its links', async () => {
    const { page, close } = await signInAs('analyst@demo.invalid');
    await openIndicatorFromMatrix(page);
    const values = page.locator('#figure-values');
    const pngHref = await values.getByRole('link', { name: /^Chart \(PNG image\)/ }).getAttribute('href');
    expect(pngHref).toMatch(/^\/gaps\/indicator\/figures\/values\.png\?la=E08000035&indicator=/);
    const png = await page.request.get(`${session.baseUrl}${pngHref}`);
    expect(png.status()).toBe(200);
    expect(png.headers()['content-type']).toBe('image/png');
    expect(png.headers()['content-disposition']).toMatch(/^attachment; filename="gap-E08000035-[a-z0-9_]+-[a-z0-9-]+-values\.png"$/);
    const image = await png.body();
    expect(image.subarray(0, 8)).toEqual(pngSignature);
    expect(image.length).toBeGreaterThan(10_000);

    const xlsxHref = await values.getByRole('link', { name: /^Figures \(Excel spreadsheet\)/ }).getAttribute('href');
    const xlsx = await page.request.get(`${session.baseUrl}${xlsxHref}`);
    expect(xlsx.status()).toBe(200);
    expect(xlsx.headers()['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await xlsx.body()) as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets[0]!.getRow(1).values).toEqual([undefined, 'Year', 'Group', 'Per cent', 'Lower 95% limit', 'Upper 95% limit', 'Number of children']);
    await close();
  });

  it('shows a data point’s figures on hover and from the keyboard, and hides them with Escape', async () => {
    const { page, errors, close } = await signInAs('analyst@demo.invalid');
    await openIndicatorFromMatrix(page);
    const figure = page.locator('#figure-gap');
    const tooltip = figure.locator('.ntg-chart-tooltip');
    const points = figure.locator('[data-ntg-tip]');
    // The styled tooltip takes the place of the browser's own.
    expect(await points.locator('title').count()).toBe(0);
    await points.first().hover();
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    expect(await tooltip.textContent()).toBe(await points.first().getAttribute('data-ntg-tip'));
    expect(await tooltip.textContent()).toMatch(/^\d{4}\/\d{2}: a gap of [+−]?\d+\.\d percentage points/);
    await page.keyboard.press('Escape');
    await expect.poll(() => tooltip.isVisible()).toBe(false);

    await figure.locator('svg[role="img"]').focus();
    expect(await tooltip.textContent()).toBe(await points.nth(0).getAttribute('data-ntg-tip'));
    await page.keyboard.press('ArrowRight');
    expect(await tooltip.textContent()).toBe(await points.nth(1).getAttribute('data-ntg-tip'));
    await page.keyboard.press('End');
    expect(await tooltip.textContent()).toBe(await points.last().getAttribute('data-ntg-tip'));
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await close();
  });

  it('gives each data point its native tooltip when JavaScript is off', async () => {
    const { page, close } = await signInAs('analyst@demo.invalid', { javaScriptEnabled: false });
    // axe runs as a script in the page, so it cannot run here.
    await openIndicatorFromMatrix(page, { axe: false });
    const points = page.locator('#figure-values [data-ntg-tip]');
    expect(await points.count()).toBeGreaterThan(0);
    expect(await points.first().locator('title').textContent()).toBe(await points.first().getAttribute('data-ntg-tip'));
    expect(await page.locator('.ntg-chart-tooltip').count()).toBe(0);
    await close();
  });
});
