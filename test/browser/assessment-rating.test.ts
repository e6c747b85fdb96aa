import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, expectNoAxeViolations, skipBrowserTests } from '../support/browser.js';

/** The smallest file that begins as a PDF does, enough for the check by content. */
const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

describe.skipIf(skipBrowserTests)('rating a self-assessment in a browser', { timeout: 180_000 }, () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await BrowserSession.start({ NTG_DEMO: 'true' });
  });
  afterAll(async () => {
    await session?.stop();
  });

  it('starts an assessment, rates a statement saving as it goes, attaches evidence, every page passing axe', async () => {
    const { page, errors, close } = await session.signInAs('analyst@demo.invalid');
    await page.goto(`${session.baseUrl}/assessments`);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Start an assessment' }).click();
    await page.waitForURL(/\/assessments\/new$/);
    await expectNoAxeViolations(page);
    // Someone who may assess several organisations chooses one first, so the scopes that suit it come first.
    const organisation = page.getByLabel('Which organisation is the assessment for?');
    const localAuthority = (await organisation.locator('option').allTextContents()).find((text) => text.endsWith('(local authority)'))!;
    await organisation.selectOption({ label: localAuthority });
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/assessments\/new\?organisation=/);
    expect(await page.getByText(`Suggested for ${localAuthority.replace(' (local authority)', '')}`).count()).toBeGreaterThan(0);
    await expectNoAxeViolations(page);
    await page.getByLabel('The ten golden threads').check();
    // The demo holds 2025/26 and 2026/27; a period before both starts with nothing carried forward.
    await page.getByLabel('Period').fill('2024/25');
    await page.getByRole('button', { name: 'Start the assessment' }).click();
    await page.waitForURL(/\/assessments\/[0-9a-f-]{36}\?started=1$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('The ten golden threads');
    expect(await page.getByText('0 of 66 rated').count()).toBe(1);
    await expectNoAxeViolations(page);
    const assessmentUrl = page.url().split('?')[0]!;

    await page.getByRole('link', { name: /Golden thread 1:/ }).click();
    await page.waitForURL(/\/sections\/GT01$/);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: 'Rate statement GT01-M1' }).click();
    await page.waitForURL(/\/statements\/GT01-M1$/);
    await expectNoAxeViolations(page);

    // Saving as you go: choosing a level saves it in the background.
    await page.getByLabel('Established').check();
    await expect.poll(() => page.locator('[data-ntg-autosave-status]').textContent(), { timeout: 10_000 }).toMatch(/^Saved at \d/);
    await page.getByLabel('Evidence note').fill('The campaign reached every primary school.');
    await expect.poll(() => page.locator('input[name="version"]').inputValue(), { timeout: 10_000 }).toBe('2');

    // Not applicable reveals the reason field, without leaving the page.
    expect(await page.getByLabel('Why does this not apply to you?').isVisible()).toBe(false);
    await page.getByLabel('Not applicable').check();
    expect(await page.getByLabel('Why does this not apply to you?').isVisible()).toBe(true);
    await page.getByLabel('Established').check();

    await page.getByLabel('Attach a file').setInputFiles({ name: 'campaign report.pdf', mimeType: 'application/pdf', buffer: pdf });
    await page.getByRole('button', { name: 'Attach the file' }).click();
    await page.waitForURL(/\?attached=/);
    expect(await page.getByRole('link', { name: 'campaign report.pdf' }).count()).toBe(1);
    expect(await page.getByLabel('Evidence note').inputValue()).toBe('The campaign reached every primary school.');
    await expectNoAxeViolations(page);

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/sections\/GT01\?saved=GT01-M1#GT01-M1$/);
    expect(await page.getByText('Rating saved').count()).toBe(1);
    expect(await page.locator('#GT01-M1 .govuk-tag').first().textContent()).toBe('Established');
    await expectNoAxeViolations(page);

    await page.goto(assessmentUrl);
    expect(await page.getByText('1 of 66 rated').count()).toBe(1);

    // No sideways scrolling on a phone.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/assessments', '/assessments/new', new URL(assessmentUrl).pathname, `${new URL(assessmentUrl).pathname}/sections/GT01`, `${new URL(assessmentUrl).pathname}/statements/GT01-M1`]) {
      await page.goto(`${session.baseUrl}${path}`);
      expect({ path, width: await page.evaluate<number>('document.documentElement.scrollWidth') }).toEqual({ path, width: 390 });
    }
    expect(errors).toEqual([]);
    await close();
  });
});
