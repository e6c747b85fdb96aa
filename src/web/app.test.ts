import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import type { Capability } from './capability.js';

const brokenCapability: Capability = {
  name: 'broken',
  navigation: [{ text: 'Broken', href: '/broken', order: 99 }],
  registerRoutes(app) {
    app.get('/broken', { schema: { hide: true }, config: { permission: 'public' } }, () => {
      throw new Error('secret internal detail at /srv/app.js:12');
    });
    app.get('/api/v1/broken', { schema: { hide: true }, config: { permission: 'public' } }, () => {
      throw new Error('secret internal detail at /srv/app.js:12');
    });
  },
};

describe('the web application', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp({ extraCapabilities: [brokenCapability] });
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('serves the home page in the GOV.UK frame', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = response.body;
    expect(html).toContain('<html lang="en" class="govuk-template');
    expect(html).toContain('<title>Narrowing the Gap</title>');
    expect(html).toContain('class="govuk-skip-link"');
    expect(html).toContain('href="#main-content"');
    expect(html).toContain('govuk-service-navigation');
    expect(html).toContain('govuk-phase-banner');
    expect(html).toContain('class="govuk-footer"');
    expect(html).toContain('<h1 class="govuk-heading-xl">Narrowing the Gap</h1>');
    expect(html).toContain('Who this service is for');
  });

  it('adds each capability to the header navigation', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/broken' });
    const home = await testApp.app.inject({ method: 'GET', url: '/' });
    expect(home.body).toMatch(/<a class="govuk-service-navigation__link" href="\/broken"[^>]*>\s*Broken/);
    expect(response.statusCode).toBe(500);
  });

  it('lets the one inline script run by its nonce and nothing else', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/' });
    const csp = String(response.headers['content-security-policy']);
    const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(response.body).toContain(`<script nonce="${nonce}">document.body.className`);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const second = await testApp.app.inject({ method: 'GET', url: '/' });
    expect(String(second.headers['content-security-policy'])).not.toContain(nonce);
  });

  it('sets the security headers on every response', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/health' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['referrer-policy']).toBe('same-origin');
    expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(response.headers['permissions-policy']).toContain('camera=()');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('gives each response a request id, reusing a safe one from the caller', async () => {
    const generated = await testApp.app.inject({ method: 'GET', url: '/health' });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const given = await testApp.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'proxy-abc.123' } });
    expect(given.headers['x-request-id']).toBe('proxy-abc.123');
    const unsafe = await testApp.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': '<script>' } });
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers /health with the database status and version', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', database: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/) as string });
  });

  it('shows a GOV.UK page not found for an unknown page', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/no-such-page' });
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('<title>Page not found – Narrowing the Gap</title>');
    expect(response.body).toContain('If you typed the web address, check it is correct.');
  });

  it('answers an unknown API path with a JSON 404', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/v1/nothing-here?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ statusCode: 404, error: 'Not Found', message: 'There is nothing at GET /api/v1/nothing-here.' });
  });

  it('shows a 500 page without the error or a stack trace', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/broken' });
    expect(response.statusCode).toBe(500);
    expect(response.body).toContain('Sorry, there is a problem with the service');
    expect(response.body).toContain(String(response.headers['x-request-id']));
    expect(response.body).not.toContain('secret internal detail');
    expect(response.body).not.toContain('app.js:12');
  });

  it('answers an API failure with JSON that hides the cause', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/v1/broken' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Something went wrong on our side. Try again later.',
      requestId: response.headers['x-request-id'],
    });
  });

  it('serves govuk-frontend CSS, JS, fonts and images from the package', async () => {
    const css = await testApp.app.inject({ method: 'GET', url: '/assets/govuk/govuk-frontend.min.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toContain('text/css');
    const js = await testApp.app.inject({ method: 'GET', url: '/assets/govuk/govuk-frontend.min.js' });
    expect(js.statusCode).toBe(200);
    const favicon = await testApp.app.inject({ method: 'GET', url: '/assets/images/favicon.ico' });
    expect(favicon.statusCode).toBe(200);
    const fontPath = /url\(["']?\/assets\/(fonts\/[^)"']+\.woff2)/.exec(css.body)?.[1];
    expect(fontPath).toBeDefined();
    const font = await testApp.app.inject({ method: 'GET', url: `/assets/${String(fontPath)}` });
    expect(font.statusCode).toBe(200);
    const templateSource = await testApp.app.inject({ method: 'GET', url: '/assets/govuk/template.njk' });
    expect(templateSource.statusCode).toBe(404);
  });

  it('lists the API in the /api/v1 index', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/v1' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      name: 'Narrowing the Gap API',
      openapi: '/api/openapi.json',
      documentation: '/api/docs',
      links: expect.arrayContaining([{ rel: 'health', href: '/health', title: 'Service health' }]) as unknown,
    });
  });

  it('publishes an OpenAPI 3 document of the API routes', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{ openapi: string; info: { title: string }; paths: Record<string, unknown> }>();
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title).toBe('Narrowing the Gap API');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health', '/api/v1']));
    expect(Object.keys(document.paths)).not.toContain('/');
  });

  it('declares, with a description, every tag an API operation is filed under', async () => {
    const document = (await testApp.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{ tags: { name: string; description: string }[]; paths: Record<string, Record<string, { tags?: string[] }>> }>();
    const declared = new Set(document.tags.filter((tag) => tag.description !== '').map((tag) => tag.name));
    const used = new Set(Object.values(document.paths).flatMap((operations) => Object.values(operations).flatMap((operation) => operation.tags ?? [])));
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((tag) => !declared.has(tag))).toEqual([]);
  });

  it('documents the API on a readable page', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<h1 class="govuk-heading-xl">API documentation</h1>');
    expect(response.body).toContain('/api/v1</span>');
    expect(response.body).toContain('Service health');
  });
});

describe('the web application when the database stops answering', () => {
  it('answers /health with 503 and says the database is unreachable', async () => {
    const testApp = await createTestApp();
    await testApp.database.close();
    const response = await testApp.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'error', database: 'unreachable' });
    await testApp.app.close();
  });
});
