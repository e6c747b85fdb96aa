import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../test/support/agent.js';
import { newAccount, newOrganisation } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { sessionCookieName } from './gate.js';
import { currentTotp, newTotpSecret } from './totp.js';
import { loggerOptions } from '../web/logging.js';
import { issueToken } from './one-time-tokens.js';
import { safeNext } from './routes.js';

const password = 'a long and unusual passphrase';
const cookie = sessionCookieName(false);

describe('the next parameter', () => {
  it('keeps a path on this service with its query', () => {
    expect(safeNext('/children?la=E09000007&page=2')).toBe('/children?la=E09000007&page=2');
    expect(safeNext('/framework/search?q=trusted%20adult')).toBe('/framework/search?q=trusted%20adult');
  });

  it('falls back to the home page for anything that could leave the site or break the header', () => {
    for (const next of [undefined, 42, '', 'account', 'https://evil.example', '//evil.example', '/\\evil.example', '/\t/evil.example', '/%09/evil.example', '/%2f%2fevil.example', '/%5Cevil.example', '/%252F%252Fevil.example', '/ /evil.example', '/a\u0000b', '/a%00b', '/a\u2028b', '/%E2%80%A8/evil.example', '/%zz']) {
      expect({ next, safe: safeNext(next) }).toEqual({ next, safe: '/' });
    }
  });
});

