import { Resvg } from '@resvg/resvg-js';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { ChartFigure } from './chart-figure.js';
import { markCount, withoutChartWhenEmpty } from './chart-figure.js';
import { figureCsv, figureFile, figurePng, figureSvg, figureXlsx, isFigureFormat } from './figure-downloads.js';
import { presentFigure } from './figure-view.js';

const figure: ChartFigure = {
  id: 'values',
  title: 'Young carers & all other children',
  summary: 'In 2023/24, 33.3% for young carers against 75.0% for all other children.',
  description: 'Young carers and all other children by year.',
  spec: {
    width: 300,
    height: 200,
    data: { values: [{ year: '2022/23', value: 33.3 }, { year: '2023/24', value: 50 }] },
    mark: 'line',
    encoding: { x: { field: 'year', type: 'ordinal', title: 'Academic year' }, y: { field: 'value', type: 'quantitative', title: 'Per cent' } },
  },
  table: {
    caption: 'Young carers in Camden, by year',
    head: ['Year', 'Group', 'Per cent', 'Children'],
    rows: [
      ['2021/22', '=HYPERLINK("http://example.org")', 'c', 'c'],
      ['2022/23', 'Young carers', 33.3, 3],
      ['2023/24', 'Young carers', 50, 1234],
      ['2024/25', 'Young carers', null, null],
    ],
    rowHeaders: true,
  },
  notes: ['c: withheld because fewer than 5 children are behind the figure.', '+ a note a spreadsheet would run'],
};

async function readSheets(body: Buffer): Promise<{ name: string; rows: unknown[][] }[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ExcelJS.Buffer);
  return workbook.worksheets.map((sheet) => {
    const rows: unknown[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row) => {
      rows.push((row.values as unknown[]).slice(1));
      row.eachCell((cell) => {
        if (cell.type === ExcelJS.ValueType.Formula) throw new Error(`a formula in ${sheet.name}!${cell.address}`);
      });
    });
    return { name: sheet.name, rows };
  });
}

describe('figure downloads', () => {
  it('writes the table as CSV with its header, numbers as written and formulas neutralised', () => {
    expect(figureCsv(figure).split('\r\n')).toEqual([
      '\uFEFFYear,Group,Per cent,Children',
      `2021/22,"'=HYPERLINK(""http://example.org"")",c,c`,
      '2022/23,Young carers,33.3,3',
      '2023/24,Young carers,50,1234',
      '2024/25,Young carers,,',
      '',
    ]);
  });

  it('writes a workbook of the header and rows, then the title, caption and notes, with no formula in it', async () => {
    const [figures, notes] = await readSheets(await figureXlsx(figure));
    expect(figures!.name).toBe('values');
    expect(figures!.rows).toEqual([
      ['Year', 'Group', 'Per cent', 'Children'],
      ['2021/22', `'=HYPERLINK("http://example.org")`, 'c', 'c'],
      ['2022/23', 'Young carers', 33.3, 3],
      ['2023/24', 'Young carers', 50, 1234],
      ['2024/25', 'Young carers'],
    ]);
    expect(notes!.name).toBe('Notes');
    expect(notes!.rows[0]).toEqual(['Young carers & all other children']);
    expect(notes!.rows).toContainEqual(['Table', 'Young carers in Camden, by year']);
    expect(notes!.rows).toContainEqual(['Notes', 'c: withheld because fewer than 5 children are behind the figure.']);
    expect(notes!.rows).toContainEqual(['', `'+ a note a spreadsheet would run`]);
  });

  it('writes a well-formed standalone SVG, titled, that a strict XML parser reads', async () => {
    const svg = await figureSvg(figure);
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg [^>]*width="\d+" height="\d+"[^>]*><title>Young carers &amp; all other children<\/title><desc>Young carers and all other children by year.<\/desc>/);
    // resvg parses with roxmltree, which refuses XML that is not well formed.
    expect(new Resvg(svg).width).toBeGreaterThan(300);
    expect(() => new Resvg(svg.replace('</svg>', ''))).toThrow();
    // The image leaves the page, so it carries the title and caption drawn above the chart.
    expect(svg).toContain('>Young carers in Camden, by year</text>');
  });

  it('draws a PNG at twice the SVG’s size, with the figure’s text in it', async () => {
    const png = await figurePng(figure);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // Width and height are the first fields of the IHDR chunk.
    const svgWidth = Number(/ width="(\d+)"/.exec(await figureSvg(figure))?.[1]);
    expect(png.readUInt32BE(16)).toBe(2 * svgWidth);
    expect(png.length).toBeGreaterThan(10_000);
  });

  it('answers each format with its content type, and knows only those four', async () => {
    expect((await figureFile(figure, 'csv')).contentType).toBe('text/csv; charset=utf-8');
    expect((await figureFile(figure, 'svg')).contentType).toBe('image/svg+xml; charset=utf-8');
    expect(['csv', 'xlsx', 'svg', 'png', 'pdf', 'toString'].map(isFigureFormat)).toEqual([true, true, true, true, false, false]);
  });
});

