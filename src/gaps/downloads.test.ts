import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, signedInPeople } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from '../auth/gate.js';
import type { Role } from '../auth/permissions.js';
import { importChildFile } from '../ingest/child-import.js';
import { importStatistics } from '../ingest/statistics/service.js';
import type { DataGapsJson } from './data-gaps.js';
import type { GapCell } from './matrix.js';

const camden = 'E09000007';

/** The numeric fields of a gap cell, by the label of their column in the downloads. */
const gapFigures: [label: string, field: keyof GapCell][] = [
  ['Children in the group with a value', 'group_count'],
  ['Group value', 'group_value'],
  ['Group value, lower 95% limit', 'group_lower'],
  ['Group value, upper 95% limit', 'group_upper'],
  ['Children in the comparator with a value', 'comparator_count'],
  ['Comparator value', 'comparator_value'],
  ['Comparator value, lower 95% limit', 'comparator_lower'],
  ['Comparator value, upper 95% limit', 'comparator_upper'],
  ['Gap', 'gap'],
  ['Gap, lower 95% limit', 'gap_lower'],
  ['Gap, upper 95% limit', 'gap_upper'],
  ['Children with a value whose membership is not recorded', 'unknown_count'],
];

type Table = Record<string, unknown>[];

function csvTable(body: string): Table {
  expect(body.startsWith('\uFEFF')).toBe(true);
  return parse<Record<string, unknown>>(body, { bom: true, columns: true, record_delimiter: '\r\n' });
}

/** The figures sheet as records keyed by its header row, and the notes sheet as label → text. */
async function workbookTables(body: Buffer): Promise<{ figures: Table; notes: Map<string, string>; sheetNames: string[]; formulas: number; numberFormats: Map<string, string> }> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ExcelJS.Buffer);
  const [figureSheet, noteSheet] = workbook.worksheets;
  const header = (figureSheet!.getRow(1).values as unknown[]).slice(1) as string[];
  const figures: Table = [];
  let formulas = 0;
  const numberFormats = new Map<string, string>();
  figureSheet!.eachRow((row, number) => {
    row.eachCell((cell) => {
      if (cell.type === ExcelJS.ValueType.Formula) formulas += 1;
    });
    if (number === 1) return;
    const values = (row.values as unknown[]).slice(1);
    figures.push(Object.fromEntries(header.map((label, index) => [label, values[index] ?? ''])));
    header.forEach((label, index) => {
      const format = row.getCell(index + 1).numFmt;
      if (format !== undefined && format !== 'General') numberFormats.set(label, format);
    });
  });
  const notes = new Map<string, string>();
  noteSheet!.eachRow((row) => {
    const [label, text] = (row.values as unknown[]).slice(1);
    if (typeof label === 'string' && typeof text === 'string') notes.set(label, text);
  });
  return { figures, notes, sheetNames: workbook.worksheets.map((sheet) => sheet.name), formulas, numberFormats };
}

/** The API's figure, or for null the symbol the download writes in its place. */
function expectSameFigure(downloaded: unknown, api: number | null, symbol: 'c' | 'x', context: string): void {
  if (api === null) expect(downloaded, context).toBe(symbol);
  // A CSV holds text; a workbook holds the number itself.
  else expect(typeof downloaded === 'string' ? Number(downloaded) : downloaded, context).toBe(api);
}

