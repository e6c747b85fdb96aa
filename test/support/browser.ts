import { AxeBuilder } from '@axe-core/playwright';
import { accessSync, constants } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { expect } from 'vitest';
import { demoPassword } from '../../src/auth/demo.js';
import { loadConfig } from '../../src/config.js';
import { createTestApp } from './app.js';
import type { TestApp } from './app.js';
import type { Capability } from '../../src/web/capability.js';

export interface ChromiumForTests {
  /** Where Chromium is looked for: NTG_CHROMIUM_PATH as the service reads it (for PDFs), else its default. */
  path: string;
  /** An executable is there. */
  available: boolean;
  /** CI is set: browser tests must run, so a missing Chromium fails them rather than skipping them. */
  required: boolean;
  /** The browser tests are skipped: no Chromium, outside CI. */
  skip: boolean;
  /** One line for the test output: what happens to the browser tests, and why. */
  summary: string;
}

/** True for the CI values runners set (`CI=true`, `CI=1`). */
function isCi(value: string | undefined): boolean {
  return value !== undefined && /^(true|1|yes)$/i.test(value.trim());
}

/** The Chromium the browser tests use, resolved exactly as the service resolves NTG_CHROMIUM_PATH. */
export function chromiumForTests(environment: NodeJS.ProcessEnv = process.env): ChromiumForTests {
  const path = loadConfig({ NTG_CHROMIUM_PATH: environment.NTG_CHROMIUM_PATH }).chromiumPath;
  let available = true;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    available = false;
  }
  const required = isCi(environment.CI);
  const summary = available
    ? `Browser tests run in ${path} (headless).`
    : required
      ? `Browser tests FAIL: CI is set and there is no Chromium at ${path} (apt-get install -y chromium, or set NTG_CHROMIUM_PATH).`
      : `Browser tests are SKIPPED: there is no Chromium at ${path} (apt-get install -y chromium, or set NTG_CHROMIUM_PATH).`;
  return { path, available, required, skip: !available && !required, summary };
}

const resolved = chromiumForTests();
export const chromiumPath = resolved.path;
/** Chromium is there. */
export const chromiumAvailable = resolved.available;
/** For `describe.skipIf`: true only when Chromium is missing outside CI; in CI the tests run, and fail without it. */
export const skipBrowserTests = resolved.skip;
export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Starts headless Chromium, or says plainly that it is missing (in CI this fails the browser tests). */
export async function launchChromium(found: ChromiumForTests = resolved): Promise<Browser> {
  if (!found.available) throw new Error(found.summary);
  return chromium.launch({ executablePath: found.path, args: chromiumArgs });
}

const wcag22aa = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/** Fails with a readable list when axe finds any WCAG 2.2 A or AA violation on the page. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(wcag22aa).analyze();
  const summary = results.violations.map(
    (violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join('; ')})`,
  );
  expect(summary).toEqual([]);
}

/** No sideways scroll on a phone-sized screen (390 CSS px); the page is left at 1280 px wide. */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  const size = await page.evaluate<{ scroll: number; window: number }>('({ scroll: document.documentElement.scrollWidth, window: window.innerWidth })');
  expect(size.scroll).toBeLessThanOrEqual(size.window);
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** The checks every page of a browser test passes: axe finds no violation, and nothing scrolls sideways on a phone. */
export async function expectAccessiblePage(page: Page): Promise<void> {
  await expectNoAxeViolations(page);
  await expectNoSidewaysScroll(page);
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

  static async start(environment: Record<string, string> = {}, extraCapabilities: Capability[] = []): Promise<BrowserSession> {
    const browser = await launchChromium();
    const testApp = await createTestApp({ environment, extraCapabilities });
    await testApp.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
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
