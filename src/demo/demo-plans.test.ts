import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPseudonymKey } from '../../test/support/child-files.js';
import type { TestDatabase } from '../../test/support/database.js';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import { AssessmentService } from '../assessment/service.js';
import { demoAuthorityCode, registerDemoSettings, seedDemoAccounts } from '../auth/demo.js';
import type { Viewer } from '../auth/gate.js';
import { ensureAreaOrganisations } from '../auth/organisations.js';
import { membershipsOf } from '../auth/sessions.js';
import { migrateToLatest } from '../db/migrate.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { importChildFile } from '../ingest/child-import.js';
import { curvesFor } from '../gaps/service.js';
import { createPlan as createCurvePlan, listPlans as listCurvePlans } from '../plans/curve/store.js';
import type { ImprovementPlan } from '../plans/model.js';
import { ImprovementPlanService, isRefusal } from '../plans/service.js';
import { isoDateIn } from '../web/format.js';
import { listImprovementPlans } from '../plans/store.js';
import { improvementActionStatuses } from '../plans/tables.js';
import { isOverdue } from '../plans/timeline.js';
import { loadDemoAssessments } from './demo-assessments.js';
import { demoPartnerNames, demoPlanPeriod, loadDemoPlans } from './demo-plans.js';
import { loadDemoPractice } from './demo-practice.js';
import { demoHeader, demoSettingsOf, generateChildRows } from './generate-children.js';
import { demoAuthorities, demoOptionsFor } from './load-demo.js';

describe('the demo plan’s period', () => {
  it('is the three years from the April starting the financial year of today, or the April before in its first 90 days', () => {
    expect(demoPlanPeriod('2026-12-04')).toEqual({ start: '2026-04-01', end: '2029-03-31' });
    expect(demoPlanPeriod('2027-02-28')).toEqual({ start: '2026-04-01', end: '2029-03-31' });
    expect(demoPlanPeriod('2026-09-01')).toEqual({ start: '2026-04-01', end: '2029-03-31' });
    expect(demoPlanPeriod('2026-05-10')).toEqual({ start: '2025-04-01', end: '2028-03-31' });
    expect(demoPlanPeriod('2026-04-01')).toEqual({ start: '2025-04-01', end: '2028-03-31' });
  });
});

