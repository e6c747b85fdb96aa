import { describe, expect, it } from 'vitest';
import { temporaryFiles } from '../../../test/support/files.js';
import { readMetadata } from './metadata.js';

const file = temporaryFiles('ntg-statistics-meta-');
const header = 'col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,filter_hint,filter_grouping_column';

async function read(text: string) {
  return readMetadata(file('test.meta.csv', text), 'test.meta.csv');
}

describe('readMetadata', () => {
  it('reads filters and indicators with their labels, units and decimal places', async () => {
    const reading = await read(
      [
        `${header},filter_default`,
        'characteristic,Filter,Pupil characteristic,,,,Disadvantage and need,characteristic_group,Total',
        'pupils,Indicator,Number of pupils,Headline,,0,,,',
        'rate,Indicator,Rate of absence,Headline,%,2,,,',
      ].join('\r\n'),
    );
    expect(reading.problems).toEqual([]);
    expect(reading.metadata.filters).toEqual([
      { name: 'characteristic', label: 'Pupil characteristic', hint: 'Disadvantage and need', groupingColumn: 'characteristic_group', parentFilter: null, defaultValue: 'Total' },
    ]);
    expect(reading.metadata.indicators).toEqual([
      { name: 'pupils', label: 'Number of pupils', grouping: 'Headline', unit: '', decimalPlaces: 0 },
      { name: 'rate', label: 'Rate of absence', grouping: 'Headline', unit: '%', decimalPlaces: 2 },
    ]);
  });

  it('refuses the invalid sample metadata, naming each NA cell and each row of NA', async () => {
    const reading = await readMetadata('../shared/data/ees-samples/invalid-data-set.meta.csv', 'invalid-data-set.meta.csv');
    const naRow = {
      file: 'invalid-data-set.meta.csv',
      column: '(row)',
      value: 'NA,NA,NA,NA,NA,NA,NA,NA',
      expected: 'a row describing one column of the data file: this row is all NA (how R writes a missing value); delete it',
    };
    const naCell = 'a value, or blank where there is none: NA is how R writes a missing value (write the file with na = "")';
    expect(reading.problems).toEqual([
      { file: 'invalid-data-set.meta.csv', row: 2, column: 'indicator_unit', value: 'NA', expected: naCell },
      { file: 'invalid-data-set.meta.csv', row: 2, column: 'filter_grouping_column', value: 'NA', expected: naCell },
      { ...naRow, row: 3 },
      { ...naRow, row: 4 },
      { ...naRow, row: 5 },
      { ...naRow, row: 6 },
      { ...naRow, row: 7 },
    ]);
  });

  it('refuses an empty file and a header with no rows', async () => {
    expect((await read('')).problems).toEqual([
      expect.objectContaining({ row: null, column: '(file)', expected: expect.stringMatching(/^a metadata file: a header row/) as unknown }),
    ]);
    expect((await read(`${header}\n`)).problems).toEqual([
      expect.objectContaining({ row: null, column: '(file)', expected: 'at least one row describing an indicator: the file has a header and no rows' }),
    ]);
  });

  it('refuses a missing standard column and an unknown one', async () => {
    const reading = await read(['col_name,col_type,label,indicator_unit,indicator_dp,filter_hint,filter_grouping_column,colour', 'pupils,Indicator,Pupils,,0,,,red'].join('\n'));
    expect(reading.problems).toEqual([
      expect.objectContaining({ row: 1, column: 'colour', value: 'colour', expected: expect.stringMatching(/^a metadata column of the standard: col_name, col_type/) as unknown }),
      expect.objectContaining({ row: 1, column: 'indicator_grouping', value: '', expected: 'the column "indicator_grouping", which every metadata file has' }),
    ]);
  });

  it('refuses a col_type other than Filter or Indicator', async () => {
    const reading = await read([header, 'pupils,Measure,Pupils,,,0,,'].join('\n'));
    expect(reading.problems).toEqual([{ file: 'test.meta.csv', row: 2, column: 'col_type', value: 'Measure', expected: 'Filter or Indicator' }]);
  });

  it('refuses a column described twice, naming the first row that describes it', async () => {
    const reading = await read([header, 'pupils,Indicator,Pupils,,,0,,', 'pupils,Indicator,Pupils again,,,0,,'].join('\n'));
    expect(reading.problems).toEqual([
      { file: 'test.meta.csv', row: 3, column: 'col_name', value: 'pupils', expected: 'each column described once: row 2 describes "pupils" already' },
    ]);
  });

  it('refuses a blank col_name and label, and a name with spaces', async () => {
    const reading = await read([header, ',Indicator,,,,0,,', 'number of pupils,Indicator,Pupils,,,0,,'].join('\n'));
    expect(reading.problems).toEqual([
      { file: 'test.meta.csv', row: 2, column: 'col_name', value: '', expected: 'the name of a filter or indicator column of the data file' },
      { file: 'test.meta.csv', row: 2, column: 'label', value: '', expected: 'a label for the column, as people will see it' },
      { file: 'test.meta.csv', row: 3, column: 'col_name', value: 'number of pupils', expected: 'a column name without spaces, as the data file has it' },
    ]);
  });

  it('refuses an unknown unit, a fractional number of decimal places and filter fields on an indicator', async () => {
    const reading = await read([header, 'pupils,Indicator,Pupils,,people,1.5,A hint,'].join('\n'));
    expect(reading.problems.map((problem) => [problem.column, problem.value])).toEqual([
      ['indicator_unit', 'people'],
      ['indicator_dp', '1.5'],
      ['filter_hint', 'A hint'],
    ]);
  });

  it('refuses indicator fields on a filter and a metadata file with no indicator', async () => {
    const reading = await read([header, 'school_type,Filter,School type,,%,,,'].join('\n'));
    expect(reading.problems).toEqual([
      { file: 'test.meta.csv', row: 2, column: 'indicator_unit', value: '%', expected: 'blank for a filter: indicator_unit describes indicators' },
      { file: 'test.meta.csv', row: null, column: '(file)', value: '', expected: 'at least one row with col_type Indicator: the metadata describes no indicator' },
    ]);
  });

  it('refuses a time or location column described as a filter, and a ragged row', async () => {
    const reading = await read([header, 'la_name,Filter,Authority,,,,,', 'pupils,Indicator,Pupils,,,0'].join('\n'));
    expect(reading.problems).toEqual([
      expect.objectContaining({ row: 2, column: 'col_name', value: 'la_name', expected: expect.stringContaining('is a time or location column of the standard') as unknown }),
      { file: 'test.meta.csv', row: 3, column: '(row)', value: '6 values', expected: '8 values, one for each column of the header' },
      expect.objectContaining({ row: null, column: '(file)' }),
    ]);
  });
});
