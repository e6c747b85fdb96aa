import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { testEngines } from '../../test/support/database.js';
import { AssessmentService } from '../assessment/service.js';
import { createAccessToken } from '../auth/access-tokens.js';
import type { Viewer } from '../auth/gate.js';
import type { Role } from '../auth/permissions.js';
import { findSessionUser, membershipsOf } from '../auth/sessions.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { importChildFile } from '../ingest/child-import.js';
import type { Capability } from '../web/capability.js';
import { registerImprovementPlansApi } from './api.js';
import { ImprovementPlanService, isRefusal } from './service.js';
import { readImprovementPlan } from './store.js';

const camden = 'E09000007';
const westminster = 'E09000033';
const listUrl = '/api/v1/improvement-plans';

/** The API joins the plans capability when it is wired in; until then the test adds it (once). */
const improvementPlansApi: Capability = {
  name: 'improvement-plans-api-under-test',
  registerRoutes(app, { database, config }) {
    if (app.hasRoute({ method: 'GET', url: listUrl })) return;
    const catalogue = loadCatalogue();
    registerImprovementPlansApi(app, new ImprovementPlanService(database.db, new AssessmentService(database.db, catalogue, { evidenceLimitBytes: config.evidenceLimitBytes }), catalogue));
  },
};

/** Disadvantaged children reach the standard less often; `reaching` of 20 do in the year. */
function yearOfChildren(year: number, reaching: number): ReturnType<typeof child>[] {
  const academicYear = `${year}/${String((year + 1) % 100).padStart(2, '0')}`;
  return [
    ...Array.from({ length: 20 }, (_, index) => child(year * 1000 + index, { academic_year: academicYear, disadvantaged: 'Y', ks2_rwm_expected: index < reaching ? 'Y' : 'N' })),
    ...Array.from({ length: 40 }, (_, index) => child(year * 1000 + 100 + index, { academic_year: academicYear, disadvantaged: 'N', ks2_rwm_expected: index < 28 ? 'Y' : 'N' })),
  ];
}

interface ActionJson {
  id: string;
  priority_id: string;
  title: string;
  owner: { kind: string; id: string; name: string };
  start_date: string;
  due_date: string;
  status: string;
  overdue: boolean;
  version: number;
  updates: { written_by: string; written_at: string; status: string; note: string }[];
}

interface PriorityJson {
  id: string;
  title: string;
  version: number;
  links: { kind: string; target: string }[];
  measures: { id: string; indicator: string; group: string; baseline: { year: string; value: number }; target: { year: string; value: number }; latest: { year: string; value: number } | null; direction: string }[];
  actions: ActionJson[];
  progress: { actions_done: number; actions: number; overdue: number; measures_toward: number; measures: number };
}

interface PlanJson {
  id: string;
  organisation: { id: string; name: string };
  la_code: string;
  period: { start: string; end: string };
  title: string;
  vision: string;
  owner: { id: string; name: string } | null;
  version: number;
  revision: number;
  priorities: PriorityJson[];
  actions: number;
  overdue: number;
}

interface ErrorJson {
  statusCode: number;
  message: string;
  errors?: { field: string; message: string }[];
  current_version?: number;
  current?: ActionJson;
}

