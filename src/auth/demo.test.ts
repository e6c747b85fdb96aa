import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../test/support/agent.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { loadConfig } from '../config.js';
import { prepareDatabase } from '../service.js';
import { demoPassword } from './demo.js';
import { roles } from './permissions.js';

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

describe('in demo mode', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp({ environment: { NTG_DEMO: 'true' } });
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('lists one demo account per role under a warning, with codes for those that need them', async () => {
    const page = await new Agent(testApp.app).get('/sign-in');
    expect(page.body).toContain('never use demo mode for real children’s data');
    for (const role of roles) expect(page.body).toContain(`${role}@demo.invalid`);
    expect(page.body).toMatch(/analyst@demo\.invalid<\/td>\s*<td class="govuk-table__cell">analyst in Leeds<\/td>\s*<td class="govuk-table__cell"><span class="ntg-code">\d{6}<\/span><\/td>/);
    expect(page.body).toMatch(/contributor@demo\.invalid<\/td>[\s\S]*?not needed/);
  });

  it('lets a visitor sign in as the demo analyst with the password and code shown', async () => {
    const visitor = new Agent(testApp.app);
    const signIn = await visitor.submit('/sign-in', '/sign-in', { email: 'analyst@demo.invalid', password: demoPassword, next: '/account' });
    expect(signIn.headers.location).toBe('/sign-in/second-factor?next=%2Faccount');
    const page = await visitor.get('/sign-in');
    const code = /analyst@demo\.invalid<\/td>\s*<td[^>]*>[^<]*<\/td>\s*<td class="govuk-table__cell"><span class="ntg-code">(\d{6})</.exec(page.body)?.[1] ?? '';
    const verified = await visitor.submit('/sign-in/second-factor', '/sign-in/second-factor', { code, next: '/account' });
    expect(verified.headers.location).toBe('/account');
    expect((await visitor.get('/account')).body).toContain('analyst in Leeds');
  });

  it('keeps demo accounts as they are when the database is prepared again', async () => {
    await prepareDatabase(testApp.database, loadConfig({ NTG_DEMO: 'true' }));
    const demo = await testApp.database.db.selectFrom('user_account').select('email').where('email', 'like', '%@demo.invalid').execute();
    expect(demo).toHaveLength(roles.length);
  });
});
