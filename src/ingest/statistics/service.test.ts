import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngines } from '../../../test/support/database.js';
import type { TestDatabase } from '../../../test/support/database.js';
import { temporaryFiles } from '../../../test/support/files.js';
import { migrateToLatest } from '../../db/migrate.js';
import { combinedSha256, importStatistics, listStatisticsProblems } from './service.js';
import type { StatisticsImportOptions } from './service.js';

const samples = '../shared/data/ees-samples';
const file = temporaryFiles('ntg-statistics-import-');
const operator = { userId: null, label: 'operator (command line)', organisationId: null };

/** The sample's rows and cells as the test reads them itself, to check the import against. */
function publishedFile(name: string) {
  const rows = parse<Record<string, string>>(readFileSync(join(samples, `${name}.csv`)), { columns: true, bom: true });
  const meta = parse<Record<string, string>>(readFileSync(join(samples, `${name}.meta.csv`)), { columns: true, bom: true });
  const indicators = meta.filter((row) => row.col_type === 'Indicator').map((row) => row.col_name!);
  const cells = rows.flatMap((row) => indicators.map((indicator) => row[indicator]!));
  return { rows, indicators, cells };
}

const metaHeader = 'col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,filter_hint,filter_grouping_column';
const characteristicMeta = [metaHeader, 'characteristic,Filter,Pupil characteristic,,,,,', 'pupils,Indicator,Number of pupils,,,0,,', 'attainment8,Indicator,Average Attainment 8,,,1,,'].join('\n');
const dataHeader = 'time_period,time_identifier,geographic_level,country_code,country_name,old_la_code,new_la_code,la_name,characteristic,pupils,attainment8';

