import { describe, expect, it } from 'vitest';
import { statisticsRowReader } from './data-rows.js';
import type { StatisticsRow, StatisticsRowResult } from './data-rows.js';
import { checkMetadata } from './metadata.js';

const files = { data: 'test.csv', meta: 'test.meta.csv' };
const metadata = checkMetadata(
  [
    'col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,filter_hint,filter_grouping_column',
    'characteristic,Filter,Characteristic,,,,,',
    'pupils,Indicator,Number of pupils,,,0,,',
    'rate,Indicator,Rate,,%,1,,',
  ].map((line, index) => ({ row: index + 1, values: line.split(',') })),
  files.meta,
).metadata;

const fullHeader = [
  'time_period',
  'time_identifier',
  'geographic_level',
  'country_code',
  'country_name',
  'region_code',
  'region_name',
  'old_la_code',
  'new_la_code',
  'la_name',
  'school_urn',
  'school_name',
  'school_laestab',
  'characteristic',
  'pupils',
  'rate',
];

const nationalRow: Record<string, string> = {
  time_period: '202223',
  time_identifier: 'Academic year',
  geographic_level: 'National',
  country_code: 'E92000001',
  country_name: 'England',
  characteristic: 'Total',
  pupils: '100',
  rate: '5.5',
};

/** Reads one row given as column → value over the national row, through a reader for `header`. */
function readRow(cells: Record<string, string>, header: string[] = fullHeader): StatisticsRowResult {
  const { reader } = statisticsRowReader(header, metadata, files);
  const row = { ...nationalRow, ...cells };
  return reader.read(
    header.map((column) => row[column] ?? ''),
    2,
  );
}

function validRow(cells: Record<string, string>): StatisticsRow {
  const result = readRow(cells);
  if (!result.ok) throw new Error(`expected a valid row, got ${JSON.stringify(result.problems)}`);
  return result.row;
}

function problemsOf(cells: Record<string, string>, header?: string[]) {
  const result = readRow(cells, header);
  return result.ok ? [] : result.problems.map(({ column, value, expected }) => ({ column, value, expected }));
}

const authorityRow = { geographic_level: 'Local authority', region_code: 'E12000003', region_name: 'Yorkshire and The Humber', la_name: 'As published' };

