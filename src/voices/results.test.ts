import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import { migrateToLatest } from '../db/migrate.js';
import type { TestDatabase } from '../../test/support/database.js';
import { cellKeysFrom } from '../gaps/cell-keys.js';
import { proportion, proportionDifference, releaseSummary } from '../stats/index.js';
import { insertResponses } from './responses.js';
import type { AgreeCounts } from './results.js';
import { groupResult, surveyCounts, surveyResults, viewsGapCells } from './results.js';
import { addQuestion, createSurvey, openSurvey, readSurvey } from './store.js';

const inCare = { id: 'children-in-care', label: 'Children in care' };
const counts = (n: number, agreeing: number): AgreeCounts => ({ n, agreeing });
const keys = cellKeysFrom('a test installation');
const release = { keys: (side: string) => keys.named('survey', 'test-survey', side) };

describe('a group’s figures on a question', () => {
  it('equals the stats module’s Wilson interval and Newcombe difference for hand-worked counts', () => {
    // 40 of 50 children in care agree; 30 of 60 who said they are not in care agree.
    const result = groupResult(inCare, { in: counts(50, 40), out: counts(60, 30), notSaid: counts(10, 5), all: counts(120, 75) }, 'all-other', 'exact');
    const group = proportion(40, 50, { multiplier: 100 });
    const difference = proportionDifference({ numerator: 40, denominator: 50 }, { numerator: 30, denominator: 60 }, { multiplier: 100 });
    expect(result.groupValue).toBe(80);
    expect(result.groupLower).toBe(group.lower);
    expect(result.groupUpper).toBe(group.upper);
    expect(result.comparatorValue).toBe(50);
    expect(result.gap).toBeCloseTo(30, 10);
    expect(result.gapLower).toBe(difference.lower);
    expect(result.gapUpper).toBe(difference.upper);
    expect(result.significant).toBe(true);
    expect(result.notSaidCount).toBe(10);
  });

  it('releases the same figures the stats module releases, and works every figure out from them', () => {
    const result = groupResult(inCare, { in: counts(52, 38), out: counts(611, 480), notSaid: counts(40, 30), all: counts(703, 548) }, 'all-other', release);
    const inside = releaseSummary({ n: 52, sum: 38, sumsq: 38 }, 'binary', { key: release.keys('children-in-care:in') }).summary!;
    const outside = releaseSummary({ n: 611, sum: 480, sumsq: 480 }, 'binary', { key: release.keys('children-in-care:out') }).summary!;
    expect(result.groupCount).toBe(inside.n);
    expect(result.groupValue).toBe(proportion(inside.sum, inside.n, { multiplier: 100 }).value);
    expect(result.comparatorCount).toBe(outside.n);
    expect(result.gap).toBe(proportionDifference({ numerator: inside.sum, denominator: inside.n }, { numerator: outside.sum, denominator: outside.n }, { multiplier: 100 }).value);
    expect(result.groupCount! % 5).toBe(0);
  });

  it('withholds a group of 1 to 4 respondents, or with 1 to 4 agreeing or not agreeing', () => {
    const few = groupResult(inCare, { in: counts(3, 1), out: counts(200, 100), notSaid: counts(0, 0), all: counts(203, 101) }, 'all-other', release);
    expect(few).toMatchObject({ suppressed: true, suppressedReason: 'group-few-children', groupCount: null, groupValue: null, comparatorValue: null, gap: null });
    const fewAgreeing = groupResult(inCare, { in: counts(30, 2), out: counts(200, 100), notSaid: counts(0, 0), all: counts(230, 102) }, 'all-other', release);
    expect(fewAgreeing).toMatchObject({ suppressed: true, suppressedReason: 'group-few-with-outcome' });
    const fewNotAgreeing = groupResult(inCare, { in: counts(30, 28), out: counts(200, 100), notSaid: counts(0, 0), all: counts(230, 128) }, 'all-other', release);
    expect(fewNotAgreeing).toMatchObject({ suppressed: true, suppressedReason: 'group-few-with-outcome' });
  });

  /*
   * The differencing attack: all respondents, those who said they are not in a group and those who
   * did not say are shown; the group itself (1 to 4) is withheld. With exact figures, all less the
   * others gives it back; released, every shown count is a multiple of 5, so every sum or
   * difference of them is too, and none can be 1 to 4.
   */
  const population = fc.record({ inside: fc.integer({ min: 1, max: 4 }), out: fc.integer({ min: 5, max: 400 }), notSaid: fc.integer({ min: 5, max: 100 }) });

  it('gives a withheld group back by differencing when figures are exact (the attack has teeth)', () => {
    fc.assert(
      fc.property(population, ({ inside, out, notSaid }) => {
        const all = counts(inside + out + notSaid, 0);
        const against = groupResult(inCare, { in: counts(inside, 0), out: counts(out, 0), notSaid: counts(notSaid, 0), all }, 'all-other', 'exact');
        expect(all.n - against.comparatorCount! - against.notSaidCount!).toBe(inside);
      }),
      { seed: 31, numRuns: 50 },
    );
  });

  it('never gives a withheld group back from released figures, whichever comparator is asked for', () => {
    fc.assert(
      fc.property(population, fc.integer({ min: 0, max: 4 }), ({ inside, out, notSaid }, agreeingInside) => {
        const sides = { in: counts(inside, Math.min(inside, agreeingInside)), out: counts(out, Math.floor(out / 2)), notSaid: counts(notSaid, Math.floor(notSaid / 2)), all: counts(inside + out + notSaid, Math.min(inside, agreeingInside) + Math.floor(out / 2) + Math.floor(notSaid / 2)) };
        const withOthers = groupResult(inCare, sides, 'all-other', release);
        const withAll = groupResult(inCare, sides, 'all', release);
        expect(withOthers.suppressed).toBe(true);
        expect(withAll.suppressed).toBe(true);
        // What a viewer sees of these respondents elsewhere: everyone, from another group's row (the same released figure).
        const everyone = groupResult({ id: 'young-carers', label: 'Young carers' }, { in: counts(out, Math.floor(out / 2)), out: counts(inside + notSaid, 0), notSaid: counts(0, 0), all: sides.all }, 'all', release);
        const shown = [everyone.comparatorCount, everyone.groupCount].filter((count): count is number => count !== null);
        for (const count of shown) expect(count % 5).toBe(0);
        const differences = shown.flatMap((first) => shown.map((second) => Math.abs(first - second)));
        expect(differences.filter((difference) => difference >= 1 && difference <= 4)).toEqual([]);
      }),
      { seed: 32, numRuns: 80 },
    );
  });
});

