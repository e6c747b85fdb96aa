import type { FastifyReply } from 'fastify';
import { neutraliseFormula, toCsv } from '../export/csv.js';
import type { CsvValue } from '../export/csv.js';

/**
 * Tables as files: every CSV and Excel download of the service (the gap matrix, the data-gap audit,
 * the curves list, each chart's figures) is written here, so they all have the same shape: one
 * header row of plain labels, codes in columns of their own, numbers as numbers, symbols where a
 * figure is withheld or missing, and (in the workbook) a notes sheet saying what the figures are.
 */

/** The table formats, with what each is called in a link. */
export const tableFormats = {
  csv: { contentType: 'text/csv; charset=utf-8', label: 'CSV' },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'Excel spreadsheet' },
} as const;

export type TableFormat = keyof typeof tableFormats;

export function isTableFormat(value: string): value is TableFormat {
  return Object.hasOwn(tableFormats, value);
}

/**
 * The statistical symbols of the Government Statistical Service, written in a numeric column in place
 * of a figure that is not given, and explained on the notes sheet when they occur.
 */
export const figureSymbols = {
  c: 'confidential: withheld to protect individuals (small numbers)',
  x: 'not available',
  z: 'not applicable',
} as const;

export type FigureSymbol = keyof typeof figureSymbols;

/** One column of a download: its header, how to read its cell from a row, and, for numbers, how a spreadsheet shows them. */
export interface DownloadColumn<Row> {
  /** A plain label, as a person reads it ("Children in the group"), not a field name. */
  readonly label: string;
  readonly value: (row: Row) => CsvValue;
  /**
   * An Excel number format ("#,##0", "0.0", "0.0%") for a numeric column: the cell keeps the full
   * number and the spreadsheet shows it this way. A symbol in such a column is explained in the notes.
   */
  readonly numberFormat?: string;
}

/** What the notes sheet says about the figures. */
export interface DownloadMetadata {
  readonly title: string;
  /** Where the figures come from. */
  readonly source?: string;
  /** The disclosure control the figures were released under, in words. */
  readonly disclosure?: string;
  /** What was asked, in order (authority, year, comparator, filters). */
  readonly details?: readonly { readonly label: string; readonly value: string }[];
  readonly notes?: readonly string[];
  /** When the figures were made; now unless given. */
  readonly produced?: Date;
}

export interface DownloadTable<Row> {
  /** The file's name without its extension: letters, digits, hyphens and underscores only. */
  readonly fileName: string;
  readonly columns: readonly DownloadColumn<Row>[];
  readonly rows: readonly Row[];
  readonly metadata: DownloadMetadata;
  /** The name of the workbook's sheet of figures (at most 31 characters); "Figures" unless given. */
  readonly sheetName?: string;
}

function cellsOf<Row>(table: DownloadTable<Row>): CsvValue[][] {
  return table.rows.map((row) => table.columns.map((column) => column.value(row)));
}

/**
 * The table as CSV: RFC 4180 (comma-separated, CRLF line ends, a field quoted when it holds a comma,
 * quote or line break), UTF-8, one header row then one line per row. The file is only the table, so
 * any program reads it as one; what it is and how it was made is on the workbook's notes sheet and
 * on the page it came from.
 */
export function tableCsv<Row>(table: DownloadTable<Row>): string {
  return toCsv(
    table.columns.map((column) => column.label),
    cellsOf(table),
  );
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });

/** The symbols that stand in numeric columns of the table, in the order of `figureSymbols`. */
function symbolsUsed<Row>(table: DownloadTable<Row>, cells: readonly (readonly CsvValue[])[]): FigureSymbol[] {
  const seen = new Set<string>();
  table.columns.forEach((column, index) => {
    if (column.numberFormat === undefined) return;
    for (const row of cells) {
      const cell = row[index];
      if (typeof cell === 'string' && Object.hasOwn(figureSymbols, cell)) seen.add(cell);
    }
  });
  return (Object.keys(figureSymbols) as FigureSymbol[]).filter((symbol) => seen.has(symbol));
}

/** The text of a cell in a workbook: text a spreadsheet would run is neutralised as in the CSV. */
function sheetValue(cell: CsvValue): string | number | boolean | null {
  if (cell === undefined || cell === null || cell === '') return null;
  return typeof cell === 'string' ? neutraliseFormula(cell) : cell;
}

