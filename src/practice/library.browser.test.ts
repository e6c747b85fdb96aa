import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, expectNoAxeViolations, skipBrowserTests } from '../../test/support/browser.js';
import { meansResult } from '../../test/support/practice.js';
import { practiceDocument, practiceItem } from '../../test/support/practice-library.js';

/** Where screenshots go when SCREENSHOTS is set (a folder), for a person to look at the pages. */
const screenshots = process.env.SCREENSHOTS;

function effect(value: number, lower: number, upper: number, outcome: string, forWhom: string) {
  return { ...meansResult(), measure: 'effect' as const, effectSize: value, lower, upper, n: 120, outcome, forWhom };
}

describe.skipIf(skipBrowserTests)('the practice library in a browser', { timeout: 180_000 }, () => {
  let session: BrowserSession;
  let itemId = '';

  beforeAll(async () => {
    session = await BrowserSession.start();
    const db = session.testApp.database.db;
    itemId = (
      await practiceItem(
        db,
        {
          title: 'Reading buddies for children in care',
          summary: 'Trained volunteers read with children in care twice a week for a school year; reading ages rose by five months on average.',
          groups: ['children-in-care', 'children-with-sen'],
          outcomes: ['enjoy-and-achieve', 'make-a-positive-contribution'],
          threads: ['GT03', 'GT05'],
          statements: ['T1-FRONTLINE-UNIVERSAL-01', 'T2-GC-01'],
          results: [
            effect(0.31, 0.12, 0.5, 'Reading age', 'Children in care, Years 4 to 6'),
            effect(0.12, -0.08, 0.32, 'Attendance', 'Children in care, Year 7'),
            effect(0.45, 0.2, 0.7, 'Confidence in reading', 'Children with SEN in care'),
          ],
        },
        { grade: 'validated', strength: 4 },
      )
    ).id;
    await practiceDocument(db, itemId, 'Evaluation report.pdf', 'application/pdf', Buffer.from('%PDF-1.4\n%%EOF\n'));
    const titles = ['Breakfast club for young carers', 'Nurture groups in primary schools', 'Family learning evenings', 'Attendance mentors for Year 9', 'Speech and language drop-in'];
    for (const [index, title] of titles.entries()) {
      await practiceItem(db, { title, summary: `${title}: what was done, for whom, and what changed for the children who took part.`, groups: [index % 2 === 0 ? 'young-carers' : 'poor-attendance'], laCode: index % 2 === 0 ? 'E06000001' : 'E08000035' }, { grade: index % 3 === 0 ? 'promising' : 'emerging', strength: 1 + index });
    }
  });
  afterAll(async () => {
    await session?.stop();
  });

  it('searches, filters and opens an item without JavaScript errors, every page passing axe, none scrolling sideways on a phone', async () => {
    const { page, errors, close } = await session.open('/practice', { viewport: { width: 1280, height: 900 } });
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Practice library');
    await expectNoAxeViolations(page);
    if (screenshots) await page.screenshot({ path: `${screenshots}/library-1280.png`, fullPage: true });

    await page.getByLabel('Search the library').fill('reading');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/q=reading/);
    expect(await page.locator('mark').first().textContent()).toMatch(/^reading$/i);
    await expectNoAxeViolations(page);

    // The filters work as a plain form: tick, apply, and the count follows.
    await page.locator('summary').filter({ hasText: /^Grade$/ }).click();
    await page.getByLabel(/^Validated \(1\)$/).check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/grade=validated/);
    expect(await page.getByRole('status').textContent()).toContain('1 item matches “reading”');
    await expectNoAxeViolations(page);
    if (screenshots) await page.screenshot({ path: `${screenshots}/library-search-1280.png`, fullPage: true });

    await page.getByRole('link', { name: /Reading buddies for children in care/ }).click();
    await page.waitForURL(new RegExp(`/practice/${itemId}$`));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^P-\d{4}Reading buddies for children in care$/);
    expect(await page.getByRole('img', { name: /Forest plot/ }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Evaluation report.pdf' }).count()).toBe(1);
    await expectNoAxeViolations(page);
    if (screenshots) {
      await page.screenshot({ path: `${screenshots}/item-1280.png`, fullPage: true });
      await page.screenshot({ path: `${screenshots}/item-1280-top.png` });
      await page.locator('#figure-results').screenshot({ path: `${screenshots}/item-1280-figure.png` });
    }

    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/practice', '/practice?q=reading&grade=validated&group=children-in-care', `/practice/${itemId}`, '/practice?q=zzzz']) {
      await page.goto(`${session.baseUrl}${path}`);
      expect({ path, width: await page.evaluate<number>('document.documentElement.scrollWidth') }).toEqual({ path, width: 390 });
      await expectNoAxeViolations(page);
    }
    if (screenshots) {
      await page.goto(`${session.baseUrl}/practice`);
      await page.screenshot({ path: `${screenshots}/library-390.png`, fullPage: true });
      await page.goto(`${session.baseUrl}/practice/${itemId}`);
      await page.screenshot({ path: `${screenshots}/item-390.png`, fullPage: true });
      await page.screenshot({ path: `${screenshots}/item-390-top.png` });
    }
    expect(errors).toEqual([]);
    await close();
  });
});
