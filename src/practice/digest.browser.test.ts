import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, expectNoAxeViolations, skipBrowserTests } from '../../test/support/browser.js';
import { publishItem } from '../../test/support/digest.js';
import { completeContent, practicePeople } from '../../test/support/practice.js';
import { sessionCookieName } from '../auth/gate.js';

/** Widths the pages must fit without scrolling sideways: a laptop, a phone, and WCAG's reflow width. */
const widths = [1280, 390, 320] as const;

async function overflowOf(page: Page): Promise<string[]> {
  const wide: string[] = [];
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    const size = await page.evaluate<{ scroll: number; window: number }>('({ scroll: document.documentElement.scrollWidth, window: window.innerWidth })');
    if (size.scroll > size.window) wide.push(`${new URL(page.url()).pathname} is ${size.scroll} px wide at ${width} px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  return wide;
}

async function contextSignedIn(browser: Browser, baseUrl: string, token: string | undefined): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  if (token !== undefined) await context.addCookies([{ name: sessionCookieName(false), value: token, url: baseUrl }]);
  return context;
}

describe.skipIf(skipBrowserTests)('the digest in a browser', { timeout: 180_000 }, () => {
  let session: BrowserSession;
  let moderatorToken: string;

  beforeAll(async () => {
    session = await BrowserSession.start();
    const db = session.testApp.database.db;
    const people = await practicePeople(db);
    moderatorToken = people.tokens.get('moderator')!;
    const specs = [
      ['Reading buddies for children in care', 'children-in-care', 'validated'],
      ['Homework club in the children’s home', 'children-in-care', 'promising'],
      ['Attendance mentors for Year 7', 'poor-attendance', 'emerging'],
    ] as const;
    for (const [title, group, grade] of specs) await publishItem(db, completeContent({ title, groups: [group] }), { grade, strength: 3 });
  });
  afterAll(async () => {
    await session?.stop();
  });

  it('compile an edition without a mouse, preview and publish it, every page passing axe and fitting a phone', async () => {
    const context = await contextSignedIn(session.browser, session.baseUrl, moderatorToken);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const overflow: string[] = [];

    await page.goto(`${session.baseUrl}/practice/digest/editions`);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Start the next edition' }).click();
    await page.getByRole('button', { name: 'Start the draft' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Enter a title for the edition');
    await expectNoAxeViolations(page);
    await page.getByLabel('Title').fill('What works for children in care and attendance');
    await page.getByLabel('Introduction').fill('The first edition of the digest.\n\nIt gathers graded practice from the library.');
    await page.getByRole('button', { name: 'Start the draft' }).click();
    await page.waitForURL(/\/practice\/digest\/editions\/1\?done=created$/);

    await page.getByRole('button', { name: 'Suggest sections by group' }).click();
    await page.waitForURL(/done=suggest$/);
    expect(await page.getByRole('heading', { name: '1. Children in care' }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: '2. Children with poor attendance at school' }).count()).toBe(1);
    await page.getByRole('button', { name: /^Move down\W+Reading buddies for children in care$/ }).click();
    await page.waitForURL(/done=item-down/);
    await expectNoAxeViolations(page);
    overflow.push(...(await overflowOf(page)));

    await page.getByRole('button', { name: /^Remove\W+Attendance mentors for Year 7$/ }).click();
    await page.getByRole('link', { name: /^Add items to this section\W+Children with poor attendance at school$/ }).click();
    await expectNoAxeViolations(page);
    overflow.push(...(await overflowOf(page)));
    await page.getByLabel('Attendance mentors for Year 7').check();
    await page.getByRole('button', { name: 'Add the chosen items' }).click();
    await page.waitForURL(/done=add-items#section-2$/);

    await page.getByRole('link', { name: 'Preview the edition' }).click();
    expect(await page.getByText('This is a preview of a draft').count()).toBe(1);
    await expectNoAxeViolations(page);
    overflow.push(...(await overflowOf(page)));
    await page.goBack();

    await page.getByRole('button', { name: 'Publish edition 1' }).click();
    await page.waitForURL(/\/practice\/digest\/1$/);
    await expectNoAxeViolations(page);
    overflow.push(...(await overflowOf(page)));
    expect(overflow).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the public reads the latest edition and its contents lead to each section, on a phone too', async () => {
    const context = await contextSignedIn(session.browser, session.baseUrl, undefined);
    const page = await context.newPage();
    await page.goto(`${session.baseUrl}/practice/digest`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('What works for children in care and attendance');
    await expectNoAxeViolations(page);
    const contents = page.getByRole('navigation', { name: 'Contents' });
    await contents.getByRole('link', { name: 'Children with poor attendance at school' }).click();
    expect(new URL(page.url()).hash).toBe('#section-2');
    expect(await page.getByRole('link', { name: 'Attendance mentors for Year 7', exact: true }).getAttribute('href')).toMatch(/^\/practice\/[0-9a-f-]{36}$/);
    expect(await overflowOf(page)).toEqual([]);
    const draft = await page.goto(`${session.baseUrl}/practice/digest/2`);
    expect(draft?.status()).toBe(404);
    await context.close();
  });
});
