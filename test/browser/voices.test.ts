import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { BrowserSession, expectAccessiblePage, skipBrowserTests } from '../support/browser.js';

/** What has the keyboard's focus: its name and value attributes. */
const focused = (page: Page) => page.evaluate<{ name: string; value: string; tag: string }>('({ name: document.activeElement?.getAttribute("name") ?? "", value: document.activeElement?.getAttribute("value") ?? "", tag: document.activeElement?.tagName ?? "" })');

/** Presses Tab until the focus is on a field named `name` (or a button, for `button`). */
async function tabTo(page: Page, name: string) {
  for (let presses = 0; presses < 120; presses++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (name === 'button' ? now.tag === 'BUTTON' : now.name === name) return;
  }
  throw new Error(`the keyboard never reached ${name}`);
}

describe.skipIf(skipBrowserTests)('surveys of children and parents, in a browser', { timeout: 300_000 }, () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await BrowserSession.start({ NTG_DEMO: 'true' });
  });
  afterAll(async () => {
    await session?.stop();
  });

  it('answers the children’s survey with the keyboard only, then shows its results', async () => {
    const staff = await session.signInAs('analyst@demo.invalid', { viewport: { width: 1280, height: 900 } });
    const { page } = staff;
    await page.goto(`${session.baseUrl}/surveys/manage`);
    await expectAccessiblePage(page);
    await page.getByRole('link', { name: 'Children’s voice survey: school and feeling safe', exact: true }).click();
    await expectAccessiblePage(page);
    const link = (await page.locator('#public-link a').getAttribute('href'))!;
    const surveyPage = page.url();
    await page.getByRole('link', { name: 'Preview the children’s version' }).click();
    await expectAccessiblePage(page);

    const child = await session.open(link, { viewport: { width: 1280, height: 900 } });
    const answering = child.page;
    await expect(answering.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Tell us how you feel');
    // Every choice is named by its words; the faces are hidden from screen readers.
    await expect(answering.getByRole('radio', { name: 'Yes, a lot', exact: true }).count()).resolves.toBe(4);
    await expectAccessiblePage(answering);
    const radioNames = await answering.evaluate<string[]>('[...new Set([...document.querySelectorAll("input[type=radio]")].map((input) => input.name))]');
    const safe = radioNames[0]!;
    const adult = radioNames[1]!;
    // Question 1: Tab into the scale, Space picks the first point, two arrows move it to "Not sure".
    await tabTo(answering, safe);
    await answering.keyboard.press('Space');
    await answering.keyboard.press('ArrowDown');
    await answering.keyboard.press('ArrowDown');
    await expect(focused(answering)).resolves.toMatchObject({ name: safe, value: '3' });
    // Question 2: "Yes, a lot".
    await tabTo(answering, adult);
    await answering.keyboard.press('Space');
    for (let press = 0; press < 4; press++) await answering.keyboard.press('ArrowDown');
    await expect(focused(answering)).resolves.toMatchObject({ name: adult, value: '5' });
    const freeText = (await answering.locator('textarea').getAttribute('name'))!;
    await tabTo(answering, freeText);
    await answering.keyboard.type('<b>Lunch</b> is too short');
    // About you: in care, by the keyboard.
    await tabTo(answering, 'group-children-in-care');
    await answering.keyboard.press('Space');
    await tabTo(answering, 'button');
    await answering.keyboard.press('Enter');
    await answering.waitForURL(/\/thanks$/);
    await expect(answering.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Thank you');
    await expectAccessiblePage(answering);
    // Back to the link: this device has answered.
    await answering.goto(`${session.baseUrl}${link}`);
    await expect(answering.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('You have already answered this survey');
    await expectAccessiblePage(answering);
    await child.close();

    await page.goto(surveyPage);
    await page.getByRole('link', { name: 'See the results' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Results: Children’s voice survey: school and feeling safe');
    await expect(page.getByRole('img', { name: /Bar chart of the percentage agreeing with “I feel safe at school”/ }).count()).resolves.toBe(1);
    await expect(page.getByRole('table', { name: /Question 1: percentage agreeing, by group/ }).count()).resolves.toBe(1);
    await expectAccessiblePage(page);
    await page.goto(`${surveyPage}/answers`);
    await expect(page.locator('p.govuk-body', { hasText: '<b>Lunch</b> is too short' }).count()).resolves.toBe(1);
    await expectAccessiblePage(page);
    await page.goto(`${session.baseUrl}/gaps?la=E08000035&outcome=views`);
    await expect(page.getByRole('heading', { level: 2, name: /Children’s and parents’ views: gaps by group and indicator/ }).count()).resolves.toBe(1);
    await expectAccessiblePage(page);
    await staff.close();
  });
});