describe.each(testEngines)('the improvement plans API on %s', (engine) => {
  let testApp: TestApp;
  let folder: string;
  const tokens = new Map<string, string>();
  const userIds = new Map<string, string>();
  let analystViewer: Viewer;
  let authority = '';
  let planId = '';
  let priorityId = '';
  let actionId = '';
  let westminsterPlanId = '';

  const call = (who: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    testApp.app.inject({ method, url, headers: { authorization: `Bearer ${tokens.get(who)!}` }, ...(payload === undefined ? {} : { payload }) });

  async function count(table: 'improvement_plan' | 'improvement_priority' | 'improvement_action' | 'improvement_action_update'): Promise<number> {
    const row = await testApp.database.db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function storedAction() {
    const plan = (await readImprovementPlan(testApp.database.db, camden, planId))!;
    return plan.priorities.flatMap((priority) => priority.actions).find((action) => action.id === actionId)!;
  }

  beforeAll(async () => {
    testApp = await createTestApp({ engine, extraCapabilities: [improvementPlansApi] });
    const db = testApp.database.db;
    folder = mkdtempSync(join(tmpdir(), 'ntg-improvement-api-'));
    const path = join(folder, 'camden.csv');
    writeFileSync(path, childCsv([...yearOfChildren(2021, 6), ...yearOfChildren(2022, 8)]));
    await importChildFile({ path, fileName: 'camden.csv', laCode: camden, acceptValid: false, actor: { userId: null, organisationId: null, label: 'test' } }, { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey });
    authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
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
      userIds.set(who, user.userId);
      if (who === 'analyst') analystViewer = { signedIn: true, ...(await findSessionUser(db, user.sessionToken))! };
      tokens.set(who, await createAccessToken(db, { userId: user.userId, email: `${who}@example.org`, memberships: await membershipsOf(db, user.userId) }, { name: 'test', days: 30, scopes }, '127.0.0.1'));
    }
    const theirs = await call('westminster', 'POST', listUrl, { organisation_id: other, title: 'Westminster’s secret plan', period_start: '2026-04-01', period_end: '2029-03-31' });
    expect(theirs.statusCode).toBe(201);
    westminsterPlanId = theirs.json<PlanJson>().id;
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('refuses a plan whose period ends before it starts with 422 naming the field, and stores nothing', async () => {
    const before = await count('improvement_plan');
    const backwards = await call('analyst', 'POST', listUrl, { organisation_id: authority, title: 'Backwards', period_start: '2027-04-01', period_end: '2027-03-31' });
    expect(backwards.statusCode).toBe(422);
    const body = backwards.json<ErrorJson>();
    expect(body.errors).toEqual([{ field: 'period_end', message: 'The period must end after it starts' }]);
    expect(body.message).toContain('period_end: The period must end after it starts');

    const empty = await call('analyst', 'POST', listUrl, {});
    expect(empty.statusCode).toBe(422);
    expect(empty.json<ErrorJson>().errors?.map((error) => error.field)).toEqual(['organisation_id', 'title', 'period_start', 'period_end']);
    const unknown = await call('analyst', 'POST', listUrl, { organisation_id: authority, title: 'Plan', period_start: '2026-04-01', period_end: '2029-03-31', colour: 'red' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json<ErrorJson>().errors).toEqual([{ field: 'colour', message: expect.stringMatching(/^colour is not a field here/) as unknown }]);
    expect(await count('improvement_plan')).toBe(before);
  });

  it('starts a plan, adds a priority and an action with a token and no CSRF token', async () => {
    const started = await call('analyst', 'POST', listUrl, { organisation_id: authority, title: 'Children and Young People’s Plan', vision: 'Every child thrives', period_start: '2026-04-01', period_end: '2029-03-31', owner_user_id: userIds.get('analyst') });
    expect(started.statusCode).toBe(201);
    const plan = started.json<PlanJson>();
    planId = plan.id;
    expect(started.headers.location).toBe(`${listUrl}/${planId}`);
    expect(plan).toMatchObject({ la_code: camden, organisation: { id: authority, name: 'Camden' }, period: { start: '2026-04-01', end: '2029-03-31' }, version: 1, priorities: [], owner: { id: userIds.get('analyst') } });

    const badLink = await call('analyst', 'POST', `${listUrl}/${planId}/priorities`, { title: 'Attainment', links: [{ kind: 'thread', target: 'GT11' }] });
    expect(badLink.statusCode).toBe(422);
    expect(badLink.json<ErrorJson>().errors?.[0]?.message).toContain('GT11');
    const priority = await call('analyst', 'POST', `${listUrl}/${planId}/priorities`, { title: 'Attainment of disadvantaged pupils', rationale: 'The gap is wide', links: [{ kind: 'thread', target: 'GT09' }] });
    expect(priority.statusCode).toBe(201);
    priorityId = priority.json<PriorityJson>().id;
    expect(priority.json<PriorityJson>()).toMatchObject({ title: 'Attainment of disadvantaged pupils', links: [{ kind: 'thread', target: 'GT09' }], actions: [], measures: [] });

    const noOwner = await call('analyst', 'POST', `${listUrl}/${planId}/priorities/${priorityId}/actions`, { title: 'Reading mentors', start_date: '2025-01-01', due_date: '2025-01-31' });
    expect(noOwner.statusCode).toBe(422);
    expect(noOwner.json<ErrorJson>().errors).toEqual([{ field: 'owner', message: 'Choose who owns the action' }]);
    const action = await call('analyst', 'POST', `${listUrl}/${planId}/priorities/${priorityId}/actions`, { title: 'Reading mentors', owner_user_id: userIds.get('analyst'), start_date: '2025-01-01', due_date: '2025-01-31' });
    expect(action.statusCode).toBe(201);
    const added = action.json<ActionJson>();
    actionId = added.id;
    expect(added).toMatchObject({ priority_id: priorityId, status: 'not-started', overdue: true, version: 1, owner: { kind: 'member', id: userIds.get('analyst'), name: 'analyst' }, start_date: '2025-01-01', due_date: '2025-01-31' });
    expect(added.updates).toHaveLength(1);
    expect((await call('analyst', 'POST', `${listUrl}/${planId}/priorities/00000000-0000-0000-0000-000000000000/actions`, { title: 'Nowhere', owner_user_id: userIds.get('analyst'), start_date: '2025-01-01', due_date: '2025-01-31' })).statusCode).toBe(404);

    // Success measures are added on the plan's page; one here shows how the API reads them.
    const catalogue = loadCatalogue();
    const service = new ImprovementPlanService(testApp.database.db, new AssessmentService(testApp.database.db, catalogue, { evidenceLimitBytes: 1_000_000 }), catalogue);
    const measured = await service.addMeasure(analystViewer, planId, priorityId, { gap: 'ks2_rwm_expected|poorer-socio-economic-groups', target_value: '-10', target_year: '2028/29' });
    if (isRefusal(measured)) throw new Error(JSON.stringify(measured));
  });

  it('lists only the plans in the caller’s reach', async () => {
    const listed = await call('analyst', 'GET', listUrl);
    expect(listed.statusCode).toBe(200);
    const plans = listed.json<{ plans: Record<string, unknown>[] }>().plans;
    expect(plans.map((plan) => plan.id)).toEqual([planId]);
    expect(plans[0]).toMatchObject({ organisation: { id: authority, name: 'Camden' }, la_code: camden, period: { start: '2026-04-01', end: '2029-03-31' }, title: 'Children and Young People’s Plan', priorities: 1, actions: 1, overdue: 1 });
    expect(plans[0]!.updated_at).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(listed.body).not.toContain('Westminster’s secret plan');
    const theirs = await call('westminster', 'GET', listUrl);
    expect(theirs.json<{ plans: { id: string }[] }>().plans.map((plan) => plan.id)).toEqual([westminsterPlanId]);
    const adviser = await call('adviser', 'GET', listUrl);
    expect(adviser.json<{ plans: { id: string }[] }>().plans.map((plan) => plan.id).sort()).toEqual([planId, westminsterPlanId].sort());
  });

  it('reads the whole plan, its priorities, its actions and an action’s updates', async () => {
    const response = await call('analyst', 'GET', `${listUrl}/${planId}`);
    expect(response.statusCode).toBe(200);
    const plan = response.json<PlanJson>();
    expect(plan).toMatchObject({ id: planId, vision: 'Every child thrives', version: 1, actions: 1, overdue: 1, owner: { id: userIds.get('analyst'), name: 'analyst' } });
    expect(plan.revision).toBeGreaterThan(1);
    const [priority] = plan.priorities;
    expect(priority).toMatchObject({ id: priorityId, position: expect.any(Number) as unknown, source: 'written', suggestion_key: null, rationale: 'The gap is wide', progress: { actions_done: 0, actions: 1, overdue: 1, measures: 1 } });
    expect(priority!.measures).toEqual([
      expect.objectContaining({ indicator: 'ks2_rwm_expected', group: 'poorer-socio-economic-groups', comparator: 'all-other', figure: 'gap', target: { year: '2028/29', value: -10 } }),
    ]);
    // The baseline is stored as released to readers without child-level access (whoever set it), and
    // the token does not carry child-records:read: it reads the same released figure as the latest.
    const [measure] = priority!.measures;
    expect(measure!.latest).toEqual({ year: '2022/23', value: measure!.baseline.value });
    expect(measure!.direction).toBe('unchanged');
    expect(priority!.actions.map((action) => action.id)).toEqual([actionId]);

    const priorities = await call('analyst', 'GET', `${listUrl}/${planId}/priorities`);
    expect(priorities.json<{ priorities: PriorityJson[] }>().priorities).toEqual(plan.priorities);
    const actions = await call('analyst', 'GET', `${listUrl}/${planId}/actions`);
    expect(actions.json<{ actions: ActionJson[] }>().actions).toEqual(priority!.actions);
    const updates = await call('analyst', 'GET', `${listUrl}/${planId}/actions/${actionId}/updates`);
    expect(updates.statusCode).toBe(200);
    expect(updates.json<{ updates: unknown[] }>().updates).toEqual([{ written_by: 'analyst', written_at: expect.any(String) as unknown, status: 'not-started', note: 'Action added' }]);
    expect((await call('analyst', 'GET', `${listUrl}/${planId}/actions/not-an-action/updates`)).statusCode).toBe(404);
  });

  it('answers 404, never 403, for another authority’s plan and for an id that is no plan', async () => {
    for (const url of [`${listUrl}/${westminsterPlanId}`, `${listUrl}/${westminsterPlanId}/priorities`, `${listUrl}/${westminsterPlanId}/actions`, `${listUrl}/not-a-uuid`, `${listUrl}/00000000-0000-0000-0000-000000000000`]) {
      const response = await call('analyst', 'GET', url);
      expect(response.statusCode, url).toBe(404);
      expect(response.body).not.toContain('Westminster’s secret plan');
      expect(response.json<ErrorJson>()).toMatchObject({ statusCode: 404, error: 'Not Found' });
    }
    const write = await call('westminster', 'POST', `${listUrl}/${planId}/priorities`, { title: 'Taken over' });
    expect(write.statusCode).toBe(404);
    expect((await call('westminster', 'POST', `${listUrl}/${planId}/actions/${actionId}/updates`, { version: 1, status: 'done', note: 'No' })).statusCode).toBe(404);
  });

  it('refuses writes from a read-only adviser or a read-only token (403), and changes nothing', async () => {
    const priorities = await count('improvement_priority');
    for (const who of ['adviser', 'reader']) {
      expect((await call(who, 'POST', `${listUrl}/${planId}/priorities`, { title: 'Read only' })).statusCode).toBe(403);
      expect((await call(who, 'POST', `${listUrl}/${planId}/actions/${actionId}/updates`, { version: 1, status: 'done', note: 'Read only' })).statusCode).toBe(403);
      expect((await call(who, 'POST', listUrl, { organisation_id: authority, title: 'Read only', period_start: '2030-04-01', period_end: '2031-03-31' })).statusCode).toBe(403);
    }
    expect(await count('improvement_priority')).toBe(priorities);
    expect((await storedAction()).version).toBe(1);
  });

  it('posts an update with just version, status and note, keeping the rest of the action', async () => {
    const missingNote = await call('analyst', 'POST', `${listUrl}/${planId}/actions/${actionId}/updates`, { version: 1, status: 'on-track' });
    expect(missingNote.statusCode).toBe(422);
    expect(missingNote.json<ErrorJson>().errors).toEqual([{ field: 'note', message: 'Say what has happened since the last update' }]);
    const noVersion = await call('analyst', 'POST', `${listUrl}/${planId}/actions/${actionId}/updates`, { status: 'on-track', note: 'Started' });
    expect(noVersion.statusCode).toBe(422);
    expect(noVersion.json<ErrorJson>().errors?.[0]?.field).toBe('version');

    const response = await call('analyst', 'POST', `${listUrl}/${planId}/actions/${actionId}/updates`, { version: 1, status: 'on-track', note: 'Ten mentors recruited' });
    expect(response.statusCode).toBe(201);
    const action = response.json<ActionJson>();
    expect(action).toMatchObject({ id: actionId, version: 2, status: 'on-track', title: 'Reading mentors', start_date: '2025-01-01', due_date: '2025-01-31', owner: { kind: 'member', id: userIds.get('analyst') } });
    expect(action.updates.at(-1)).toMatchObject({ written_by: 'analyst', status: 'on-track', note: 'Ten mentors recruited' });

    const moved = await call('analyst', 'POST', `${listUrl}/${planId}/actions/${actionId}/updates`, { version: 2, status: 'on-track', note: 'Moved to the summer', due_date: '2099-07-31' });
    expect(moved.json<ActionJson>()).toMatchObject({ version: 3, due_date: '2099-07-31', overdue: false, title: 'Reading mentors' });
  });

  it('refuses an update from a stale version with 409 and the current version, and changes nothing', async () => {
    const before = await storedAction();
    const updates = await count('improvement_action_update');
    const stale = await call('analyst', 'POST', `${listUrl}/${planId}/actions/${actionId}/updates`, { version: before.version - 1, status: 'done', note: 'Finished' });
    expect(stale.statusCode).toBe(409);
    const body = stale.json<ErrorJson>();
    expect(body.current_version).toBe(before.version);
    expect(body.current).toMatchObject({ id: actionId, version: before.version, status: 'on-track' });
    expect(body.message).toContain('nothing was saved');
    expect(await storedAction()).toEqual(before);
    expect(await count('improvement_action_update')).toBe(updates);
  });

  it('of two updates posted in parallel from the same version, saves one and refuses the other (409)', async () => {
    const { version } = await storedAction();
    const updates = await count('improvement_action_update');
    const [first, second] = await Promise.all([
      call('analyst', 'POST', `${listUrl}/${planId}/actions/${actionId}/updates`, { version, status: 'at-risk', note: 'First' }),
      call('analyst', 'POST', `${listUrl}/${planId}/actions/${actionId}/updates`, { version, status: 'done', note: 'Second' }),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([201, 409]);
    const saved = [first, second].find((response) => response.statusCode === 201)!.json<ActionJson>();
    const stored = await storedAction();
    expect(stored.version).toBe(version + 1);
    expect(stored.status).toBe(saved.status);
    expect(await count('improvement_action_update')).toBe(updates + 1);
  });

  it('is described in the OpenAPI document under a declared tag', async () => {
    const document = (await testApp.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{ tags: { name: string }[]; paths: Record<string, Record<string, { tags?: string[] }>> }>();
    const methods = (path: string) => Object.keys(document.paths[path] ?? {}).sort();
    expect(methods(listUrl)).toEqual(['get', 'post']);
    expect(methods(`${listUrl}/{id}`)).toEqual(['get']);
    expect(methods(`${listUrl}/{id}/priorities`)).toEqual(['get', 'post']);
    expect(methods(`${listUrl}/{id}/priorities/{priorityId}/actions`)).toEqual(['post']);
    expect(methods(`${listUrl}/{id}/actions`)).toEqual(['get']);
    expect(methods(`${listUrl}/{id}/actions/{actionId}/updates`)).toEqual(['get', 'post']);
    expect(document.paths[listUrl]!.get!.tags).toEqual(['Improvement plans']);
    expect(document.tags.map((tag) => tag.name)).toContain('Improvement plans');
  });
});