describe.each(testEngines)('the gap matrix and the data-gap audit as downloads on %s', (engine) => {
  let testApp: TestApp;
  let folder: string;
  const sessions = new Map<string, string>();
  const get = (who: string, url: string) => testApp.app.inject({ method: 'GET', url, cookies: { [sessionCookieName(false)]: sessions.get(who)! } });

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    folder = mkdtempSync(join(tmpdir(), 'ntg-gap-downloads-'));
    // 3 young carers (1 reaches the standard: withheld from viewers without child-level access), 30
    // disadvantaged children (12 reach it) and 50 others (35 do), with Attainment 8 scores for all.
    const rows = [
      ...Array.from({ length: 3 }, (_, index) => child(index, { young_carer: 'Y', disadvantaged: 'N', ks2_rwm_expected: index === 0 ? 'Y' : 'N', ks4_attainment8: '40' })),
      ...Array.from({ length: 30 }, (_, index) => child(100 + index, { young_carer: 'N', disadvantaged: 'Y', ks2_rwm_expected: index < 12 ? 'Y' : 'N', ks4_attainment8: String(30 + (index % 10)) })),
      ...Array.from({ length: 50 }, (_, index) => child(200 + index, { young_carer: 'N', disadvantaged: 'N', ks2_rwm_expected: index < 35 ? 'Y' : 'N', ks4_attainment8: String(40 + (index % 15)) })),
    ];
    const path = join(folder, 'camden.csv');
    writeFileSync(path, childCsv(rows));
    await importChildFile({ path, fileName: 'camden.csv', laCode: camden, acceptValid: false, actor: { userId: null, organisationId: null, label: 'test' } }, { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey });
    // Published key stage 2 attainment for England: 46% of 205,000 disadvantaged pupils in 2023/24.
    const statisticsPath = join(folder, 'key_stage_2.csv');
    writeFileSync(
      statisticsPath,
      [
        'time_period,time_identifier,geographic_level,country_code,country_name,characteristic,t_rwm_eligible_pupils,pt_rwm_met_expected_standard',
        '202324,Academic year,National,E92000001,England,Total,660000,61',
        '202324,Academic year,National,E92000001,England,Disadvantaged,205000,46',
      ].join('\n'),
    );
    writeFileSync(
      join(folder, 'key_stage_2.meta.csv'),
      [
        'col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,filter_hint,filter_grouping_column',
        'characteristic,Filter,Characteristic,,,,,',
        't_rwm_eligible_pupils,Indicator,Eligible pupils,,,0,,',
        'pt_rwm_met_expected_standard,Indicator,Expected standard in reading writing and maths,,%,0,,',
      ].join('\n'),
    );
    const loaded = await importStatistics(testApp.database.db, { dataPath: statisticsPath, metaPath: join(folder, 'key_stage_2.meta.csv'), dataDir: folder, uploadedBy: { userId: null, label: 'test', organisationId: null } });
    expect(loaded.outcome).toBe('loaded');
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const london = await newOrganisation(db, { kind: 'region', name: 'London', areaCode: 'E12000007' });
    const northWest = await newOrganisation(db, { kind: 'region', name: 'North West', areaCode: 'E12000002' });
    const people: [string, Role, string][] = [
      ['analyst', 'analyst', authority],
      ['adviser', 'regional-adviser', london],
      ['other-adviser', 'regional-adviser', northWest],
    ];
    for (const [who, token] of await signedInPeople(db, people)) sessions.set(who, token);
  }, 120_000);
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const apiCells = async (who: string, query: string): Promise<GapCell[]> => {
    const response = await get(who, `/api/v1/areas/${camden}/gaps?${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ cells: GapCell[] }>().cells;
  };

  /** Every cell of the API's answer is one row of the download, with the same figures. */
  const expectSameAsApi = (table: Table, cells: readonly GapCell[]) => {
    expect(table.map((row) => `${String(row['Group code'])} ${String(row['Indicator code'])}`)).toEqual(cells.map((cell) => `${cell.group} ${cell.indicator}`));
    cells.forEach((cell, index) => {
      const row = table[index]!;
      expect(row['Authority code']).toBe(camden);
      expect(row['Academic year']).toBe(cell.year);
      expect(row['Group']).toBe(cell.group_label);
      expect(row['Comparator code']).toBe(cell.comparator);
      expect(row['Withheld']).toBe(cell.suppressed ? 'Yes' : 'No');
      expect(row['Significant']).toBe(cell.significant === null ? '' : cell.significant ? 'Yes' : 'No');
      // Withheld figures are c; an unknown count is released (and withheld) on its own; any other missing figure is x.
      for (const [label, field] of gapFigures) expectSameFigure(row[label], cell[field] as number | null, cell.suppressed || field === 'unknown_count' ? 'c' : 'x', `${cell.group} ${cell.indicator} ${label}`);
    });
  };

  it('gives the analyst the API’s figures, small numbers and all, in the CSV and the workbook', async () => {
    const cells = await apiCells('analyst', 'year=2023/24');
    expect(cells.find((cell) => cell.group === 'young-carers' && cell.indicator === 'ks2_rwm_expected')?.group_count).toBe(3);
    const csv = await get('analyst', `/gaps.csv?la=${camden}&year=2023/24`);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="gaps-${camden}-2023-24-all-other.csv"`);
    expect(csv.headers['cache-control']).toBe('no-store');
    expectSameAsApi(csvTable(csv.body), cells);

    const xlsx = await get('analyst', `/gaps.xlsx?la=${camden}&year=2023/24`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = await workbookTables(xlsx.rawPayload);
    expect(workbook.sheetNames).toEqual(['Figures', 'Notes']);
    expect(workbook.formulas).toBe(0);
    expectSameAsApi(workbook.figures, cells);
    // Numbers are stored as numbers, shown with thousands separators and one decimal place.
    expect(workbook.figures.filter((row) => typeof row['Gap'] === 'number').length).toBe(cells.filter((cell) => cell.gap !== null).length);
    expect(workbook.numberFormats.get('Gap')).toBe('#,##0.0');
    expect(workbook.numberFormats.get('Children in the group with a value')).toBe('#,##0');
    expect(workbook.notes.get('Source')).toMatch(/Camden/);
    expect(workbook.notes.get('Comparator')).toBe('All other children');
    expect(workbook.notes.get('Disclosure control')).toMatch(/^None: these are the exact figures/);
    expect(workbook.notes.get('Produced')).toMatch(/^\d{1,2} [A-Z][a-z]+ \d{4}/);
  });

  it('gives a viewer without child-level access the API’s released figures, withheld ones as c', async () => {
    const cells = await apiCells('adviser', 'year=2023/24');
    const youngCarers = cells.find((cell) => cell.group === 'young-carers' && cell.indicator === 'ks2_rwm_expected')!;
    expect(youngCarers.suppressed).toBe(true);
    const csv = await get('adviser', `/gaps.csv?la=${camden}&year=2023/24`);
    expect(csv.statusCode, csv.body).toBe(200);
    const table = csvTable(csv.body);
    expectSameAsApi(table, cells);
    const row = table.find((entry) => entry['Group code'] === 'young-carers' && entry['Indicator code'] === 'ks2_rwm_expected')!;
    expect([row['Children in the group with a value'], row['Group value'], row['Gap']]).toEqual(['c', 'c', 'c']);
    expect(row['Why withheld']).toMatch(/^Fewer than 5 children in the group/);

    const workbook = await workbookTables((await get('adviser', `/gaps.xlsx?la=${camden}&year=2023/24`)).rawPayload);
    expectSameAsApi(workbook.figures, cells);
    expect(workbook.notes.get('Disclosure control')).toMatch(/rounded to the nearest 5/);
    expect(workbook.notes.get('Symbol c')).toMatch(/withheld/);
  });

  it('repeats the page’s question: comparator, published source, outcome, significance and group', async () => {
    const cells = await apiCells('analyst', 'year=2023/24&comparator=england');
    const disadvantaged = cells.find((cell) => cell.group === 'poorer-socio-economic-groups' && cell.indicator === 'ks2_rwm_expected')!;
    expect(disadvantaged.comparator_value).toBe(46);
    const table = csvTable((await get('analyst', `/gaps.csv?la=${camden}&year=2023/24&comparator=england`)).body);
    expectSameAsApi(table, cells);
    const row = table.find((entry) => entry['Group code'] === disadvantaged.group && entry['Indicator code'] === 'ks2_rwm_expected')!;
    expect([row['Comparator value'], row['Comparator value, lower 95% limit']]).toEqual(['46', 'x']);
    expect(row['Source of the comparator value']).toBe(disadvantaged.comparator_source);
    expect(row['Source of the comparator value']).toMatch(/key_stage_2\.csv/);

    const filtered = csvTable((await get('analyst', `/gaps.csv?la=${camden}&year=2023/24&outcome=enjoy-and-achieve&significant=yes&group=young-carers`)).body);
    const expected = (await apiCells('analyst', 'year=2023/24&group=young-carers')).filter((cell) => cell.outcome === 'enjoy-and-achieve' && cell.significant === true);
    expect(expected.length).toBeGreaterThan(0);
    expectSameAsApi(filtered, expected);
  });

  it('downloads the ranked curves with the API’s figures, for the analyst and, released, for the adviser', async () => {
    for (const who of ['analyst', 'adviser']) {
      const api = (await get(who, `/api/v1/areas/${camden}/curves?year=2023/24`)).json<{ curves: Record<string, unknown>[] }>().curves;
      const csv = await get(who, `/gaps/curves.csv?la=${camden}&year=2023/24`);
      expect(csv.statusCode, csv.body).toBe(200);
      expect(csv.headers['content-disposition']).toBe(`attachment; filename="curves-${camden}-2023-24.csv"`);
      const table = csvTable(csv.body);
      expect(table.map((row) => [Number(row['Rank']), row['Group code'], row['Indicator code'], Number(row['Gap']), Number(row['Score']), Number(row['Children to close the gap'])])).toEqual(
        api.map((curve) => [curve.rank, curve.group, curve.indicator, curve.gap, curve.score, curve.children_to_close]),
      );
      const workbook = await workbookTables((await get(who, `/gaps/curves.xlsx?la=${camden}&year=2023/24`)).rawPayload);
      expect(workbook.figures.map((row) => row['Standardised gap'])).toEqual(api.map((curve) => curve.standardised_gap));
      expect(workbook.notes.get('Disclosure control')).toMatch(who === 'analyst' ? /^None/ : /Withheld gaps are left out/);
    }
    expect((await get('other-adviser', `/gaps/curves.csv?la=${camden}`)).statusCode).toBe(403);
  });

  it('refuses an authority outside the viewer’s reach, an unknown one and a missing one, never giving another’s figures', async () => {
    for (const url of [`/gaps.csv?la=${camden}`, `/gaps.xlsx?la=${camden}`, `/gaps/data.csv?la=${camden}`, `/gaps/data.xlsx?la=${camden}`]) {
      const refused = await get('other-adviser', url);
      expect(refused.statusCode, url).toBe(403);
      expect(refused.headers['content-type'], url).toMatch(/^text\/html/);
      expect(refused.body, url).toContain('Camden (E09000007) is outside the areas you may see.');
    }
    expect((await get('analyst', '/gaps.csv?la=E99999999')).statusCode).toBe(404);
    const missing = await get('analyst', '/gaps/data.csv');
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('la: say which authority');
    expect((await get('analyst', `/gaps.csv?la=${camden}&comparator=region-of-nowhere`)).statusCode).toBe(400);
    expect((await get('analyst', `/gaps.csv?la=${camden}&year=2023`)).statusCode).toBe(400);
    expect((await get('other-adviser', `/api/v1/areas/${camden}/data-gaps`)).statusCode).toBe(403);
  });

  it('refuses a viewer without child-level access figures that would give a withheld one away by subtraction', async () => {
    const refused = await get('adviser', `/gaps.csv?la=${camden}&add=young-carers:no`);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toMatch(/children who are not in a group/);
  });

  const dataGapFigures = (json: DataGapsJson) =>
    json.groups.flatMap((group) =>
      group.cells.map((cell) => ({
        key: `${group.group} ${cell.indicator}`,
        figures: [group.children, group.in_group, group.unknown_share, json.indicators.find((entry) => entry.indicator === cell.indicator)!.children, cell.group_count, cell.unknown_count],
        status: cell.status,
      })),
    );
  const dataGapLabels = [
    'Children',
    'Children in the group',
    'Share of children whose membership is not recorded',
    'Children with a value for the indicator',
    'Children in the group with a value',
    'Children with a value whose membership is not recorded',
  ];

  it.each(['analyst', 'adviser'])('gives the %s the data-gap audit with the API’s figures in the CSV and the workbook', async (who) => {
    const api = await get(who, `/api/v1/areas/${camden}/data-gaps?year=2023/24`);
    expect(api.statusCode, api.body).toBe(200);
    const json = api.json<DataGapsJson>();
    expect(json.year).toBe('2023/24');
    const expected = dataGapFigures(json);
    expect(expected.length).toBe(13 * json.indicators.length);
    const csv = await get(who, `/gaps/data.csv?la=${camden}&year=2023/24`);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="data-gaps-${camden}-2023-24.csv"`);
    const workbook = await workbookTables((await get(who, `/gaps/data.xlsx?la=${camden}&year=2023/24`)).rawPayload);
    for (const table of [csvTable(csv.body), workbook.figures]) {
      expect(table.map((row) => `${String(row['Group code'])} ${String(row['Indicator code'])}`)).toEqual(expected.map((entry) => entry.key));
      expected.forEach((entry, index) => {
        expect(table[index]!['Gap status code']).toBe(entry.status);
        dataGapLabels.forEach((label, column) => expectSameFigure(table[index]![label], entry.figures[column]!, 'c', `${entry.key} ${label}`));
      });
    }
    const youngCarers = json.groups.find((group) => group.group === 'young-carers')!;
    if (who === 'analyst') expect(youngCarers.in_group).toBe(3);
    else expect(youngCarers.in_group).toBeNull();
    expect(workbook.numberFormats.get('Share of children whose membership is not recorded')).toBe('0.0%');
  });

  it('links the downloads from the pages, with the page’s question', async () => {
    const matrix = await get('analyst', `/gaps?la=${camden}&year=2023/24&comparator=all&outcome=enjoy-and-achieve&add=young-carers%26sex:M`);
    expect(matrix.statusCode).toBe(200);
    expect(matrix.body).toContain(`href="/gaps.csv?la=${camden}&amp;year=2023%2F24&amp;comparator=all&amp;outcome=enjoy-and-achieve&amp;add=young-carers%26sex%3AM"`);
    expect(matrix.body).toContain(`href="/gaps.xlsx?la=${camden}&amp;year=2023%2F24&amp;comparator=all&amp;outcome=enjoy-and-achieve&amp;add=young-carers%26sex%3AM"`);
    const data = await get('adviser', `/gaps/data?la=${camden}&year=2023/24`);
    expect(data.statusCode).toBe(200);
    expect(data.body).toContain(`href="/gaps/data.csv?la=${camden}&amp;year=2023%2F24"`);
    expect(data.body).toContain(`href="/gaps/data.xlsx?la=${camden}&amp;year=2023%2F24"`);
  });
});