describe.each(testEngines)('a survey’s counts on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
  });
  afterAll(async () => {
    await database.dispose();
  });

  it('counts answers by question, agreeing and declared group in one query, and the gap matrix shows the same figures', async () => {
    const db = database.db;
    const id = await createSurvey(db, 'E08000035', 'test', { title: 'Safety', audience: 'children', introduction: '', childVersion: false, childTitle: '', childIntroduction: '', emojiScale: false, asksGroups: true, groupsReason: 'To compare groups' });
    let survey = (await readSurvey(db, id))!;
    const safe = await addQuestion(db, survey, { kind: 'likert', text: 'I feel safe', childText: '', options: '', agreeing: [], polarity: 'higher-is-better' });
    await addQuestion(db, survey, { kind: 'text', text: 'Tell us more', childText: '', options: '', agreeing: [], polarity: 'higher-is-better' });
    await openSurvey(db, survey, { opensOn: '2025-10-01', closesOn: '2025-10-31' });
    survey = (await readSurvey(db, id))!;
    const careIndex = survey.groupIds.indexOf('children-in-care');
    const declared = (care: 'in' | 'out' | 'not-said') => survey.groupIds.map((_, index) => (index === careIndex ? care : 'not-said' as const));
    const many = (n: number, value: string, care: 'in' | 'out' | 'not-said') => Array.from({ length: n }, () => ({ answers: new Map([[safe, value]]), declared: declared(care) }));
    // In care: 12 agree (4 or 5), 18 do not. Not in care: 150 agree, 50 do not. Not said: 7 agree, 3 do not.
    const responses = [...many(6, '5', 'in'), ...many(6, '4', 'in'), ...many(18, '2', 'in'), ...many(150, '4', 'out'), ...many(50, '3', 'out'), ...many(7, '5', 'not-said'), ...many(3, '1', 'not-said')];
    await db.transaction().execute((trx) => insertResponses(trx, survey, responses, 'import'));
    const figures = (await surveyCounts(db, survey)).get(safe)!;
    expect(figures.all).toEqual({ n: 240, agreeing: 169 });
    expect(figures.groups.get('children-in-care')).toEqual({ in: { n: 30, agreeing: 12 }, out: { n: 200, agreeing: 150 }, notSaid: { n: 10, agreeing: 7 } });
    expect(figures.groups.get('young-carers')).toEqual({ in: { n: 0, agreeing: 0 }, out: { n: 0, agreeing: 0 }, notSaid: { n: 240, agreeing: 169 } });
    const results = await surveyResults(db, survey);
    const care = results.questions[0]!.groups.find((group) => group.group === 'children-in-care')!;
    const { cells } = await viewsGapCells(db, 'E08000035', 'all-other');
    const cell = cells.find((candidate) => candidate.group === 'children-in-care')!;
    expect(cell).toMatchObject({ indicator: `views:${safe}`, outcome: 'views', year: '2025/26', group_count: care.groupCount, comparator_count: care.comparatorCount, suppressed: false });
    expect(cell.group_value).toBeCloseTo(care.groupValue!, 1);
    expect(cell.gap).toBeCloseTo(care.gap!, 1);
    expect(results.questions).toHaveLength(1);
  });
});
