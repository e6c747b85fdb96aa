import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, expectAccessiblePage, skipBrowserTests } from '../support/browser.js';

describe.skipIf(skipBrowserTests)('the network, in a browser', { timeout: 240_000 }, () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await BrowserSession.start({ NTG_DEMO: 'true' });
  });
  afterAll(async () => {
    await session?.stop();
  });

  it('shows England, a region and a council to anyone, with the hex map and its table', async () => {
    const { page, close } = await session.open('/network', { viewport: { width: 1280, height: 900 } });
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('The network');
    await expect(page.getByRole('img', { name: /Hex map of England’s local authorities/ }).count()).resolves.toBe(1);
    await expectAccessiblePage(page);
    await page.getByRole('link', { name: 'Yorkshire and The Humber' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Yorkshire and The Humber');
    await expectAccessiblePage(page);
    await page.getByRole('row', { name: /Leeds/ }).getByRole('link', { name: 'Leeds' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Leeds');
    await expect(page.getByText('Director of Children’s Services (demo)').count()).resolves.toBe(1);
    await expectAccessiblePage(page);
    await close();
  });

  it('lets someone from a council join a group, post, watch, share a document and sign up to its event', async () => {
    const { page, close } = await session.signInAs('analyst@demo.invalid', { viewport: { width: 1280, height: 900 } });
    await page.goto(`${session.baseUrl}/network/groups`);
    await expectAccessiblePage(page);
    await page.getByRole('link', { name: 'Two-year-olds: free early education take-up' }).click();
    await page.getByRole('button', { name: 'Join the group' }).click();
    await expect(page.getByText('You are a member of Two-year-olds').count()).resolves.toBe(1);
    await expectAccessiblePage(page);

    await page.getByRole('link', { name: 'Getting the DWP eligibility list to children’s centres' }).click();
    await expectAccessiblePage(page);
    await page.getByLabel('Your reply').fill('In our authority the **children’s centres** get the list monthly. <script>alert(1)</script>');
    await page.getByRole('button', { name: 'Post the reply' }).click();
    await expect(page.locator('article').last().textContent()).resolves.toContain('<script>alert(1)</script>');
    await expect(page.locator('article').last().locator('p.govuk-body strong').first().textContent()).resolves.toBe('children’s centres');
    await expect(page.getByText('You are told of new replies here.').count()).resolves.toBe(1);
    await expectAccessiblePage(page);

    await page.goto(`${session.baseUrl}/network/groups`);
    await page.getByRole('link', { name: 'Two-year-olds: free early education take-up' }).click();
    await page.getByRole('link', { name: 'Share a document' }).click();
    await expectAccessiblePage(page);
    await page.getByLabel('Title').fill('Our outreach script');
    await page.getByLabel('File').setInputFiles({ name: 'outreach.csv', mimeType: 'text/csv', buffer: Buffer.from('step,who\r\nCall the family,Outreach worker\r\n') });
    await page.getByRole('button', { name: 'Share the document' }).click();
    await expect(page.getByText('The document is shared with the group.').count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'Our outreach script', exact: true }).count()).resolves.toBe(1);

    await page.getByRole('link', { name: 'Two-year-old offer: sharing what works' }).click();
    await expectAccessiblePage(page);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByText('You are signed up.').count()).resolves.toBe(2);
    const calendar = await page.request.get(`${page.url().replace(/\?.*$/, '')}/calendar.ics`);
    expect(calendar.headers()['content-type']).toContain('text/calendar');
    expect(await calendar.text()).toContain('SUMMARY:Two-year-old offer: sharing what works');
    await expectAccessiblePage(page);
    await close();
  });

  it('shows a regional adviser the region’s dashboard and the national team all nine regions', async () => {
    const adviser = await session.signInAs('regional-adviser@demo.invalid', { viewport: { width: 1280, height: 900 } });
    await adviser.page.goto(`${session.baseUrl}/network/regions/E12000003/dashboard`);
    await expect(adviser.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Yorkshire and The Humber');
    await expect(adviser.page.getByRole('region', { name: 'Authorities of Yorkshire and The Humber' }).getByRole('row').count()).resolves.toBe(16);
    await expectAccessiblePage(adviser.page);
    await adviser.page.getByRole('link', { name: 'Golden threads established or embedded' }).click();
    await expectAccessiblePage(adviser.page);
    await adviser.close();
    const national = await session.signInAs('national-moderator@demo.invalid', { viewport: { width: 1280, height: 900 } });
    await national.page.goto(`${session.baseUrl}/network/dashboard`);
    await expect(national.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('England’s nine regions');
    await expect(national.page.getByRole('region', { name: 'Regions' }).getByRole('row').count()).resolves.toBe(10);
    await expectAccessiblePage(national.page);
    await national.close();
  });
});