describe('statisticsRowReader', () => {
  it('accepts a header of the standard described by the metadata', () => {
    expect(statisticsRowReader(fullHeader, metadata, files).problems).toEqual([]);
  });

  it('refuses a header with a missing described column, a missing time column and a repeated name, and ignores an undescribed column, naming it', () => {
    const header = ['time_identifier', 'geographic_level', 'country_code', 'country_name', 'characteristic', 'characteristic', 'pupils', 'colour'];
    const checked = statisticsRowReader(header, metadata, files);
    expect(checked.problems).toEqual([
      { file: 'test.csv', row: 1, column: 'characteristic', value: 'characteristic', expected: 'each column once: this name appears more than once' },
      { file: 'test.csv', row: 1, column: 'time_period', value: '', expected: 'the column "time_period", which every data file has' },
      { file: 'test.csv', row: 1, column: 'rate', value: '', expected: 'the column "rate", which test.meta.csv describes; it is not in the data file' },
    ]);
    expect(checked.ignoredColumns).toEqual(['colour']);
  });

  it('refuses a header without the country columns, or with some but not all of the authority or region columns', () => {
    const header = ['time_period', 'time_identifier', 'geographic_level', 'region_code', 'new_la_code', 'la_name', 'characteristic', 'pupils', 'rate'];
    expect(statisticsRowReader(header, metadata, files).problems.map((problem) => [problem.column, problem.expected])).toEqual([
      ['country_code', 'the column "country_code", which every data file has'],
      ['country_name', 'the column "country_name", which every data file has'],
      ['old_la_code', 'the column "old_la_code": a file with any of the local authority columns (old_la_code, new_la_code, la_name) has all of them'],
      ['region_name', 'the column "region_name": a file with any of the region columns (region_code, region_name) has all of them'],
    ]);
  });

  it('reads a national row with its values, time and filters', () => {
    expect(validRow({})).toEqual({
      row: 2,
      timePeriod: '202223',
      timeIdentifier: 'Academic year',
      startYear: 2022,
      geographicLevel: 'National',
      location: { areaCode: 'E92000001', laCode: null, oldLaCode: null, newLaCode: null },
      filters: { characteristic: 'Total' },
      groupId: null,
      cells: [100, 5.5],
    });
  });

  it('reads symbols as the status of a cell and a blank filter as Not specified', () => {
    const row = validRow({ pupils: 'c', rate: 'low', characteristic: '' });
    expect(row.cells).toEqual(['c', 'low']);
    expect(row.filters).toEqual({ characteristic: 'Not specified' });
  });

  it.each([
    ['Disadvantaged', 'poorer-socio-economic-groups'],
    ['FSM eligible', 'poorer-socio-economic-groups'],
    ['Looked after', 'children-in-care'],
    ['Children looked after', 'children-in-care'],
    ['SEN support', 'children-with-sen'],
    ['EHC plan', 'children-with-sen'],
    ['Any SEN', 'children-with-sen'],
    ['Not known to be eligible for FSM', null],
    ['Disadvantaged all other', null],
    ['No SEN', null],
    ['Total', null],
  ])('tags filter value %j with framework group %s', (value, groupId) => {
    expect(validRow({ characteristic: value }).groupId).toBe(groupId);
  });

  it.each([
    ['a current authority by both codes', { old_la_code: '383', new_la_code: 'E08000035' }, { areaCode: 'E08000035', laCode: 'E08000035' }],
    ['a current authority by its DfE number only', { old_la_code: '383', new_la_code: '' }, { areaCode: 'E08000035', laCode: 'E08000035' }],
    ['a recoded authority under its current code', { old_la_code: '373', new_la_code: 'E08000019' }, { areaCode: 'E08000039', laCode: 'E08000039' }],
    ['a county that became unitary under the unitary code', { old_la_code: '825', new_la_code: 'E10000002' }, { areaCode: 'E06000060', laCode: 'E06000060' }],
    ['a split county under its own code, with no single authority', { old_la_code: '928', new_la_code: 'E10000021' }, { areaCode: 'E10000021', laCode: null }],
    ['a pre-2009 county published with "." for its GSS code', { old_la_code: '820', new_la_code: '.' }, { areaCode: 'E10000001', laCode: null }],
    ['a merged authority under its own code, scoped to its successor', { old_la_code: '837', new_la_code: 'E06000028' }, { areaCode: 'E06000028', laCode: 'E06000058' }],
    ['joint figures of two authorities', { old_la_code: '314 / 318', new_la_code: 'E09000021 / E09000027' }, { areaCode: 'E09000021 / E09000027', laCode: null }],
  ])('places %s', (_what, codes, expected) => {
    expect(validRow({ ...authorityRow, ...codes }).location).toEqual({ ...expected, oldLaCode: codes.old_la_code, newLaCode: codes.new_la_code === '' ? null : codes.new_la_code });
  });

  it.each([
    ['an unknown GSS code', { old_la_code: '', new_la_code: 'E08000099' }, 'new_la_code', 'the GSS code of an English local authority, current or past: no authority has this code'],
    ['a malformed GSS code', { old_la_code: '', new_la_code: 'Leeds' }, 'new_la_code', 'the GSS code of an English local authority, such as E08000019, or blank'],
    ['an unknown DfE number', { old_la_code: '999', new_la_code: '' }, 'old_la_code', 'the DfE number of a local authority, current or past: no authority has this number'],
    ['codes of two different authorities', { old_la_code: '805', new_la_code: 'E08000035' }, 'old_la_code', 'the DfE number of the authority new_la_code E08000035 names (Leeds, 383)'],
    [
      'no code at all',
      { old_la_code: '', new_la_code: '' },
      'new_la_code',
      'an authority code: new_la_code (GSS code, such as E08000019) or old_la_code (DfE number, such as 373); both are blank',
    ],
  ])('refuses an authority row with %s', (_what, codes, column, expected) => {
    expect(problemsOf({ ...authorityRow, ...codes })).toEqual([{ column, value: column === 'old_la_code' ? codes.old_la_code : codes.new_la_code, expected }]);
  });

  it('places a region, Inner and Outer London included, and refuses a code that is no region', () => {
    expect(validRow({ geographic_level: 'Regional', region_code: 'E13000002', region_name: 'Outer London' }).location.areaCode).toBe('E13000002');
    expect(problemsOf({ geographic_level: 'Regional', region_code: 'E12000099', region_name: 'Nowhere' })).toEqual([
      { column: 'region_code', value: 'E12000099', expected: 'the GSS code of an English region (E12) or of Inner or Outer London (E13), such as E12000003' },
    ]);
  });

  it('refuses a country code it does not know', () => {
    expect(problemsOf({ country_code: 'E92000002' })).toEqual([{ column: 'country_code', value: 'E92000002', expected: 'the ONS code of a country, such as E92000001 for England' }]);
  });

  it('places a school by its URN within its current authority, and refuses a school row without its name or LAESTAB', () => {
    const school = { geographic_level: 'School', old_la_code: '373', new_la_code: 'E08000019', la_name: 'Sheffield', school_name: 'Greenhill Primary School', school_laestab: '3732001' };
    expect(validRow({ ...school, school_urn: '145374' }).location).toEqual({ areaCode: '145374', laCode: 'E08000039', oldLaCode: '373', newLaCode: 'E08000019' });
    expect(validRow({ ...school, school_urn: '145374', old_la_code: '', new_la_code: '', la_name: '' }).location).toEqual({ areaCode: '145374', laCode: null, oldLaCode: null, newLaCode: null });
    expect(problemsOf({ ...school, school_urn: '145374', school_name: '', school_laestab: '' })).toEqual([
      { column: 'school_name', value: '', expected: "the school's name (it must not be blank for a School row)" },
      { column: 'school_laestab', value: '', expected: "the school's LAESTAB (it must not be blank for a School row)" },
    ]);
  });

  it('places rows of the newer levels by their published codes, a mayoral combined authority and a police force area among them', () => {
    const header = [...fullHeader, 'mayoral_combined_authority_code', 'mayoral_combined_authority_name', 'pfa_code', 'pfa_name', 'lsip_code', 'lsip_name'];
    const { reader } = statisticsRowReader(header, metadata, files);
    const read = (cells: Record<string, string>) => reader.read(header.map((column) => ({ ...nationalRow, ...cells })[column] ?? ''), 2);
    const mca = read({ geographic_level: 'Mayoral Combined Authority', mayoral_combined_authority_code: 'E47000001', mayoral_combined_authority_name: 'Greater Manchester' });
    expect(mca).toMatchObject({ ok: true, level: { name: 'Mayoral combined authority' }, row: { geographicLevel: 'Mayoral combined authority', location: { areaCode: 'E47000001', laCode: null } } });
    expect(read({ geographic_level: 'Police force area', pfa_code: 'E23000001', pfa_name: 'Metropolitan Police' })).toMatchObject({ ok: true, row: { location: { areaCode: 'E23000001' } } });
    expect(read({ geographic_level: 'Local skills improvement plan area', lsip_code: 'E69000014', lsip_name: '' })).toMatchObject({
      ok: false,
      contentOnly: true,
      problems: [{ column: 'lsip_name', value: '', expected: "the local skills improvement plan area's name (it must not be blank for a Local skills improvement plan area row)" }],
    });
  });

  it('refuses the rows of a level whose columns the header lacks, saying so once', () => {
    const header = ['time_period', 'time_identifier', 'geographic_level', 'country_code', 'country_name', 'characteristic', 'pupils', 'rate'];
    const { reader } = statisticsRowReader(header, metadata, files);
    const schoolRow = header.map((column) => ({ ...nationalRow, geographic_level: 'School' })[column] ?? '');
    expect(reader.read(schoolRow, 2)).toEqual({
      ok: false,
      level: expect.objectContaining({ name: 'School' }) as unknown,
      contentOnly: true,
      problems: [
        {
          file: 'test.csv',
          row: 2,
          column: 'geographic_level',
          value: 'School',
          expected: 'the columns a School row needs, which the header lacks: school_urn, school_name, school_laestab (every School row is refused)',
        },
      ],
    });
    expect(reader.read(schoolRow, 3)).toMatchObject({ ok: false, problems: [] });
    expect(reader.read(header.map((column) => nationalRow[column] ?? ''), 4).ok).toBe(true);
  });

  it('refuses an unknown geographic level and an unknown time identifier by name', () => {
    expect(problemsOf({ geographic_level: 'County', time_identifier: 'Academic year Q1' }).map((problem) => [problem.column, problem.value])).toEqual([
      ['time_identifier', 'Academic year Q1'],
      ['geographic_level', 'County'],
    ]);
  });

  it('refuses a time period that does not fit its identifier', () => {
    expect(problemsOf({ time_period: '2022' })).toEqual([
      { column: 'time_period', value: '2022', expected: 'six digits for Academic year: the start year and the last two digits of the next, such as 201617' },
    ]);
    expect(problemsOf({ time_identifier: 'Calendar year', time_period: '202223' })).toEqual([
      { column: 'time_period', value: '202223', expected: 'four digits for Calendar year: the year, such as 2017' },
    ]);
  });

  it('refuses a row whose kind of time period differs from the first rows', () => {
    const { reader } = statisticsRowReader(fullHeader, metadata, files);
    const values = (cells: Record<string, string>) => fullHeader.map((column) => ({ ...nationalRow, ...cells })[column] ?? '');
    expect(reader.read(values({}), 2).ok).toBe(true);
    expect(reader.read(values({ time_identifier: 'Calendar year', time_period: '2022' }), 3)).toEqual({
      ok: false,
      level: expect.objectContaining({ name: 'National' }) as unknown,
      contentOnly: false,
      problems: [
        {
          file: 'test.csv',
          row: 3,
          column: 'time_identifier',
          value: 'Calendar year',
          expected: "an identifier of the same kind as the file's first rows (Academic year): the standard does not mix kinds of time period in one file",
        },
      ],
    });
  });

  it('refuses blank indicator cells and null words, giving them as written, and keeps categories in words', () => {
    expect(problemsOf({ pupils: ' NA', rate: '' }).map((problem) => [problem.column, problem.value])).toEqual([
      ['pupils', ' NA'],
      ['rate', ''],
    ]);
    expect(validRow({ pupils: 'large', rate: 'x' }).cells).toEqual([{ text: 'large' }, 'x']);
  });

  it('refuses a filter value written as NA and a row with too few values', () => {
    expect(problemsOf({ characteristic: 'NA' })).toEqual([{ column: 'characteristic', value: 'NA', expected: 'a filter value, or blank for "Not specified": NA is how software writes a missing value' }]);
    const { reader } = statisticsRowReader(fullHeader, metadata, files);
    expect(reader.read(['202223', 'Academic year', 'National'], 7)).toEqual({
      ok: false,
      level: undefined,
      contentOnly: false,
      problems: [{ file: 'test.csv', row: 7, column: '(row)', value: '3 values', expected: '16 values, one for each column of the header' }],
    });
  });
});
