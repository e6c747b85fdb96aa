import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles } from '../../src/auth/permissions.js';
import type { Capability } from '../../src/web/capability.js';
import { BrowserSession, expectNoAxeViolations, skipBrowserTests } from '../support/browser.js';

/**
 * Reflow (WCAG 2.2 AA 1.4.10): no page scrolls sideways on a laptop (1280 CSS px) or a narrow phone
 * (320 CSS px). Every page route the service registers is visited, as each demo role and signed out,
 * by following the links on the pages from the home page, and measured at both widths; axe checks
 * each kind of page once per role. A table too wide for a phone may scroll inside its own labelled
 * box, but the page itself may not.
 */
const widths = [1280, 320] as const;

/** Routes that are not pages a person reads, or that a link cannot reach, with the reason. */
const notPages: { pattern: RegExp; reason: string }[] = [
  { pattern: /^\/api\/(v1|openapi|openreferral)/, reason: 'JSON for programs' },
  { pattern: /^\/directory\/manage\/export$/, reason: 'a download: the authority’s directory as a file' },
  { pattern: /\.(csv|docx|json|pdf|png|svg|xlsx)$|\.:format$/, reason: 'a download' },
  { pattern: /^\/assets\//, reason: 'files of the page frame' },
  { pattern: /^\/health$/, reason: 'JSON for monitoring' },
  { pattern: /^\/imports\/progress\//, reason: 'JSON polled by the upload page' },
  { pattern: /^\/sign-in\/oidc/, reason: 'redirects to an identity provider' },
  { pattern: /^\/sign-in\/second-factor(\/set-up)?$/, reason: 'seen while signing in (measured there)' },
  { pattern: /^\/plans\/:id\/print$/, reason: 'the printed board paper, rendered to A4 for the PDF' },
  { pattern: /^\/assessments\/:id\/evidence\/:fileId$/, reason: 'an evidence file, downloaded as an attachment' },
  { pattern: /^\/thrown-for-the-width-test$/, reason: 'measured as the error page, below' },
  { pattern: /^\/(invitation|password-reset|register\/verify)\/:token$/, reason: 'reached only from a link in an email, with a one-time token' },
  { pattern: /^\/practice\/digest\/editions\/new$/, reason: 'leads to the next edition while it is a draft, as the demo’s is; the empty form is measured in src/practice/digest.browser.test.ts' },
  { pattern: /^\/practice\/(submissions\/)?:id\/documents\/:documentId$/, reason: 'a practice document, downloaded as an attachment' },
  { pattern: /^\/network\/groups\/:id\/documents\/:document\/versions\/:version$/, reason: 'a group’s document, downloaded as an attachment' },
  { pattern: /\/calendar\.ics$/, reason: 'an event’s iCalendar file' },
  { pattern: /^\/network\/unsubscribe\/:token$/, reason: 'reached only from a link in a digest email, with the person’s token' },
  { pattern: /^\/surveys\/answer\/:token\/thanks$/, reason: 'seen after sending answers (measured in test/browser/voices.test.ts)' },
];

/** A route that fails, so the error page is measured too. */
const failing: Capability = {
  name: 'width-test-failure',
  registerRoutes(app) {
    app.get('/thrown-for-the-width-test', { schema: { hide: true }, config: { permission: 'public' } }, () => {
      throw new Error('a failure made by the page-width test');
    });
  },
};

interface Measured {
  who: string;
  path: string;
  status: number | undefined;
  /** document.scrollWidth at each width, where it is wider than the window. */
  overflow: string[];
}

describe.skipIf(skipBrowserTests)('every page fits the screen at 1280 and 320 CSS pixels', { timeout: 900_000 }, () => {
  let session: BrowserSession;
  let pagePatterns: { url: string; matcher: RegExp; public: boolean }[];
  const measured: Measured[] = [];
  const axeFailures: string[] = [];
  /** Routes axe has checked, with the status seen: each kind of page (or refusal) is checked once. */
  const axeChecked = new Set<string>();

  beforeAll(async () => {
    session = await BrowserSession.start({ NTG_DEMO: 'true' }, [failing]);
    const routes = session.testApp.app.routePermissions.filter((route) => route.method === 'GET');
    pagePatterns = [...new Set(routes.map((route) => route.url))]
      .filter((url) => !notPages.some((entry) => entry.pattern.test(url)))
      .map((url) => ({
        url,
        matcher: new RegExp(`^${url.replace(/[.]/g, '\\.').replace(/:[A-Za-z]+/g, '[^/]+')}$`),
        public: routes.some((route) => route.url === url && route.permission === 'public'),
      }));
  });
  afterAll(async () => {
    await session?.stop();
  });

  /** The route an address is served by: as the router does, a fixed segment wins over a parameter (`/practice/digest/editions` is not edition `editions`). */
  const patternOf = (path: string) =>
    pagePatterns
      .filter((pattern) => pattern.matcher.test(path.split('?')[0] ?? path))
      .sort((a, b) => (a.url.match(/:/g)?.length ?? 0) - (b.url.match(/:/g)?.length ?? 0))[0];
  const routeOf = (path: string) => patternOf(path)?.url;
  /** Public pages are the same for everyone: measured once, whoever comes first. */
  const publicPathsMeasured = new Set<string>();

  async function measure(page: Page, who: string, path: string): Promise<string[]> {
    await page.setViewportSize({ width: widths[0], height: 900 });
    const response = await page.goto(`${session.baseUrl}${path}`);
    const overflow: string[] = [];
    for (const width of widths) {
      await page.setViewportSize({ width, height: 900 });
      // A string, as the tests are type-checked without the DOM's types.
      const size = await page.evaluate<{ scroll: number; window: number }>('({ scroll: document.documentElement.scrollWidth, window: window.innerWidth })');
      if (size.scroll > size.window) overflow.push(`${size.scroll} px wide at ${width} px`);
    }
    measured.push({ who, path, status: response?.status(), overflow });
    const kind = `${routeOf(path) ?? path} ${response?.status()}`;
    if (!axeChecked.has(kind)) {
      axeChecked.add(kind);
      await page.setViewportSize({ width: widths[0], height: 900 });
      try {
        await expectNoAxeViolations(page);
      } catch (error) {
        axeFailures.push(`${who} ${path}: ${(error as Error).message.split('\n').slice(0, 12).join(' ')}`);
      }
    }
    const links = await page.evaluate<string[]>("[...document.querySelectorAll('a[href]')].map((anchor) => anchor.getAttribute('href') ?? '')");
    return links.filter((href) => href.startsWith('/') && !href.startsWith('//')).map((href) => href.split('#')[0]!).filter((href) => href !== '');
  }

  /** The site's own links on a page, without measuring it. */
  async function linksOn(page: Page, path: string): Promise<string[]> {
    await page.goto(`${session.baseUrl}${path}`);
    const links = await page.evaluate<string[]>("[...document.querySelectorAll('a[href]')].map((anchor) => anchor.getAttribute('href') ?? '')");
    return links.filter((href) => href.startsWith('/') && !href.startsWith('//')).map((href) => href.split('#')[0]!).filter((href) => href !== '');
  }

  /** Follows links from the start pages, visiting one address of each route (the start pages all). */
  async function crawl(page: Page, who: string, start: string[]): Promise<void> {
    const queue = [...start];
    const routesVisited = new Set<string>();
    const seen = new Set<string>();
    while (queue.length > 0) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const pattern = patternOf(path);
      const isStart = start.includes(path);
      if (pattern === undefined && !isStart) continue;
      if (pattern !== undefined && !isStart) {
        if (routesVisited.has(pattern.url)) continue;
        if (pattern.public && publicPathsMeasured.has(pattern.url)) {
          // Measured already, but what a public page links to can depend on who reads it (a group's page, to its members).
          routesVisited.add(pattern.url);
          queue.push(...(await linksOn(page, path)));
          continue;
        }
      }
      if (pattern !== undefined) {
        routesVisited.add(pattern.url);
        if (pattern.public) publicPathsMeasured.add(pattern.url);
      }
      queue.push(...(await measure(page, who, path)));
    }
  }

  async function signedIn(email: string): Promise<{ page: Page; context: BrowserContext }> {
    const opened = await session.signInAs(email, { viewport: { width: widths[0], height: 900 } });
    return { page: opened.page, context: opened.page.context() };
  }

  it('gives the leader a plan, so the plan pages have something to show', async () => {
    const { page, context } = await signedIn('leader@demo.invalid');
    await page.goto(`${session.baseUrl}/gaps/curves`);
    await page.getByRole('button', { name: /^Start a plan/ }).first().click();
    await page.waitForURL(/\/plans\/[^/]+$/);
    await page.goto(`${session.baseUrl}${new URL(page.url()).pathname}/actions/new`);
    await page.getByLabel('Action', { exact: true }).fill('Reading catch-up sessions for every child in the group, with a named adult');
    await page.getByLabel('Owner').fill('Virtual school');
    await page.getByRole('button', { name: 'Add the action' }).click();
    await page.waitForURL(/\/plans\/[^/]+(#actions)?$/);
    await context.close();
  });

  it('measures the pages seen signed out, and the error pages', async () => {
    const context = await session.browser.newContext({ viewport: { width: widths[0], height: 900 } });
    const page = await context.newPage();
    await crawl(page, 'signed out', ['/', '/sign-in', '/password-reset', '/signed-out', '/framework', '/framework/templates/1', '/framework/templates/3', '/framework/search?q=trusted+adult', '/api/docs', '/no-such-page', '/thrown-for-the-width-test']);
    await context.close();
    expect(measured.find((entry) => entry.path === '/no-such-page')?.status).toBe(404);
    expect(measured.find((entry) => entry.path === '/thrown-for-the-width-test')?.status).toBe(500);
  });

  /** The demo's moderated assessment: the crawl meets one moderation page per role, and it may be of one with nothing to agree. */
  async function moderatedAssessment(): Promise<string[]> {
    const moderated = await session.testApp.database.db.selectFrom('assessment_moderation').select('assessment_id').where('status', 'in', ['submitted', 'agreed']).executeTakeFirst();
    return moderated === undefined ? [] : [`/assessments/${moderated.assessment_id}/moderation`];
  }

  /** The demo's draft practice item's documents page: the form reaches it by a button that saves first, not a link. */
  async function draftDocuments(role: string): Promise<string[]> {
    const draft = await session.testApp.database.db
      .selectFrom('practice_item')
      .innerJoin('user_account', 'user_account.id', 'practice_item.submitter_user_id')
      .select('practice_item.id')
      .where('practice_item.status', '=', 'draft')
      .where('user_account.email', '=', `${role}@demo.invalid`)
      .executeTakeFirst();
    return draft === undefined ? [] : [`/practice/submissions/${draft.id}/documents`];
  }

  for (const role of roles) {
    it(`measures every page the ${role} reaches`, async () => {
      const { page, context } = await signedIn(`${role}@demo.invalid`);
      // The home page and the navigation lead everywhere a role goes; a refused address shows the refusal page.
      await crawl(page, role, ['/', '/gaps?outcome=all', '/gaps?la=E08000035&add=not-a-group', '/plans', '/imports/children/new', '/imports/statistics/new', '/admin/users/invite', ...(await moderatedAssessment()), ...(await draftDocuments(role))]);
      await context.close();
    });
  }

  it('found no page wider than the window, and no axe violation', () => {
    const visitedRoutes = new Set(measured.map((entry) => routeOf(entry.path)));
    // Every registered page was reached by some role or signed out: a new page is measured without a change here.
    expect({
      notReached: pagePatterns.map((pattern) => pattern.url).filter((url) => !visitedRoutes.has(url)),
      tooWide: measured.filter((entry) => entry.overflow.length > 0).map((entry) => `${entry.who} ${entry.path}: ${entry.overflow.join(', ')}`),
      axeFailures,
    }).toEqual({ notReached: [], tooWide: [], axeFailures: [] });
    expect(measured.length).toBeGreaterThan(60);
  });
});
