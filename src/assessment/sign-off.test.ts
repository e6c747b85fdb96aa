import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, newSignedInUser } from '../../test/support/accounts.js';
import type { TestDatabase } from '../../test/support/database.js';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import type { Viewer } from '../auth/gate.js';
import { findSessionUser } from '../auth/sessions.js';
import { migrateToLatest } from '../db/migrate.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { seedStatements } from '../framework/revisions.js';
import { statementsInScope } from './scope.js';
import { isStepRefusal, signOffAssessment, submitAssessment } from './sign-off.js';
import { AssessmentLockedError, createAssessment, lockOpenAssessment, readAssessment, saveRating } from './store.js';

const camden = 'E09000007';
const catalogue = loadCatalogue();
const threads = statementsInScope(seedStatements(catalogue), 'threads');
const fields = { level: 2, notApplicable: false, notApplicableReason: '', note: '', links: [], confidence: null, nextStep: '', nextStepOwner: '', nextStepDue: null };

describe.each(testEngines)('sign-off on %s', (engine) => {
  let database: TestDatabase;
  let organisationId: string;
  const viewers = new Map<string, Viewer>();

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    organisationId = await newOrganisation(database.db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    for (const [who, role] of [
      ['owner', 'analyst'],
      ['colleague', 'analyst'],
      ['leader', 'leader'],
    ] as const) {
      const { sessionToken } = await newSignedInUser(database.db, { email: `${who}@example.org`, role, organisationId });
      viewers.set(who, { signedIn: true, ...(await findSessionUser(database.db, sessionToken))! });
    }
  });
  afterAll(async () => database.dispose());

  const start = async (period: string) => {
    const owner = viewers.get('owner')!;
    return createAssessment(
      database.db,
      { laCode: camden, organisationId, scope: 'threads', period, catalogueVersion: catalogue.version, catalogueRevision: 0, statements: threads },
      { userId: owner.signedIn ? owner.userId : null, label: 'owner' },
    );
  };

  it('submit assessment by a colleague while the owner is present is refused; by a leader once the owner has left it is allowed', async () => {
    const id = await start('2010/11');
    const byColleague = await submitAssessment(database.db, viewers.get('colleague')!, id);
    expect(isStepRefusal(byColleague) ? byColleague.message : '').toBe('Only owner, who started this assessment, may submit it for sign-off.');
    const byLeader = await submitAssessment(database.db, viewers.get('leader')!, id);
    expect(isStepRefusal(byLeader) ? byLeader.statusCode : 200).toBe(403);

    const owner = viewers.get('owner')!;
    await database.db.updateTable('user_account').set({ status: 'deactivated' }).where('id', '=', owner.signedIn ? owner.userId : '').execute();
    try {
      expect(isStepRefusal(await submitAssessment(database.db, viewers.get('colleague')!, id))).toBe(true);
      const afterLeaving = await submitAssessment(database.db, viewers.get('leader')!, id);
      expect(isStepRefusal(afterLeaving) ? afterLeaving.message : afterLeaving.status).toBe('submitted');
    } finally {
      await database.db.updateTable('user_account').set({ status: 'active' }).where('id', '=', owner.signedIn ? owner.userId : '').execute();
    }
  });

  it('submit assessment waits for a rating save in progress and the save lands before the status changes', async () => {
    const id = await start('2011/12');
    let submitted = false;
    let pending: Promise<unknown> | undefined;
    await database.db.transaction().execute(async (transaction) => {
      // What saveRating holds while it writes: the assessment row's shared lock.
      await lockOpenAssessment(transaction, camden, id);
      pending = submitAssessment(database.db, viewers.get('owner')!, id).then((outcome) => {
        submitted = true;
        return outcome;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(submitted).toBe(false);
      await transaction.insertInto('assessment_rating').values({ la_code: camden, assessment_id: id, statement_id: 'GT01', level: 3, links: '[]', updated_by: null, updated_by_label: 'owner' }).execute();
    });
    const outcome = await pending;
    expect(isStepRefusal(outcome)).toBe(false);
    const assessment = (await readAssessment(database.db, id))!;
    expect(assessment.status).toBe('submitted');
    expect(assessment.ratings.find((rating) => rating.statementId === 'GT01')!.level).toBe(3);
    await expect(saveRating(database.db, { laCode: camden, assessmentId: id, statementId: 'GT02', expectedVersion: 0 }, fields, { userId: null, label: 'owner' })).rejects.toBeInstanceOf(AssessmentLockedError);
  });

  it('a rating save made while a submission is being written waits for it and is then refused, first ratings and changes alike', async () => {
    const id = await start('2008/09');
    const first = await saveRating(database.db, { laCode: camden, assessmentId: id, statementId: 'GT01', expectedVersion: 0 }, fields, { userId: null, label: 'owner' });
    let pending: Promise<PromiseSettledResult<unknown>[]> | undefined;
    let settled = false;
    await database.db.transaction().execute(async (transaction) => {
      // What a submission holds until it commits: the assessment row, changed.
      await transaction.updateTable('assessment').set({ status: 'submitted' }).where('id', '=', id).execute();
      pending = Promise.allSettled([
        saveRating(database.db, { laCode: camden, assessmentId: id, statementId: 'GT01', expectedVersion: first.version }, { ...fields, level: 4 }, { userId: null, label: 'colleague' }),
        saveRating(database.db, { laCode: camden, assessmentId: id, statementId: 'GT02', expectedVersion: 0 }, fields, { userId: null, label: 'colleague' }),
      ]).then((outcomes) => {
        settled = true;
        return outcomes;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false);
    });
    const outcomes = await pending!;
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as Error).name : 'saved'))).toEqual(['AssessmentLockedError', 'AssessmentLockedError']);
    const ratings = (await readAssessment(database.db, id))!.ratings;
    expect(ratings.find((rating) => rating.statementId === 'GT01')).toMatchObject({ level: first.level, version: first.version });
    expect(ratings.find((rating) => rating.statementId === 'GT02')!.version).toBe(0);
  });

  it('sign off assessment twice at once signs it off once and refuses the other as already signed off', async () => {
    const id = await start('2009/10');
    expect(isStepRefusal(await submitAssessment(database.db, viewers.get('owner')!, id))).toBe(false);
    const outcomes = await Promise.all([signOffAssessment(database.db, viewers.get('leader')!, id), signOffAssessment(database.db, viewers.get('leader')!, id)]);
    const refused = outcomes.filter((outcome) => isStepRefusal(outcome));
    expect(refused).toEqual([{ statusCode: 409, message: 'The assessment has already been signed off, so it cannot be signed off.' }]);
    expect(isStepRefusal(await signOffAssessment(database.db, viewers.get('colleague')!, id))).toBe(true);
  });
});

