import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { assessmentCapability } from '../../src/assessment/capability.js';
import { statementsInScope } from '../../src/assessment/scope.js';
import { createAssessment, readRating, saveRating } from '../../src/assessment/store.js';
import { demoAuthorityCode } from '../../src/auth/demo.js';
import { capabilities } from '../../src/capabilities.js';
import { loadCatalogue } from '../../src/framework/catalogue.js';
import { seedStatements } from '../../src/framework/revisions.js';
import { BrowserSession, expectNoAxeViolations, skipBrowserTests } from '../support/browser.js';

/** No sideways scroll on a phone-sized screen. */
async function expectNoSidewaysScroll(page: Page) {
  await page.setViewportSize({ width: 390, height: 844 });
  const size = await page.evaluate<{ scroll: number; window: number }>('({ scroll: document.documentElement.scrollWidth, window: window.innerWidth })');
  expect(size.scroll).toBeLessThanOrEqual(size.window);
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe.skipIf(skipBrowserTests)('sign-off and moderation in a browser', { timeout: 240_000 }, () => {
  let session: BrowserSession;
  let assessmentId: string;

  beforeAll(async () => {
    // The capability joins the service's list at merge; until then the test adds it (once).
    session = await BrowserSession.start({ NTG_DEMO: 'true' }, capabilities.includes(assessmentCapability) ? [] : [assessmentCapability]);
    const db = session.testApp.database.db;
    const catalogue = loadCatalogue();
    const leeds = await db.selectFrom('organisation').select('id').where('kind', '=', 'local-authority').where('area_code', '=', demoAuthorityCode).executeTakeFirstOrThrow();
    const analyst = await db.selectFrom('user_account').select(['id', 'display_name']).where('email', '=', 'analyst@demo.invalid').executeTakeFirstOrThrow();
    const author = { userId: analyst.id, label: analyst.display_name };
    // A period well before any the demo loads, so nothing is carried into it and nothing clashes.
    assessmentId = await createAssessment(
      db,
      { laCode: demoAuthorityCode, organisationId: leeds.id, scope: 'threads', period: '2012/13', catalogueVersion: catalogue.version, catalogueRevision: 0, statements: statementsInScope(seedStatements(catalogue), 'threads') },
      author,
    );
    for (const statementId of ['GT01', 'GT02', 'GT03']) {
      const { version } = await readRating(db, demoAuthorityCode, assessmentId, statementId);
      await saveRating(
        db,
        { laCode: demoAuthorityCode, assessmentId, statementId, expectedVersion: version },
        { level: 3, notApplicable: false, notApplicableReason: '', note: 'Our evidence', links: [], confidence: 'medium', nextStep: '', nextStepOwner: '', nextStepDue: null },
        author,
      );
    }
  });
  afterAll(async () => {
    await session?.stop();
  });

  it('submits, signs off, moderates blind, compares side by side and records an agreed rating, every page passing axe', async () => {
    const analyst = await session.signInAs('analyst@demo.invalid');
    await analyst.page.goto(`${session.baseUrl}/assessments/${assessmentId}/sign-off`);
    await expectNoAxeViolations(analyst.page);
    await analyst.page.getByRole('button', { name: 'Submit for sign-off' }).click();
    await analyst.page.waitForURL(/done=submitted/);
    await analyst.close();

    const leader = await session.signInAs('leader@demo.invalid');
    await leader.page.goto(`${session.baseUrl}/assessments/${assessmentId}/sign-off`);
    await expectNoAxeViolations(leader.page);
    await leader.page.getByRole('button', { name: 'Sign off the assessment' }).click();
    expect(await leader.page.locator('.govuk-error-summary').textContent()).toContain('Confirm that you have read the assessment');
    await expectNoAxeViolations(leader.page);
    leader.errors.splice(0, leader.errors.length);
    await leader.page.getByLabel('I have read this assessment').check();
    await leader.page.getByRole('button', { name: 'Sign off the assessment' }).click();
    await leader.page.waitForURL(/done=signed-off/);
    expect(await leader.page.getByText('signed off and read-only').count()).toBe(1);

    await leader.page.goto(`${session.baseUrl}/assessments/${assessmentId}/moderation`);
    await expectNoAxeViolations(leader.page);
    await expectNoSidewaysScroll(leader.page);
    await leader.page.getByLabel(/email address/).fill('regional-adviser@demo.invalid');
    await leader.page.getByRole('radio', { name: 'A random sample' }).check();
    await leader.page.getByRole('textbox', { name: 'How many statements, for a random sample' }).fill('3');
    await leader.page.getByRole('button', { name: 'Invite the moderator' }).click();
    await leader.page.waitForURL(/done=invited/);
    await expectNoAxeViolations(leader.page);
    expect(await leader.page.getByText('The moderator is rating the statements').count()).toBe(1);

    const adviser = await session.signInAs('regional-adviser@demo.invalid');
    await adviser.page.goto(`${session.baseUrl}/moderation`);
    await expectNoAxeViolations(adviser.page);
    await expectNoSidewaysScroll(adviser.page);
    // The demo's own moderation of Leeds is listed too: this test's is the one still only invited.
    await adviser.page.getByRole('row', { name: /Invited$/ }).getByRole('link', { name: 'Leeds' }).click();
    await adviser.page.getByRole('button', { name: 'Accept' }).click();
    await adviser.page.waitForURL(/done=accepted/);
    await expectNoAxeViolations(adviser.page);
    expect(await adviser.page.getByText('Our evidence').count()).toBe(0);
    await adviser.page.locator('table a.govuk-link').first().click();
    await expectNoAxeViolations(adviser.page);
    for (let statement = 0; statement < 3; statement += 1) {
      await adviser.page.getByLabel('Developing', { exact: true }).check();
      await adviser.page.getByRole('button', { name: /^Save and/ }).first().click();
      await adviser.page.waitForLoadState();
    }
    await adviser.page.goto(`${session.baseUrl}${new URL(adviser.page.url()).pathname.replace(/\/statements\/.*$/, '')}`);
    await adviser.page.getByRole('button', { name: 'Submit your ratings' }).click();
    await adviser.page.waitForURL(/done=submitted/);
    expect(await adviser.page.getByRole('columnheader', { name: 'Self-rating' }).count()).toBeGreaterThan(0);
    await expectNoAxeViolations(adviser.page);
    await expectNoSidewaysScroll(adviser.page);
    await adviser.page.getByRole('link', { name: /Record the agreed rating/ }).first().click();
    await expectNoAxeViolations(adviser.page);
    await adviser.page.getByLabel('Established', { exact: true }).check();
    await adviser.page.getByLabel('Comment').fill('Agreed at the regional review');
    await adviser.page.getByRole('button', { name: 'Save the agreed rating' }).click();
    await adviser.page.waitForURL(/done=agreed/);
    await adviser.close();

    await leader.page.goto(`${session.baseUrl}/assessments/${assessmentId}/moderation`);
    expect(await leader.page.getByText('Agreed at the regional review').count()).toBe(1);
    await expectNoAxeViolations(leader.page);
    await leader.page.goto(`${session.baseUrl}/assessments/${assessmentId}/peers`);
    await expectNoAxeViolations(leader.page);
    await expectNoSidewaysScroll(leader.page);
    expect(leader.errors).toEqual([]);
    await leader.close();
  });
});
