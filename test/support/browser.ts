import { AxeBuilder } from '@axe-core/playwright';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { expect } from 'vitest';
import { demoPassword } from '../../src/auth/demo.js';
import { createTestApp } from './app.js';
import type { TestApp } from './app.js';

export const chromiumPath = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(chromiumPath);
export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

if (!chromiumAvailable) console.warn(`Browser tests skipped: ${chromiumPath} is not installed (apt-get install -y chromium).`);

const wcag22aa = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/** Fails with a readable list when axe finds any WCAG 2.2 A or AA violation on the page. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(wcag22aa).analyze();
  const summary = results.violations.map(
    (violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join('; ')})`,
  );
  expect(summary).toEqual([]);
}

export interface OpenedPage {
  page: Page;
  status: number | undefined;
  /** Console errors and uncaught exceptions seen while the page loaded. */
  errors: string[];
  close: () => Promise<void>;
}

/** The real app served on a random port, and a headless Chromium to visit it. */
export class BrowserSession {
  private constructor(
    readonly testApp: TestApp,
    readonly browser: Browser,
    readonly baseUrl: string,
  ) {}

  static async start(environment: Record<string, string> = {}): Promise<BrowserSession> {
    const testApp = await createTestApp({ environment });
    await testApp.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
    const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    return new BrowserSession(testApp, browser, baseUrl);
  }

  async open(path: string, options: BrowserContextOptions = {}): Promise<OpenedPage> {
    const context = await this.browser.newContext(options);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    const response = await page.goto(`${this.baseUrl}${path}`);
    return { page, status: response?.status(), errors, close: () => context.close() };
  }

  /** Opens the sign-in page and signs in as a demo account, giving the second factor if the role needs one. */
  async signInAs(email: string, options: BrowserContextOptions = {}): Promise<OpenedPage> {
    const opened = await this.open('/sign-in', options);
    const { page } = opened;
    const row = page.getByRole('row').filter({ hasText: email });
    const code = (await row.getByRole('cell').nth(2).textContent())?.trim() ?? '';
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/' || url.pathname === '/sign-in/second-factor');
    if (new URL(page.url()).pathname === '/sign-in/second-factor') {
      await page.getByLabel('Security code').fill(code);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL((url) => url.pathname === '/');
    }
    return opened;
  }

  async stop(): Promise<void> {
    await this.browser.close();
    await this.testApp.close();
  }
}
