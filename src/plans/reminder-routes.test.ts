import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { Agent } from '../../test/support/agent.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import type { Capability } from '../web/capability.js';
import { registerReminderRoutes } from './reminder-routes.js';
import { readReminderPreference } from './reminders.js';

/** The page joins the plans capability when it is wired in; until then the test adds it (once). */
const reminderPages: Capability = {
  name: 'reminder-pages-under-test',
  registerRoutes(app, { database }) {
    if (!app.hasRoute({ method: 'GET', url: '/account/reminders' })) registerReminderRoutes(app, database.db);
  },
};

describe.each(testEngines)('email reminder settings page on %s', (engine) => {
  let testApp: TestApp;
  let db: Kysely<Schema>;
  let userId: string;
  let sessionToken: string;

  const signedInAgent = () => {
    const agent = new Agent(testApp.app);
    agent.cookies.set(sessionCookieName(false), sessionToken);
    return agent;
  };
  const ticked = (body: string, value: string) => new RegExp(`<input[^>]*value="${value}"[^>]*checked`).test(body);

  beforeAll(async () => {
    testApp = await createTestApp({ engine, extraCapabilities: [reminderPages] });
    db = testApp.database.db;
    const camden = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: 'E09000007', laCode: 'E09000007' });
    ({ userId, sessionToken } = await newSignedInUser(db, { email: 'ann@example.org', role: 'analyst', organisationId: camden }));
  });
  afterAll(async () => testApp.close());

  it('open reminder settings shows both choices ticked until the person says otherwise', async () => {
    const page = await signedInAgent().get('/account/reminders');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1 class="govuk-heading-l">Email reminders</h1>');
    expect(page.body).toContain('Email me before my actions are due');
    expect(page.body).toContain('Email me a weekly digest of the plans I own');
    expect(page.body).toContain('ann@example.org');
    expect(ticked(page.body, 'due-dates')).toBe(true);
    expect(ticked(page.body, 'weekly-digest')).toBe(true);
    expect(page.body).not.toContain('govuk-notification-banner--success');
  });

  it('save reminder settings keeps the choice and shows it with a success banner', async () => {
    const agent = signedInAgent();
    const saved = await agent.submit('/account/reminders', '/account/reminders', { reminders: 'weekly-digest' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/account/reminders?saved=1');
    expect(await readReminderPreference(db, userId)).toEqual({ dueReminders: false, weeklyDigest: true });

    const page = await agent.get('/account/reminders?saved=1');
    expect(page.body).toContain('govuk-notification-banner--success');
    expect(page.body).toContain('Your email reminder settings are saved.');
    expect(ticked(page.body, 'due-dates')).toBe(false);
    expect(ticked(page.body, 'weekly-digest')).toBe(true);
  });

  it('save reminder settings with nothing ticked turns both off', async () => {
    const saved = await signedInAgent().submit('/account/reminders', '/account/reminders', {});
    expect(saved.statusCode).toBe(303);
    expect(await readReminderPreference(db, userId)).toEqual({ dueReminders: false, weeklyDigest: false });
  });

  it('save reminder settings without the form’s CSRF token is refused and changes nothing', async () => {
    const before = await readReminderPreference(db, userId);
    const refused = await signedInAgent().submit('/account/reminders', '/account/reminders', { reminders: 'due-dates' }, { csrf: false });
    expect(refused.statusCode).toBe(403);
    expect(await readReminderPreference(db, userId)).toEqual(before);
  });

  it('open reminder settings signed out is sent to sign in, and a post is refused', async () => {
    const page = await testApp.app.inject({ method: 'GET', url: '/account/reminders' });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/sign-in?next=%2Faccount%2Freminders');

    const anonymous = new Agent(testApp.app);
    const before = await readReminderPreference(db, userId);
    const posted = await anonymous.submit('/sign-in', '/account/reminders', { reminders: 'due-dates' });
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toBe('/sign-in?next=%2Faccount%2Freminders');
    expect(await readReminderPreference(db, userId)).toEqual(before);
  });
});