describe.each(testEngines)('sign-off of a school’s own assessment on %s', (engine) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
  });
  afterAll(async () => database.dispose());

  it('sign off school assessment by the authority’s director is refused and by its head teacher is allowed', async () => {
    const authority = await newOrganisation(database.db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const school = await newOrganisation(database.db, { kind: 'setting', name: 'Oakwood Primary School', laCode: camden, urn: '100001' });
    const viewerOf = async (email: string, role: 'leader' | 'setting-leader', organisationId: string): Promise<Viewer> => {
      const { sessionToken } = await newSignedInUser(database.db, { email, role, organisationId });
      return { signedIn: true, ...(await findSessionUser(database.db, sessionToken))! };
    };
    const director = await viewerOf('director@example.org', 'leader', authority);
    const head = await viewerOf('head@example.org', 'setting-leader', school);
    const id = await createAssessment(
      database.db,
      { laCode: camden, organisationId: school, scope: 'T3', period: '2025/26', catalogueVersion: catalogue.version, catalogueRevision: 0, statements: statementsInScope(seedStatements(catalogue), 'T3') },
      { userId: head.signedIn ? head.userId : null, label: 'head' },
    );
    expect(isStepRefusal(await submitAssessment(database.db, head, id))).toBe(false);

    const byDirector = await signOffAssessment(database.db, director, id);
    expect(isStepRefusal(byDirector) ? byDirector.statusCode : 200).toBe(403);
    expect((await readAssessment(database.db, id))!.status).toBe('submitted');

    const byHead = await signOffAssessment(database.db, head, id);
    expect(isStepRefusal(byHead) ? byHead.message : byHead.status).toBe('signed-off');
  });
});