describe('a figure presented on a page', () => {
  it('writes numbers with their column’s decimals, marks numeric columns and links the downloads', async () => {
    const view = await presentFigure(figure, { downloadPath: '/gaps/indicator/figures', query: 'la=E09000007' });
    expect(view.head.map((heading) => heading.numeric)).toEqual([false, false, true, true]);
    expect(view.rows.map((row) => row.map((cell) => cell.text))).toEqual([
      ['2021/22', `=HYPERLINK("http://example.org")`, 'c', 'c'],
      ['2022/23', 'Young carers', '33.3', '3'],
      ['2023/24', 'Young carers', '50.0', '1,234'],
      ['2024/25', 'Young carers', '–', '–'],
    ]);
    expect(view.rows[1]![0]!.rowHeader).toBe(true);
    expect(view.downloads.map((download) => download.href)).toEqual([
      '/gaps/indicator/figures/values.png?la=E09000007',
      '/gaps/indicator/figures/values.svg?la=E09000007',
      '/gaps/indicator/figures/values.csv?la=E09000007',
      '/gaps/indicator/figures/values.xlsx?la=E09000007',
    ]);
    expect(view.svg).toMatch(/^<svg role="img" aria-label="Young carers and all other children by year\."/);
  });
});

describe('a figure with nothing to draw', () => {
  const empty: ChartFigure = { ...figure, spec: { ...figure.spec, data: { values: [] } } };

  it('counts the marks of a chart and of its layers', () => {
    expect(markCount(figure.spec)).toBe(2);
    expect(markCount({ layer: [{ data: { values: [{ a: 1 }] }, mark: 'point' }, { data: { values: [{ a: 2 }, { a: 3 }] }, mark: 'line' }] })).toBe(3);
    expect(markCount(empty.spec)).toBe(0);
  });

  it('says why instead of drawing: the reason given when nothing has a value, the table when one point has', () => {
    expect(withoutChartWhenEmpty(empty, 0, 'Every year’s figures are withheld because too few children are behind them, so there is nothing to draw.').withoutChart).toBe(
      'Every year’s figures are withheld because too few children are behind them, so there is nothing to draw.',
    );
    expect(withoutChartWhenEmpty(figure, 1, 'unused').withoutChart).toBe('Only one figure has a value, so there is no chart to draw: it is in the table below.');
    expect(withoutChartWhenEmpty(figure, 2, 'unused').withoutChart).toBeUndefined();
  });

  it('is presented with its reason in place of the chart and offers only its figures to download', async () => {
    const view = await presentFigure(withoutChartWhenEmpty(empty, 0, 'No year has a figure for this group and indicator, so there is nothing to draw.'), { downloadPath: '/gaps/indicator/figures', query: 'la=E09000007' });
    expect(view.svg).toBe('');
    expect(view.withoutChart).toBe('No year has a figure for this group and indicator, so there is nothing to draw.');
    expect(view.downloads.map((download) => download.text)).toEqual(['Figures (CSV)', 'Figures (Excel spreadsheet)']);
    expect(view.rows).toHaveLength(4);
  });

  it('shows a long table’s first 25 rows and the rest on demand', async () => {
    const long: ChartFigure = { ...figure, table: { ...figure.table, rows: Array.from({ length: 40 }, (_, index) => [`Setting ${index + 1}`, 'Young carers', index, index]) } };
    const view = await presentFigure(long, { downloadPath: '/gaps/indicator/figures', query: '' });
    expect(view.rows.map((row) => row[0]!.text)).toEqual(Array.from({ length: 25 }, (_, index) => `Setting ${index + 1}`));
    expect(view.moreRows.map((row) => row[0]!.text)).toEqual(Array.from({ length: 15 }, (_, index) => `Setting ${index + 26}`));
  });
});
