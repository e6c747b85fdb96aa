import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, expectNoAxeViolations, skipBrowserTests } from '../support/browser.js';
import { child, childCsv } from '../support/child-files.js';

describe.skipIf(skipBrowserTests)('loading data and reading children’s records in a browser', { timeout: 180_000 }, () => {
  let session: BrowserSession;
  let folder: string;
  beforeAll(async () => {
    session = await BrowserSession.start({ NTG_DEMO: 'true' });
    folder = mkdtempSync(join(tmpdir(), 'ntg-browser-data-'));
  });
  afterAll(async () => {
    await session?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  const signInAs = (email: string) => session.signInAs(email);
  const signInAsAnalyst = () => signInAs('analyst@demo.invalid');

  it('lists the demo authority’s children, filters them and opens one child’s record, every page passing axe', async () => {
    const { page, errors, close } = await signInAsAnalyst();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Children' }).click();
    await page.waitForURL(/\/children$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Children’s records');
    expect(await page.locator('tbody tr').count()).toBe(50);
    await expectNoAxeViolations(page);
    await page.getByLabel('Group of children').selectOption('children-in-care');
    await page.getByRole('button', { name: 'Show records' }).click();
    await page.waitForURL(/group=children-in-care/);
    const groups = await page.locator('tbody tr td:nth-child(5)').allTextContents();
    expect(groups.length).toBeGreaterThan(0);
    expect(groups.every((text) => text.includes('Children in care'))).toBe(true);
    await page.locator('tbody tr a').first().click();
    await page.waitForURL(/\/children\/[0-9a-f]{64}$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('A child’s record');
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await close();
  });

  it('shows the gap matrix of every group on every indicator, withholding small numbers for a leader, passing axe', async () => {
    const analyst = await signInAsAnalyst();
    await analyst.page.getByRole('link', { name: 'Gaps', exact: true }).first().click();
    await analyst.page.waitForURL(/\/gaps$/);
    expect(await analyst.page.getByRole('heading', { level: 1 }).textContent()).toBe('Gaps: Leeds, 2024/25');
    // One outcome at a time, the framework's first by default; every indicator at once on request.
    expect(await analyst.page.getByRole('heading', { level: 2, name: 'Be healthy: gaps by group and indicator' }).count()).toBe(1);
    await analyst.page.getByRole('navigation', { name: 'Outcomes' }).getByRole('link', { name: 'All outcomes' }).click();
    await analyst.page.waitForURL(/outcome=all/);
    expect(await analyst.page.locator('table.ntg-matrix tbody tr').count()).toBe(13);
    expect(await analyst.page.locator('table.ntg-matrix .ntg-gap--worse').count()).toBeGreaterThan(0);
    expect(await analyst.page.getByText('Small numbers are withheld').count()).toBe(0);
    await expectNoAxeViolations(analyst.page);
    await analyst.page.getByLabel('Significance').selectOption('yes');
    await analyst.page.getByRole('button', { name: 'Show gaps' }).click();
    await analyst.page.waitForURL(/significant=yes/);
    expect(await analyst.page.locator('table.ntg-matrix .ntg-gap--similar').count()).toBe(0);
    await analyst.page.locator('table.ntg-matrix a.ntg-gap').first().click();
    await analyst.page.waitForURL(/\/gaps\/indicator\?/);
    expect(await analyst.page.locator('figure.ntg-chart svg[role="img"]').count()).toBe(3);
    // Every figure has its table beside it, drawn or not.
    expect(await analyst.page.locator('section.ntg-figure > .ntg-scroll > table').count()).toBe(await analyst.page.locator('section.ntg-figure').count());
    await expectNoAxeViolations(analyst.page);
    await analyst.page.goBack();
    await analyst.page.getByRole('link', { name: 'Which curves to turn: the gaps, ranked' }).click();
    await analyst.page.waitForURL(/\/gaps\/curves/);
    expect(await analyst.page.getByRole('heading', { level: 1 }).textContent()).toBe('Which curves to turn: Leeds, 2024/25');
    expect(await analyst.page.getByText('How the list is ranked').count()).toBe(1);
    await expectNoAxeViolations(analyst.page);
    await analyst.page.goto(`${session.baseUrl}/gaps/data`);
    expect(await analyst.page.getByRole('heading', { level: 1 }).textContent()).toBe('Gaps in the data: Leeds, 2024/25');
    // Stay safe has data now: the coverage indicators worked out from the coordination columns.
    expect(await analyst.page.getByText('No indicator for “Stay safe” has data in 2024/25').count()).toBe(0);
    expect(await analyst.page.getByText('Vulnerable children with a trusted adult').count()).toBeGreaterThan(0);
    expect(await analyst.page.locator('table.ntg-matrix tbody tr').count()).toBe(13);
    await expectNoAxeViolations(analyst.page);
    expect(analyst.errors).toEqual([]);
    await analyst.close();

    const leader = await signInAs('leader@demo.invalid');
    await leader.page.goto(`${session.baseUrl}/gaps`);
    expect(await leader.page.getByText('Small numbers are withheld').count()).toBe(1);
    await expectNoAxeViolations(leader.page);
    await leader.close();
  });

  it('uploads a file with the progress display, shows the batch and its problems, passing axe', async () => {
    const { page, errors, close } = await signInAsAnalyst();
    await page.goto(`${session.baseUrl}/imports`);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Load a child-level file' }).click();
    await page.waitForURL(/\/imports\/children\/new$/);
    await expectNoAxeViolations(page);
    const good = join(folder, 'leeds-2019.csv');
    writeFileSync(good, childCsv([child(1, { la_code: 'E08000035', academic_year: '2019/20' }), child(2, { la_code: 'E08000035', academic_year: '2019/20' })]));
    await page.getByLabel('File of child-level records').setInputFiles(good);
    await page.getByRole('button', { name: 'Check and load the file' }).click();
    await page.waitForURL(/\/imports\/\d+\?outcome=loaded$/);
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('2 records loaded from leeds-2019.csv.');
    await expectNoAxeViolations(page);
    await page.goto(`${session.baseUrl}/imports/children/new`);
    const bad = join(folder, 'leeds-bad.csv');
    writeFileSync(bad, childCsv([child(3, { la_code: 'E08000035', academic_year: '2018/19', ncy: '17' })]));
    await page.getByLabel('File of child-level records').setInputFiles(bad);
    await page.getByRole('button', { name: 'Check and load the file' }).click();
    await page.waitForURL(/outcome=rejected$/);
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('The file was refused: nothing was loaded');
    expect(await page.locator('#problems + p + .ntg-scroll table tbody tr').first().textContent()).toContain('ncy');
    await expectNoAxeViolations(page);
    await page.goto(`${session.baseUrl}/imports/statistics/new`);
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await close();
  });
});
