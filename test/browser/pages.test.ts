import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, expectNoAxeViolations, skipBrowserTests } from '../support/browser.js';

describe.skipIf(skipBrowserTests)('the service frame in a browser', { timeout: 120_000 }, () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await BrowserSession.start();
  });
  afterAll(async () => {
    await session?.stop();
  });

  it('shows the home page with the service name, skip link and govuk-frontend running', async () => {
    const { page, status, errors, close } = await session.open('/');
    expect(status).toBe(200);
    await expect(page.title()).resolves.toBe('Narrowing the Gap');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Narrowing the Gap');
    expect(await page.getByRole('link', { name: 'Skip to main content' }).count()).toBe(1);
    // govuk-frontend's JavaScript ran under the Content-Security-Policy.
    expect(await page.locator('body.govuk-frontend-supported').count()).toBe(1);
    expect(errors).toEqual([]);
    await expectNoAxeViolations(page);
    await close();
  });

  it('shows a page not found that passes axe', async () => {
    const { page, status, errors, close } = await session.open('/no-such-page');
    expect(status).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
    expect(errors.filter((error) => !error.includes('404'))).toEqual([]);
    await expectNoAxeViolations(page);
    await close();
  });

  it('shows the API documentation that passes axe', async () => {
    const { page, status, errors, close } = await session.open('/api/docs');
    expect(status).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('API documentation');
    expect(await page.getByRole('link', { name: 'OpenAPI 3 document' }).getAttribute('href')).toBe('/api/openapi.json');
    expect(errors).toEqual([]);
    await expectNoAxeViolations(page);
    await close();
  });
});
