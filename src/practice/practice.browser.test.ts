import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { BrowserSession, expectNoAxeViolations, skipBrowserTests } from '../../test/support/browser.js';
import { practicePeople } from '../../test/support/practice.js';
import type { PracticePeople } from '../../test/support/practice.js';
import { sessionCookieName } from '../auth/gate.js';

describe.skipIf(skipBrowserTests)('the call for evidence in a browser', { timeout: 300_000 }, () => {
  let session: BrowserSession;
  let people: PracticePeople;
  beforeAll(async () => {
    session = await BrowserSession.start();
    people = await practicePeople(session.testApp.database.db);
  });
  afterAll(async () => {
    await session?.stop();
  });

  /** A page signed in as one of the people (their session cookie set, as after signing in). */
  async function pageAs(who: string): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
    const context = await session.browser.newContext();
    await context.addCookies([{ name: sessionCookieName(false), value: people.tokens.get(who)!, url: session.baseUrl }]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    return { page, errors, close: () => context.close() };
  }

  async function expectNoSidewaysScroll(page: Page, paths: string[]): Promise<void> {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of paths) {
      await page.goto(`${session.baseUrl}${path}`);
      expect({ path, width: await page.evaluate<number>('document.documentElement.scrollWidth') }).toEqual({ path, width: 390 });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  it('submits practice, screens it, reviews it twice blind and publishes it, every page passing axe', async () => {
    // ---- The submitter -------------------------------------------------------------------------
    const submitter = await pageAs('submitter');
    let page = submitter.page;
    await page.goto(`${session.baseUrl}/practice/submit`);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Start a new submission' }).click();
    await page.waitForURL(/\/practice\/submissions\/new$/);
    await page.getByLabel('Title').fill('Reading buddies for children in care');
    await page.getByLabel('Summary').fill('Trained volunteers read with children in care twice a week for a school year.');
    await page.getByLabel('The problem and its context').fill('Children in care were two years behind in reading.');
    await page.getByLabel('What was done').fill('The virtual school trained volunteers who read with each child twice a week.');
    await page.getByLabel('Children in care', { exact: true }).check();
    await page.getByLabel('Enjoy and achieve', { exact: true }).check();
    await page.getByLabel('Targeted', { exact: true }).check();
    await page.getByLabel('Primary school', { exact: true }).check();
    await page.getByLabel('Cost per child per year').fill('150');
    await page.getByLabel('What it takes to implement').fill('Recruit and train volunteers before the year starts.');
    await page.getByLabel('How long it ran').fill('12');
    await page.getByLabel('Compared with a similar group that did not take part').check();
    // "Add a result" works without script: it saves the draft and comes back with a new row.
    await page.getByRole('button', { name: 'Add a result' }).click();
    await page.waitForURL(/\/practice\/submissions\/[0-9a-f-]{36}\?done=started&add=result#result-1$/);
    const itemPath = new URL(page.url()).pathname;
    await page.getByLabel('What was measured', { exact: true }).fill('Reading age (months)');
    await page.getByLabel('For whom', { exact: true }).fill('Children in care, Years 4 to 6');
    await page.getByLabel('The average (mean) and standard deviation of each group').check();
    await page.getByLabel('Children in the intervention group', { exact: true }).fill('60');
    await page.getByLabel('Children in the comparison group', { exact: true }).fill('65');
    await page.getByLabel('Intervention group’s mean').fill('98');
    await page.getByLabel('Intervention group’s standard deviation').fill('21');
    await page.getByLabel('Comparison group’s mean').fill('92');
    await page.getByLabel('Comparison group’s standard deviation').fill('22');
    await page.getByLabel('Contact name').fill('Virtual school head');
    await page.getByLabel('Contact email address').fill('virtual.school@example.org');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForURL(/\?done=saved$/);
    expect(await page.getByText('What reviewers will see:').count()).toBe(1);
    await expectNoAxeViolations(page);

    // Submitting without consent: the error summary links to the box.
    await page.getByRole('button', { name: 'Submit for moderation' }).click();
    await page.waitForLoadState();
    expect(await page.title()).toMatch(/^Error: /);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: /Confirm that you consent to publication/ }).click();
    await expect.poll(() => page.evaluate<string>('document.activeElement?.id')).toBe('consent');
    // The browser logs the page's 400 as a failed load: that answer was the point of this step.
    submitter.errors.splice(0, submitter.errors.length, ...submitter.errors.filter((error) => !error.includes('status of 400')));
    await page.getByLabel(/I agree that, once moderated/).check();
    await page.getByRole('button', { name: 'Submit for moderation' }).click();
    await page.waitForURL(/\?done=submitted$/);
    expect(await page.getByText('Waiting to be screened').count()).toBeGreaterThan(0);
    await expectNoAxeViolations(page);
    await expectNoSidewaysScroll(page, ['/practice/submit', itemPath, '/practice/submissions/new']);
    const itemId = itemPath.split('/').at(-1)!;
    expect(submitter.errors).toEqual([]);
    await submitter.close();

    // ---- The national team screens it ------------------------------------------------------------
    const moderator = await pageAs('moderator');
    page = moderator.page;
    await page.goto(`${session.baseUrl}/practice/moderation`);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: 'Reading buddies for children in care' }).click();
    await page.waitForURL(new RegExp(`/practice/moderation/${itemId}$`));
    await expectNoAxeViolations(page);
    await page.getByLabel('reviewer.a', { exact: true }).check();
    await page.getByLabel('reviewer.b', { exact: true }).check();
    await page.getByRole('button', { name: 'Send to the reviewers' }).click();
    await page.waitForURL(/\?done=screened$/);
    expect(await page.getByText('With reviewers').count()).toBeGreaterThan(0);
    await expectNoAxeViolations(page);

    // ---- Two reviewers, blind ------------------------------------------------------------------
    for (const [who, grade, padlocks, reasons] of [
      ['reviewerA', 'Promising', '3 padlocks', 'One comparison study with a moderate sample.'],
      ['reviewerB', 'Promising', '3 padlocks', 'A matched comparison group; one study.'],
    ] as const) {
      const reviewer = await pageAs(who);
      const reviewPage = reviewer.page;
      await reviewPage.goto(`${session.baseUrl}/practice/reviews`);
      await expectNoAxeViolations(reviewPage);
      await reviewPage.getByRole('link', { name: 'Reading buddies for children in care' }).click();
      await reviewPage.waitForURL(new RegExp(`/practice/reviews/${itemId}$`));
      expect(await reviewPage.getByText('One comparison study with a moderate sample.').count()).toBe(0);
      await expectNoAxeViolations(reviewPage);
      await reviewPage.getByLabel(grade, { exact: true }).check();
      await reviewPage.getByLabel(padlocks, { exact: true }).check();
      await reviewPage.getByLabel('Number of studies').fill('1');
      await reviewPage.getByLabel('Reasons').fill(reasons);
      await reviewPage.getByRole('button', { name: 'Submit your review' }).click();
      await reviewPage.waitForURL(/\?done=submitted$/);
      await expectNoAxeViolations(reviewPage);
      if (who === 'reviewerB') {
        // Both are in: each now sees the other's rating, read-only.
        expect(await reviewPage.getByText('One comparison study with a moderate sample.').count()).toBe(1);
        await expectNoSidewaysScroll(reviewPage, [`/practice/reviews/${itemId}`, '/practice/reviews']);
      }
      expect(reviewer.errors).toEqual([]);
      await reviewer.close();
    }

    // ---- The panel publishes it ------------------------------------------------------------------
    await page.goto(`${session.baseUrl}/practice/moderation/${itemId}`);
    expect(await page.getByText('Reviewers agreed: both promising; both 3 of 5 for evidence.').count()).toBe(1);
    await expectNoAxeViolations(page);
    await page.getByLabel('Publish it, with the grade and evidence strength below').check();
    await page.getByLabel('Promising', { exact: true }).check();
    await page.getByLabel('3 padlocks', { exact: true }).check();
    await page.getByLabel('Feedback to the submitter').fill('Clear, well evidenced and easy to follow.');
    await page.getByRole('button', { name: 'Record the decision' }).click();
    await page.waitForURL(/\?done=decided$/);
    expect(await page.locator('.govuk-tag', { hasText: 'Published' }).count()).toBeGreaterThan(0);
    await expectNoAxeViolations(page);
    await expectNoSidewaysScroll(page, ['/practice/moderation', `/practice/moderation/${itemId}`]);
    expect(moderator.errors).toEqual([]);
    await moderator.close();
  });
});
