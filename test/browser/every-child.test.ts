import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { secondaryHeadEmail } from '../../src/demo/demo-tracking.js';
import { BrowserSession, expectNoAxeViolations, skipBrowserTests } from '../support/browser.js';

/** No sideways scroll on a phone-sized screen. */
async function expectNoSidewaysScroll(page: Page) {
  await page.setViewportSize({ width: 390, height: 844 });
  const size = await page.evaluate<{ scroll: number; window: number }>('({ scroll: document.documentElement.scrollWidth, window: window.innerWidth })');
  expect(size.scroll).toBeLessThanOrEqual(size.window);
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe.skipIf(skipBrowserTests)('every child seen, in a browser', { timeout: 240_000 }, () => {
  let session: BrowserSession;
  const audited = (action: string, email: string) =>
    session.testApp.database.db.selectFrom('audit_log').select(['outcome', 'target']).where('action', '=', action).where('actor_email', '=', email).execute();

  beforeAll(async () => {
    session = await BrowserSession.start({ NTG_DEMO: 'true' });
  });
  afterAll(async () => {
    await session?.stop();
  });

  it('lets a head teacher see which vulnerable pupils have no trusted adult and which are stuck, and record what was done', async () => {
    const { page, close } = await session.signInAs('setting-leader@demo.invalid', { viewport: { width: 1280, height: 900 } });
    await page.goto(`${session.baseUrl}/children/unseen?list=trusted-adult`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Children not yet seen');
    await expectNoAxeViolations(page);
    await expectNoSidewaysScroll(page);
    const rows = page.getByRole('region', { name: 'The children on the lists' }).getByRole('row');
    expect(await rows.count()).toBeGreaterThan(1);
    const firstChild = (await rows.nth(1).getByRole('link').first().textContent())?.replace(/\s.*$/s, '') ?? '';
    await rows.nth(1).getByRole('link', { name: /^Record what was done/ }).first().click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Record what was done');
    await expectNoAxeViolations(page);
    // Sent without a choice, the form says what is missing and keeps the page.
    await page.getByRole('button', { name: 'Record it' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Choose what was done.');
    await expectNoAxeViolations(page);
    await page.getByLabel('Trusted adult identified').check();
    await page.getByLabel('Note (optional)').fill('Learning mentor agreed to be the trusted adult; meets weekly.');
    await page.getByRole('button', { name: 'Record it' }).click();
    await page.waitForURL(/\/children\/unseen\?/);
    await expect(page.getByText('What was done has been recorded.').count()).resolves.toBe(1);
    await expect(page.getByRole('row').filter({ hasText: firstChild }).textContent()).resolves.toContain('Trusted adult identified');
    await expectNoAxeViolations(page);

    await page.goto(`${session.baseUrl}/children/progress`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Pupils’ progress');
    await expect(page.getByRole('region', { name: 'Pupils by label' }).getByRole('row', { name: /Progress from the end of Reception to the Year 1 phonics check/ }).count()).resolves.toBe(1);
    await expectNoAxeViolations(page);
    await expectNoSidewaysScroll(page);
    expect(await audited('child-follow-up.recorded', 'setting-leader@demo.invalid')).toEqual([expect.objectContaining({ outcome: 'success' })]);
    expect((await audited('children-unseen.read', 'setting-leader@demo.invalid')).length).toBeGreaterThanOrEqual(2);
    await close();
  });

  it('lets the receiving secondary confirm the handover of a vulnerable Year 7, every page passing axe', async () => {
    const { page, close } = await session.signInAs(secondaryHeadEmail, { viewport: { width: 1280, height: 900 } });
    await page.goto(`${session.baseUrl}/children/handovers`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Handovers');
    await expectNoAxeViolations(page);
    await expectNoSidewaysScroll(page);
    const transfer = page.locator('section').filter({ hasText: 'Year 6 to Year 7' }).first();
    await transfer.getByLabel('Note (optional)').fill('Met the Year 6 teacher; plan agreed.');
    await transfer.getByRole('button', { name: /^Confirm the handover/ }).click();
    await page.waitForURL(/\/children\/handovers\?/);
    await expect(page.getByText('The handover has been confirmed.').count()).resolves.toBe(1);
    await expect(page.getByText('Met the Year 6 teacher; plan agreed.').count()).resolves.toBe(1);
    await expectNoAxeViolations(page);
    expect(await audited('child-handover.confirmed', secondaryHeadEmail)).toEqual([expect.objectContaining({ outcome: 'success' })]);
    await close();
  });
});
