import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { isTableFormat, sendTable, tableCsv, tableXlsx } from './downloads.js';
import type { DownloadTable } from './downloads.js';

interface Row {
  code: string;
  name: string;
  count: number | null;
  gap: number | null;
}

/** Names a user could have typed (a file title, an organisation), each a formula or the start of one. */
const hostile = ['=HYPERLINK("http://example.org","x")', '+SUM(1,2)', '-2+3', '@SUM(A1)', '\tTAB', '\rCR', '\0NUL', 'Leeds,=1+1', 'Quote "this"\r\nand a new line'];

const table: DownloadTable<Row> = {
  fileName: 'gaps-E08000035-2023-24',
  columns: [
    { label: 'Group code', value: (row) => row.code },
    { label: 'Group', value: (row) => row.name },
    { label: 'Children', value: (row) => row.count ?? 'c', numberFormat: '#,##0' },
    { label: 'Gap', value: (row) => row.gap ?? 'x', numberFormat: '#,##0.0' },
  ],
  rows: [
    { code: 'children-in-care', name: 'Children in care', count: 1234, gap: -28.712345 },
    { code: 'young-carers', name: 'Young carers', count: null, gap: null },
    ...hostile.map((name, index) => ({ code: `hostile-${index}`, name, count: index, gap: 0.5 })),
  ],
  metadata: {
    title: 'Gaps: Leeds, 2023/24',
    source: '=cmd|" /C calc"!A0 file loaded by someone',
    disclosure: 'None: the exact figures.',
    details: [{ label: 'Comparator', value: 'All other children' }],
    notes: ['-a note that starts like a formula'],
    produced: new Date('2026-12-03T10:30:00Z'),
  },
};

const neutralised = ['\'=HYPERLINK("http://example.org","x")', "'+SUM(1,2)", "'-2+3", "'@SUM(A1)", "'\tTAB", "'\rCR", "'\0NUL", 'Leeds,=1+1', 'Quote "this"\r\nand a new line'];

async function readWorkbook(body: Buffer) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ExcelJS.Buffer);
  let formulas = 0;
  const sheets = workbook.worksheets.map((sheet) => {
    const rows: unknown[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row) => {
      rows.push((row.values as unknown[]).slice(1));
      row.eachCell((cell) => {
        if (cell.type === ExcelJS.ValueType.Formula) formulas += 1;
      });
    });
    return { name: sheet.name, rows, sheet };
  });
  return { sheets, formulas };
}

describe('tables as downloads', () => {
  it('writes RFC 4180 CSV, UTF-8 with a byte-order mark, each field quoted only when it must be', () => {
    const csv = tableCsv(table);
    expect(csv.startsWith('\uFEFFGroup code,Group,Children,Gap\r\n')).toBe(true);
    expect(csv.split('\r\n').slice(1, 3)).toEqual(['children-in-care,Children in care,1234,-28.712345', 'young-carers,Young carers,c,x']);
    expect(csv.endsWith('\r\n')).toBe(true);
    // Read back by a strict parser, every field is as written, a comma, quote or line break inside it included.
    const records: string[][] = parse(csv, { bom: true, record_delimiter: '\r\n', relax_column_count: false });
    expect(records.length).toBe(1 + table.rows.length);
    expect(records.slice(3).map((record) => record[1])).toEqual(neutralised);
  });

  it('prefixes a text cell a spreadsheet would run as a formula with an apostrophe, in the CSV and the workbook, and leaves numbers alone', async () => {
    const csvRecords: string[][] = parse(tableCsv(table), { bom: true, record_delimiter: '\r\n' });
    expect(csvRecords.slice(3).map((record) => record[1])).toEqual(neutralised);
    // A separator inside a field cannot start a new cell: the field is quoted.
    expect(tableCsv(table)).toContain('"Leeds,=1+1"');
    expect(csvRecords[1]![3]).toBe('-28.712345');

    const { sheets, formulas } = await readWorkbook(await tableXlsx(table));
    expect(formulas).toBe(0);
    const figures = sheets[0]!.rows;
    // XML (inside the workbook) reads a carriage return as a line feed and cannot hold a null character.
    expect(figures.slice(3).map((row) => row[1])).toEqual(neutralised.map((text) => text.replace(/\r\n?/g, '\n').replace('\0', '')));
    expect(figures[1]).toEqual(['children-in-care', 'Children in care', 1234, -28.712345]);
    const notes = sheets[1]!.rows;
    expect(notes).toContainEqual(['Source', '\'=cmd|" /C calc"!A0 file loaded by someone']);
    expect(notes).toContainEqual(['Notes', "'-a note that starts like a formula"]);
  });

  it('writes a workbook of figures then notes: a plain header, codes in their own column, numbers as numbers, symbols explained', async () => {
    const { sheets } = await readWorkbook(await tableXlsx(table));
    expect(sheets.map((sheet) => sheet.name)).toEqual(['Figures', 'Notes']);
    const [figures, notes] = sheets;
    expect(figures!.rows[0]).toEqual(['Group code', 'Group', 'Children', 'Gap']);
    expect(figures!.rows[2]).toEqual(['young-carers', 'Young carers', 'c', 'x']);
    expect(figures!.sheet.getCell('D2').numFmt).toBe('#,##0.0');
    expect(figures!.sheet.getCell('C2').numFmt).toBe('#,##0');
    expect(figures!.sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(notes!.rows).toEqual([
      ['Gaps: Leeds, 2023/24'],
      [],
      ['Source', '\'=cmd|" /C calc"!A0 file loaded by someone'],
      ['Produced', '3 December 2026 at 10:30'],
      ['Comparator', 'All other children'],
      ['Disclosure control', 'None: the exact figures.'],
      ['Symbol c', 'confidential: withheld to protect individuals (small numbers)'],
      ['Symbol x', 'not available'],
      ['Notes', "'-a note that starts like a formula"],
    ]);
  });

  it('sends the file as an attachment that is never kept, and knows only CSV and XLSX', async () => {
    const app = Fastify();
    app.get('/table.csv', (_request, reply) => sendTable(reply, table, 'csv'));
    app.get('/bad.csv', (_request, reply) => sendTable(reply, { ...table, fileName: 'a"; filename=evil.exe' }, 'csv'));
    const response = await app.inject({ method: 'GET', url: '/table.csv' });
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="gaps-E08000035-2023-24.csv"');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toBe(tableCsv(table));
    expect((await app.inject({ method: 'GET', url: '/bad.csv' })).statusCode).toBe(500);
    await app.close();
    expect(['csv', 'xlsx', 'pdf', 'toString'].map(isTableFormat)).toEqual([true, true, false, false]);
  });
});
