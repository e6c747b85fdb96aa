import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../test/support/database.js';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import { regionOf } from '../areas/areas.js';
import { evidenceTypeOf } from '../assessment/evidence-files.js';
import { statementsInScope } from '../assessment/scope.js';
import { readAssessment } from '../assessment/store.js';
import { demoAuthorityCode, seedDemoAccounts } from '../auth/demo.js';
import { ensureAreaOrganisations } from '../auth/organisations.js';
import { migrateToLatest } from '../db/migrate.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { seedStatements } from '../framework/revisions.js';
import { demoCurrentPeriod, demoPreviousPeriod, generateDemoRatings, loadDemoAssessments, tinyPdf, tinyPng } from './demo-assessments.js';

describe('demo ratings', () => {
  const threads = statementsInScope(seedStatements(loadCatalogue()), 'threads');

  it('generate demo ratings gives the same ratings from the same seed and others from another', () => {
    const first = generateDemoRatings(threads, { seed: 5, strength: 0, slug: 'x', from: '2025-09-15' });
    const again = generateDemoRatings(threads, { seed: 5, strength: 0, slug: 'x', from: '2025-09-15' });
    const other = generateDemoRatings(threads, { seed: 6, strength: 0, slug: 'x', from: '2025-09-15' });
    expect(again).toEqual(first);
    expect(other.map((rating) => rating.level)).not.toEqual(first.map((rating) => rating.level));
  });

  it('generate demo ratings uses every level, more of them for a stronger authority', () => {
    const mean = (strength: number) => {
      const levels = generateDemoRatings(threads, { seed: 9, strength, slug: 'x', from: '2025-09-15' }).flatMap((rating) => (rating.level === null ? [] : [rating.level]));
      return levels.reduce((sum, level) => sum + level, 0) / levels.length;
    };
    const levels = new Set(generateDemoRatings(threads, { seed: 9, strength: 0, slug: 'x', from: '2025-09-15' }).map((rating) => rating.level));
    expect([1, 2, 3, 4].every((level) => levels.has(level))).toBe(true);
    expect(mean(0.6)).toBeGreaterThan(mean(-0.6) + 0.5);
  });

  it('make evidence files that are a real PDF and a real PNG by their content', async () => {
    expect(await evidenceTypeOf('minutes.pdf', tinyPdf(['Demo data (fictional)', 'Minutes (draft)']))).toEqual({ ok: true, mediaType: 'application/pdf' });
    expect(await evidenceTypeOf('chart.png', tinyPng([1, 2, 3, 4]))).toEqual({ ok: true, mediaType: 'image/png' });
  });
});

