import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, expectAccessiblePage, skipBrowserTests } from '../support/browser.js';

describe.skipIf(skipBrowserTests)('the directory of services, in a browser', { timeout: 240_000 }, () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await BrowserSession.start({ NTG_DEMO: 'true' });
  });
  afterAll(async () => {
    await session?.stop();
  });

  it('lets a family search by postcode and need, and open a service', async () => {
    const { page, close } = await session.open('/directory', { viewport: { width: 1280, height: 900 } });
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Find services for children and families');
    await expectAccessiblePage(page);
    await page.getByLabel('Near postcode').fill('LS9 8AB');
    await page.getByLabel('Distance').selectOption('5');
    await page.getByLabel('Varied activities').check();
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.locator('#results').textContent()).resolves.toMatch(/^\d+ services?$/);
    await expect(page.getByText(/\d\.\d miles/).count()).resolves.toBeGreaterThan(0);
    await expectAccessiblePage(page);
    const first = page.locator('.govuk-grid-column-two-thirds h3 a').first();
    const name = (await first.textContent())!.trim();
    await first.click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(name);
    await expect(page.getByText('Varied activities').count()).resolves.toBeGreaterThan(0);
    await expectAccessiblePage(page);

    await page.goto(`${session.baseUrl}/directory?postcode=LS99+9ZZ`);
    await expect(page.getByText('We cannot find LS99 9ZZ in our postcode list').first().isVisible()).resolves.toBe(true);
    await expectAccessiblePage(page);
    await close();
  });

  it('lets a member of staff change one of the authority’s services', async () => {
    const { page, close } = await session.signInAs('analyst@demo.invalid', { viewport: { width: 1280, height: 900 } });
    await page.goto(`${session.baseUrl}/directory/manage`);
    await expectAccessiblePage(page);
    const first = page.locator('main ul.govuk-list a.govuk-link').first();
    const name = (await first.textContent())!.trim();
    await first.click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Change ${name}`);
    await expectAccessiblePage(page);
    await page.getByLabel('What it is').fill('Now with a text messaging service too.');
    await page.getByRole('button', { name: 'Save the service' }).click();
    await expect(page.getByText('The service is saved.').count()).resolves.toBe(1);
    await expectAccessiblePage(page);
    await page.goto(`${session.baseUrl}/directory?q=text+messaging`);
    await expect(page.getByRole('link', { name }).count()).resolves.toBe(1);
    await close();
  });
});