describe.each(testEngines)('the demo improvement plan on %s', (engine) => {
  let database: TestDatabase;
  let folder: string;
  let service: ImprovementPlanService;
  let leader: Viewer;
  let leaderId = '';
  let plan: ImprovementPlan;
  // A day well into the period, not the real today, so the test gives the same answer whenever it runs.
  const now = new Date('2027-01-15T12:00:00Z');
  const today = isoDateIn(now);

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    const db = database.db;
    await migrateToLatest(db);
    await ensureAreaOrganisations(db);
    await seedDemoAccounts(db);
    // The demo authority's children, small: enough for its gaps to be ranked, as the demo loads them.
    folder = mkdtempSync(join(tmpdir(), 'ntg-demo-plans-'));
    const options = demoOptionsFor(demoAuthorities[0]!, 400);
    await registerDemoSettings(db, demoSettingsOf(options));
    const path = join(folder, 'demo-children-leeds.csv');
    writeFileSync(path, [demoHeader(), ...generateChildRows(options)].map((row) => row.join(',')).join('\n') + '\n');
    const loaded = await importChildFile(
      { path, fileName: 'demo-children-leeds.csv', laCode: demoAuthorityCode, acceptValid: false, actor: { userId: null, organisationId: null, label: 'test' } },
      { database, dataDir: folder, pseudonymKey: testPseudonymKey },
    );
    expect(loaded.outcome).not.toBe('rejected');
    expect(await loadDemoAssessments(db)).toBe(true);
    expect(await loadDemoPractice(db)).toBe(true);
    // A turn-the-curve plan started from the first curve to turn, as someone trying the demo would.
    const [first] = (await curvesFor(db, { laCode: demoAuthorityCode, suppress: true })).curves;
    await createCurvePlan(db, { laCode: demoAuthorityCode, indicator: first!.indicator, groupSpec: first!.group, comparator: 'all-other', title: `${first!.group_label}: ${first!.indicator_label}` }, { userId: null, label: 'Demo analyst' });
    expect(await loadDemoPlans(db, () => undefined, () => now)).toBe(true);

    const account = await db.selectFrom('user_account').select(['id', 'email', 'display_name']).where('email', '=', 'leader@demo.invalid').executeTakeFirstOrThrow();
    leaderId = account.id;
    leader = { signedIn: true, sessionIdHash: 'test', userId: account.id, email: account.email, displayName: account.display_name, secondFactorDone: true, totpConfigured: false, memberships: await membershipsOf(db, account.id) };
    const catalogue = loadCatalogue();
    service = new ImprovementPlanService(db, new AssessmentService(db, catalogue, { evidenceLimitBytes: 1_000_000 }), catalogue, () => now);
    const plans = await service.list(leader);
    expect(plans).toHaveLength(1);
    const read = await service.get(leader, plans[0]!.id);
    if (isRefusal(read)) throw new Error(read.message);
    plan = read;
  }, 180_000);
  afterAll(async () => {
    await database?.dispose();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  const actions = () => plan.priorities.flatMap((priority) => priority.actions);

  it('is the demo authority’s plan for the current period, owned by the demo leader', () => {
    expect(plan.laCode).toBe(demoAuthorityCode);
    expect(plan.organisationKind).toBe('local-authority');
    expect(plan.periodStart <= today && today <= plan.periodEnd).toBe(true);
    expect(plan).toMatchObject({ periodStart: '2026-04-01', periodEnd: '2029-03-31', ownerUserId: leaderId });
    expect(plan.vision).not.toBe('');
  });

  it('has six priorities built from the demo’s gaps and self-assessment, the top suggestions first taken, every link one the leader may see', async () => {
    expect(plan.priorities).toHaveLength(6);
    const suggested = plan.priorities.filter((priority) => priority.source === 'suggested');
    expect(suggested.length).toBeGreaterThanOrEqual(3);
    expect(suggested.some((priority) => priority.suggestionKey!.startsWith('group:'))).toBe(true);
    expect(suggested.some((priority) => priority.suggestionKey!.startsWith('thread:'))).toBe(true);
    const suggestions = await service.suggestions(leader, plan);
    const topGroup = suggestions.find((suggestion) => suggestion.kind === 'group')!;
    expect(topGroup.chosenAs).not.toBeNull();
    for (const priority of plan.priorities) {
      expect(priority.links.length).toBeGreaterThan(0);
      expect(priority.rationale).not.toBe('');
      expect(await service.checkLinks(leader, plan, priority.links)).toEqual([]);
    }
    expect(plan.priorities.some((priority) => priority.links.some((link) => link.kind === 'practice'))).toBe(true);
    expect(plan.priorities.some((priority) => priority.links.some((link) => link.kind === 'statement'))).toBe(true);
  });

  it('puts the authority’s turn-the-curve plan inside one of its priorities', async () => {
    const curvePlans = await listCurvePlans(database.db, [demoAuthorityCode]);
    expect(curvePlans).toHaveLength(1);
    const linked = plan.priorities.flatMap((priority) => priority.links.filter((link) => link.kind === 'curve-plan').map((link) => link.target));
    expect(linked).toEqual([curvePlans[0]!.id]);
  });

  it('measures every priority on real gaps, from a baseline towards a smaller gap by the end of the period', () => {
    const measures = plan.priorities.flatMap((priority) => priority.measures);
    expect(measures.length).toBeGreaterThanOrEqual(6);
    for (const priority of plan.priorities) expect(priority.measures.length).toBeGreaterThan(0);
    for (const measure of measures) {
      expect(measure.figure).toBe('gap');
      expect(Number.isFinite(measure.baselineValue)).toBe(true);
      expect(measure.baselineYear < measure.targetYear).toBe(true);
      expect(Math.abs(measure.targetValue)).toBeLessThan(Math.abs(measure.baselineValue));
    }
    expect(new Set(measures.map((measure) => `${measure.indicator}|${measure.groupSpec}`)).size).toBe(measures.length);
  });

  it('has actions in every status, exactly two overdue on the demo’s today', async () => {
    expect(new Set(actions().map((action) => action.status))).toEqual(new Set(improvementActionStatuses));
    expect(actions().filter((action) => isOverdue(action, today))).toHaveLength(2);
    const [summary] = await listImprovementPlans(database.db, { laCodes: [demoAuthorityCode], today });
    expect(summary).toMatchObject({ priorities: 6, actions: actions().length, overdue: 2 });
    for (const priority of plan.priorities) expect(priority.actions.length).toBeGreaterThanOrEqual(3);
  });

  it('gives every action an owner the service accepts: members of the authority and its partners and settings, both kinds used', async () => {
    const choices = await service.ownerChoices(plan);
    const members = new Set(choices.members.map((member) => member.userId));
    const partners = new Set(choices.partners.map((partner) => partner.organisationId));
    for (const action of actions()) {
      expect(action.owner.kind === 'member' ? members.has(action.owner.userId) : partners.has(action.owner.organisationId)).toBe(true);
    }
    expect(actions().some((action) => action.owner.kind === 'member')).toBe(true);
    const partnerLabels = new Set(actions().flatMap((action) => (action.owner.kind === 'partner' ? [action.owner.label] : [])));
    expect([...partnerLabels].some((label) => (Object.values(demoPartnerNames) as string[]).includes(label))).toBe(true);
  });

  it('logs each action’s progress in date order, between the start of the period and today, ending in its status', () => {
    for (const action of actions()) {
      expect(action.updates.length).toBeGreaterThanOrEqual(action.status === 'not-started' ? 1 : 2);
      expect(action.updates.at(-1)!.status).toBe(action.status);
      const days = action.updates.map((update) => isoDateIn(update.writtenAt));
      expect([...days].sort()).toEqual(days);
      for (const day of days) expect(day >= plan.periodStart && day < today).toBe(true);
      expect(action.startDate <= action.dueDate).toBe(true);
    }
  });

  it('load demo plans again changes nothing', async () => {
    const count = async () => Number((await database.db.selectFrom('improvement_action_update').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    expect(await loadDemoPlans(database.db, () => undefined, () => now)).toBe(false);
    expect(await count()).toBe(before);
    expect(await service.list(leader)).toHaveLength(1);
  });
});
