import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, newSignedInUser, signedInPeople } from '../../../test/support/accounts.js';
import { createTestApp } from '../../../test/support/app.js';
import type { TestApp } from '../../../test/support/app.js';
import { child, childCsv, testPseudonymKey } from '../../../test/support/child-files.js';
import { testEngines } from '../../../test/support/database.js';
import { skipBrowserTests } from '../../../test/support/browser.js';
import { sessionCookieName } from '../../auth/gate.js';
import type { Role } from '../../auth/permissions.js';
import { importChildFile } from '../../ingest/child-import.js';
import { readPlan } from './store.js';

const camden = 'E09000007';
const westminster = 'E09000033';

/** Disadvantaged children reach the standard less often, and the gap closes a little each year. */
function yearOfChildren(year: number, disadvantagedReaching: number): ReturnType<typeof child>[] {
  const academicYear = `${year}/${String((year + 1) % 100).padStart(2, '0')}`;
  return [
    ...Array.from({ length: 20 }, (_, index) => child(index, { academic_year: academicYear, disadvantaged: 'Y', ks2_rwm_expected: index < disadvantagedReaching ? 'Y' : 'N' })),
    ...Array.from({ length: 40 }, (_, index) => child(100 + index, { academic_year: academicYear, disadvantaged: 'N', ks2_rwm_expected: index < 28 ? 'Y' : 'N' })),
  ];
}

