import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from '../auth/gate.js';
import type { Role } from '../auth/permissions.js';
import { readImprovementPlan } from './store.js';

const camden = 'E09000007';
const westminster = 'E09000033';

describe.each(testEngines)('improvement plan pages on %s', (engine) => {
  let testApp: TestApp;
  const sessions = new Map<string, string>();
  const userIds = new Map<string, string>();
  let partner = '';
  const cookiesOf = (who: string) => ({ [sessionCookieName(false)]: sessions.get(who)! });
  const get = (who: string, url: string) => testApp.app.inject({ method: 'GET', url, cookies: cookiesOf(who) });

  /** Posts a form as `who` would from `formPage`, with the page's CSRF token. */
  async function post(who: string, formPage: string, action: string, fields: [string, string][]): Promise<LightMyRequestResponse> {
    const page = await get(who, formPage);
    const token = /name="_csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
    const csrfCookie = page.cookies.find((cookie) => cookie.name === 'ntg_csrf');
    const cookies = { ...cookiesOf(who), ...(csrfCookie ? { ntg_csrf: csrfCookie.value } : {}) };
    return testApp.app.inject({ method: 'POST', url: action, payload: new URLSearchParams([['_csrf', token], ...fields]).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, cookies });
  }

  let planUrl = '';
  const planId = () => planUrl.split('/')[2]!;

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const other = await newOrganisation(db, { kind: 'local-authority', name: 'Westminster', areaCode: westminster, laCode: westminster });
    partner = await newOrganisation(db, { kind: 'partner', name: 'Camden Health Visiting', laCode: camden });
    const people: [string, Role, string][] = [
      ['leader', 'leader', authority],
      ['admin', 'authority-admin', authority],
      ['westminster', 'leader', other],
    ];
    for (const [who, role, organisationId] of people) {
      const { userId, sessionToken } = await newSignedInUser(db, { email: `${who}@example.org`, role, organisationId });
      sessions.set(who, sessionToken);
      userIds.set(who, userId);
    }
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('starts a plan from the plans page, says what is wrong with bad dates, and opens its suggestions', async () => {
    const list = await get('leader', '/plans');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('href="/improvement-plans/new"');
    const bad = await post('leader', '/improvement-plans/new', '/improvement-plans', [
      ['organisation_id', (await testApp.database.db.selectFrom('organisation').select('id').where('name', '=', 'Camden').executeTakeFirstOrThrow()).id],
      ['title', 'Children and Young People’s Plan'],
      ['period_start-day', '1'], ['period_start-month', '4'], ['period_start-year', '2026'],
      ['period_end-day', '31'], ['period_end-month', '3'], ['period_end-year', '2026'],
    ]);
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('The period must end after it starts');
    expect(bad.body).toContain('href="#period_end-day"');
    expect(bad.body).toContain('value="Children and Young People’s Plan"');

    const started = await post('leader', '/improvement-plans/new', '/improvement-plans', [
      ['organisation_id', (await testApp.database.db.selectFrom('organisation').select('id').where('name', '=', 'Camden').executeTakeFirstOrThrow()).id],
      ['title', 'Children and Young People’s Plan'],
      ['period_start-day', '1'], ['period_start-month', '4'], ['period_start-year', '2026'],
      ['period_end-day', '31'], ['period_end-month', '3'], ['period_end-year', '2029'],
      ['owner_user_id', userIds.get('leader')!],
    ]);
    expect(started.statusCode).toBe(303);
    expect(started.headers.location).toMatch(/^\/improvement-plans\/[0-9a-f-]{36}\/suggestions\?started=1$/);
    planUrl = started.headers.location!.split('/suggestions')[0]!;
    const suggestions = await get('leader', started.headers.location!);
    expect(suggestions.statusCode).toBe(200);
    expect(suggestions.body).toContain('How suggestions are ranked');
    expect(suggestions.body).toContain('There is no evidence to suggest priorities from yet');
  });

  it('adds a written priority and an action, updates the action and shows it slipping', async () => {
    const added = await post('leader', `${planUrl}/priorities/new`, `${planUrl}/priorities`, [
      ['title', 'Every child in care with a trusted adult'],
      ['rationale', 'Children in care told us they had nobody to turn to.'],
      ['threads', 'GT03'],
    ]);
    expect(added.statusCode).toBe(303);
    const plan = (await readImprovementPlan(testApp.database.db, camden, planId()))!;
    const priority = plan.priorities[0]!;
    const noOwner = await post('leader', `${planUrl}/priorities/${priority.id}/actions/new`, `${planUrl}/priorities/${priority.id}/actions`, [
      ['title', 'Train foster carers'], ['owner', ''], ['status', 'not-started'],
      ['start_date-day', '1'], ['start_date-month', '9'], ['start_date-year', '2026'],
      ['due_date-day', '31'], ['due_date-month', '8'], ['due_date-year', '2026'],
    ]);
    expect(noOwner.statusCode).toBe(422);
    expect(noOwner.body).toContain('Choose who owns the action');
    expect(noOwner.body).toContain('The due date must be on or after the start date');

    const action = await post('leader', `${planUrl}/priorities/${priority.id}/actions/new`, `${planUrl}/priorities/${priority.id}/actions`, [
      ['title', 'Train foster carers'], ['owner', `organisation:${partner}`], ['status', 'on-track'],
      ['start_date-day', '1'], ['start_date-month', '9'], ['start_date-year', '2020'],
      ['due_date-day', '31'], ['due_date-month', '3'], ['due_date-year', '2021'],
    ]);
    expect(action.statusCode).toBe(303);
    const actionId = (await readImprovementPlan(testApp.database.db, camden, planId()))!.priorities[0]!.actions[0]!.id;
    const update = await post('leader', `${planUrl}/actions/${actionId}`, `${planUrl}/actions/${actionId}`, [
      ['version', '1'], ['title', 'Train foster carers'], ['owner', `organisation:${partner}`], ['status', 'at-risk'],
      ['start_date-day', '1'], ['start_date-month', '9'], ['start_date-year', '2020'],
      ['due_date-day', '31'], ['due_date-month', '3'], ['due_date-year', '2021'],
      ['note', 'Half the carers trained; the trainer left'],
    ]);
    expect(update.statusCode).toBe(303);
    const stale = await post('leader', `${planUrl}/actions/${actionId}`, `${planUrl}/actions/${actionId}`, [
      ['version', '1'], ['title', 'Train foster carers'], ['owner', `organisation:${partner}`], ['status', 'done'],
      ['start_date-day', '1'], ['start_date-month', '9'], ['start_date-year', '2020'],
      ['due_date-day', '31'], ['due_date-month', '3'], ['due_date-year', '2021'],
      ['note', 'All done'],
    ]);
    expect(stale.statusCode).toBe(409);

    const page = await get('leader', planUrl);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('What is slipping');
    expect(page.body).toContain('Every child in care with a trusted adult');
    expect(page.body).toContain('Camden Health Visiting');
    expect(page.body).toContain('Overdue');
  });

  it('refuses a stale update with the current log shown and the person’s words kept', async () => {
    const plan = (await readImprovementPlan(testApp.database.db, camden, planId()))!;
    const action = plan.priorities[0]!.actions[0]!;
    const form = await get('leader', `${planUrl}/actions/${action.id}`);
    const token = /name="_csrf" value="([^"]*)"/.exec(form.body)?.[1] ?? '';
    const csrfCookie = form.cookies.find((cookie) => cookie.name === 'ntg_csrf');
    const stale = await testApp.app.inject({
      method: 'POST',
      url: `${planUrl}/actions/${action.id}`,
      payload: new URLSearchParams([
        ['_csrf', token], ['version', String(action.version - 1 || 1)], ['title', action.title], ['owner', `organisation:${partner}`], ['status', 'off-track'],
        ['start_date', action.startDate], ['due_date', action.dueDate], ['note', 'My words stay in the form'],
      ]).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      cookies: { ...cookiesOf('leader'), ...(csrfCookie ? { ntg_csrf: csrfCookie.value } : {}) },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Your update has not been saved');
    expect(stale.body).toContain('My words stay in the form');
  });

  it('shows the timeline, the board paper and its Word file; another authority gets not found', async () => {
    const timeline = await get('admin', `${planUrl}/timeline`);
    expect(timeline.statusCode).toBe(200);
    expect(timeline.body).toContain('<svg');
    expect(timeline.body).toContain('Train foster carers');
    const paper = await get('admin', `${planUrl}/board-paper`);
    expect(paper.statusCode).toBe(200);
    expect(paper.body).toContain('report to the board');
    expect(paper.body).toContain('Exceptions');
    const word = await get('admin', `${planUrl}/board-paper.docx`);
    expect(word.statusCode).toBe(200);
    expect(word.headers['content-type']).toContain('wordprocessingml');
    expect(word.rawPayload.subarray(0, 2).toString()).toBe('PK');
    for (const url of [planUrl, `${planUrl}/timeline`, `${planUrl}/board-paper`, `${planUrl}/board-paper.docx`, `${planUrl}/suggestions`, `${planUrl}/history`]) {
      expect((await get('westminster', url)).statusCode, url).toBe(404);
    }
    // Read-only: the authority's administrator reads the plan but its forms are not offered.
    const readOnly = await get('admin', planUrl);
    expect(readOnly.body).not.toContain('Add an action');
    expect((await get('admin', `${planUrl}/edit`)).statusCode).toBe(403);
  });

  it('lists the actions a person owns across plans', async () => {
    const mine = await get('leader', '/my-actions');
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain('No improvement-plan action is yours');
  });

  it('gives every form on the plan page the reader’s own token, one cookie for it, though most of the page is kept', async () => {
    const second = await post('leader', `${planUrl}/priorities/new`, `${planUrl}/priorities`, [['title', 'Attendance for young carers'], ['threads', 'GT05']]);
    expect(second.statusCode).toBe(303);
    const tokensOf = (body: string) => [...body.matchAll(/name="_csrf" value="([^"]*)"/g)].map((match) => match[1]!);
    const pages = [];
    // Two who may change the plan (its forms in the kept priorities) and one who may read it, none yet with a token's cookie.
    for (const who of ['leader', 'admin', 'leader']) {
      const page = await get(who, planUrl);
      expect(page.statusCode).toBe(200);
      const tokens = tokensOf(page.body);
      expect(tokens.length).toBeGreaterThan(who === 'leader' ? 2 : 0);
      expect(new Set(tokens).size).toBe(1);
      expect(page.cookies.filter((cookie) => cookie.name === 'ntg_csrf')).toHaveLength(1);
      pages.push({ who, token: tokens[0]!, cookie: page.cookies.find((cookie) => cookie.name === 'ntg_csrf')!.value });
    }
    // The same kept priorities, each page with its own token.
    expect(new Set(pages.map((page) => page.token)).size).toBe(3);
    const first = (await readImprovementPlan(testApp.database.db, camden, planId()))!.priorities[0]!;
    const { who, token, cookie } = pages[2]!;
    const moved = await testApp.app.inject({
      method: 'POST',
      url: `${planUrl}/priorities/${first.id}/move`,
      payload: new URLSearchParams([['_csrf', token], ['direction', 'down']]).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      cookies: { ...cookiesOf(who), ntg_csrf: cookie },
    });
    expect(moved.statusCode).toBe(303);
    expect((await readImprovementPlan(testApp.database.db, camden, planId()))!.priorities.map((priority) => priority.title)).toEqual(['Attendance for young carers', 'Every child in care with a trusted adult']);
  });
});
