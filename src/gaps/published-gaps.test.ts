import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import type { TestDatabase } from '../../test/support/database.js';
import { loadPublishedKs2 } from '../../test/support/published-ks2.js';
import { migrateToLatest } from '../db/migrate.js';
import { cohensH } from '../stats/index.js';
import { othersFigure, publishedGaps, widestPublishedGap } from './published-gaps.js';

describe('all other pupils’ figure from a total and a group', () => {
  it('is the share of the pupils outside the group, whatever the counts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (inGroup, outside, groupShare, outsideShare) => {
        const groupReaching = Math.round(groupShare * inGroup);
        const outsideReaching = Math.round(outsideShare * outside);
        const total = { value: (100 * (groupReaching + outsideReaching)) / (inGroup + outside), count: inGroup + outside };
        const others = othersFigure(total, { value: (100 * groupReaching) / inGroup, count: inGroup })!;
        expect(others).toBeCloseTo((100 * outsideReaching) / outside, 6);
      }),
    );
  });

  it('is null when the group is every pupil', () => {
    expect(othersFigure({ value: 50, count: 10 }, { value: 50, count: 10 })).toBeNull();
  });
});

const wakefield = { code: 'E08000036', name: 'Wakefield', oldCode: '384' };
const calderdale = { code: 'E08000033', name: 'Calderdale', oldCode: '381' };

describe.each(testEngines)('gaps from published statistics on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    await loadPublishedKs2(database.db, [
      { period: '202223', la: wakefield, topic: 'Total', breakdown: 'Total', pupils: '1000', percent: '58' },
      { period: '202223', la: wakefield, topic: 'Disadvantage status', breakdown: 'Disadvantaged', pupils: '290', percent: '41' },
      { period: '202324', la: wakefield, topic: 'Total', breakdown: 'Total', pupils: '1000', percent: '60' },
      { period: '202324', la: wakefield, topic: 'Disadvantage status', breakdown: 'Disadvantaged', pupils: '300', percent: '40' },
      { period: '202324', la: wakefield, topic: 'SEN status', breakdown: 'Any SEN', pupils: '150', percent: '30' },
      // SEN support alone is narrower than the group, and a suppressed figure gives no gap.
      { period: '202324', la: wakefield, topic: 'SEN status', breakdown: 'SEN support', pupils: '120', percent: '33' },
      { period: '202324', la: wakefield, topic: 'Looked after status', breakdown: 'Looked after', pupils: 'c', percent: 'c' },
      // No count published: the group is set against all pupils.
      { period: '202324', la: calderdale, topic: 'Total', breakdown: 'Total', pupils: 'z', percent: '62' },
      { period: '202324', la: calderdale, topic: 'Disadvantage status', breakdown: 'Disadvantaged', pupils: 'z', percent: '47' },
    ]);
  });
  afterAll(async () => database?.close());

  it('sets each group against all other pupils, worked out from the published counts, in the latest year, with the earliest for comparison', async () => {
    const gaps = await publishedGaps(database.db, [wakefield.code]);
    expect(gaps.map((gap) => gap.group).sort()).toEqual(['children-with-sen', 'poorer-socio-economic-groups']);
    const disadvantaged = gaps.find((gap) => gap.group === 'poorer-socio-economic-groups')!;
    // All other pupils: (60 × 1000 − 40 × 300) ÷ 700 = 68.571…
    expect(disadvantaged.comparatorValue).toBeCloseTo(48000 / 700, 10);
    expect(disadvantaged.comparator).toBe('others');
    expect(disadvantaged.gap).toBeCloseTo(40 - 48000 / 700, 10);
    expect(disadvantaged.gapText).toBe('−28.6 percentage points');
    expect(disadvantaged.valuesText).toBe('40.0% against 68.6% for all other pupils');
    expect(disadvantaged.yearText).toBe('2023/24');
    // 2022/23: (58 × 1000 − 41 × 290) ÷ 710 = 64.94…, so −23.9.
    expect(disadvantaged.earlier).toMatchObject({ yearText: '2022/23', gapText: '−23.9 percentage points' });
    expect(disadvantaged.shortfall).toBeCloseTo(-disadvantaged.gap, 10);
    expect(disadvantaged.effect).toBeCloseTo(cohensH(0.4, 0.48 / 0.7)!, 10);
  });

  it('chooses the group furthest behind by effect size as the widest', async () => {
    const widest = widestPublishedGap(await publishedGaps(database.db, [wakefield.code]))!;
    // SEN: 30% against (600 − 45) ÷ 850 = 65.3%, h ≈ −0.72; disadvantaged h ≈ −0.59.
    expect(widest.group).toBe('children-with-sen');
    expect(widest.gapText).toBe('−35.3 percentage points');
    expect(widest.earlier).toBeNull();
  });

  it('sets a group against all pupils when the file gives no count, and says so', async () => {
    const [gap] = await publishedGaps(database.db, [calderdale.code]);
    expect(gap?.comparator).toBe('all');
    expect(gap?.gapText).toBe('−15.0 percentage points');
    expect(gap?.valuesText).toBe('47.0% against 62.0% for all pupils');
  });

  it('has nothing for an authority with no published figures', async () => {
    expect(await publishedGaps(database.db, ['E08000035'])).toEqual([]);
    expect(widestPublishedGap([])).toBeUndefined();
  });
});
