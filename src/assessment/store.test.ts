import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation } from '../../test/support/accounts.js';
import type { TestDatabase } from '../../test/support/database.js';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { seedStatements } from '../framework/revisions.js';
import { statementsInScope } from './scope.js';
import type { RatingFields } from './store.js';
import { AssessmentLockedError, RatingConflictError, createAssessment, readAssessment, saveRating } from './store.js';

const camden = 'E09000007';
const author = { userId: null, label: 'Test analyst' };

function rating(level: number, note = ''): RatingFields {
  return { level, notApplicable: false, notApplicableReason: '', note, links: [], confidence: 'medium', nextStep: '', nextStepOwner: '', nextStepDue: null };
}

describe.each(testEngines)('assessment store on %s', (engine) => {
  let database: TestDatabase;
  let organisationId: string;
  const catalogue = loadCatalogue();
  const threads = statementsInScope(seedStatements(catalogue), 'threads');

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    organisationId = await newOrganisation(database.db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
  });
  afterAll(async () => database.dispose());

  const start = (period: string) =>
    createAssessment(database.db, { laCode: camden, organisationId, scope: 'threads', period, catalogueVersion: catalogue.version, catalogueRevision: 0, statements: threads }, author);

  it('start assessment copies every thread and its "this means" items', async () => {
    const id = await start('2023/24');
    const assessment = (await readAssessment(database.db, id))!;
    expect(assessment.total).toBe(66);
    expect(assessment.statements.filter((statement) => statement.kind === 'golden-thread')).toHaveLength(10);
    expect(assessment.ratings.every((entry) => entry.version === 0)).toBe(true);
  });

  it('two saves from the same version keep one and refuse the other with what is stored', async () => {
    const id = await start('2024/25');
    const target = { laCode: camden, assessmentId: id, statementId: 'GT01', expectedVersion: 0 };
    const outcomes = await Promise.allSettled([
      saveRating(database.db, target, rating(2, 'first'), { userId: null, label: 'Ann' }),
      saveRating(database.db, target, rating(3, 'second'), { userId: null, label: 'Bob' }),
    ]);
    const saved = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(saved).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(RatingConflictError);
    const stored = (await readAssessment(database.db, id))!.ratings.find((entry) => entry.statementId === 'GT01')!;
    expect((refused[0]!.reason as RatingConflictError).current).toEqual(stored);
    expect(stored.version).toBe(1);

    const second = await saveRating(database.db, { ...target, expectedVersion: 1 }, rating(4), author);
    expect(second.version).toBe(2);
    await expect(saveRating(database.db, { ...target, expectedVersion: 1 }, rating(1), author)).rejects.toBeInstanceOf(RatingConflictError);
  });

  it('a new period carries ratings forward, marked, and a signed-off assessment refuses changes', async () => {
    const first = await start('2019/20');
    await saveRating(database.db, { laCode: camden, assessmentId: first, statementId: 'GT02', expectedVersion: 0 }, rating(3, 'parents forum minutes'), author);
    await database.db.updateTable('assessment').set({ status: 'signed-off' }).where('id', '=', first).execute();
    await expect(saveRating(database.db, { laCode: camden, assessmentId: first, statementId: 'GT03', expectedVersion: 0 }, rating(1), author)).rejects.toBeInstanceOf(AssessmentLockedError);

    const next = await start('2020/21');
    const assessment = (await readAssessment(database.db, next))!;
    const carried = assessment.ratings.find((entry) => entry.statementId === 'GT02')!;
    expect(carried).toMatchObject({ level: 3, note: 'parents forum minutes', carriedForward: true });
    expect(assessment.rated).toBe(0);
    expect(assessment.previousId).toBe(first);
  });

  it('read assessment shows every save at once though it keeps what it read, and never what a rolled-back transaction saw', async () => {
    const id = await start('2018/19');
    const levelOf = async (statementId: string) => (await readAssessment(database.db, id))!.ratings.find((entry) => entry.statementId === statementId)!.level;
    expect(await levelOf('GT01')).toBeNull();
    // Each save is seen by the next read, whichever statement it is and whoever read before it.
    let version = 0;
    for (const level of [1, 2, 3, 4]) {
      version = (await saveRating(database.db, { laCode: camden, assessmentId: id, statementId: 'GT01', expectedVersion: version }, rating(level), author)).version;
      expect(await levelOf('GT01')).toBe(level);
    }
    // A transaction reads its own uncommitted save and rolls back; a later save of the same statement
    // takes the ratings to the same count and version total, and must still be read afresh.
    await database.db
      .transaction()
      .execute(async (transaction) => {
        await transaction.updateTable('assessment_rating').set((eb) => ({ level: 1, version: eb('version', '+', 1) })).where('assessment_id', '=', id).where('statement_id', '=', 'GT01').execute();
        expect((await readAssessment(transaction, id))!.ratings.find((entry) => entry.statementId === 'GT01')).toMatchObject({ level: 1, version: 5 });
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await saveRating(database.db, { laCode: camden, assessmentId: id, statementId: 'GT01', expectedVersion: 4 }, rating(2), author);
    const after = (await readAssessment(database.db, id))!;
    expect(after.ratings.find((entry) => entry.statementId === 'GT01')).toMatchObject({ level: 2, version: 5 });
    expect(after.rated).toBe(1);
  });

  it('what a read keeps is shared, so it cannot be changed by the code that reads it', async () => {
    const id = await start('2017/18');
    await saveRating(database.db, { laCode: camden, assessmentId: id, statementId: 'GT01', expectedVersion: 0 }, rating(3), author);
    await readAssessment(database.db, id);
    const again = (await readAssessment(database.db, id))!;
    expect(() => {
      (again.statements[0] as { text: string }).text = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      (again.ratings[0] as { level: number }).level = 1;
    }).toThrow(TypeError);
  });
});
