import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, newSignedInUser } from '../../../test/support/accounts.js';
import { createTestApp } from '../../../test/support/app.js';
import type { TestApp } from '../../../test/support/app.js';
import { child, childCsv, testPseudonymKey } from '../../../test/support/child-files.js';
import { testEngines } from '../../../test/support/database.js';
import { createAccessToken } from '../../auth/access-tokens.js';
import { sessionCookieName } from '../../auth/gate.js';
import type { Role } from '../../auth/permissions.js';
import { membershipsOf } from '../../auth/sessions.js';
import { importChildFile } from '../../ingest/child-import.js';
import { readPlan } from './store.js';

const camden = 'E09000007';
const westminster = 'E09000033';

function yearOfChildren(year: number, disadvantagedReaching: number): ReturnType<typeof child>[] {
  const academicYear = `${year}/${String((year + 1) % 100).padStart(2, '0')}`;
  return [
    ...Array.from({ length: 20 }, (_, index) => child(index, { academic_year: academicYear, disadvantaged: 'Y', ks2_rwm_expected: index < disadvantagedReaching ? 'Y' : 'N' })),
    ...Array.from({ length: 40 }, (_, index) => child(100 + index, { academic_year: academicYear, disadvantaged: 'N', ks2_rwm_expected: index < 28 ? 'Y' : 'N' })),
  ];
}

interface PlanJson {
  id: string;
  la: string;
  title: string;
  version: number;
  target_value: number | null;
  target_year: string | null;
  story: string;
  partners: { name: string; role: string }[];
  what_works: { idea: string; cost: string }[];
}

