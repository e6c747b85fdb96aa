import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secondaryHeadEmail } from '../demo/demo-tracking.js';
import { Agent } from '../../test/support/agent.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { loadConfig } from '../config.js';
import { prepareDatabase } from '../service.js';
import { demoPassword } from './demo.js';
import { roles } from './permissions.js';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from './gate.js';
import { englandCode } from './organisations.js';
import { secondReviewer } from '../demo/demo-practice.js';

describe('outside demo mode', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp();
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('creates no demo accounts and lists none', async () => {
    const demo = await testApp.database.db.selectFrom('user_account').select('email').where('email', 'like', '%@demo.invalid').execute();
    expect(demo).toEqual([]);
    const page = await new Agent(testApp.app).get('/sign-in');
    expect(page.body).not.toContain('Demo accounts');
    expect((await new Agent(testApp.app).get('/outbox')).statusCode).toBe(404);
  });
});

describe.each(testEngines)('in demo mode on %s', (engine) => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp({ engine, environment: { NTG_DEMO: 'true' } });
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('lists one demo account per role under a warning, with codes for those that need them', async () => {
    const page = await new Agent(testApp.app).get('/sign-in');
    expect(page.body).toContain('never use demo mode for real children’s data');
    for (const role of roles) expect(page.body).toContain(`${role}@demo.invalid`);
    expect(page.body).toMatch(/analyst@demo\.invalid<\/td>\s*<td class="govuk-table__cell">Analyst in Leeds<\/td>\s*<td class="govuk-table__cell"><span class="ntg-code">\d{6}<\/span><\/td>/);
    expect(page.body).toMatch(/contributor@demo\.invalid<\/td>[\s\S]*?not needed/);
    // The password is a value to copy, set apart from the sentence about it.
    expect(page.body).toContain(`<code class="ntg-code govuk-!-font-size-24">${demoPassword}</code>`);
    expect(page.body).toMatch(/<div class="govuk-inset-text" id="demo-password">/);
  });

  it('lets a visitor sign in as the demo analyst with the password and code shown', async () => {
    const visitor = new Agent(testApp.app);
    const signIn = await visitor.submit('/sign-in', '/sign-in', { email: 'analyst@demo.invalid', password: demoPassword, next: '/account' });
    expect(signIn.headers.location).toBe('/sign-in/second-factor?next=%2Faccount');
    const page = await visitor.get('/sign-in');
    const code = /analyst@demo\.invalid<\/td>\s*<td[^>]*>[^<]*<\/td>\s*<td class="govuk-table__cell"><span class="ntg-code">(\d{6})</.exec(page.body)?.[1] ?? '';
    const verified = await visitor.submit('/sign-in/second-factor', '/sign-in/second-factor', { code, next: '/account' });
    expect(verified.headers.location).toBe('/account');
    expect((await visitor.get('/account')).body).toMatch(/analyst in Leeds/i);
  });

  it('lets a visitor sign in as the demo analyst twice with the same code shown, since the demo secret is published', async () => {
    const code = async (visitor: Agent) =>
      /analyst@demo\.invalid<\/td>\s*<td[^>]*>[^<]*<\/td>\s*<td class="govuk-table__cell"><span class="ntg-code">(\d{6})</.exec((await visitor.get('/sign-in')).body)?.[1] ?? '';
    for (const visitor of [new Agent(testApp.app), new Agent(testApp.app)]) {
      await visitor.submit('/sign-in', '/sign-in', { email: 'analyst@demo.invalid', password: demoPassword, next: '/account' });
      const verified = await visitor.submit('/sign-in/second-factor', '/sign-in/second-factor', { code: await code(visitor), next: '/account' });
      expect(verified.headers.location).toBe('/account');
    }
  });

  it('keeps the outbox from anyone not signed in, and shows each person only the messages sent to them', async () => {
    const db = testApp.database.db;
    await db
      .insertInto('mail_outbox')
      .values([
        { to_address: 'reader@example.org', subject: 'For the reader', body: 'https://example.org/password-reset/reader-token' },
        { to_address: 'someone-else@example.org', subject: 'For someone else', body: 'https://example.org/invitation/someone-elses-token' },
      ])
      .execute();
    const anonymous = await new Agent(testApp.app).get('/outbox');
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/sign-in?next=%2Foutbox');
    expect(anonymous.body).not.toContain('someone-elses-token');

    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Leeds', areaCode: 'E08000035', laCode: 'E08000035' });
    const reader = await newSignedInUser(db, { email: 'reader@example.org', role: 'contributor', organisationId: authority });
    const own = await testApp.app.inject({ method: 'GET', url: '/outbox', cookies: { [sessionCookieName(false)]: reader.sessionToken } });
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('reader-token');
    expect(own.body).not.toContain('someone-elses-token');

    const national = await newOrganisation(db, { kind: 'national', name: 'National team (England)', areaCode: englandCode });
    const admin = await newSignedInUser(db, { email: 'operator@example.org', role: 'platform-admin', organisationId: national });
    const all = await testApp.app.inject({ method: 'GET', url: '/outbox', cookies: { [sessionCookieName(false)]: admin.sessionToken } });
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('reader-token');
    expect(all.body).toContain('someone-elses-token');
  });

  it('keeps demo accounts as they are when the database is prepared again', async () => {
    await prepareDatabase(testApp.database, loadConfig({ NTG_DEMO: 'true' }));
    // One account per role; the second practice reviewer and the second head teacher (src/demo/demo-tracking.ts) apart.
    const demo = await testApp.database.db.selectFrom('user_account').select('email').where('email', 'like', '%@demo.invalid').where('email', 'not in', [secondReviewer.email, secondaryHeadEmail]).execute();
    expect(demo).toHaveLength(roles.length);
  });
});
