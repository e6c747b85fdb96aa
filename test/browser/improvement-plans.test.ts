import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, expectNoAxeViolations, skipBrowserTests } from '../support/browser.js';

describe.skipIf(skipBrowserTests)('an improvement plan in a browser', { timeout: 240_000 }, () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await BrowserSession.start({ NTG_DEMO: 'true' });
  });
  afterAll(async () => {
    await session?.stop();
  });

  it('builds a plan from suggestions, updates an action and prints the board paper, every page passing axe', async () => {
    const { page, errors, close } = await session.signInAs('leader@demo.invalid');
    await page.goto(`${session.baseUrl}/plans`);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: 'Start an improvement plan' }).click();
    await expectNoAxeViolations(page);
    // The demo's plan holds the current period: this one is the next.
    await page.getByLabel('Title').fill('Children and Young People’s Plan, next period');
    const start = page.getByRole('group', { name: 'Start of the period' });
    await start.getByLabel('Day').fill('1');
    await start.getByLabel('Month').fill('4');
    await start.getByLabel('Year').fill('2035');
    const end = page.getByRole('group', { name: 'End of the period' });
    await end.getByLabel('Day').fill('31');
    await end.getByLabel('Month').fill('3');
    await end.getByLabel('Year').fill('2035');
    await page.getByRole('button', { name: 'Start the plan' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('The period must end after it starts');
    await expectNoAxeViolations(page);
    errors.splice(0, errors.length);
    await end.getByLabel('Year').fill('2038');
    await page.getByRole('button', { name: 'Start the plan' }).click();
    await page.waitForURL(/\/suggestions\?started=1$/);
    await expectNoAxeViolations(page);
    expect(await page.getByText('How suggestions are ranked').count()).toBe(1);
    const firstTitle = (await page.locator('li.ntg-priority h2').first().textContent())?.replace(/^Suggestion 1 · score [\d.]+/, '').trim() ?? '';
    expect(firstTitle).not.toBe('');
    await page.getByRole('button', { name: /^Add as a priority/ }).first().click();
    await page.waitForURL(/\/improvement-plans\/[0-9a-f-]{36}\?saved=1#priority-/);
    const planUrl = page.url().split('?')[0]!;
    expect(await page.getByRole('heading', { level: 3, name: new RegExp(firstTitle.slice(0, 30).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }).count()).toBe(1);
    await expectNoAxeViolations(page);

    await page.getByRole('link', { name: /^Add an action/ }).first().click();
    await expectNoAxeViolations(page);
    await page.getByLabel('Action', { exact: true }).fill('Every child in care has a named trusted adult at school');
    await page.getByLabel('Owner').selectOption({ index: 1 });
    const startDate = page.getByRole('group', { name: 'Start date' });
    await startDate.getByLabel('Day').fill('1');
    await startDate.getByLabel('Month').fill('9');
    await startDate.getByLabel('Year').fill('2035');
    const dueDate = page.getByRole('group', { name: 'Due date' });
    await dueDate.getByLabel('Day').fill('31');
    await dueDate.getByLabel('Month').fill('3');
    await dueDate.getByLabel('Year').fill('2036');
    await page.getByLabel('Not started').check();
    await page.getByRole('button', { name: 'Add the action' }).click();
    await page.waitForURL(/#action-/);

    await page.getByRole('link', { name: 'Every child in care has a named trusted adult at school' }).click();
    await expectNoAxeViolations(page);
    await page.getByLabel('At risk').check();
    await page.getByLabel('Update for the log').fill('Two schools have not yet named anyone');
    await page.getByRole('button', { name: 'Save the update' }).click();
    await page.waitForURL(/\?saved=1#action-/);
    expect(await page.getByText('Two schools have not yet named anyone').count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'What is slipping' }).count()).toBe(1);
    // Listed under what is slipping, and in its priority's actions.
    expect(await page.getByRole('link', { name: 'Every child in care has a named trusted adult at school' }).count()).toBe(2);

    await page.getByRole('link', { name: 'Timeline' }).click();
    expect(await page.locator('figure.ntg-chart svg').count()).toBe(1);
    await expectNoAxeViolations(page);

    await page.goto(`${planUrl}/board-paper`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('report to the board');
    expect(await page.getByRole('heading', { name: 'Exceptions' }).count()).toBe(1);
    await expectNoAxeViolations(page);
    const word = await page.request.get(`${planUrl}/board-paper.docx`);
    expect(word.status()).toBe(200);
    expect(word.headers()['content-type']).toContain('wordprocessingml');
    const pdf = await page.request.get(`${planUrl}/board-paper.pdf`);
    expect(pdf.status()).toBe(200);
    expect((await pdf.body()).subarray(0, 4).toString()).toBe('%PDF');

    // The demo's own plan: six priorities, actions in every status, two overdue.
    await page.goto(`${session.baseUrl}/plans`);
    await page.getByRole('link', { name: /Children and Young People’s Plan 20/ }).first().click();
    expect(await page.locator('section.ntg-priority').count()).toBe(6);
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await close();
  });
});