describe.each(testEngines)('demo assessments on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    await ensureAreaOrganisations(database.db);
    await seedDemoAccounts(database.db);
    expect(await loadDemoAssessments(database.db)).toBe(true);
  }, 60_000);
  afterAll(async () => database.dispose());

  const assessments = () =>
    database.db
      .selectFrom('assessment as a')
      .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
      .select(['a.id', 'a.la_code', 'o.kind', 'o.urn', 'a.scope', 'a.period', 'a.status', 'a.previous_id', 'a.signed_off_at', 'a.signed_off_by_label'])
      .execute();

  it('give the demo authority a signed-off assessment of every scope last year and one in progress this year carried from it', async () => {
    const leeds = (await assessments()).filter((row) => row.la_code === demoAuthorityCode);
    const previous = leeds.filter((row) => row.period === demoPreviousPeriod);
    const current = leeds.filter((row) => row.period === demoCurrentPeriod);
    expect(previous.map((row) => `${row.scope}:${row.kind}`).sort()).toEqual(['T1:local-authority', 'T2:local-authority', 'T3:setting', 'T4:local-authority', 'T5:local-authority', 'threads:local-authority']);
    expect(previous.every((row) => row.status === 'signed-off' && row.signed_off_at !== null && row.signed_off_by_label !== null)).toBe(true);
    expect(previous.find((row) => row.scope === 'T3')!.urn).toBe('999001');
    expect(current.map((row) => row.scope).sort()).toEqual(['T1', 'T2', 'T3', 'T4', 'T5', 'threads']);
    expect(current.every((row) => row.status === 'in-progress')).toBe(true);
    for (const row of current) expect(row.previous_id).toBe(previous.find((earlier) => earlier.scope === row.scope)!.id);
  });

  it('carry this year’s ratings forward, some re-rated up and some down, with evidence carried too', async () => {
    const threads = (await assessments()).find((row) => row.la_code === demoAuthorityCode && row.scope === 'threads' && row.period === demoCurrentPeriod)!;
    const now = (await readAssessment(database.db, threads.id))!;
    const before = (await readAssessment(database.db, threads.previous_id!))!;
    const carried = now.ratings.filter((rating) => rating.carriedForward);
    const rerated = now.ratings.filter((rating) => !rating.carriedForward);
    expect(carried.length).toBeGreaterThan(now.total / 2);
    expect(rerated.length).toBeGreaterThan(5);
    expect(now.rated).toBe(rerated.length);
    const levelBefore = new Map(before.ratings.map((rating) => [rating.statementId, rating.level]));
    expect(rerated.some((rating) => rating.level! > levelBefore.get(rating.statementId)!)).toBe(true);
    expect(rerated.some((rating) => rating.level! < levelBefore.get(rating.statementId)!)).toBe(true);
    expect(now.evidence.length).toBeGreaterThan(0);
    expect(now.evidence.every((file) => file.carriedForward)).toBe(true);
    expect(before.ratings.every((rating) => rating.level !== null || rating.notApplicable)).toBe(true);
    expect(before.ratings.filter((rating) => rating.nextStep !== '').every((rating) => rating.nextStepOwner !== '' && rating.nextStepDue !== null)).toBe(true);
  });

  it('give at least five authorities in each of two regions a signed-off threads and T1, T2, T4, T5 assessment', async () => {
    const signedOff = (await assessments()).filter((row) => row.status === 'signed-off' && row.kind === 'local-authority' && row.period === demoPreviousPeriod);
    for (const region of ['E12000003', 'E12000002']) {
      for (const scope of ['threads', 'T1', 'T2', 'T4', 'T5']) {
        const authorities = new Set(signedOff.filter((row) => row.scope === scope && regionOf(row.la_code)?.code === region).map((row) => row.la_code));
        expect(authorities.size, `${scope} in ${region}`).toBeGreaterThanOrEqual(5);
      }
    }
    expect(new Set(signedOff.map((row) => row.la_code)).size).toBe(11);
  });

  it('record a submitted moderation of the demo threads with a 20-statement sample, partly agreed, with disagreements', async () => {
    const moderation = await database.db.selectFrom('assessment_moderation').selectAll().executeTakeFirstOrThrow();
    expect(moderation).toMatchObject({ la_code: demoAuthorityCode, status: 'submitted' });
    expect(moderation.sample).toHaveLength(20);
    const rows = await database.db.selectFrom('assessment_moderation_rating as m').innerJoin('assessment_rating as r', (join) => join.onRef('r.statement_id', '=', 'm.statement_id').on('r.assessment_id', '=', moderation.assessment_id)).select(['m.level', 'r.level as self', 'm.agreed_at']).execute();
    expect(rows).toHaveLength(20);
    expect(rows.filter((row) => row.level !== row.self).length).toBeGreaterThanOrEqual(5);
    const agreed = rows.filter((row) => row.agreed_at !== null).length;
    expect(agreed).toBeGreaterThan(0);
    expect(agreed).toBeLessThan(20);
  });

  it('leave five amendments from different authorities waiting, two about the same statement', async () => {
    const amendments = await database.db.selectFrom('framework_amendment').select(['la_code', 'status', 'statement_id', 'change']).execute();
    expect(amendments.length).toBeGreaterThanOrEqual(4);
    expect(amendments.every((amendment) => amendment.status === 'proposed')).toBe(true);
    expect(new Set(amendments.map((amendment) => amendment.la_code)).size).toBe(amendments.length);
    expect(amendments.filter((amendment) => amendment.statement_id === 'T1-FRONTLINE-UNIVERSAL-03')).toHaveLength(2);
    expect(new Set(amendments.map((amendment) => amendment.change))).toEqual(new Set(['amend', 'add', 'retire']));
  });

  it('load demo assessments again changes nothing', async () => {
    const before = await database.db.selectFrom('assessment_rating').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(await loadDemoAssessments(database.db)).toBe(false);
    const after = await database.db.selectFrom('assessment_rating').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});
