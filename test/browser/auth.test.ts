import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../../src/auth/demo.js';
import { BrowserSession, expectNoAxeViolations, skipBrowserTests } from '../support/browser.js';
import { roles } from '../../src/auth/permissions.js';
import { secondaryHeadEmail } from '../../src/demo/demo-tracking.js';

describe.skipIf(skipBrowserTests)('signing in and administering accounts in a browser', { timeout: 120_000 }, () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await BrowserSession.start({ NTG_DEMO: 'true' });
  });
  afterAll(async () => {
    await session?.stop();
  });

  it('shows the sign-in page with the demo accounts, which passes axe', async () => {
    const { page, status, errors, close } = await session.open('/sign-in');
    expect(status).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
    // A header row, one account per role, and the demo's second head teacher (src/demo/demo-tracking.ts).
    expect(await page.getByRole('table').getByRole('row').count()).toBe(roles.length + 2);
    await expect(page.getByRole('row').filter({ hasText: secondaryHeadEmail }).count()).resolves.toBe(1);
    expect(errors).toEqual([]);
    await expectNoAxeViolations(page);
    await close();
  });

  it('shows an error summary linked to the field, which passes axe', async () => {
    const { page, close } = await session.open('/sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('.govuk-error-summary');
    expect(await page.title()).toBe('Error: Sign in – Narrowing the Gap');
    expect(await page.locator('.govuk-error-summary a[href="#email"]').textContent()).toBe('Enter your email address');
    await expectNoAxeViolations(page);
    await close();
  });

  it('signs the demo authority administrator in with the code shown, then lists and invites accounts', async () => {
    const { page, close } = await session.open('/sign-in');
    const row = page.getByRole('row').filter({ hasText: 'authority-admin@demo.invalid' });
    const code = (await row.getByRole('cell').nth(2).textContent())?.trim() ?? '';
    await page.getByLabel('Email address').fill('authority-admin@demo.invalid');
    await page.getByLabel('Password').fill(demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/sign-in\/second-factor/);
    await expectNoAxeViolations(page);
    await page.getByLabel('Security code').fill(code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await page.waitForURL(/\/admin\/users$/);
    expect(await page.getByRole('link', { name: 'analyst@demo.invalid' }).count()).toBe(1);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Invite someone' }).click();
    await page.waitForURL(/\/admin\/users\/invite$/);
    await expectNoAxeViolations(page);
    await page.getByLabel('Email address').fill('new.leader@example.gov.uk');
    await page.getByLabel('Name').fill('New Leader');
    await page.getByLabel('leader', { exact: true }).check();
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.waitForURL(/sent=/);
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Invitation sent to new.leader@example.gov.uk');
    await page.getByRole('link', { name: 'Your account' }).click();
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.waitForURL(/\/signed-out$/);
    await close();
  });
});