describe.each(testEngines)('the plans API on %s', (engine) => {
  let testApp: TestApp;
  let folder: string;
  const tokens = new Map<string, string>();
  let analystSession = '';
  let westminsterPlanId = '';

  const call = (who: string, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object) =>
    testApp.app.inject({ method, url, headers: { authorization: `Bearer ${tokens.get(who)!}` }, ...(payload === undefined ? {} : { payload }) });

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    folder = mkdtempSync(join(tmpdir(), 'ntg-plans-api-'));
    const path = join(folder, 'camden.csv');
    writeFileSync(path, childCsv([...yearOfChildren(2022, 9), ...yearOfChildren(2023, 10)]));
    await importChildFile({ path, fileName: 'camden.csv', laCode: camden, acceptValid: false, actor: { userId: null, organisationId: null, label: 'test' } }, { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey });
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const other = await newOrganisation(db, { kind: 'local-authority', name: 'Westminster', areaCode: westminster, laCode: westminster });
    const london = await newOrganisation(db, { kind: 'region', name: 'London', areaCode: 'E12000007' });
    const people: [string, Role, string, string[]][] = [
      ['analyst', 'analyst', authority, ['assessments:read', 'plans:write']],
      ['reader', 'analyst', authority, ['assessments:read']],
      ['adviser', 'regional-adviser', london, ['assessments:read', 'plans:write']],
      ['westminster', 'analyst', other, ['assessments:read', 'plans:write']],
    ];
    for (const [who, role, organisationId, scopes] of people) {
      const user = await newSignedInUser(db, { email: `${who}@example.org`, role, organisationId });
      if (who === 'analyst') analystSession = user.sessionToken;
      tokens.set(who, await createAccessToken(db, { userId: user.userId, email: `${who}@example.org`, memberships: await membershipsOf(db, user.userId) }, { name: 'test', days: 30, scopes }, '127.0.0.1'));
    }
    const theirs = await call('westminster', 'POST', '/api/v1/plans', { la: westminster, indicator: 'ks2_rwm_expected', group: 'children-in-care' });
    expect(theirs.statusCode).toBe(201);
    westminsterPlanId = theirs.json<PlanJson>().id;
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  let planId = '';

  it('starts a plan with a token and no CSRF token, and a second start answers the same plan', async () => {
    const started = await call('analyst', 'POST', '/api/v1/plans', { la: camden, indicator: 'ks2_rwm_expected', group: 'poorer-socio-economic-groups' });
    expect(started.statusCode).toBe(201);
    const plan = started.json<PlanJson>();
    planId = plan.id;
    expect(started.headers.location).toBe(`/api/v1/plans/${planId}`);
    expect(plan).toMatchObject({ la: camden, title: 'Children from poorer socio-economic groups: Reached the expected standard in reading, writing and maths at key stage 2', version: 1, target_value: null, partners: [] });
    const again = await call('analyst', 'POST', '/api/v1/plans', { la: camden, indicator: 'ks2_rwm_expected', group: 'poorer-socio-economic-groups' });
    expect(again.statusCode).toBe(200);
    expect(again.json<PlanJson>().id).toBe(planId);
  });

  it('refuses a write from a browser session without a CSRF token, as every other form', async () => {
    const response = await testApp.app.inject({ method: 'PATCH', url: `/api/v1/plans/${planId}`, payload: { version: 1, story: 'forged' }, cookies: { [sessionCookieName(false)]: analystSession } });
    expect(response.statusCode).toBe(403);
    expect((await readPlan(testApp.database.db, camden, planId))!.story).toBe('');
  });

  it('lists and reads plans in reach only: another authority’s plan is 404, never shown', async () => {
    const listed = await call('analyst', 'GET', '/api/v1/plans');
    expect(listed.statusCode).toBe(200);
    expect(listed.json<{ plans: { id: string; la: string }[] }>().plans.map((plan) => plan.id)).toEqual([planId]);
    const adviser = await call('adviser', 'GET', '/api/v1/plans');
    expect(adviser.json<{ plans: { id: string }[] }>().plans.map((plan) => plan.id).sort()).toEqual([planId, westminsterPlanId].sort());

    const theirs = await call('analyst', 'GET', `/api/v1/plans/${westminsterPlanId}`);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.body).not.toContain('Children in care');
    expect((await call('analyst', 'GET', `/api/v1/plans?la=${westminster}`)).statusCode).toBe(404);
    expect((await call('analyst', 'GET', '/api/v1/plans/00000000-0000-0000-0000-000000000000')).statusCode).toBe(404);
    expect((await call('analyst', 'GET', '/api/v1/plans/not-a-uuid')).statusCode).toBe(404);
    const mine = await call('analyst', 'GET', `/api/v1/plans/${planId}`);
    expect(mine.json<PlanJson>()).toMatchObject({ id: planId, version: 1, html: `/plans/${planId}` });
  });

  it('never changes another authority’s plan (404), nor lets a regional adviser write (403, as on the pages); nothing saved', async () => {
    for (const method of ['PATCH', 'PUT'] as const) {
      const response = await call('analyst', method, `/api/v1/plans/${westminsterPlanId}`, { version: 1, title: 'Taken over' });
      expect(response.statusCode).toBe(404);
    }
    expect((await call('analyst', 'POST', '/api/v1/plans', { la: westminster, indicator: 'ks2_rwm_expected', group: 'sen-support' })).statusCode).toBe(404);
    expect((await call('adviser', 'PATCH', `/api/v1/plans/${planId}`, { version: 1, title: 'Adviser edit' })).statusCode).toBe(403);
    expect((await readPlan(testApp.database.db, westminster, westminsterPlanId))!.title).toBe('Children in care: Reached the expected standard in reading, writing and maths at key stage 2');
    expect((await readPlan(testApp.database.db, camden, planId))!.version).toBe(1);
  });

  it('needs the token to carry plans:write', async () => {
    const response = await call('reader', 'PATCH', `/api/v1/plans/${planId}`, { version: 1, story: 'no' });
    expect(response.statusCode).toBe(403);
  });

  it('checks a change as the edit page does, naming each field, and saves nothing when one is wrong', async () => {
    const response = await call('analyst', 'PATCH', `/api/v1/plans/${planId}`, { version: 1, target_value: 140, target_year: '2022/23', partners: [{ name: '', role: 'Schools' }] });
    expect(response.statusCode).toBe(400);
    const body = response.json<{ errors: { field: string; message: string }[]; message: string }>();
    expect(body.errors).toEqual([
      { field: 'target_value', message: 'Target value must be a percentage from 0 to 100' },
      { field: 'target_year', message: 'Target year must be after the latest year with figures' },
      { field: 'partners[0].name', message: 'Partner 1: enter the partner’s name, or clear its role' },
    ]);
    expect(body.message).toContain('target_value: Target value must be a percentage from 0 to 100');
    const unknown = await call('analyst', 'PATCH', `/api/v1/plans/${planId}`, { version: 1, colour: 'red' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ message: string }>().message).toMatch(/^colour: not a field of a plan's text/);
    expect((await readPlan(testApp.database.db, camden, planId))!.version).toBe(1);
  });

  it('PATCH keeps what is not sent; PUT replaces the whole text', async () => {
    const patched = await call('analyst', 'PATCH', `/api/v1/plans/${planId}`, { version: 1, target_value: 60, target_year: '2026/27', what_works: [{ idea: 'Reading mentors', cost: 'low-cost' }] });
    expect(patched.statusCode).toBe(200);
    expect(patched.json<PlanJson>()).toMatchObject({ version: 2, target_value: 60, target_year: '2026/27', what_works: [{ idea: 'Reading mentors', cost: 'low-cost' }], title: expect.stringContaining('poorer socio-economic') as unknown });
    const story = await call('analyst', 'PATCH', `/api/v1/plans/${planId}`, { version: 2, story: 'Attendance fell after 2021.' });
    expect(story.json<PlanJson>()).toMatchObject({ version: 3, target_value: 60, story: 'Attendance fell after 2021.' });
    const put = await call('analyst', 'PUT', `/api/v1/plans/${planId}`, { version: 3, title: 'Reading at 11' });
    expect(put.statusCode).toBe(200);
    expect(put.json<PlanJson>()).toMatchObject({ version: 4, title: 'Reading at 11', target_value: null, target_year: null, story: '', what_works: [] });
    expect((await call('analyst', 'PUT', `/api/v1/plans/${planId}`, { version: 4 })).statusCode).toBe(400);
  });

  it('of two changes made in parallel from the same version, saves one and refuses the other (409)', async () => {
    const version = (await readPlan(testApp.database.db, camden, planId))!.version;
    const [first, second] = await Promise.all([
      call('analyst', 'PATCH', `/api/v1/plans/${planId}`, { version, story: 'First' }),
      call('analyst', 'PATCH', `/api/v1/plans/${planId}`, { version, story: 'Second' }),
    ]);
    const codes = [first.statusCode, second.statusCode].sort();
    expect(codes).toEqual([200, 409]);
    const saved = [first, second].find((response) => response.statusCode === 200)!.json<PlanJson>();
    const refused = [first, second].find((response) => response.statusCode === 409)!.json<{ message: string }>();
    expect(refused.message).toMatch(new RegExp(`since version ${version}: it is now at version ${version + 1}\\. Nothing was saved`));
    const stored = (await readPlan(testApp.database.db, camden, planId))!;
    expect(stored.version).toBe(version + 1);
    expect(stored.story).toBe(saved.story);
  });

  it('is described in the OpenAPI document', async () => {
    const document = (await testApp.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    expect(Object.keys(document.paths['/api/v1/plans'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(document.paths['/api/v1/plans/{id}'] ?? {}).sort()).toEqual(['get', 'patch', 'put']);
    const docs = await testApp.app.inject({ method: 'GET', url: '/api/docs' });
    expect(docs.body).toContain('/api/v1/plans/{id}');
  });
});