describe.each(testEngines)('importStatistics on %s', (engine) => {
  let database: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await migrateToLatest(database.db);
    dataDir = mkdtempSync(join(tmpdir(), 'ntg-statistics-data-'));
  });

  afterAll(async () => {
    await database.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = (paths: { data: string; meta: string }, options: Partial<StatisticsImportOptions> = {}) =>
    importStatistics(database.db, { dataPath: paths.data, metaPath: paths.meta, dataDir, uploadedBy: operator, ...options });

  const sample = (name: string) => ({ data: join(samples, `${name}.csv`), meta: join(samples, `${name}.meta.csv`) });

  /** A small file with a characteristic filter, written under a name unique to the test. */
  const fixture = (name: string, rows: string[], meta = characteristicMeta) => ({
    data: file(`${name}.csv`, [dataHeader, ...rows].join('\n')),
    meta: file(`${name}.meta.csv`, meta),
  });

  async function tableCounts() {
    const count = async (table: 'statistics_dataset' | 'statistics_observation') =>
      Number((await database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return { datasets: await count('statistics_dataset'), observations: await count('statistics_observation') };
  }

  /** The batch's observations in file order, or only those of some rows. */
  async function observationsOf(batchId: string, rowNumbers?: number[]) {
    return database.db
      .selectFrom('statistics_observation')
      .innerJoin('statistics_dataset', 'statistics_dataset.id', 'statistics_observation.dataset_id')
      .selectAll('statistics_observation')
      .where('statistics_dataset.batch_id', '=', batchId)
      .$if(rowNumbers !== undefined, (query) => query.where('statistics_observation.row_number', 'in', rowNumbers!))
      .orderBy('statistics_observation.row_number')
      .orderBy('statistics_observation.indicator')
      .execute();
  }

  it('imports the exclusions sample with one observation per cell and every x as a status without a value', async () => {
    const published = publishedFile('exclusions_by_reason');
    const result = await run(sample('exclusions_by_reason'));

    expect(result).toMatchObject({ outcome: 'loaded', rowsRead: published.rows.length, rowsLoaded: published.rows.length, rowsQuarantined: 0, problemCount: 0 });
    expect(result.dataset.observations).toBe(published.cells.length);
    expect(result.dataset.statuses).toEqual({ value: published.cells.filter((cell) => cell !== 'x').length, x: published.cells.filter((cell) => cell === 'x').length });
    expect(result.dataset.levels).toEqual([
      { level: 'National', rows: published.rows.filter((row) => row.geographic_level === 'national').length },
      { level: 'Regional', rows: published.rows.filter((row) => row.geographic_level === 'regional').length },
      { level: 'Local authority', rows: published.rows.filter((row) => row.geographic_level === 'local authority').length },
    ]);
    expect(result.dataset.periods).toEqual([...new Set(published.rows.map((row) => row.time_period))].sort());

    const statuses = await sql<{ status: string; n: string | number; with_value: string | number }>`
      select o.status, count(*) as n, count(o.value) as with_value
      from statistics_observation o join statistics_dataset d on d.id = o.dataset_id
      where d.batch_id = ${result.batchId} group by o.status order by o.status`.execute(database.db);
    expect(statuses.rows.map((row) => ({ status: row.status, n: Number(row.n), withValue: Number(row.with_value) }))).toEqual([
      { status: 'value', n: published.cells.filter((cell) => cell !== 'x').length, withValue: published.cells.filter((cell) => cell !== 'x').length },
      { status: 'x', n: published.cells.filter((cell) => cell === 'x').length, withValue: 0 },
    ]);

    // Row 2 of the file: England, 2016/17, all schools; row 3 has x for perm_drug_alcohol in primary schools.
    const observations = await observationsOf(result.batchId, [2, 3]);
    expect(observations.find((row) => row.row_number === 2 && row.indicator === 'perm_physical_pupils')).toMatchObject({
      time_period: '201617',
      time_identifier: 'Academic year',
      start_year: 2016,
      geographic_level: 'National',
      area_code: 'E92000001',
      filters: { school_type: 'Total' },
      value: 1025,
      status: 'value',
    });
    expect(observations.find((row) => row.row_number === 3 && row.indicator === 'perm_drug_alcohol')).toMatchObject({ value: null, status: 'x', filters: { school_type: 'State-funded primary' } });

    const batch = await database.db.selectFrom('import_batch').selectAll().where('id', '=', result.batchId).executeTakeFirstOrThrow();
    expect(batch).toMatchObject({ kind: 'statistics', outcome: 'loaded', la_code: null, file_name: 'exclusions_by_reason.csv', uploaded_by_label: 'operator (command line)', rows_loaded: published.rows.length });
    expect(batch.sha256).toBe(combinedSha256(String(batch.details.dataSha256), String(batch.details.metaSha256)));
    expect(existsSync(join(dataDir, batch.stored_file!))).toBe(true);
    expect(existsSync(join(dataDir, String(batch.details.storedMetaFile)))).toBe(true);
  });

  it('imports the school-level absence sample with joint authorities and a ward, ignoring its school rows as EES does in a file of several levels', async () => {
    const published = publishedFile('absence_school');
    const schoolRows = published.rows.filter((row) => row.geographic_level === 'School').length;
    const result = await run(sample('absence_school'));
    expect(result).toMatchObject({ outcome: 'loaded', rowsRead: published.rows.length, rowsLoaded: published.rows.length - schoolRows, rowsQuarantined: 0, problemCount: 0 });
    expect(result.dataset.observations).toBe(published.cells.length - schoolRows * published.indicators.length);
    expect(result.dataset.levels.map((level) => level.level)).toEqual(['National', 'Regional', 'Local authority', 'Ward']);
    expect(result.dataset.ignoredRows).toEqual([{ level: 'School', rows: schoolRows }]);

    const places = await sql<{ geographic_level: string; area_code: string; la_code: string | null; old_la_code: string | null; new_la_code: string | null }>`
      select distinct o.geographic_level, o.area_code, o.la_code, o.old_la_code, o.new_la_code
      from statistics_observation o join statistics_dataset d on d.id = o.dataset_id
      where d.batch_id = ${result.batchId} and o.geographic_level in ('School', 'Ward', 'Local authority')
      order by 1, 2`.execute(database.db);
    expect(places.rows).toEqual([
      { geographic_level: 'Local authority', area_code: 'E08000038', la_code: 'E08000038', old_la_code: '370', new_la_code: 'E08000016' },
      { geographic_level: 'Local authority', area_code: 'E08000039', la_code: 'E08000039', old_la_code: '373', new_la_code: 'E08000019' },
      { geographic_level: 'Local authority', area_code: 'E09000003', la_code: 'E09000003', old_la_code: '302', new_la_code: 'E09000003' },
      { geographic_level: 'Local authority', area_code: 'E09000021 / E09000027', la_code: null, old_la_code: '314 / 318', new_la_code: 'E09000021 / E09000027' },
      { geographic_level: 'Ward', area_code: 'E05011091', la_code: null, old_la_code: null, new_la_code: null },
    ]);
  });

  it('refuses the invalid sample for its NA metadata rows and stores only the attempt and its problems', async () => {
    const before = await tableCounts();
    const result = await run(sample('invalid-data-set'));
    expect(result.outcome).toBe('rejected');
    expect(result.rowsLoaded).toBe(0);
    expect(result.problems.slice(0, 3)).toEqual([
      {
        file: 'invalid-data-set.meta.csv',
        row: 2,
        column: 'indicator_unit',
        value: 'NA',
        expected: 'a value, or blank where there is none: NA is how R writes a missing value (write the file with na = "")',
      },
      {
        file: 'invalid-data-set.meta.csv',
        row: 2,
        column: 'filter_grouping_column',
        value: 'NA',
        expected: 'a value, or blank where there is none: NA is how R writes a missing value (write the file with na = "")',
      },
      {
        file: 'invalid-data-set.meta.csv',
        row: 3,
        column: '(row)',
        value: 'NA,NA,NA,NA,NA,NA,NA,NA',
        expected: 'a row describing one column of the data file: this row is all NA (how R writes a missing value); delete it',
      },
    ]);
    expect(result.problems).toContainEqual(expect.objectContaining({ file: 'invalid-data-set.csv', row: 12, column: 'time_period', value: 'NA' }));
    expect(await tableCounts()).toEqual(before);

    const batch = await database.db.selectFrom('import_batch').selectAll().where('id', '=', result.batchId).executeTakeFirstOrThrow();
    expect(batch).toMatchObject({ outcome: 'rejected', rows_loaded: 0, problem_count: result.problemCount });
    expect(await listStatisticsProblems(database.db, result.batchId, { limit: 3 })).toEqual(result.problems.slice(0, 3));
  });

  it('tags rows of a characteristic filter with framework groups and stores a blank filter as Not specified', async () => {
    const result = await run(
      fixture('characteristics', [
        '202223,Academic year,Local authority,E92000001,England,383,E08000035,Leeds,Disadvantaged,2104,35.2',
        '202223,Academic year,Local authority,E92000001,England,383,E08000035,Leeds,Not known to be eligible for FSM,6230,51.8',
        '202223,Academic year,Local authority,E92000001,England,383,E08000035,Leeds,Looked after,52,c',
        '202223,Academic year,Local authority,E92000001,England,383,E08000035,Leeds,,8386,x',
      ]),
    );
    expect(result.outcome).toBe('loaded');
    expect(result.dataset.groups).toEqual([
      { groupId: 'poorer-socio-economic-groups', filter: 'characteristic', value: 'Disadvantaged', rows: 1 },
      { groupId: 'children-in-care', filter: 'characteristic', value: 'Looked after', rows: 1 },
    ]);
    const observations = await observationsOf(result.batchId);
    expect(observations.filter((row) => row.indicator === 'attainment8').map((row) => [row.filters.characteristic, row.group_id, row.value, row.status])).toEqual([
      ['Disadvantaged', 'poorer-socio-economic-groups', 35.2, 'value'],
      ['Not known to be eligible for FSM', null, 51.8, 'value'],
      ['Looked after', 'children-in-care', null, 'c'],
      ['Not specified', null, null, 'x'],
    ]);
  });

  it('recognises files already loaded and writes nothing the second time', async () => {
    const paths = fixture('twice', ['202223,Academic year,National,E92000001,England,,,,Total,600000,46.2']);
    const first = await run(paths);
    const batchesBefore = await database.db.selectFrom('import_batch').select('id').execute();
    const before = await tableCounts();
    const second = await run(paths);
    expect(second).toMatchObject({ outcome: 'duplicate', batchId: first.batchId, rowsLoaded: 1, earlier: { uploadedBy: 'operator (command line)' } });
    expect(await tableCounts()).toEqual(before);
    expect(await database.db.selectFrom('import_batch').select('id').execute()).toEqual(batchesBefore);
  });

  it('loads the same data again when its metadata file differs', async () => {
    const rows = ['202021,Academic year,National,E92000001,England,,,,Total,610000,50.9'];
    const first = await run(fixture('relabelled-1', rows));
    const second = await run(fixture('relabelled-2', rows, characteristicMeta.replace('Number of pupils', 'Pupils')));
    expect([first.outcome, second.outcome]).toEqual(['loaded', 'loaded']);
  });

  it('loads the same files once when two imports of them run at once', async () => {
    const paths = fixture('at-once', ['202122,Academic year,National,E92000001,England,,,,Total,590000,48.8']);
    const outcomes = (await Promise.all([run(paths), run(paths)])).map((result) => result.outcome).sort();
    expect(outcomes).toEqual(['duplicate', 'loaded']);
  });

  it('refuses a file with an invalid row by default, and with acceptValid loads the valid rows and quarantines the rest', async () => {
    const paths = fixture('partly-valid', [
      '202223,Academic year,Local authority,E92000001,England,383,E08000035,Leeds,Total,8386,47.1',
      '202223,Academic year,Local authority,E92000001,England,999,,Nowhere,Total,100,40.0',
      '202223,Academic year,Local authority,E92000001,England,805,E06000001,Hartlepool,Total,1000,44.0',
      '202223,Academic year,Local authority,E92000001,England,806,E06000002,Middlesbrough,Total,1200,1,234',
    ]);
    const before = await tableCounts();
    const refused = await run(paths);
    expect(refused).toMatchObject({ outcome: 'rejected', rowsRead: 4, rowsLoaded: 0, problemCount: 2, fileProblemCount: 0 });
    expect(await tableCounts()).toEqual(before);

    const loaded = await run(paths, { acceptValid: true });
    expect(loaded).toMatchObject({ outcome: 'loaded', rowsRead: 4, rowsLoaded: 2, rowsQuarantined: 2, problemCount: 2 });
    expect(loaded.problems).toEqual([
      { file: 'partly-valid.csv', row: 3, column: 'old_la_code', value: '999', expected: 'the DfE number of a local authority, current or past: no authority has this number' },
      { file: 'partly-valid.csv', row: 5, column: '(row)', value: '12 values', expected: '11 values, one for each column of the header' },
    ]);
    expect((await observationsOf(loaded.batchId)).map((row) => `${row.row_number} ${row.area_code} ${row.indicator}`)).toEqual([
      '2 E08000035 attainment8',
      '2 E08000035 pupils',
      '4 E06000001 attainment8',
      '4 E06000001 pupils',
    ]);
    const batch = await database.db.selectFrom('import_batch').selectAll().where('id', '=', loaded.batchId).executeTakeFirstOrThrow();
    expect(batch).toMatchObject({ outcome: 'loaded', accept_valid: true, rows_loaded: 2, rows_quarantined: 2, problem_count: 2 });
    expect(await listStatisticsProblems(database.db, loaded.batchId)).toEqual(loaded.problems);
  });

  it('refuses a file with a bad metadata file even with acceptValid', async () => {
    const before = await tableCounts();
    const result = await run(fixture('bad-meta', ['202223,Academic year,National,E92000001,England,,,,Total,600000,46.2'], characteristicMeta.replace('Filter,Pupil', 'Dimension,Pupil')), {
      acceptValid: true,
    });
    expect(result).toMatchObject({ outcome: 'rejected', fileProblemCount: 1, problems: [expect.objectContaining({ file: 'bad-meta.meta.csv', row: 2, column: 'col_type', value: 'Dimension' })] });
    expect(await tableCounts()).toEqual(before);
  });

  it.each([
    ['an empty data file', '', 'a data file: a header row (time_period, time_identifier, geographic_level, ...) and at least one row of figures; the file is empty'],
    ['a header without rows', `${dataHeader}\n`, 'at least one row of figures: the file has a header and no rows'],
  ])('refuses %s', async (_what, text, expected) => {
    const name = `empty-${text.length}`;
    const result = await run({ data: file(`${name}.csv`, text), meta: file(`${name}.meta.csv`, characteristicMeta) }, { acceptValid: true });
    expect(result).toMatchObject({ outcome: 'rejected', problems: [{ file: `${name}.csv`, row: null, column: '(file)', value: '', expected }] });
  });

  it('refuses a data file that is not UTF-8, naming the line of the first bad byte', async () => {
    const paths = fixture('latin1', ['202223,Academic year,National,E92000001,England,,,,Total,600000,46.2']);
    writeFileSync(paths.data, Buffer.concat([readFileSync(paths.data), Buffer.from('\n202223,Academic year,National,E92000001,England,,,,Cost \xa3,1,1\n', 'latin1')]));
    const result = await run(paths, { acceptValid: true });
    expect(result).toMatchObject({ outcome: 'rejected', problems: [expect.objectContaining({ file: 'latin1.csv', row: 3, column: '(file)', value: 'byte 0xA3' })] });
  });

  it('ignores a data column the metadata does not describe, naming it, and refuses a described column the data lacks', async () => {
    const paths = {
      data: file('columns.csv', ['time_period,time_identifier,geographic_level,country_code,country_name,characteristic,pupils,colour', '202223,Academic year,National,E92000001,England,Total,600000,red'].join('\n')),
      meta: file('columns.meta.csv', characteristicMeta),
    };
    const result = await run(paths, { acceptValid: true });
    expect(result.outcome).toBe('rejected');
    expect(result.problems.map((problem) => [problem.row, problem.column])).toEqual([[1, 'attainment8']]);
    expect(result.dataset.ignoredColumns).toEqual(['colour']);
  });
});
