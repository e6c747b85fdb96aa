import { AxeBuilder } from '@axe-core/playwright';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { chromiumArgs, chromiumAvailable, chromiumPath } from '../support/browser.js';

if (!chromiumAvailable) console.warn(`Browser tests skipped: ${chromiumPath} is not installed (apt-get install -y chromium).`);

const wcag22aa = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(wcag22aa).analyze();
  const summary = results.violations.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join('; ')})`);
  expect(summary).toEqual([]);
}

describe.skipIf(!chromiumAvailable)('pages in a browser', () => {
  let testApp: TestApp;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    testApp = await createTestApp();
    await testApp.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  });
  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  });

  async function open(path: string): Promise<{ page: Page; status: number | undefined; errors: string[] }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    const response = await page.goto(`${baseUrl}${path}`);
    return { page, status: response?.status(), errors };
  }

  it('shows the home page with the service name, skip link and govuk-frontend running', async () => {
    const { page, status, errors } = await open('/');
    expect(status).toBe(200);
    await expect(page.title()).resolves.toBe('Narrowing the Gap');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Narrowing the Gap');
    expect(await page.getByRole('link', { name: 'Skip to main content' }).count()).toBe(1);
    // govuk-frontend's JavaScript ran under the Content-Security-Policy.
    expect(await page.locator('body.govuk-frontend-supported').count()).toBe(1);
    expect(errors).toEqual([]);
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it('shows a page not found that passes axe', async () => {
    const { page, status, errors } = await open('/no-such-page');
    expect(status).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
    expect(errors.filter((error) => !error.includes('404'))).toEqual([]);
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it('shows the API documentation that passes axe', async () => {
    const { page, status, errors } = await open('/api/docs');
    expect(status).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('API documentation');
    expect(await page.getByRole('link', { name: 'OpenAPI 3 document' }).getAttribute('href')).toBe('/api/openapi.json');
    expect(errors).toEqual([]);
    await expectNoAxeViolations(page);
    await page.context().close();
  });
});
