import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngines } from '../../../test/support/database.js';
import type { TestDatabase } from '../../../test/support/database.js';
import { migrateToLatest } from '../../db/migrate.js';
import { importStatistics } from './service.js';
import { leftOutNotes } from './summary.js';

/** Files from EES's and its screener's own test suites, one for each rule (test/fixtures/ees/README.md says where each is from). */
const fixtures = 'test/fixtures/ees';
const operator = { userId: null, label: 'operator (command line)', organisationId: null };

describe.each(testEngines)('the EES rules, each on a file of its own, on %s', (engine) => {
  let database: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    dataDir = mkdtempSync(join(tmpdir(), 'ntg-ees-rules-'));
  });

  afterAll(async () => {
    await database.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const load = (data: string, meta: string) =>
    importStatistics(database.db, { dataPath: join(fixtures, `${data}.csv`), metaPath: join(fixtures, `${meta}.meta.csv`), dataDir, uploadedBy: operator });

  async function observations(batchId: string) {
    return database.db
      .selectFrom('statistics_observation')
      .innerJoin('statistics_dataset', 'statistics_dataset.id', 'statistics_observation.dataset_id')
      .select(['statistics_observation.row_number', 'statistics_observation.geographic_level', 'statistics_observation.area_code', 'statistics_observation.la_code', 'statistics_observation.indicator', 'statistics_observation.value', 'statistics_observation.status', 'statistics_observation.text_value', 'statistics_observation.filters'])
      .where('statistics_dataset.batch_id', '=', batchId)
      .orderBy('statistics_observation.row_number')
      .orderBy('statistics_observation.indicator')
      .execute();
  }

  it('accepts every geographic level EES does, storing the newer ones, and ignores School, Provider, Institution and Planning area rows in a file of several levels, saying so', async () => {
    const result = await load('all-geographies', 'all-geographies');
    expect(result).toMatchObject({ outcome: 'loaded', rowsRead: 22, rowsLoaded: 17, rowsQuarantined: 0, problemCount: 0 });
    expect(result.dataset.levels.map((level) => level.level)).toEqual([
      'National',
      'Local authority',
      'Local authority district',
      'Local enterprise partnership',
      'RSC region',
      'Opportunity area',
      'Parliamentary constituency',
      'Regional',
      'Ward',
      'English devolved area',
      'Local skills improvement plan area',
      'Sponsor',
      'MAT',
      'Mayoral combined authority',
      'Police force area',
    ]);
    expect(result.dataset.ignoredRows).toEqual([
      { level: 'Planning area', rows: 2 },
      { level: 'Provider', rows: 1 },
      { level: 'School', rows: 1 },
      { level: 'Institution', rows: 1 },
    ]);
    expect(leftOutNotes(result.dataset)).toEqual([
      'Ignored 2 rows at Planning area level, 1 row at Provider level, 1 row at School level, 1 row at Institution level: EES loads School, Provider, Institution and Planning area rows only from a file of that level alone.',
    ]);
    const stored = await observations(result.batchId);
    expect(stored).toHaveLength(17);
    expect(stored.filter((row) => ['School', 'Provider', 'Institution', 'Planning area'].includes(row.geographic_level))).toEqual([]);
    expect(stored.filter((row) => ['Mayoral combined authority', 'Police force area', 'Local authority'].includes(row.geographic_level)).map((row) => [row.geographic_level, row.area_code, row.la_code, row.value])).toEqual([
      ['Local authority', 'E08000025', 'E08000025', 3962],
      // Barnsley's published code E08000016 became E08000038 in 2019: stored under its current code.
      ['Local authority', 'E08000038', 'E08000038', 8123],
      ['Mayoral combined authority', '1', null, 4534],
      // EES's own file has the police force area's name and code the other way round to its header: kept as published.
      ['Police force area', 'Metropolitan Police (PFA)', null, 543],
    ]);
  });

  it('accepts a filter hierarchy, whose grouping columns are filters themselves', async () => {
    const result = await load('filter-hierarchy', 'filter-hierarchy');
    expect(result).toMatchObject({ outcome: 'loaded', rowsLoaded: 30, problemCount: 0, dataset: { filterCount: 3, ignoredColumns: [] } });
    const stored = await observations(result.batchId);
    expect(stored.find((row) => row.row_number === 8)).toMatchObject({ value: 654, filters: { qualification_level: 'Higher', subject_area: 'Construction', course_title: 'Bricklaying' } });
  });

  it('keeps an indicator\'s categories in words, as EES does, and says which indicator holds them', async () => {
    const result = await load('mixed-categorical', 'mixed-categorical');
    expect(result).toMatchObject({ outcome: 'loaded', rowsLoaded: 4, problemCount: 0, dataset: { statuses: { value: 4, text: 4 }, textValues: [{ indicator: 'ind_one', values: 4 }] } });
    expect(leftOutNotes(result.dataset)).toEqual(['Kept in words, not numbers (categories, never compared as figures): ind_one (4 values).']);
    const stored = await observations(result.batchId);
    expect(stored.filter((row) => row.row_number === 2).map((row) => [row.indicator, row.value, row.status, row.text_value])).toEqual([
      ['ind_one', null, 'text', 'large'],
      ['ind_two', 100, 'value', null],
    ]);
  });

  it('ignores a data column the metadata does not describe, as EES does, and names it', async () => {
    const result = await load('undescribed-columns', 'absence');
    expect(result).toMatchObject({ outcome: 'loaded', rowsLoaded: 8, problemCount: 0, dataset: { ignoredColumns: ['colours'] } });
    expect(leftOutNotes(result.dataset)).toEqual(['Ignored 1 column the metadata file does not describe (as EES ignores them): colours.']);
    const stored = await observations(result.batchId);
    expect(stored.some((row) => row.indicator === 'colours' || 'colours' in row.filters)).toBe(false);
  });

  it('loads a file of School rows alone, each school scoped to its authority', async () => {
    const result = await load('school-only', 'school');
    expect(result).toMatchObject({ outcome: 'loaded', rowsLoaded: 8, problemCount: 0, dataset: { levels: [{ level: 'School', rows: 8 }], ignoredRows: [] } });
    const stored = await observations(result.batchId);
    expect([...new Set(stored.map((row) => `${row.area_code} ${row.la_code}`))]).toEqual(['100000 E09000001', '130489 E08000013']);
    expect(stored.find((row) => row.row_number === 8 && row.indicator === 'full_time_equivalent')?.value).toBe(-0.162727273);
  });

  it.each([
    ['school-missing-laestab', 'school', 'the school_laestab column a School row needs', [{ row: 2, column: 'geographic_level', value: 'School', expected: 'the columns a School row needs, which the header lacks: school_laestab (every School row is refused)' }]],
    ['school-and-provider', 'school', 'School and Provider rows in one file', [{ row: null, column: 'geographic_level', value: 'School and Provider', expected: 'School rows or Provider rows, not both in one file: EES refuses a file that mixes them' }]],
    [
      'la-columns-partial',
      'la-columns-partial',
      'some but not all of the local authority columns',
      [{ row: 1, column: 'la_name', value: '', expected: 'the column "la_name": a file with any of the local authority columns (old_la_code, new_la_code, la_name) has all of them' }],
    ],
    [
      'blank-indicator',
      'absence',
      'a blank indicator',
      [
        { row: 7, column: 'enrolments_pa_10_exact_percent', value: '', expected: 'a value: a number, a symbol or words; a blank is not allowed, use x (not available), z (not applicable) or c (suppressed)' },
        { row: 8, column: 'enrolments_pa_10_exact_percent', value: '', expected: 'a value: a number, a symbol or words; a blank is not allowed, use x (not available), z (not applicable) or c (suppressed)' },
      ],
    ],
    [
      'null-words',
      'absence',
      'null words in indicators',
      ['NULL', 'null', 'na', 'NA', 'Null'].map((value, index) => ({
        row: 7,
        column: ['num_schools', 'enrolments', 'sess_overall_percent', 'sess_authorised_percent', 'sess_unauthorised_percent'][index]!,
        value,
        expected: `a value: ${value} is how software writes a missing value, which the standard does not allow; use x (not available), z (not applicable) or c (suppressed)`,
      })),
    ],
  ])('refuses %s (%s is the metadata), for %s, naming file, row and column', async (data, meta, _what, expected) => {
    const result = await load(data, meta);
    expect(result.outcome).toBe('rejected');
    expect(result.problems.map(({ row, column, value, expected: wanted }) => ({ row, column, value, ...(wanted === undefined ? {} : { expected: wanted }) }))).toEqual(
      expected.map((problem) => ({ ...problem, ...('expected' in problem ? {} : { expected: expect.any(String) as unknown }) })),
    );
    expect(result.problems.every((problem) => problem.file === `${data}.csv`)).toBe(true);
  });
});