describe('signing in', () => {
  let testApp: TestApp;
  let logged = '';
  let authority: string;
  const totpSecret = newTotpSecret();

  beforeAll(async () => {
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    testApp = await createTestApp({ logger: loggerOptions('trace', logStream) });
    const db = testApp.database.db;
    authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: 'E09000007', laCode: 'E09000007' });
    await newAccount(db, { email: 'contributor@example.org', password, role: 'contributor', organisationId: authority });
    await newAccount(db, { email: 'analyst@example.org', password, role: 'analyst', organisationId: authority, totpSecret });
    await newAccount(db, { email: 'new-analyst@example.org', password, role: 'analyst', organisationId: authority });
    await newAccount(db, { email: 'locked@example.org', password, role: 'contributor', organisationId: authority });
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('signs in with the right password and lands on the page asked for', async () => {
    const agent = new Agent(testApp.app);
    const response = await agent.submit('/sign-in?next=/account', '/sign-in', { email: 'Contributor@Example.org', password, next: '/account' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/account');
    const sessionCookie = response.cookies.find((c) => c.name === cookie);
    expect(sessionCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const account = await agent.get('/account');
    expect(account.statusCode).toBe(200);
    expect(account.body).toContain('contributor@example.org');
  });

  it('sends a sign-in only to a path on this service, whatever the next parameter holds', async () => {
    const page = await new Agent(testApp.app).get('/sign-in?next=/%09/evil.example');
    expect(page.body).toContain('name="next" value="/"');
    for (const next of ['/\t/evil.example', '/\n/evil.example', '/%09/evil.example', '/%2F/evil.example', '/%5Cevil.example', '/\\evil.example', '//evil.example', 'https://evil.example', '/\u2028/evil.example']) {
      const agent = new Agent(testApp.app);
      const response = await agent.submit('/sign-in', '/sign-in', { email: 'contributor@example.org', password, next });
      expect({ next, status: response.statusCode, location: response.headers.location }).toEqual({ next, status: 303, location: '/' });
    }
  });

  it('refuses a next parameter with a line break with a redirect to the home page, not an error', async () => {
    const agent = new Agent(testApp.app);
    const response = await agent.submit('/sign-in', '/sign-in', { email: 'contributor@example.org', password, next: '/account\r\nSet-Cookie: planted=1' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    expect(response.headers['set-cookie']).not.toContain('planted');
  });

  it('gives a new session id at sign-in, so a planted one is worthless', async () => {
    const agent = new Agent(testApp.app);
    await agent.submit('/sign-in', '/sign-in', { email: 'contributor@example.org', password });
    const first = agent.cookies.get(cookie);
    await agent.submit('/sign-in', '/sign-in', { email: 'contributor@example.org', password });
    const second = agent.cookies.get(cookie);
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    const withOld = await testApp.app.inject({ method: 'GET', url: '/account', cookies: { [cookie]: first ?? '' } });
    expect(withOld.statusCode).toBe(303);
  });

  it('refuses a form without its CSRF token', async () => {
    const agent = new Agent(testApp.app);
    const response = await agent.submit('/sign-in', '/sign-in', { email: 'contributor@example.org', password }, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect(agent.cookies.has(cookie)).toBe(false);
  });

  it('says a wrong password is wrong without saying which part', async () => {
    const agent = new Agent(testApp.app);
    const response = await agent.submit('/sign-in', '/sign-in', { email: 'contributor@example.org', password: 'not the password at all' });
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain('There is a problem');
    expect(response.body).toContain('Enter a correct email address and password');
    expect(response.body).toContain('<title>Error: Sign in – Narrowing the Gap</title>');
    const unknown = await agent.submit('/sign-in', '/sign-in', { email: 'nobody@example.org', password });
    expect(unknown.body).toContain('Enter a correct email address and password');
  });

  it('locks an account after five wrong passwords, refusing even the right one, and audits it', async () => {
    const agent = new Agent(testApp.app);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const wrong = await agent.submit('/sign-in', '/sign-in', { email: 'locked@example.org', password: `wrong password number ${attempt}` });
      expect(wrong.statusCode).toBe(401);
    }
    const right = await agent.submit('/sign-in', '/sign-in', { email: 'locked@example.org', password });
    expect(right.statusCode).toBe(429);
    expect(right.body).toMatch(/Too many failed attempts\. Try again after \d\d:\d\d UTC\./);
    const locks = await testApp.database.db.selectFrom('audit_log').select('action').where('action', '=', 'account-locked').where('actor_email', '=', 'locked@example.org').execute();
    expect(locks).toHaveLength(1);
  });

  it('asks a role that reads child records for its authenticator code before anything else', async () => {
    const agent = new Agent(testApp.app);
    const response = await agent.submit('/sign-in', '/sign-in', { email: 'analyst@example.org', password, next: '/account' });
    expect(response.headers.location).toBe('/sign-in/second-factor?next=%2Faccount');
    expect((await agent.get('/account')).headers.location).toBe('/sign-in/second-factor?next=%2Faccount');
    const wrong = await agent.submit('/sign-in/second-factor?next=/account', '/sign-in/second-factor', { code: '000000', next: '/account' });
    expect(wrong.statusCode).toBe(401);
    const right = await agent.submit('/sign-in/second-factor?next=/account', '/sign-in/second-factor', { code: currentTotp(totpSecret), next: '/account' });
    expect(right.headers.location).toBe('/account');
    expect((await agent.get('/account')).statusCode).toBe(200);
  });

  it('sets up an authenticator app on first sign-in and gives single-use recovery codes', async () => {
    const agent = new Agent(testApp.app);
    const response = await agent.submit('/sign-in', '/sign-in', { email: 'new-analyst@example.org', password });
    expect(response.headers.location).toBe('/sign-in/second-factor/set-up?next=%2F');
    const setUp = await agent.get('/sign-in/second-factor/set-up');
    expect(setUp.body).toContain('<svg');
    const key = /<strong class="ntg-code">([A-Z2-7 ]+)<\/strong>/.exec(setUp.body)?.[1]?.replace(/ /g, '') ?? '';
    const confirmed = await agent.submit('/sign-in/second-factor/set-up', '/sign-in/second-factor/set-up', { code: currentTotp(key) });
    expect(confirmed.statusCode).toBe(200);
    const codes = [...confirmed.body.matchAll(/<li>([a-z0-9]{5}-[a-z0-9]{5})<\/li>/g)].map((match) => match[1] ?? '');
    expect(codes).toHaveLength(10);

    const later = new Agent(testApp.app);
    await later.submit('/sign-in', '/sign-in', { email: 'new-analyst@example.org', password });
    const byRecovery = await later.submit('/sign-in/second-factor', '/sign-in/second-factor', { code: codes[0] ?? '', next: '/account' });
    expect(byRecovery.headers.location).toBe('/account');
    const again = new Agent(testApp.app);
    await again.submit('/sign-in', '/sign-in', { email: 'new-analyst@example.org', password });
    const reused = await again.submit('/sign-in/second-factor', '/sign-in/second-factor', { code: codes[0] ?? '' });
    expect(reused.statusCode).toBe(401);
  });

  it('signs out everywhere, ending every session of the account', async () => {
    const phone = new Agent(testApp.app);
    const laptop = new Agent(testApp.app);
    await phone.submit('/sign-in', '/sign-in', { email: 'contributor@example.org', password });
    await laptop.submit('/sign-in', '/sign-in', { email: 'contributor@example.org', password });
    const response = await laptop.submit('/account', '/account/sign-out-everywhere', {});
    expect(response.headers.location).toBe('/signed-out');
    expect((await phone.get('/account')).statusCode).toBe(303);
    expect((await laptop.get('/account')).statusCode).toBe(303);
  });

  it('never writes a password, session token or one-time link token to the log', async () => {
    const agent = new Agent(testApp.app);
    await agent.submit('/sign-in', '/sign-in', { email: 'contributor@example.org', password });
    await agent.get('/account');
    const token = agent.cookies.get(cookie) ?? 'no token';
    const account = await testApp.database.db.selectFrom('user_account').select('id').where('email', '=', 'contributor@example.org').executeTakeFirstOrThrow();
    const resetToken = await issueToken(testApp.database.db, account.id, 'password-reset');
    await agent.get(`/password-reset/${resetToken}`);
    expect(logged).toContain('/password-reset/[token]');
    expect(logged).not.toContain(resetToken);
    expect(logged.length).toBeGreaterThan(1000);
    expect(logged).not.toContain(password);
    expect(logged).not.toContain(encodeURIComponent(password));
    expect(logged).not.toContain(token);
  });
});
