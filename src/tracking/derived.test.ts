import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPseudonymKey } from '../../test/support/child-files.js';
import { createTestDatabase, testEngines } from '../../test/support/database.js';
import type { TestDatabase } from '../../test/support/database.js';
import { dimension, memberIn, memberOut, valueIn } from '../aggregates/signature.js';
import { migrateToLatest } from '../db/migrate.js';
import { demoHeader, generateChildRows } from '../demo/generate-children.js';
import { gapsFor } from '../gaps/service.js';
import { importChildFile } from '../ingest/child-import.js';
import { proportion, proportionDifference } from '../stats/index.js';
import { factsOf, recordFieldNames } from './child-facts.js';
import type { RecordFields } from './child-facts.js';
import { bandOf, expectedByBand, progressLabel, progressPairs } from './progress-pairs.js';
import type { ProgressPair } from './progress-pairs.js';
import { defaultTrackingRules } from './rules.js';
import { trackingContext } from './context.js';
import { setRules } from './rules-store.js';
import { unseenCounts, unseenCountsFrom } from './unseen.js';
import { coverageValues, unseenReasons } from './unseen-rules.js';

const leeds = 'E08000035';

type StoredRecord = RecordFields & { child_key: string; academic_year: number; eyfsp_gld: boolean | null; phonics_y1_met: boolean | null; ks2_reading_scaled: number | null; ks2_maths_scaled: number | null; ks4_attainment8: number | null; ks2_prior_average: number | null; attendance_pct: number | null };

/** The pair's two points from a pupil's records, as progress-pairs.ts defines them. */
function pointsOf(pair: ProgressPair, before: StoredRecord | undefined, now: StoredRecord): { prior: number | null; outcome: number | null } {
  switch (pair.id) {
    case 'eyfsp_phonics':
      return { prior: before?.eyfsp_gld === null || before?.eyfsp_gld === undefined ? null : Number(before.eyfsp_gld), outcome: now.phonics_y1_met === null ? null : now.phonics_y1_met ? 100 : 0 };
    case 'ks2_ks4': {
      const scores = [before?.ks2_reading_scaled, before?.ks2_maths_scaled].filter((score): score is number => score !== null && score !== undefined);
      // The pupil's own Year 6 record first; failing that, the prior attainment key stage 4 data carries.
      return { prior: scores.length === 0 ? now.ks2_prior_average : scores.reduce((a, b) => a + b, 0) / scores.length, outcome: now.ks4_attainment8 };
    }
    case 'attendance':
      return { prior: before?.attendance_pct ?? null, outcome: now.attendance_pct };
  }
}

