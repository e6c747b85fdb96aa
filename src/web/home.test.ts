import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bradford, leeds, peopleByRole, regionalFixture, wakefield } from '../../test/support/regional-fixture.js';
import type { RegionalFixture } from '../../test/support/regional-fixture.js';

/** Every link in the page's main content and frame that stays on the service, without its fragment. */
function linksOf(html: string): string[] {
  const hrefs = [...html.matchAll(/<a [^>]*href="([^"]+)"/g)].map((match) => match[1]!.replace(/&amp;/g, '&').split('#')[0]!);
  return [...new Set(hrefs.filter((href) => href.startsWith('/')))];
}

/** The text of the page's main content, tags removed. */
function mainText(html: string): string {
  const main = /<main[\s\S]*?<\/main>/.exec(html)?.[0] ?? '';
  return main.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&#39;/g, '’').replace(/\s+/g, ' ');
}

describe('the home page of each role', () => {
  let fixture: RegionalFixture;
  beforeAll(async () => {
    fixture = await regionalFixture();
  }, 120_000);
  afterAll(async () => {
    await fixture.close();
  });

  it('gives a leader the overview of their authority: widest gaps, by outcome, data gaps and the plans under way', async () => {
    const page = await fixture.get('leader', '/');
    expect(page.statusCode).toBe(200);
    const text = mainText(page.body);
    expect(text).toContain('Leeds: the gaps at a glance');
    expect(text).toContain('The gaps in 2023/24');
    expect(text).toContain('Widest gaps');
    // 12 of 40 disadvantaged pupils reach the standard against 32 of 40 others; a leader sees released figures (adjusted, so not exact).
    expect(page.body).toMatch(/Children from poorer socio-economic groups: [Rr]eached the expected standard[^<]*key stage 2<\/a>\s*<span class="ntg-home__gap">−\d+\.\d percentage points<\/span>/);
    expect(text).toContain('Counts behind these figures are adjusted slightly and rounded');
    expect(text).toMatch(/Enjoy and achieve Groups behind: 1 of 13/);
    expect(text).toContain('Gaps in the data that matter');
    expect(text).toMatch(/Be healthy: no indicator of this outcome has data/);
    expect(text).toContain('Disadvantaged pupils reach the standard at 11');
    expect(text).toContain('1 of 2 actions done, 1 in progress, 1 overdue');
    expect(text).toContain('No target set yet');
    expect(text).not.toContain('Not available yet');
    expect(text).not.toContain('Data loaded');
  });

  it('gives an analyst the data loaded and its freshness, the problems, then the overview, with the small numbers they may see', async () => {
    const page = await fixture.get('analyst', '/');
    const text = mainText(page.body);
    expect(text).toContain('Leeds: your data and its gaps');
    const order = ['Data loaded', 'Problems to put right', 'The gaps in 2023/24', 'Turn-the-curve plans'].map((heading) => text.indexOf(heading));
    expect(order.every((place) => place >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toMatch(/Leeds: child-level records Data for 2023\/24, last loaded \d{1,2} [A-Z][a-z]+ \d{4}\./);
    expect(text).toContain('Published statistics None loaded yet');
    expect(text).toMatch(/leeds-first-try\.csv ?: child-level file refused \d{1,2} [A-Z][a-z]+ \d{4}, 1 problem\./);
    expect(text).toMatch(/leeds\.csv ?: 1 row set aside, 1 problem/);
    // The analyst sees the children's records, so the figures are exact: 30% against 80%.
    expect(text).toContain('−50.0 percentage points');
    expect(text).toContain('30.0% against 80.0% for all other children');
    expect(text).not.toContain('adjusted slightly and rounded');
  });

  it('gives a regional adviser each authority of the region with its widest gaps and data freshness, linking to each', async () => {
    const page = await fixture.get('regional-adviser', '/');
    const text = mainText(page.body);
    expect(text).toContain('Yorkshire and The Humber: your authorities');
    for (const code of [leeds, bradford, wakefield]) expect(page.body).toContain(`href="/gaps?la=${code}"`);
    expect(text).toMatch(/Bradford Data for 2023\/24, last loaded [^.]+\. Widest gaps in 2023\/24: Children from poorer socio-economic groups/);
    expect(text).toMatch(/No child-level data loaded yet [^.]*Wakefield/);
    expect(text).not.toMatch(/No child-level data loaded yet [^.]*(Leeds|Bradford)/);
    expect(text).not.toContain('Camden');
    expect(text).toContain('Disadvantaged pupils reach the standard at 11');
  });

  it('gives a contributor what they can do, and nothing they cannot', async () => {
    const page = await fixture.get('contributor', '/');
    const text = mainText(page.body);
    expect(text).toContain('What you can do');
    expect(text).toContain('Read the framework');
    expect(text).toContain('Share practice that works');
    expect(text).toContain('The practice library');
    expect(text).toContain('Your account');
    expect(page.body).not.toContain('href="/gaps');
    expect(page.body).not.toContain('href="/plans');
    expect(text).not.toContain('Not available yet');
  });

  it('shows someone not signed in what exists, linking only what opens without signing in', async () => {
    const page = await fixture.get('anonymous', '/');
    expect(page.statusCode).toBe(200);
    const text = mainText(page.body);
    expect(text).toContain('Who this service is for');
    expect(text).not.toContain('Not available yet');
    expect(text).toContain('Learn what works');
    expect(page.body).toContain('href="/practice"');
    expect(page.body).toContain('href="/sign-in"');
    expect(page.body).not.toContain('href="/gaps"');
    expect(page.body).toContain('href="/framework"');
  });

  it.each([...peopleByRole, 'anonymous'])('leads the %s to no refusal: every link on their home page opens', async (who) => {
    const home = await fixture.get(who, '/');
    expect(home.statusCode).toBe(200);
    const links = linksOf(home.body);
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) {
      const response = await fixture.get(who, link);
      expect(response.statusCode, `${who}: ${link}`).toBeLessThan(400);
      // A page that needs a signed-in person sends the anonymous to sign in; never anyone else.
      if (response.statusCode >= 300) expect(who, `${who}: ${link} redirects`).toBe('anonymous');
    }
  });
});
