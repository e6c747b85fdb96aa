import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { testEngines } from '../../test/support/database.js';
import { AssessmentService } from '../assessment/service.js';
import type { Viewer } from '../auth/gate.js';
import { findSessionUser } from '../auth/sessions.js';
import { loadDemoAssessments } from '../demo/demo-assessments.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { describeLinks, linkKey } from './links.js';
import type { ImprovementPlan } from './model.js';
import { addPriority, createImprovementPlan } from './store.js';

const leeds = 'E08000035';
const author = { userId: null, label: 'test' };

describe.each(testEngines)('a plan’s linked statements and their ratings, on %s', (engine) => {
  let testApp: TestApp;
  let plan: ImprovementPlan;
  let assessments: AssessmentService;
  let rated: { assessmentId: string; statementId: string; level: number };
  const viewers = new Map<string, Viewer>();
  let adviserId = '';
  const catalogue = loadCatalogue();

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Leeds', areaCode: leeds, laCode: leeds });
    const region = await newOrganisation(db, { kind: 'region', name: 'Yorkshire and The Humber', areaCode: 'E12000003' });
    for (const [who, role, organisationId] of [
      ['leader', 'leader', authority],
      ['adviser', 'regional-adviser', region],
    ] as const) {
      const { userId, sessionToken } = await newSignedInUser(db, { email: `${who}@example.org`, role, organisationId });
      if (who === 'adviser') adviserId = userId;
      viewers.set(who, { signedIn: true, ...(await findSessionUser(db, sessionToken))! });
    }
    expect(await loadDemoAssessments(db)).toBe(true);
    const row = await db
      .selectFrom('assessment_rating as r')
      .innerJoin('assessment as a', 'a.id', 'r.assessment_id')
      .select(['a.id', 'r.statement_id', 'r.level'])
      .where('a.la_code', '=', leeds)
      .where('a.organisation_id', '=', authority)
      .where('a.status', '=', 'signed-off')
      .where('a.scope', '=', 'threads')
      .where('r.level', 'is not', null)
      .orderBy('r.statement_id')
      .executeTakeFirstOrThrow();
    rated = { assessmentId: row.id, statementId: row.statement_id, level: row.level! };
    const created = await createImprovementPlan(db, { laCode: leeds, organisationId: authority }, { title: 'Children and Young People’s Plan', vision: '', periodStart: '2026-04-01', periodEnd: '2029-03-31', ownerUserId: null }, author);
    plan = (await addPriority(db, leeds, created.id, { title: 'Leadership', rationale: '', links: [{ kind: 'statement', target: rated.statementId }], source: 'written', suggestionKey: null }, author)).plan;
    assessments = new AssessmentService(db, catalogue, { evidenceLimitBytes: 1_000_000 });
  });
  afterAll(async () => {
    await testApp.close();
  });

  const ratingSeenBy = async (who: string) => (await describeLinks(testApp.database.db, assessments, catalogue, viewers.get(who)!, plan)).get(linkKey({ kind: 'statement', target: rated.statementId }))!.rating;

  it('shows the latest signed-off rating of a linked statement to the plan’s readers', async () => {
    expect((await ratingSeenBy('leader'))?.level).toBe(rated.level);
    expect((await ratingSeenBy('adviser'))?.level).toBe(rated.level);
  });

  it('never shows a self-rating to a moderator still rating that assessment blind', async () => {
    const db = testApp.database.db;
    await db.deleteFrom('assessment_moderation').where('assessment_id', '=', rated.assessmentId).execute();
    await db
      .insertInto('assessment_moderation')
      .values({ la_code: leeds, assessment_id: rated.assessmentId, moderator_user_id: adviserId, moderator_label: 'Adviser', moderator_organisation: 'Yorkshire and The Humber', sample: null, status: 'rating', invited_by_label: 'Leader' })
      .execute();
    expect(await ratingSeenBy('adviser')).toBeUndefined();
    expect((await ratingSeenBy('leader'))?.level).toBe(rated.level);
    await db.updateTable('assessment_moderation').set({ status: 'submitted' }).where('assessment_id', '=', rated.assessmentId).execute();
    expect((await ratingSeenBy('adviser'))?.level).toBe(rated.level);
  });
});