describe.each(testEngines)('turn-the-curve plans on %s', (engine) => {
  let testApp: TestApp;
  let folder: string;
  const sessions = new Map<string, string>();
  const cookiesOf = (who: string) => ({ [sessionCookieName(false)]: sessions.get(who)! });
  const get = (who: string, url: string) => testApp.app.inject({ method: 'GET', url, cookies: cookiesOf(who) });

  /** Posts a form as `who` would from `formPage`, fields in order (names may repeat), with the page's CSRF token. */
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
    folder = mkdtempSync(join(tmpdir(), 'ntg-plans-'));
    const rows = [...yearOfChildren(2021, 6), ...yearOfChildren(2022, 9), ...yearOfChildren(2023, 10)];
    const path = join(folder, 'camden.csv');
    writeFileSync(path, childCsv(rows));
    await importChildFile({ path, fileName: 'camden.csv', laCode: camden, acceptValid: false, actor: { userId: null, organisationId: null, label: 'test' } }, { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey });
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const other = await newOrganisation(db, { kind: 'local-authority', name: 'Westminster', areaCode: westminster, laCode: westminster });
    const london = await newOrganisation(db, { kind: 'region', name: 'London', areaCode: 'E12000007' });
    const people: [string, Role, string][] = [
      ['analyst', 'analyst', authority],
      ['leader', 'leader', authority],
      ['adviser', 'regional-adviser', london],
      ['westminster', 'analyst', other],
      ['contributor', 'contributor', authority],
    ];
    for (const [who, token] of await signedInPeople(db, people)) sessions.set(who, token);
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('starts a plan from a gap in one click, and a second click opens the same plan', async () => {
    const fields: [string, string][] = [['la', camden], ['indicator', 'ks2_rwm_expected'], ['group', 'poorer-socio-economic-groups']];
    const started = await post('analyst', '/plans', '/plans', fields);
    expect(started.statusCode).toBe(303);
    planUrl = started.headers.location!.split('?')[0]!;
    expect(planUrl).toMatch(/^\/plans\/[0-9a-f-]{36}$/);
    const again = await post('leader', '/plans', '/plans', fields);
    expect(again.headers.location).toBe(planUrl);

    const page = await get('analyst', planUrl);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Children from poorer socio-economic groups: Reached the expected standard in reading, writing and maths at key stage 2');
    // The baseline's observed years: 6, 9 and 10 of 20 disadvantaged children reached the standard.
    expect(page.body).toMatch(/2021\/22<\/th>\s*<td[^>]*>Observed<\/td>\s*<td[^>]*>20<\/td>\s*<td[^>]*>30<\/td>/);
    expect(page.body).toMatch(/2023\/24<\/th>\s*<td[^>]*>Observed<\/td>\s*<td[^>]*>20<\/td>\s*<td[^>]*>50<\/td>/);
    expect(page.body).toContain('If nothing changes, the straight-line forecast for 2026/27');
    expect(page.body).toContain('<svg role="img"');
  });

  it('saves the plan’s text, partners and what works, and says what is wrong with a bad target', async () => {
    const saved = await post('analyst', `${planUrl}/edit`, planUrl, [
      ['version', '1'],
      ['title', 'Disadvantaged pupils reaching the expected standard'],
      ['target_value', '60'],
      ['target_year', '2026/27'],
      ['story', 'Attendance of disadvantaged pupils fell after 2020.\nFewer reach the standard in reading.'],
      ['partner_name', 'Virtual school'],
      ['partner_role', 'Tracks progress termly'],
      ['partner_name', 'School nursing'],
      ['partner_role', ''],
      ['partner_name', ''],
      ['partner_role', ''],
      ['idea', 'Reading buddies from year 9'],
      ['idea_cost', 'no-cost'],
      ['idea', ''],
      ['idea_cost', 'no-cost'],
    ]);
    expect(saved.statusCode).toBe(303);
    const plan = (await readPlan(testApp.database.db, camden, planId()))!;
    expect(plan).toMatchObject({
      title: 'Disadvantaged pupils reaching the expected standard',
      targetValue: 60,
      targetYear: 2026,
      partners: [{ name: 'Virtual school', role: 'Tracks progress termly' }, { name: 'School nursing', role: '' }],
      whatWorks: [{ idea: 'Reading buddies from year 9', cost: 'no-cost' }],
      version: 2,
    });
    const page = await get('leader', planUrl);
    expect(page.body).toContain('60.0% by 2026/27');
    expect(page.body).toContain('Fewer reach the standard in reading.');

    const bad = await post('analyst', `${planUrl}/edit`, planUrl, [['version', '2'], ['title', 'x'], ['target_value', '140'], ['target_year', '2026']]);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Target value must be a percentage from 0 to 100');
    expect(bad.body).toContain('Target year must be an academic year like 2027/28');
    expect((await readPlan(testApp.database.db, camden, planId()))!.version).toBe(2);
  });

  it('loses no update when two people edit at once: the later save is refused and keeps its text', async () => {
    const first = await post('analyst', `${planUrl}/edit`, planUrl, [['version', '2'], ['title', 'Analyst’s title'], ['story', 'The analyst’s story.']]);
    expect(first.statusCode).toBe(303);
    const second = await post('leader', `${planUrl}/edit`, planUrl, [['version', '2'], ['title', 'Leader’s title'], ['story', 'The leader’s story.']]);
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('Your changes have not been saved');
    expect(second.body).toContain('analyst saved this plan');
    expect(second.body).toContain('The leader’s story.');
    expect(second.body).toContain('The analyst’s story.');
    expect(second.body).toContain('name="version" value="3"');
    expect((await readPlan(testApp.database.db, camden, planId()))!.title).toBe('Analyst’s title');
  });

  it('keeps an action plan with owners, due dates, status and a log of updates', async () => {
    const added = await post('leader', `${planUrl}/actions/new`, `${planUrl}/actions`, [
      ['description', 'Train teaching assistants in phonics catch-up'],
      ['owner', 'School improvement team'],
      ['due-day', '31'],
      ['due-month', '3'],
      ['due-year', '2027'],
      ['status', 'not-started'],
    ]);
    expect(added.statusCode).toBe(303);
    const badDate = await post('leader', `${planUrl}/actions/new`, `${planUrl}/actions`, [['description', 'Something'], ['due-day', '31'], ['due-month', '2'], ['due-year', '2027']]);
    expect(badDate.statusCode).toBe(400);
    expect(badDate.body).toContain('Due date must be a real date');

    const action = (await readPlan(testApp.database.db, camden, planId()))!.actions[0]!;
    expect(action).toMatchObject({ description: 'Train teaching assistants in phonics catch-up', dueDate: '2027-03-31', status: 'not-started', version: 1 });
    const actionUrl = `${planUrl}/actions/${action.id}`;
    const common: [string, string][] = [['description', action.description], ['owner', action.owner], ['due-day', '31'], ['due-month', '3'], ['due-year', '2027']];
    expect((await post('analyst', actionUrl, actionUrl, [['version', '1'], ...common, ['status', 'in-progress'], ['note', 'First cohort booked']])).statusCode).toBe(303);
    const stale = await post('leader', actionUrl, actionUrl, [['version', '1'], ...common, ['status', 'stopped'], ['note', 'No budget']]);
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Your update has not been saved');
    const stored = (await readPlan(testApp.database.db, camden, planId()))!.actions[0]!;
    expect(stored.status).toBe('in-progress');
    expect(stored.updates.map((update) => [update.status, update.note, update.writtenBy])).toEqual([
      ['not-started', 'Action added', 'leader'],
      ['in-progress', 'First cohort booked', 'analyst'],
    ]);
  });

  it('records performance measures in the four quadrants with values over time', async () => {
    expect((await post('analyst', `${planUrl}/measures/new`, `${planUrl}/measures`, [['quadrant', 'better-off-percentage'], ['name', 'Pupils in catch-up reaching the standard']])).statusCode).toBe(303);
    expect((await post('analyst', `${planUrl}/measures/new`, `${planUrl}/measures`, [['quadrant', 'sideways'], ['name', '']])).statusCode).toBe(400);
    const measure = (await readPlan(testApp.database.db, camden, planId()))!.measures[0]!;
    const valueUrl = `${planUrl}/measures/${measure.id}/values`;
    expect((await post('analyst', planUrl, valueUrl, [['period', '2025/26'], ['value', '42']])).statusCode).toBe(303);
    expect((await post('analyst', planUrl, valueUrl, [['period', '2026/27'], ['value', '55.5']])).statusCode).toBe(303);
    const tooMuch = await post('analyst', planUrl, valueUrl, [['period', '2027/28'], ['value', '120']]);
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.body).toContain('A percentage must be from 0 to 100');
    expect((await readPlan(testApp.database.db, camden, planId()))!.measures[0]!.values).toEqual([{ period: '2025/26', value: 42 }, { period: '2026/27', value: 55.5 }]);
    const page = await get('leader', planUrl);
    expect(page.body).toContain('Is anyone better off? (percentage)');
    expect(page.body).toContain('55.5%');
  });

  it('keeps a history of every change, newest first', async () => {
    const page = await get('adviser', `${planUrl}/history`);
    expect(page.statusCode).toBe(200);
    const changes = [...page.body.matchAll(/<td class="govuk-table__cell">((?:Plan|Action|Performance|Measure)[^<]*)<\/td>/g)].map((match) => match[1]);
    expect(changes).toEqual([
      'Measure value recorded for 2026/27',
      'Measure value recorded for 2025/26',
      'Performance measure added: Pupils in catch-up reaching the standard',
      'Action updated: Train teaching assistants in phonics catch-up',
      'Action added: Train teaching assistants in phonics catch-up',
      'Plan text edited',
      'Plan text edited',
      'Plan started',
    ]);
  });

  it('lets the region read but not write, and hides the plan from other authorities', async () => {
    expect((await get('adviser', planUrl)).statusCode).toBe(200);
    expect((await get('adviser', planUrl)).body).not.toContain('Edit the plan');
    expect((await get('adviser', `${planUrl}/edit`)).statusCode).toBe(403);
    expect((await get('westminster', planUrl)).statusCode).toBe(404);
    expect((await get('westminster', `${planUrl}/edit`)).statusCode).toBe(404);
    expect((await post('westminster', '/plans', planUrl, [['version', '3'], ['title', 'Taken over']])).statusCode).toBe(404);
    expect((await get('contributor', planUrl)).statusCode).toBe(403);
    const list = await get('westminster', '/plans');
    expect(list.body).not.toContain(planId());
    expect((await get('analyst', '/plans')).body).toContain(planId());
    expect((await get('adviser', '/plans')).body).toContain(planId());
  });

  it('prints as a clean HTML board report', async () => {
    const report = await get('leader', `${planUrl}/print`);
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain('<link rel="stylesheet" href="/assets/report.css">');
    for (const heading of ['1. Baseline', '2. The story behind the baseline', '3. Partners with a role to play', '4. What works', '5. Action plan', '6. Performance measures']) {
      expect(report.body).toContain(`<h2>${heading}</h2>`);
    }
    expect(report.body).not.toContain('govuk-service-navigation');
  });

  // Printing does not touch the database: the PDF test exists once, on the first engine, rather than skipped on the others.
  if (engine === testEngines[0])
    it.skipIf(skipBrowserTests)('prints the board report as a PDF with Chromium', async () => {
    const pdf = await get('leader', `${planUrl}/report.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.rawPayload.length).toBeGreaterThan(10_000);
    // Tagged (accessible), with the report's sections as the outline (bookmarks).
    const text = pdf.rawPayload.toString('latin1');
    expect(text).toContain('/StructTreeRoot');
    expect(text).toMatch(/\/MarkInfo <<\/Type \/MarkInfo\s*\/Marked true/);
    expect(text).toContain('/Lang (en-GB)');
    const outline = [...text.matchAll(/\/Title \(([^)]*)\)/g)].map((match) => match[1]);
    expect(outline).toEqual(expect.arrayContaining(['1. Baseline', '2. The story behind the baseline', '5. Action plan', '6. Performance measures']));
  }, 60_000);
});

describe('a PDF without Chromium', () => {
  it('says so and points to the print version', async () => {
    const testApp = await createTestApp({ environment: { NTG_CHROMIUM_PATH: '/nowhere/chromium' } });
    try {
      const db = testApp.database.db;
      const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
      const { sessionToken } = await newSignedInUser(db, { email: 'a@example.org', role: 'analyst', organisationId: authority });
      const plan = await db
        .insertInto('curve_plan')
        .values({ la_code: camden, indicator: 'ks2_rwm_expected', group_spec: 'young-carers', comparator: 'all-other', title: 'Young carers', target_value: null, target_year: null, partners: '[]', what_works: '[]', created_by: null, created_by_label: 'test', updated_by_label: 'test' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const response = await testApp.app.inject({ method: 'GET', url: `/plans/${plan.id}/report.pdf`, cookies: { [sessionCookieName(false)]: sessionToken } });
      expect(response.statusCode).toBe(503);
      expect(response.body).toContain('Chromium is not installed at /nowhere/chromium');
      expect(response.body).toContain('print version');
    } finally {
      await testApp.close();
    }
  });
});
