import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { RecentPlanReads } from './recent-reads.js';
import { addAction, addPriority, createImprovementPlan } from './store.js';

const camden = 'E09000007';
const author = { userId: null, label: 'test' };

describe.each(testEngines)('plans read again only when changed, on %s', (engine) => {
  let testApp: TestApp;
  let planId: string;
  let priorityId: string;
  let ownerId: string;
  let now = 0;
  let reads: RecentPlanReads;

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    ownerId = (await newSignedInUser(db, { email: 'owner@example.org', role: 'leader', organisationId: authority })).userId;
    const plan = await createImprovementPlan(db, { laCode: camden, organisationId: authority }, { title: 'Children and Young People’s Plan', vision: 'Every child seen', periodStart: '2026-04-01', periodEnd: '2029-03-31', ownerUserId: ownerId }, author);
    planId = plan.id;
    priorityId = (await addPriority(db, camden, planId, { title: 'Reading by seven', rationale: 'The gap widens', links: [], source: 'written', suggestionKey: null }, author)).priorityId;
    reads = new RecentPlanReads(db, () => now);
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('gives the same plan while it is unchanged, and the change at once when it changes', async () => {
    const first = await reads.read(planId);
    expect(await reads.read(planId)).toBe(first);
    await addAction(testApp.database.db, camden, planId, priorityId, { title: 'Reading buddies', owner: { kind: 'member', userId: ownerId }, startDate: '2026-05-01', dueDate: '2026-09-30', status: 'not-started', note: '' }, author);
    const changed = await reads.read(planId);
    expect(changed).not.toBe(first);
    expect(changed!.priorities[0]!.actions.map((action) => action.title)).toEqual(['Reading buddies']);
  });

  it('shows a renamed owner within half a minute, though the plan itself did not change', async () => {
    await testApp.database.db.updateTable('user_account').set({ display_name: 'Ada Owner' }).where('id', '=', ownerId).execute();
    now += 29_000;
    expect((await reads.read(planId))!.ownerLabel).not.toBe('Ada Owner');
    now += 2_000;
    const renamed = await reads.read(planId);
    expect(renamed!.ownerLabel).toBe('Ada Owner');
    expect(renamed!.priorities[0]!.actions[0]!.owner.label).toBe('Ada Owner');
  });

  it('keeps what it shares from being changed by one reader for the others', async () => {
    const plan = await reads.read(planId);
    expect(() => {
      (plan!.priorities as unknown[]).push({});
    }).toThrow(TypeError);
    expect(() => {
      (plan!.priorities[0]! as { title: string }).title = 'Changed';
    }).toThrow(TypeError);
  });

  it('knows no plan that is not there, and none by an id that is not one', async () => {
    expect(await reads.read('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(await reads.read('not-an-id')).toBeUndefined();
  });
});