/**
 * The table as an Excel workbook of two sheets. "Figures" (first, so a program reading the first
 * sheet reads the table): the header row, bold, frozen and filterable, then one row per row, numbers
 * stored as numbers with the column's format, a missing figure an empty cell. "Notes": the title,
 * source, when it was made, the disclosure control, what was asked, the symbols used and the notes.
 * exceljs writes strings as strings, never as formulas; text that a spreadsheet would run is still
 * neutralised, so it stays harmless when the sheet is saved again as CSV.
 */
export async function tableXlsx<Row>(table: DownloadTable<Row>): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const { metadata } = table;
  const produced = metadata.produced ?? new Date();
  const cells = cellsOf(table);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Narrowing the Gap';
  workbook.title = metadata.title;
  workbook.created = produced;

  const figures = workbook.addWorksheet((table.sheetName ?? 'Figures').slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  figures.addRow(table.columns.map((column) => neutraliseFormula(column.label))).font = { bold: true };
  for (const row of cells) figures.addRow(row.map(sheetValue));
  table.columns.forEach((column, index) => {
    const sheetColumn = figures.getColumn(index + 1);
    if (column.numberFormat !== undefined) sheetColumn.numFmt = column.numberFormat;
    const longest = Math.max(column.numberFormat === undefined ? 0 : 10, ...cells.slice(0, 200).map((row) => String(row[index] ?? '').length));
    sheetColumn.width = Math.min(50, Math.max(10, column.label.length + 2, longest + 2));
  });
  // The header cells keep the default format: a number format on a text header is harmless but odd.
  figures.getRow(1).eachCell((cell) => {
    cell.numFmt = 'General';
  });
  if (table.columns.length > 0) figures.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };

  const notes = workbook.addWorksheet('Notes');
  notes.getColumn(1).width = 24;
  notes.getColumn(2).width = 100;
  notes.addRow([neutraliseFormula(metadata.title)]).font = { bold: true, size: 14 };
  notes.addRow([]);
  const fact = (label: string, value: string) => {
    const row = notes.addRow([neutraliseFormula(label), neutraliseFormula(value)]);
    row.getCell(1).font = { bold: true };
    row.getCell(2).alignment = { wrapText: true, vertical: 'top' };
    row.getCell(1).alignment = { vertical: 'top' };
  };
  if (metadata.source !== undefined) fact('Source', metadata.source);
  fact('Produced', dateFormat.format(produced));
  for (const detail of metadata.details ?? []) fact(detail.label, detail.value);
  if (metadata.disclosure !== undefined) fact('Disclosure control', metadata.disclosure);
  for (const symbol of symbolsUsed(table, cells)) fact(`Symbol ${symbol}`, figureSymbols[symbol]);
  for (const [index, note] of (metadata.notes ?? []).entries()) fact(index === 0 ? 'Notes' : '', note);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The table in the format asked for, with its content type. */
export async function tableFile<Row>(table: DownloadTable<Row>, format: TableFormat): Promise<{ contentType: string; body: string | Buffer }> {
  const { contentType } = tableFormats[format];
  return { contentType, body: format === 'csv' ? tableCsv(table) : await tableXlsx(table) };
}

/**
 * Sends the table as a download (`{fileName}.csv` or `.xlsx`). Never kept by a browser or proxy:
 * the figures are the viewer's, released under the viewer's disclosure control.
 */
export async function sendTable<Row>(reply: FastifyReply, table: DownloadTable<Row>, format: TableFormat): Promise<FastifyReply> {
  if (!/^[A-Za-z0-9_-]+$/.test(table.fileName)) throw new Error(`fileName: "${table.fileName}" must be letters, digits, hyphens and underscores`);
  const file = await tableFile(table, format);
  return reply
    .type(file.contentType)
    .header('Content-Disposition', `attachment; filename="${table.fileName}.${format}"`)
    .header('Cache-Control', 'no-store')
    .send(file.body);
}

/** A name made safe for a file name: anything but letters, digits, hyphens and underscores becomes a hyphen. */
export function fileNamePart(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
}
