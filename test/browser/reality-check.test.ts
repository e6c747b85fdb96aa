import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessmentCapability } from '../../src/assessment/capability.js';
import { capabilities } from '../../src/capabilities.js';
import { BrowserSession, expectNoAxeViolations, skipBrowserTests } from '../support/browser.js';

/** How wide the page is at 320 CSS pixels, where wider than the window (sideways scrolling). */
async function overflowAtNarrowWidth(page: Page): Promise<string | undefined> {
  const before = page.viewportSize() ?? { width: 1280, height: 900 };
  await page.setViewportSize({ width: 320, height: 900 });
  const size = await page.evaluate<{ scroll: number; window: number }>('({ scroll: document.documentElement.scrollWidth, window: window.innerWidth })');
  await page.setViewportSize(before);
  return size.scroll > size.window ? `${page.url()} is ${size.scroll} px wide at 320 px` : undefined;
}

describe.skipIf(skipBrowserTests)('the reality check in a browser', { timeout: 180_000 }, () => {
  let session: BrowserSession;
  beforeAll(async () => {
    // Until the service lists the assessment capability (the lead wires it), the test adds it.
    session = await BrowserSession.start({ NTG_DEMO: 'true' }, capabilities.includes(assessmentCapability) ? [] : [assessmentCapability]);
  });
  afterAll(async () => {
    await session?.stop();
  });

  it('propose a change from a statement page, then review and accept it, every page passing axe', async () => {
    const leader = await session.signInAs('leader@demo.invalid');
    await leader.page.goto(`${session.baseUrl}/framework/items/GT03-M1`);
    await leader.page.getByRole('link', { name: 'Propose a change to this statement’s wording' }).click();
    await expectNoAxeViolations(leader.page);
    await leader.page.getByLabel('The wording you propose').fill('Children and families have one key worker who stays with them');
    await leader.page.getByRole('button', { name: 'Send the proposal' }).click();
    expect(await leader.page.locator('.govuk-error-summary').textContent()).toContain('Enter the reason for the change');
    await expectNoAxeViolations(leader.page);
    leader.errors.splice(0, leader.errors.length);
    await leader.page.getByLabel('Why it should change').fill('Families tell us they repeat their story to every service');
    await leader.page.getByLabel('Your local evidence').fill('Family voice survey, 2025: 64% repeated their story three times or more');
    await leader.page.getByRole('button', { name: 'Send the proposal' }).click();
    await leader.page.waitForURL(/\/framework\/amendments\/[0-9a-f-]{36}\?proposed=1$/);
    const proposalUrl = leader.page.url().split('?')[0]!;
    expect(await leader.page.locator('.govuk-notification-banner').textContent()).toContain('Your proposal is sent');
    await expectNoAxeViolations(leader.page);
    const proposalOverflow = await overflowAtNarrowWidth(leader.page);
    await leader.page.goto(`${session.baseUrl}/framework/amendments/new?change=add`);
    await expectNoAxeViolations(leader.page);
    expect([proposalOverflow, await overflowAtNarrowWidth(leader.page)].filter((entry) => entry !== undefined)).toEqual([]);
    await leader.close();

    const moderator = await session.signInAs('national-moderator@demo.invalid');
    await moderator.page.goto(`${session.baseUrl}/framework/amendments`);
    await expectNoAxeViolations(moderator.page);
    await moderator.page.goto(proposalUrl);
    await moderator.page.getByLabel('Reject').check();
    await moderator.page.getByRole('button', { name: 'Record the decision' }).click();
    expect(await moderator.page.locator('.govuk-error-summary').textContent()).toContain('Enter a reply');
    await expectNoAxeViolations(moderator.page);
    moderator.errors.splice(0, moderator.errors.length);
    await moderator.page.getByLabel('Accept: publish a new revision of the framework').check();
    await moderator.page.getByLabel('The wording to publish, if you accept').fill('Children and families have one key worker who stays with them throughout');
    await moderator.page.getByRole('button', { name: 'Record the decision' }).click();
    await moderator.page.waitForURL(/\?decided=1$/);
    expect(await moderator.page.getByText('Wording accepted').count()).toBe(1);
    await expectNoAxeViolations(moderator.page);

    const overflow = [await overflowAtNarrowWidth(moderator.page)];
    await moderator.page.goto(`${session.baseUrl}/framework/amendments`);
    overflow.push(await overflowAtNarrowWidth(moderator.page));
    await moderator.page.goto(`${session.baseUrl}/framework/changes`);
    overflow.push(await overflowAtNarrowWidth(moderator.page));
    expect(await moderator.page.getByText('Children and families have one key worker who stays with them throughout').count()).toBe(1);
    await expectNoAxeViolations(moderator.page);
    await moderator.page.goto(`${session.baseUrl}/framework/items/GT03-M1`);
    expect(await moderator.page.getByText(/Changed in revision \d+/).count()).toBe(1);
    await expectNoAxeViolations(moderator.page);
    overflow.push(await overflowAtNarrowWidth(moderator.page));
    expect(overflow.filter((entry) => entry !== undefined)).toEqual([]);
    expect(moderator.errors).toEqual([]);
    await moderator.close();
  });
});
