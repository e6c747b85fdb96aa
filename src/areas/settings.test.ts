/**
 * Settings CSV files: a good file gives every setting; a bad one gives every problem with its row,
 * column, the value given and what was expected.
 */
import { describe, expect, it } from 'vitest';
import { parseSettingsCsv, settingSchema, type SettingsCsvProblem, type SettingsCsvResult } from './settings.js';

function settingsOf(result: SettingsCsvResult) {
  if (!result.ok) throw new Error(`expected settings, got problems: ${JSON.stringify(result.problems)}`);
  return result.settings;
}

function problemsOf(result: SettingsCsvResult): SettingsCsvProblem[] {
  if (result.ok) throw new Error(`expected problems, got ${result.settings.length} settings`);
  return result.problems;
}

const header = 'urn,name,kind,la_code,phase';

describe('settingSchema', () => {
  it('accepts a school with a six-digit URN and a phase', () => {
    expect(settingSchema.parse({ urn: 100000, kind: 'school', name: 'Ash Primary', laCode: 'E06000001', phase: 'primary' })).toMatchObject({ urn: 100000 });
  });

  it('rejects a URN outside 100000 to 999999', () => {
    expect(settingSchema.safeParse({ urn: 99999, kind: 'school', name: 'A', laCode: 'E06000001' }).success).toBe(false);
    expect(settingSchema.safeParse({ urn: 1000000, kind: 'school', name: 'A', laCode: 'E06000001' }).success).toBe(false);
  });

  it('rejects a code that is not an upper-tier GSS code', () => {
    expect(settingSchema.safeParse({ urn: 123456, kind: 'other', name: 'A', laCode: 'E07000001' }).success).toBe(false);
  });
});

describe('parseSettingsCsv with a good file', () => {
  it('reads every kind of setting, with and without a phase', () => {
    const csv = [
      header,
      '100001,Ash Primary School,school,E06000001,Primary',
      '100002,"Birch Academy, Upper School",school,E06000001,secondary',
      "200003,Cedar Children's Centre,Children's centre,E06000001,",
      '300004,Daisy Day Nursery,early years,E06000001,Nursery',
      '400005,Elm Pupil Referral Unit,other,e06000001,Not applicable',
      '100006,Fir All-through School,School,E06000001,All-through',
      '100007,Grove Sixth Form,school,E06000001,16 plus',
      '100008,Hazel Middle,school,E06000001,Middle deemed secondary',
    ].join('\n');
    expect(settingsOf(parseSettingsCsv(csv))).toEqual([
      { urn: 100001, name: 'Ash Primary School', kind: 'school', laCode: 'E06000001', phase: 'primary' },
      { urn: 100002, name: 'Birch Academy, Upper School', kind: 'school', laCode: 'E06000001', phase: 'secondary' },
      { urn: 200003, name: "Cedar Children's Centre", kind: 'childrens-centre', laCode: 'E06000001' },
      { urn: 300004, name: 'Daisy Day Nursery', kind: 'early-years', laCode: 'E06000001', phase: 'nursery' },
      { urn: 400005, name: 'Elm Pupil Referral Unit', kind: 'other', laCode: 'E06000001', phase: 'not-applicable' },
      { urn: 100006, name: 'Fir All-through School', kind: 'school', laCode: 'E06000001', phase: 'all-through' },
      { urn: 100007, name: 'Grove Sixth Form', kind: 'school', laCode: 'E06000001', phase: '16-plus' },
      { urn: 100008, name: 'Hazel Middle', kind: 'school', laCode: 'E06000001', phase: 'middle-deemed-secondary' },
    ]);
  });

  it('reads the authority’s locality of each setting when given, its spaces tidied, and leaves it out when blank', () => {
    const csv = ['urn,name,kind,la_code,locality', '100001,Ash Primary School,school,E06000001,  North   West ', '100002,Birch Academy,school,E06000001,'].join('\n');
    expect(settingsOf(parseSettingsCsv(csv))).toEqual([
      { urn: 100001, name: 'Ash Primary School', kind: 'school', laCode: 'E06000001', locality: 'North West' },
      { urn: 100002, name: 'Birch Academy', kind: 'school', laCode: 'E06000001' },
    ]);
  });

  it('reads a spreadsheet export: byte-order mark, CRLF, columns in another order, no phase column, blank rows', () => {
    const csv = '\uFEFFLA_Code, Kind ,URN,Name\r\nE08000025,school,103000,Oak School\r\n,,,\r\n\r\nE08000025,school,103001, Pine School \r\n';
    expect(settingsOf(parseSettingsCsv(csv))).toEqual([
      { urn: 103000, name: 'Oak School', kind: 'school', laCode: 'E08000025' },
      { urn: 103001, name: 'Pine School', kind: 'school', laCode: 'E08000025' },
    ]);
  });

  it('reads bytes as UTF-8', () => {
    const bytes = new TextEncoder().encode(`${header}\n123456,Ysgol Pen-y-Bryn – Annex,school,E09000001,\n`);
    expect(settingsOf(parseSettingsCsv(bytes))).toEqual([{ urn: 123456, name: 'Ysgol Pen-y-Bryn – Annex', kind: 'school', laCode: 'E09000001' }]);
  });

  it('accepts rows of the importing authority when told which it is', () => {
    const csv = `${header}\n123456,Oak,school,E06000062,\n`;
    expect(settingsOf(parseSettingsCsv(csv, { laCode: 'e06000062' }))).toHaveLength(1);
  });
});