describe.each(testEngines)('coverage and progress worked out after a load, on %s', (engine) => {
  let database: TestDatabase;
  let folder: string;
  let records: StoredRecord[];
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    folder = mkdtempSync(join(tmpdir(), 'ntg-derived-'));
    const lines = [demoHeader().join(','), ...[...generateChildRows({ children: 1400, years: 6, lastYear: 2024, seed: 11, laCode: leeds })].map((row) => row.join(','))];
    const path = join(folder, 'children.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const result = await importChildFile(
      { path, fileName: 'children.csv', laCode: leeds, acceptValid: false, actor: { userId: null, organisationId: null, label: 'test' } },
      { database, dataDir: folder, pseudonymKey: testPseudonymKey },
    );
    expect(result.outcome).toBe('loaded');
    const rows = await sql<StoredRecord>`
      select child_key, academic_year, ${sql.raw(recordFieldNames.join(', '))}, eyfsp_gld, phonics_y1_met, ks2_reading_scaled, ks2_maths_scaled, ks4_attainment8, ks2_prior_average, attendance_pct
        from child_record where la_code = ${leeds}`.execute(database.db);
    records = rows.rows;
  }, 240_000);
  afterAll(async () => {
    await database.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it('gives each pupil the expectation and label the pure rules give', async () => {
    const stored = await sql<{ pair: string; academic_year: number; child_key: string; prior_value: number | null; outcome_value: number; expected: number | null; label: string }>`
      select pair, academic_year, child_key, prior_value, outcome_value, expected, label from child_progress where la_code = ${leeds}`.execute(database.db);
    const byKey = new Map(records.map((record) => [`${record.academic_year}:${record.child_key}`, record]));
    for (const pair of progressPairs) {
      const pupils = records
        .map((now) => ({ now, ...pointsOf(pair, byKey.get(`${now.academic_year - pair.yearsBetween}:${now.child_key}`), now) }))
        .filter((pupil): pupil is typeof pupil & { outcome: number } => pupil.outcome !== null);
      const expectations = new Map<number, Map<number, number>>();
      for (const year of new Set(pupils.map((pupil) => pupil.now.academic_year))) {
        expectations.set(year, expectedByBand(pair, pupils.filter((pupil): pupil is typeof pupil & { prior: number } => pupil.now.academic_year === year && pupil.prior !== null)));
      }
      const mine = stored.rows.filter((row) => row.pair === pair.id);
      expect(mine).toHaveLength(pupils.length);
      const storedByKey = new Map(mine.map((row) => [`${row.academic_year}:${row.child_key}`, row]));
      const labels = new Map<string, number>();
      for (const pupil of pupils) {
        const expected = pupil.prior === null ? null : (expectations.get(pupil.now.academic_year)!.get(bandOf(pair, pupil.prior)) ?? null);
        const label = progressLabel(pair, pupil.prior, pupil.outcome, expected);
        const row = storedByKey.get(`${pupil.now.academic_year}:${pupil.now.child_key}`)!;
        if (expected === null) expect(row.expected).toBeNull();
        else expect(Number(row.expected)).toBeCloseTo(expected, 9);
        expect(row.label).toBe(label);
        labels.set(label, (labels.get(label) ?? 0) + 1);
      }
      // The demo's pupils give every label something to say, or the comparison proves little.
      expect(labels.get('as-expected')).toBeGreaterThan(0);
      expect(labels.get('not-enough-data')).toBeGreaterThan(0);
    }
  });

  it('starts key stage 4 progress from the pupil’s own Year 6 record where it is held, and from the prior attainment carried otherwise', async () => {
    const rows = await sql<{ own: boolean; prior_year: number; academic_year: number }>`
      select exists (select 1 from child_record p where p.la_code = t.la_code and p.child_key = t.child_key and p.academic_year = t.academic_year - 5
                        and coalesce(p.ks2_reading_scaled, p.ks2_maths_scaled) is not null) as own, t.prior_year, t.academic_year
        from child_progress t where t.la_code = ${leeds} and t.pair = 'ks2_ks4' and t.prior_value is not null`.execute(database.db);
    expect(rows.rows.filter((row) => row.own).length).toBeGreaterThan(0);
    expect(rows.rows.filter((row) => !row.own).length).toBeGreaterThan(0);
    expect(rows.rows.every((row) => row.prior_year === row.academic_year - 5)).toBe(true);
  });

  it('makes coverage indicators that equal the stats module’s proportions from the same children', async () => {
    const latest = 2024;
    const carers = dimension('children-in-care')!;
    const poorer = dimension('poorer-socio-economic-groups')!;
    const answer = await gapsFor(database.db, { laCode: leeds, year: latest, indicator: 'coverage_trusted_adult', group: 'poorer-socio-economic-groups', suppress: false });
    const [cell] = answer.cells;
    const values = records
      .filter((record) => record.academic_year === latest)
      .map((record) => ({ membership: valueIn(Number(record.signature), poorer), value: coverageValues(factsOf(record), defaultTrackingRules).coverage_trusted_adult }))
      .filter((entry) => entry.value !== null);
    const group = values.filter((entry) => entry.membership === memberIn);
    const rest = values.filter((entry) => entry.membership === memberOut);
    const yes = (entries: typeof values) => entries.filter((entry) => entry.value === true).length;
    const expectedGroup = proportion(yes(group), group.length, { multiplier: 100 });
    const expectedGap = proportionDifference({ numerator: yes(group), denominator: group.length }, { numerator: yes(rest), denominator: rest.length }, { multiplier: 100 });
    expect(cell).toMatchObject({ indicator: 'coverage_trusted_adult', group_count: group.length, comparator_count: rest.length });
    expect(cell!.group_value).toBeCloseTo(expectedGroup.value!, 9);
    expect(cell!.group_lower).toBeCloseTo(expectedGroup.lower!, 9);
    expect(cell!.gap).toBeCloseTo(expectedGap.value!, 9);
    expect(cell!.gap_lower).toBeCloseTo(expectedGap.lower!, 9);
    // A children-in-care figure on personal education plans has no comparator: the plan is only for children in care.
    const pep = await gapsFor(database.db, { laCode: leeds, year: latest, indicator: 'coverage_pep', group: 'children-in-care', suppress: false });
    expect(pep.cells[0]).toMatchObject({ comparator_count: 0, gap: null });
    expect(pep.cells[0]!.group_count).toBe(records.filter((record) => record.academic_year === latest && valueIn(Number(record.signature), carers) === memberIn && record.personal_education_plan !== null).length);
  });

  it('keeps on each work list the children the rules put there, with the finding and the number of groups', async () => {
    const { rows } = await sql<{ academic_year: number; list: string; child_key: string; finding: string; group_count: number }>`
      select academic_year, list, child_key, finding, group_count from child_listing where la_code = ${leeds}`.execute(database.db);
    const stored = rows.map((row) => `${row.academic_year} ${row.list} ${row.child_key} ${row.finding} ${row.group_count}`).sort();
    // The trusted-adult list keeps every child in at least one group: a reader asks for more.
    const expected = records
      .flatMap((record) => unseenReasons(factsOf(record), defaultTrackingRules, 1).map((reason) => `${record.academic_year} ${reason.list} ${record.child_key} ${reason.finding} ${factsOf(record).groupCount}`))
      .sort();
    expect(new Set(rows.map((row) => row.list))).toEqual(new Set(['trusted-adult', 'coordination', 'pep', 'moves']));
    expect(stored).toEqual(expected);
  });

  // Last: it saves the authority's rules (the defaults again), which works every figure out afresh.
  it('names what a year’s figures were worked out from, so counts kept for a list are counted again only after a load or new rules', async () => {
    const before = await trackingContext(database.db, leeds);
    expect(before.years).toEqual([2024, 2023, 2022, 2021, 2020, 2019]);
    expect(before.derivedFrom(2018)).toBeUndefined();
    const stamp = before.derivedFrom(2024)!;
    const scope = { laCode: leeds, year: 2024, minGroups: 1, rules: before.rules };
    const counted = await unseenCountsFrom(database.db, scope, stamp);
    expect(counted).toEqual(await unseenCounts(database.db, scope));
    const moves = (counts: readonly { list: string; total: { recorded: number } }[]) => counts.find((list) => list.list === 'moves')!.total.recorded;
    expect(moves(counted)).toBeGreaterThan(0);

    // Changed underneath with nothing loaded: kept counts stand under the same stamp; any other is counted afresh.
    await sql`delete from child_listing where la_code = ${leeds} and academic_year = 2024 and list = 'moves'`.execute(database.db);
    expect(await unseenCountsFrom(database.db, scope, stamp)).toBe(counted);
    expect(moves(await unseenCountsFrom(database.db, scope, `${stamp}:another`))).toBe(0);

    await setRules(database, leeds, defaultTrackingRules, { userId: null, label: 'test' });
    const after = await trackingContext(database.db, leeds);
    expect(after.derivedFrom(2024)).not.toBe(stamp);
    const recounted = await unseenCountsFrom(database.db, scope, after.derivedFrom(2024));
    expect(recounted).not.toBe(counted);
    expect(recounted).toEqual(counted);
  });
});
