import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../test/support/agent.js';
import { newAccount, newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { sessionCookieName } from './gate.js';
import { issueToken } from './one-time-tokens.js';

const cookie = sessionCookieName(false);
const password = 'a long and unusual passphrase';

describe('administering accounts', () => {
  let testApp: TestApp;
  let admin: Agent;
  let camden: string;
  let hackney: string;
  let outsiderId: string;

  async function latestMessageTo(email: string): Promise<string> {
    const message = await testApp.database.db.selectFrom('mail_outbox').select('body').where('to_address', '=', email).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    return message.body;
  }

  beforeAll(async () => {
    testApp = await createTestApp();
    const db = testApp.database.db;
    camden = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: 'E09000007', laCode: 'E09000007' });
    hackney = await newOrganisation(db, { kind: 'local-authority', name: 'Hackney', areaCode: 'E09000012', laCode: 'E09000012' });
    const { sessionToken } = await newSignedInUser(db, { email: 'admin@camden.example', role: 'authority-admin', organisationId: camden });
    admin = new Agent(testApp.app);
    admin.cookies.set(cookie, sessionToken);
    outsiderId = await newAccount(db, { email: 'analyst@hackney.example', password, role: 'analyst', organisationId: hackney });
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('invites a person, who chooses a password from the single-use link and signs in', async () => {
    const sent = await admin.submit('/admin/users/invite', '/admin/users/invite', { email: 'New.Analyst@Camden.example', name: 'New Analyst', organisation: camden, role: 'analyst' });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe('/admin/users?sent=new.analyst%40camden.example');
    const link = /http:\/\/localhost:3000(\/invitation\/[A-Za-z0-9_-]+)/.exec(await latestMessageTo('new.analyst@camden.example'))?.[1] ?? '';
    expect(link).not.toBe('');

    const person = new Agent(testApp.app);
    const common = await person.submit(link, link, { password: '1qaz2wsx3edc', confirm: '1qaz2wsx3edc' });
    expect(common.statusCode).toBe(400);
    expect(common.body).toContain('Choose a password that is not one of the most commonly used passwords');
    const chosen = await person.submit(link, link, { password, confirm: password });
    expect(chosen.statusCode).toBe(200);
    expect(chosen.body).toContain('Your password is set');
    const reused = await person.get(link);
    expect(reused.statusCode).toBe(410);
    expect(reused.body).toContain('This link has already been used.');

    const signIn = await person.submit('/sign-in', '/sign-in', { email: 'new.analyst@camden.example', password });
    expect(signIn.headers.location).toBe('/sign-in/second-factor/set-up?next=%2F');
  });

  it('refuses an expired link', async () => {
    const db = testApp.database.db;
    const userId = await newAccount(db, { email: 'slow@camden.example', password, role: 'contributor', organisationId: camden });
    const token = await issueToken(db, userId, 'password-reset', new Date(Date.now() - 2 * 3_600_000));
    const response = await new Agent(testApp.app).get(`/password-reset/${token}`);
    expect(response.statusCode).toBe(410);
    expect(response.body).toContain('This link has expired.');
  });

  it('resets a forgotten password by email and ends the account’s other sessions', async () => {
    const db = testApp.database.db;
    await newAccount(db, { email: 'forgetful@camden.example', password, role: 'contributor', organisationId: camden });
    const elsewhere = new Agent(testApp.app);
    await elsewhere.submit('/sign-in', '/sign-in', { email: 'forgetful@camden.example', password });
    expect((await elsewhere.get('/account')).statusCode).toBe(200);

    const person = new Agent(testApp.app);
    const asked = await person.submit('/password-reset', '/password-reset', { email: 'forgetful@camden.example' });
    expect(asked.body).toContain('If forgetful@camden.example belongs to an account');
    const unknown = await person.submit('/password-reset', '/password-reset', { email: 'nobody@camden.example' });
    expect(unknown.body).toContain('If nobody@camden.example belongs to an account');
    const link = /http:\/\/localhost:3000(\/password-reset\/[A-Za-z0-9_-]+)/.exec(await latestMessageTo('forgetful@camden.example'))?.[1] ?? '';
    const newPassword = 'another long unusual passphrase';
    expect((await person.submit(link, link, { password: newPassword, confirm: newPassword })).statusCode).toBe(200);
    expect((await elsewhere.get('/account')).statusCode).toBe(303);
    const signIn = await person.submit('/sign-in', '/sign-in', { email: 'forgetful@camden.example', password: newPassword });
    expect(signIn.statusCode).toBe(303);
  });

  it('shows another authority’s account as not found, and refuses a national role', async () => {
    expect((await admin.get(`/admin/users/${outsiderId}`)).statusCode).toBe(404);
    const list = await admin.get('/admin/users');
    expect(list.body).not.toContain('analyst@hackney.example');
    const national = await admin.submit('/admin/users/invite', '/admin/users/invite', { email: 'x@camden.example', name: 'X', organisation: camden, role: 'platform-admin' });
    expect(national.statusCode).toBe(400);
    expect(national.body).toContain('Select a role you may grant');
    const elsewhere = await admin.submit('/admin/users/invite', '/admin/users/invite', { email: 'y@camden.example', name: 'Y', organisation: hackney, role: 'analyst' });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.body).toContain('Select an organisation you manage');
  });

  it('deactivates an account, ending its sessions at once, and audits each change', async () => {
    const db = testApp.database.db;
    const userId = await newAccount(db, { email: 'leaver@camden.example', password, role: 'contributor', organisationId: camden });
    const leaver = new Agent(testApp.app);
    await leaver.submit('/sign-in', '/sign-in', { email: 'leaver@camden.example', password });
    expect((await leaver.get('/account')).statusCode).toBe(200);
    const page = `/admin/users/${userId}`;
    expect((await admin.submit(page, `${page}/roles`, { organisation: camden, role: 'leader' })).statusCode).toBe(303);
    expect((await admin.submit(page, `${page}/status`, { status: 'deactivated' })).statusCode).toBe(303);
    expect((await leaver.get('/account')).statusCode).toBe(303);
    const again = await leaver.submit('/sign-in', '/sign-in', { email: 'leaver@camden.example', password });
    expect(again.statusCode).toBe(401);
    const actions = await db.selectFrom('audit_log').select('action').where('target', '=', userId).orderBy('seq').execute();
    expect(actions.map((row) => row.action)).toEqual(['role-granted', 'account-deactivated']);
  });
});
