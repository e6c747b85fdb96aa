import type { FastifyInstance, FastifyReply } from 'fastify';
import nunjucks from 'nunjucks';
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import { version } from '../version.js';
import { renderWithEncodedParts } from './encoded-html.js';
import { keepImportedMacros } from './kept-imports.js';
import type { NavigationItem } from './capability.js';
import { formatDate, formatDateTime, inSentence, wordsOf, formatNumber, formatPercent, formatSigned, readingSymbol, symbols, trendSymbol } from './format.js';
import { govukFrontendDist, sourcePath } from './paths.js';

export const serviceName = 'Narrowing the Gap';

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a Nunjucks page inside the service layout and sends it as HTML (with any `EncodedHtml` parts joined in as they are). */
    view(template: string, context?: Record<string, unknown>): FastifyReply;
    /** Renders a Nunjucks page with the same shared values, returning the HTML (for a PDF, say). */
    renderView(template: string, context?: Record<string, unknown>): string;
  }
}

export interface ViewOptions {
  /** Template folders of the capabilities, searched after the web layer's own. */
  capabilityViewDirectories: string[];
  navigation: NavigationItem[];
}

export function createViewEnvironment(capabilityViewDirectories: string[]): nunjucks.Environment {
  keepImportedMacros();
  const searchPath = [sourcePath('web', 'views'), ...capabilityViewDirectories, govukFrontendDist];
  const environment = new nunjucks.Environment(new nunjucks.FileSystemLoader(searchPath), {
    autoescape: true,
    throwOnUndefined: false,
  });
  // Numbers, dates and symbols are written one way on every page (format.ts).
  environment.addFilter('number', formatNumber);
  environment.addFilter('percent', formatPercent);
  environment.addFilter('signed', formatSigned);
  environment.addFilter('date', formatDate);
  environment.addFilter('dateTime', formatDateTime);
  environment.addFilter('trendSymbol', trendSymbol);
  environment.addFilter('readingSymbol', readingSymbol);
  environment.addFilter('inSentence', inSentence);
  environment.addFilter('words', wordsOf);
  environment.addGlobal('symbols', symbols);
  // Nunjucks trims with /^\s*|\s*$/, whose second half is tried from every position of the string:
  // the GOV.UK template trims the whole header on every page. The native trim strips the same
  // whitespace in one pass.
  environment.addFilter('trim', (value: unknown) => {
    const trimmed = String(value).trim();
    return value instanceof nunjucks.runtime.SafeString ? new nunjucks.runtime.SafeString(trimmed) : trimmed;
  });
  return environment;
}

/** Adds `reply.view()`, giving every page the layout's shared values. */
/**
 * The header's entries the viewer may open, the one for the page marked: the most specific entry
 * whose address the page is at or under (the library at /practice is not current on /practice/submit).
 */
function shownNavigation(navigation: readonly NavigationItem[], viewer: Viewer, path: string) {
  const shown = navigation.filter((item) => item.permission === undefined || viewerMay(viewer, item.permission));
  const under = (item: NavigationItem) => path === item.href || path.startsWith(`${item.href}/`);
  const current = shown.filter(under).sort((a, b) => b.href.length - a.href.length)[0];
  return shown.map((item) => ({ text: item.text, href: item.href, active: item === current }));
}

/** Text a template writes with `{{ }}`, made the first time it is written and not before. */
class WrittenWhenUsed {
  private text: string | undefined;
  constructor(private readonly make: () => string) {}
  toString(): string {
    this.text ??= this.make();
    return this.text;
  }
}

const csrfTokens = new WeakMap<FastifyReply, string>();

/**
 * The page's CSRF token, made once for a reply: every form on a page carries the same one, and a
 * reader without the token's cookie yet is given one cookie (each new token would otherwise set a
 * new secret, and the page's earlier tokens would fail). Undefined where forms are not protected.
 */
export function csrfTokenFor(reply: FastifyReply): string | undefined {
  if (typeof reply.generateCsrf !== 'function') return undefined;
  let token = csrfTokens.get(reply);
  if (token === undefined) csrfTokens.set(reply, (token = reply.generateCsrf()));
  return token;
}

/** Stands in a kept navigation for the CSRF token of the page it is written into. */
const tokenSlot = 'ntg-csrf-token-slot-7f3a';
const keptNavigationLimit = 2000;

/**
 * The service navigation for a page: rendered by the GOV.UK macro once for each state (signed in or
 * not, the entries shown, the current one) and kept, as its few states repeat on every page; the
 * page's CSRF token is written into the sign-out form's slot.
 */
function navigationWriter(environment: nunjucks.Environment) {
  const kept = new Map<string, string>();
  return (entries: ReturnType<typeof shownNavigation>, signedIn: boolean, csrfToken: () => string | undefined): string => {
    const key = JSON.stringify([signedIn, entries]);
    let html = kept.get(key);
    if (html === undefined) {
      html = environment.render('_service-navigation.njk', { serviceName, navigation: entries, signedIn, csrfToken: tokenSlot });
      if (kept.size < keptNavigationLimit) kept.set(key, html);
    }
    // A function, so no character of the token is read as a replacement pattern.
    return signedIn ? html.replace(tokenSlot, () => csrfToken() ?? '') : html;
  };
}

export function setUpViews(app: FastifyInstance, options: ViewOptions): void {
  const environment = createViewEnvironment(options.capabilityViewDirectories);
  const navigation = [...options.navigation].sort((a, b) => a.order - b.order);
  const writeNavigation = navigationWriter(environment);

  app.decorateReply('renderView', function renderView(this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
    const path = this.request.url.split('?')[0] ?? '/';
    return environment.render(template, {
      serviceName,
      version,
      cspNonce: this.cspNonce?.script,
      // Made only if the page writes it (a page with a form): a public page without one sets no
      // cookie, so it stays cacheable and costs no token.
      csrfToken: typeof this.generateCsrf === 'function' ? new WrittenWhenUsed(() => csrfTokenFor(this)!) : undefined,
      viewer: this.request.viewer,
      serviceNavigation: () => writeNavigation(shownNavigation(navigation, this.request.viewer, path), (this.request.viewer as Viewer | undefined)?.signedIn === true, () => csrfTokenFor(this)),
      currentPath: path,
      ...context,
    });
  });

  app.decorateReply('view', function view(this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
    return this.type('text/html; charset=utf-8').send(renderWithEncodedParts(() => this.renderView(template, context)));
  });
}
