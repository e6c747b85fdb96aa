import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { CsvError, parse } from 'csv-parse';

/** A file that cannot be read as rows at all; `row` says where reading stopped, when known. */
export class FileReadError extends Error {
  constructor(
    message: string,
    readonly row?: number,
  ) {
    super(message);
    this.name = 'FileReadError';
  }
}

export interface FileRow {
  /** Counting the header as row 1, as a spreadsheet shows it. */
  rowNumber: number;
  values: string[];
}

export interface RowSource {
  rows: AsyncIterable<FileRow>;
  /** Bytes of the file read so far, for progress. */
  bytesRead(): number;
}

/** The largest single value accepted; a longer one is refused as a problem, not loaded. */
export const maxFieldCharacters = 100_000;

export function isSpreadsheet(fileName: string): boolean {
  return /\.xlsx$/i.test(fileName);
}

/** Rows of a CSV (UTF-8, with or without BOM, LF or CRLF) or XLSX file, header first, streamed. */
export function readRows(path: string, options: { fileName: string; sheet?: string | undefined }): RowSource {
  return isSpreadsheet(options.fileName) ? readSpreadsheetRows(path, options.sheet) : readCsvRows(path);
}

/**
 * Decodes UTF-8 strictly: the first invalid byte stops the stream with a FileReadError naming its
 * line (the row, unless a quoted value spans lines).
 */
class StrictUtf8 extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private linesBefore = 0;
  constructor() {
    super({ decodeStrings: true });
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      const lenient = new TextDecoder('utf-8').decode(chunk);
      const line = this.linesBefore + countLines(lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD')))) + 1;
      return callback(new FileReadError(`the file is not UTF-8 text: row ${line} has bytes that are not UTF-8; save the file as "CSV UTF-8"`, line));
    }
    this.linesBefore += countLines(text);
    callback(null, text);
  }
  override _flush(callback: TransformCallback): void {
    try {
      callback(null, this.decoder.decode());
    } catch {
      callback(new FileReadError('the file is not UTF-8 text: it ends part-way through a character; save it as "CSV UTF-8"', this.linesBefore + 1));
    }
  }
}

function countLines(text: string): number {
  let lines = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) lines += 1;
  return lines;
}

function readCsvRows(path: string): RowSource {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  let rowNumber = 0;
  const parser = parse({ bom: true, relax_column_count: true, max_record_size: maxFieldCharacters * 4, skip_empty_lines: false });
  const rows = async function* (): AsyncGenerator<FileRow> {
    const decoded = file.pipe(new StrictUtf8());
    decoded.on('error', (error) => parser.destroy(error));
    file.on('error', (error) => parser.destroy(new FileReadError(`the file cannot be read: ${error.message}`)));
    decoded.pipe(parser);
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        rowNumber += 1;
        if (record.length === 1 && record[0] === '') continue;
        yield { rowNumber, values: record };
      }
    } catch (error) {
      if (error instanceof FileReadError) throw error;
      if (error instanceof CsvError) throw csvProblem(error, ((error as CsvError & { records?: number }).records ?? rowNumber) + 1);
      throw error;
    } finally {
      file.destroy();
    }
  };
  return { rows: rows(), bytesRead: () => file.bytesRead };
}

function csvProblem(error: CsvError, row: number): FileReadError {
  switch (error.code) {
    case 'CSV_MAX_RECORD_SIZE':
      return new FileReadError(`row ${row} is too long: a value may have at most ${maxFieldCharacters.toLocaleString('en-GB')} characters (is a quotation mark left open?)`, row);
    case 'CSV_QUOTE_NOT_CLOSED':
      return new FileReadError(`row ${row}: a quoted value is never closed (a quotation mark is missing)`, row);
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return new FileReadError(`row ${row}: a quoted value has characters after its closing quotation mark (write a quotation mark inside a value as "")`, row);
    default:
      return new FileReadError(`row ${row} cannot be read as CSV: ${error.message}`, row);
  }
}

function readSpreadsheetRows(path: string, sheet: string | undefined): RowSource {
  let bytes = 0;
  const rows = async function* (): AsyncGenerator<FileRow> {
    const { default: ExcelJS } = await import('exceljs');
    const input = createReadStream(path);
    input.on('data', (chunk) => {
      bytes += chunk.length;
    });
    const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', worksheets: 'emit' });
    const names: string[] = [];
    try {
      for await (const worksheet of workbook) {
        const name = (worksheet as unknown as { name: string }).name;
        names.push(name);
        if (sheet !== undefined && name !== sheet) continue;
        let width = 0;
        for await (const row of worksheet as AsyncIterable<{ number: number; values: unknown[] }>) {
          const values = row.values.slice(1).map(cellText);
          if (row.number === 1) width = values.length;
          while (values.length < width) values.push('');
          if (values.every((value) => value === '')) continue;
          yield { rowNumber: row.number, values };
        }
        return;
      }
    } catch (error) {
      if (error instanceof FileReadError) throw error;
      throw new FileReadError(`the file cannot be read as an Excel workbook (.xlsx): ${(error as Error).message}`);
    } finally {
      input.destroy();
    }
    throw new FileReadError(sheet === undefined ? 'the workbook has no sheets' : `the workbook has no sheet named "${sheet}" (it has: ${names.join(', ')})`);
  };
  return { rows: rows(), bytesRead: () => bytes };
}

/** A cell as the text a person sees: numbers as written, dates as YYYY-MM-DD, formulas by their result. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const cell = value as { richText?: { text: string }[]; result?: unknown; text?: string; error?: string };
    if (cell.richText) return cell.richText.map((part) => part.text).join('');
    if ('result' in cell) return cellText(cell.result);
    if (typeof cell.text === 'string') return cell.text;
    if (cell.error) return cell.error;
    return JSON.stringify(value);
  }
  return typeof value === 'bigint' ? value.toString() : '';
}