describe('parseSettingsCsv with a bad file', () => {
  it('refuses a locality name longer than 80 characters, naming the row and column', () => {
    const long = 'L'.repeat(81);
    expect(problemsOf(parseSettingsCsv(`urn,name,kind,la_code,locality\n100001,Ash,school,E06000001,${long}`))).toEqual([
      { row: 2, column: 'locality', value: long, expected: 'empty or a name of at most 80 characters' },
    ]);
  });

  it('reports each bad cell with row, column, value and what was expected', () => {
    const csv = [
      header,
      '12345,Short URN,school,E06000001,primary',
      'EY123456,Ofsted number,early-years,E06000001,',
      ',No kind,,E06000001,',
      '123457,,school,E06000001,',
      '123458,Bad phase,school,E06000001,reception',
      '123459,Bad kind,academy,E06000001,',
    ].join('\n');
    expect(problemsOf(parseSettingsCsv(csv))).toEqual([
      { row: 2, column: 'urn', value: '12345', expected: 'a six-digit unique reference number from 100000 to 999999' },
      { row: 3, column: 'urn', value: 'EY123456', expected: 'a six-digit unique reference number from 100000 to 999999' },
      { row: 4, column: 'urn', value: '', expected: 'a six-digit unique reference number from 100000 to 999999' },
      { row: 4, column: 'kind', value: '', expected: 'one of school, childrens-centre, early-years, other' },
      { row: 5, column: 'name', value: '', expected: 'the name of the setting' },
      {
        row: 6,
        column: 'phase',
        value: 'reception',
        expected:
          'empty or one of nursery, primary, middle-deemed-primary, secondary, middle-deemed-secondary, all-through, 16-plus, not-applicable (as in Get Information about Schools)',
      },
      { row: 7, column: 'kind', value: 'academy', expected: 'one of school, childrens-centre, early-years, other' },
    ]);
  });

  it('reports a URN given twice on the later row', () => {
    const csv = `${header}\n123456,Oak,school,E06000001,\n123457,Ash,school,E06000001,\n123456,Oak again,school,E06000001,\n`;
    expect(problemsOf(parseSettingsCsv(csv))).toEqual([{ row: 4, column: 'urn', value: '123456', expected: 'a URN not already given on row 2' }]);
  });

  it('counts blank rows in row numbers, as a spreadsheet does', () => {
    const csv = `${header}\n\n123456,Oak,school,E06000001,\n\n1,Bad,school,E06000001,\n`;
    expect(problemsOf(parseSettingsCsv(csv)).map((problem) => problem.row)).toEqual([5]);
  });

  it('explains a replaced authority code and names its successors', () => {
    const csv = `${header}\n123456,Oak,school,E10000021,\n123457,Ash,school,928,\n`;
    const expected =
      'the GSS code of a current local authority, e.g. E06000001; Northamptonshire was replaced on 2021-04-01 by E06000061 (North Northamptonshire) or E06000062 (West Northamptonshire)';
    expect(problemsOf(parseSettingsCsv(csv))).toEqual([
      { row: 2, column: 'la_code', value: 'E10000021', expected },
      { row: 3, column: 'la_code', value: '928', expected },
    ]);
  });

  it('gives the GSS code when given a DfE number or a name', () => {
    const csv = `${header}\n123456,Oak,school,805,\n123457,Ash,school,Hartlepool,\n123458,Elm,school,E07000001,\n123459,Yew,school,,\n`;
    expect(problemsOf(parseSettingsCsv(csv))).toEqual([
      { row: 2, column: 'la_code', value: '805', expected: 'the GSS code of a current local authority, e.g. E06000001; the GSS code of Hartlepool is E06000001' },
      { row: 3, column: 'la_code', value: 'Hartlepool', expected: 'the GSS code of a current local authority, e.g. E06000001; the GSS code of Hartlepool is E06000001' },
      { row: 4, column: 'la_code', value: 'E07000001', expected: 'the GSS code of a current local authority, e.g. E06000001' },
      { row: 5, column: 'la_code', value: '', expected: 'the GSS code of a current local authority, e.g. E06000001' },
    ]);
  });

  it('refuses settings of another authority when told which authority imports them', () => {
    const csv = `${header}\n123456,Oak,school,E06000001,\n`;
    expect(problemsOf(parseSettingsCsv(csv, { laCode: 'E06000002' }))).toEqual([
      { row: 2, column: 'la_code', value: 'E06000001', expected: 'E06000002: settings imported by this authority must belong to it' },
    ]);
  });

  it('reports missing, unknown and repeated columns in the header', () => {
    expect(problemsOf(parseSettingsCsv('urn,name,type,name\n123456,Oak,school,Oak\n'))).toEqual([
      { row: 1, column: 'type', value: 'type', expected: 'one of the columns urn, name, kind, la_code, phase, locality' },
      { row: 1, column: 'name', value: 'name', expected: 'each column once; name is given twice' },
      { row: 1, column: 'kind', value: '', expected: 'a column named kind' },
      { row: 1, column: 'la_code', value: '', expected: 'a column named la_code' },
    ]);
  });

  it('reports a row with the wrong number of fields', () => {
    const csv = `${header}\n123456,Oak,school,E06000001\n`;
    expect(problemsOf(parseSettingsCsv(csv))).toEqual([
      { row: 2, column: null, value: '123456,Oak,school,E06000001', expected: '5 fields, as in the header; found 4' },
    ]);
  });

  it('reports a file that is not well-formed CSV with the line', () => {
    const [problem] = problemsOf(parseSettingsCsv(`${header}\n123456,Oak,school,E06000001,\n123457,"Ash,school,E06000001,\n`));
    expect(problem).toMatchObject({ row: 3, column: null, value: '' });
    expect(problem?.expected).toMatch(/^a well-formed CSV file \(line 3: Quote Not Closed/);
  });

  it('reports an empty file and a file with only a header', () => {
    expect(problemsOf(parseSettingsCsv(''))).toEqual([
      { row: 1, column: null, value: '', expected: 'a header row with the columns urn, name, kind, la_code, phase, locality' },
    ]);
    expect(problemsOf(parseSettingsCsv(`${header}\n`))).toEqual([{ row: 2, column: null, value: '', expected: 'at least one setting below the header' }]);
  });
});
