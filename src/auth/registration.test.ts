import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../test/support/agent.js';
import { newAccount, newOrganisation } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import type { Capability } from '../web/capability.js';
import { issueToken } from './one-time-tokens.js';
import { englandCode } from './organisations.js';

const password = 'a long and unusual passphrase';

/** A page that needs `practice:submit`, so a test can ask the gate whether an account holds it. */
const practiceProbe: Capability = {
  name: 'practice-probe',
  registerRoutes(app) {
    app.get('/probe/practice-submit', { schema: { hide: true }, config: { permission: 'practice:submit' } }, (_request, reply) => reply.send('allowed'));
  },
};

describe.each(testEngines)('registering a contributor account on %s', (engine) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ engine, extraCapabilities: [practiceProbe] });
    const db = testApp.database.db;
    const camden = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: 'E09000007', laCode: 'E09000007' });
    await newAccount(db, { email: 'analyst@camden.example', password, role: 'analyst', organisationId: camden });
  });
  afterAll(async () => {
    await testApp.close();
  });

  /**
   * Posts the registration form from a client address of the test's choosing (each test its own,
   * so the per-address limit of one test does not spill into another), with the form's CSRF token.
   */
  async function registerFrom(ip: string, fields: Record<string, string>, agent = new Agent(testApp.app)): Promise<LightMyRequestResponse> {
    const page = await agent.get('/register');
    const csrf = /name="_csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
    return testApp.app.inject({
      method: 'POST',
      url: '/register',
      remoteAddress: ip,
      payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      cookies: Object.fromEntries(agent.cookies),
    });
  }

  function messagesTo(email: string) {
    return testApp.database.db.selectFrom('mail_outbox').select(['subject', 'body']).where('to_address', '=', email).orderBy('created_at').execute();
  }

  function linkIn(body: string): string {
    return /http:\/\/localhost:3000(\/register\/verify\/[A-Za-z0-9_-]+)/.exec(body)?.[1] ?? '';
  }

  function accountOf(email: string) {
    return testApp.database.db.selectFrom('user_account').select(['id', 'display_name', 'status', 'password_hash', 'stated_organisation']).where('email', '=', email).executeTakeFirst();
  }

  it('shows the registration form, linked from the sign-in page', async () => {
    const signIn = await new Agent(testApp.app).get('/sign-in');
    expect(signIn.body).toContain('Want to share practice that works? <a class="govuk-link" href="/register">Create a contributor account</a>');
    const page = await new Agent(testApp.app).get('/register');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Create a contributor account – Narrowing the Gap</title>');
    expect(page.body).toContain('Nothing you submit is published until a moderator');
    for (const field of ['name="name"', 'name="email"', 'name="organisation"', 'name="terms"', 'name="_csrf"']) expect(page.body).toContain(field);
  });

  it('registers a person who confirms the address, chooses a password and signs in as a contributor who may submit practice', async () => {
    const db = testApp.database.db;
    const sent = await registerFrom('10.0.1.1', { name: 'Ada Lovelace', email: 'Ada@Example.com', organisation: 'Anytown primary school', terms: 'agree' });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('Check your email');
    expect(sent.body).toContain('ada@example.com');

    const pending = await accountOf('ada@example.com');
    expect(pending).toMatchObject({ display_name: 'Ada Lovelace', status: 'invited', password_hash: null, stated_organisation: 'Anytown primary school' });
    expect(await db.selectFrom('membership').select('role').where('user_id', '=', pending?.id ?? '').execute()).toEqual([]);
    const beforeConfirming = await new Agent(testApp.app).submit('/sign-in', '/sign-in', { email: 'ada@example.com', password });
    expect(beforeConfirming.statusCode).toBe(401);

    const [message] = await messagesTo('ada@example.com');
    expect(message?.subject).toBe('Confirm your email address for Narrowing the Gap');
    expect(message?.body).toContain('works once, for 24 hours');
    // Anyone can make the service send this message: it carries none of the words typed in the form.
    expect(message?.body).not.toContain('Ada Lovelace');
    expect(message?.body).not.toContain('Anytown');
    const link = linkIn(message?.body ?? '');
    expect(link).not.toBe('');

    const person = new Agent(testApp.app);
    const form = await person.get(link);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Choose a password to finish creating your contributor account');
    const mismatched = await person.submit(link, link, { password, confirm: 'something else entirely' });
    expect(mismatched.statusCode).toBe(400);
    expect(mismatched.body).toContain('Enter the same password twice');
    const chosen = await person.submit(link, link, { password, confirm: password });
    expect(chosen.statusCode).toBe(200);
    expect(chosen.body).toContain('Your contributor account is ready');
    expect(chosen.body).toContain('href="/sign-in?next=%2Fpractice%2Fsubmit"');

    const account = await accountOf('ada@example.com');
    expect(account?.status).toBe('active');
    const roles = await db
      .selectFrom('membership')
      .innerJoin('organisation', 'organisation.id', 'membership.organisation_id')
      .select(['membership.role', 'organisation.kind', 'organisation.area_code'])
      .where('membership.user_id', '=', account?.id ?? '')
      .execute();
    expect(roles).toEqual([{ role: 'contributor', kind: 'national', area_code: englandCode }]);
    const audited = await db.selectFrom('audit_log').select(['action', 'outcome', 'actor_email']).where('actor_email', '=', 'ada@example.com').orderBy('seq').execute();
    expect(audited.map((entry) => `${entry.action} ${entry.outcome}`)).toEqual(['account-registered success', 'sign-in failure', 'contributor-registered success']);

    const signIn = await person.submit('/sign-in?next=/practice/submit', '/sign-in', { email: 'ada@example.com', password, next: '/practice/submit' });
    expect(signIn.statusCode).toBe(303);
    expect(signIn.headers.location).toBe('/practice/submit');
    expect((await person.get('/probe/practice-submit')).statusCode).toBe(200);

    const reused = await new Agent(testApp.app).get(link);
    expect(reused.statusCode).toBe(410);
    expect(reused.body).toContain('This link has already been used. Each link works once.');
    expect(reused.body).toContain('href="/register"');
  });

  it('keeps a registered contributor out of child-level and aggregate pages', async () => {
    await registerFrom('10.0.2.1', { name: 'Grace Hopper', email: 'grace@example.com', terms: 'agree' });
    const link = linkIn((await messagesTo('grace@example.com'))[0]?.body ?? '');
    const person = new Agent(testApp.app);
    await person.submit(link, link, { password, confirm: password });
    await person.submit('/sign-in', '/sign-in', { email: 'grace@example.com', password });
    expect((await person.get('/account')).statusCode).toBe(200);
    for (const url of ['/children', '/children.csv', '/gaps', '/gaps/data']) {
      const response = await person.get(url);
      expect({ url, status: response.statusCode }).toEqual({ url, status: 403 });
    }
  });

  it('answers an address that already has an account with the same page, makes no account and tells the address instead', async () => {
    const db = testApp.database.db;
    const fresh = await registerFrom('10.0.3.1', { name: 'Someone New', email: 'someone.new@example.com', terms: 'agree' });
    const existing = await registerFrom('10.0.3.2', { name: 'An Impostor', email: 'analyst@camden.example', terms: 'agree' });
    expect(existing.statusCode).toBe(fresh.statusCode);
    const page = (response: LightMyRequestResponse, email: string) => /<main[\s\S]*<\/main>/.exec(response.body)?.[0].replace(email, '[email]');
    expect(page(existing, 'analyst@camden.example')).toBe(page(fresh, 'someone.new@example.com'));

    const accounts = await db.selectFrom('user_account').select(['display_name', 'status']).where('email', '=', 'analyst@camden.example').execute();
    expect(accounts).toEqual([{ display_name: 'analyst', status: 'active' }]);
    const tokens = await db.selectFrom('one_time_token').innerJoin('user_account', 'user_account.id', 'one_time_token.user_id').select('purpose').where('user_account.email', '=', 'analyst@camden.example').execute();
    expect(tokens).toEqual([]);
    const messages = await messagesTo('analyst@camden.example');
    expect(messages).toHaveLength(1);
    expect(messages[0]?.subject).toBe('Someone tried to register with your email address');
    expect(messages[0]?.body).toContain('It already has an account, so no new one was made');
    expect(messages[0]?.body).toContain('http://localhost:3000/password-reset');
    expect(messages[0]?.body).not.toContain('/register/verify/');
    expect(messages[0]?.body).not.toContain('An Impostor');
  });

  it('sends an address still waiting for its link a fresh one, and the earlier link stops working', async () => {
    await registerFrom('10.0.4.1', { name: 'Katherine Johnson', email: 'katherine@example.com', terms: 'agree' });
    await registerFrom('10.0.4.2', { name: 'Katherine G. Johnson', email: 'katherine@example.com', organisation: 'Anytown children’s centre', terms: 'agree' });
    const [first, second] = await messagesTo('katherine@example.com');
    const earlier = await new Agent(testApp.app).get(linkIn(first?.body ?? ''));
    expect(earlier.statusCode).toBe(410);
    expect(earlier.body).toContain('This link has already been used.');
    expect((await new Agent(testApp.app).get(linkIn(second?.body ?? ''))).statusCode).toBe(200);
    expect(await accountOf('katherine@example.com')).toMatchObject({ display_name: 'Katherine G. Johnson', stated_organisation: 'Anytown children’s centre', status: 'invited' });
  });

  it('refuses an expired or unknown link, saying why and how to get a new one', async () => {
    const db = testApp.database.db;
    await registerFrom('10.0.5.1', { name: 'Slow Reader', email: 'slow@example.com', terms: 'agree' });
    const account = await accountOf('slow@example.com');
    const expired = await issueToken(db, account?.id ?? '', 'email-verification', new Date(Date.now() - 25 * 3_600_000));
    const page = await new Agent(testApp.app).get(`/register/verify/${expired}`);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('This link has expired.');
    expect(page.body).toContain('<a class="govuk-link" href="/register">register again</a>');
    const posted = await new Agent(testApp.app).submit('/register', `/register/verify/${expired}`, { password, confirm: password });
    expect(posted.statusCode).toBe(410);
    expect((await accountOf('slow@example.com'))?.status).toBe('invited');
    const unknown = await new Agent(testApp.app).get('/register/verify/not-a-real-token');
    expect(unknown.statusCode).toBe(410);
    expect(unknown.body).toContain('This link is not valid. Check you copied the whole link from the email.');
    // A link of another kind is no registration link.
    const reset = await issueToken(db, account?.id ?? '', 'password-reset');
    expect((await new Agent(testApp.app).get(`/register/verify/${reset}`)).statusCode).toBe(410);
  });

  it('names each field that is wrong, keeps what was typed and sends nothing', async () => {
    const empty = await registerFrom('10.0.6.1', {});
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('<title>Error: Create a contributor account – Narrowing the Gap</title>');
    expect([...empty.body.matchAll(/<a href="(#[a-z]+)">([^<]+)<\/a>/g)].map((match) => `${match[1]} ${match[2]}`)).toEqual([
      '#name Enter your full name',
      '#email Enter your email address',
      '#terms Confirm that you agree to the terms to create an account',
    ]);

    const wrong = await registerFrom('10.0.6.2', { name: 'x'.repeat(201), email: 'not-an-email', organisation: 'o'.repeat(201), terms: 'agree' });
    expect(wrong.statusCode).toBe(400);
    expect([...wrong.body.matchAll(/<a href="(#[a-z]+)">([^<]+)<\/a>/g)].map((match) => `${match[1]} ${match[2]}`)).toEqual([
      '#name Full name must be 200 characters or fewer',
      '#email Enter an email address in the correct format, like name@example.com',
      '#organisation Organisation must be 200 characters or fewer',
    ]);
    expect(wrong.body).toContain('value="not-an-email"');
    expect(wrong.body).toMatch(/name="terms" type="checkbox" value="agree" checked/);

    const unticked = await registerFrom('10.0.6.3', { name: 'Careful Person', email: 'careful@example.com' });
    expect(unticked.statusCode).toBe(400);
    expect(unticked.body).toContain('Confirm that you agree to the terms to create an account');
    expect(await accountOf('careful@example.com')).toBeUndefined();
    expect(await messagesTo('careful@example.com')).toEqual([]);
  });

  it('refuses a registration without its CSRF token', async () => {
    const response = await new Agent(testApp.app).submit('/register', '/register', { name: 'Forged', email: 'forged@example.com', terms: 'agree' }, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect(await accountOf('forged@example.com')).toBeUndefined();
  });

  it('refuses the sixth registration from one address within the hour, and the fourth for one email address', async () => {
    for (let n = 1; n <= 5; n += 1) {
      const allowed = await registerFrom('10.0.7.1', { name: `Bot ${n}`, email: `bot${n}@example.com`, terms: 'agree' });
      expect({ n, status: allowed.statusCode }).toEqual({ n, status: 200 });
    }
    const sixth = await registerFrom('10.0.7.1', { name: 'Bot 6', email: 'bot6@example.com', terms: 'agree' });
    expect(sixth.statusCode).toBe(429);
    expect(sixth.body).toMatch(/Too many accounts have been registered from your network in the last hour\. Try again after \d\d:\d\d UTC\./);
    expect(await accountOf('bot6@example.com')).toBeUndefined();
    expect((await registerFrom('10.0.7.2', { name: 'Someone Else', email: 'someone.else@example.com', terms: 'agree' })).statusCode).toBe(200);

    for (let n = 1; n <= 3; n += 1) expect((await registerFrom(`10.0.8.${n}`, { name: 'Target', email: 'target@example.com', terms: 'agree' })).statusCode).toBe(200);
    const fourth = await registerFrom('10.0.8.4', { name: 'Target', email: 'target@example.com', terms: 'agree' });
    expect(fourth.statusCode).toBe(429);
    expect(fourth.body).toContain('Too many registrations have been asked for with this email address');
    expect(await messagesTo('target@example.com')).toHaveLength(3);
    const refusals = await testApp.database.db.selectFrom('audit_log').select('target').where('action', '=', 'account-registered').where('outcome', '=', 'denied').orderBy('seq').execute();
    expect(refusals.map((entry) => entry.target)).toEqual(['bot6@example.com', 'target@example.com']);
  });
});
