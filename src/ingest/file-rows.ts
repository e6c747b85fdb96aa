import { createReadStream } from 'node:fs';
import { Transform, pipeline } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { WorkbookRefusedError, checkWorkbook, defaultWorkbookLimits } from './workbook-guard.js';
import type { WorkbookLimits } from './workbook-guard.js';

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
  /** Rows in file order, a few thousand at a time (per-row awaiting would cost more than the work). */
  batches: AsyncIterable<FileRow[]>;
  /** Bytes of the file read so far, for progress. */
  bytesRead(): number;
}

/** The largest single value accepted unless the operator sets another (NTG_MAX_CELL_CHARACTERS); a longer one is refused as a problem, not loaded. */
export const maxFieldCharacters = defaultWorkbookLimits.maxCellCharacters;
const batchRows = 2_000;

export function isSpreadsheet(fileName: string): boolean {
  return /\.xlsx$/i.test(fileName);
}

/**
 * Rows of a CSV (UTF-8, with or without BOM, LF or CRLF) or XLSX file, header first, streamed.
 * `limits`: the longest value, and how much a workbook may unpack to (see workbook-guard.ts).
 */
export function readRows(path: string, options: { fileName: string; sheet?: string | undefined; limits?: WorkbookLimits | undefined }): RowSource {
  const limits = options.limits ?? defaultWorkbookLimits;
  return isSpreadsheet(options.fileName) ? readSpreadsheetRows(path, options.sheet, limits) : readCsvRows(path, limits.maxCellCharacters);
}

/**
 * Decodes UTF-8 strictly: the first invalid byte stops the stream with a FileReadError naming its
 * line (the row, unless a quoted value spans lines).
 */
class StrictUtf8 extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private linesBefore = 0;
  constructor() {
    super({ decodeStrings: true, encoding: 'utf8' });
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
    // A NUL is never text (a database cannot even store it): name its line and stop, as for bad bytes.
    const nul = text.indexOf('\u0000');
    if (nul !== -1) {
      const line = this.linesBefore + countLines(text.slice(0, nul)) + 1;
      return callback(new FileReadError(`the file is not text: row ${line} has a NUL character (byte 0); save the file as "CSV UTF-8"`, line));
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

/** A row may hold this many longest values before reading stops (a quotation mark left open reads the rest of the file as one value). */
const maxValuesAtFullLength = 100;

/**
 * CSV through csv-parse, read as a stream: the parser is iterated, so it reads on only while the
 * consumer asks for the next batch, and memory holds at most one batch however large the file.
 * Quotes inside an unquoted value are kept as written, as spreadsheets write them.
 */
function readCsvRows(path: string, maxCharacters: number): RowSource {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const batches = async function* (): AsyncGenerator<FileRow[]> {
    const parser = parse({ relax_column_count: true, relax_quotes: true, skip_empty_lines: false, max_record_size: maxCharacters * maxValuesAtFullLength });
    // pipeline destroys every stream when one fails, so a read or encoding error ends the iteration below with it.
    pipeline(file, new StrictUtf8(), parser, () => undefined);
    let rowNumber = 0;
    let pending: FileRow[] = [];
    try {
      for await (const values of parser as AsyncIterable<string[]>) {
        rowNumber += 1;
        if (values.some((value) => value.length > maxCharacters)) throw tooLong(rowNumber, maxCharacters);
        if (values.length === 1 && values[0] === '') continue;
        pending.push({ rowNumber, values });
        if (pending.length >= batchRows) {
          yield pending;
          pending = [];
        }
      }
    } catch (error) {
      throw asFileReadError(error, rowNumber, maxCharacters);
    } finally {
      file.destroy();
    }
    if (pending.length > 0) yield pending;
  };
  return { batches: batches(), bytesRead: () => file.bytesRead };
}

function tooLong(rowNumber: number, maxCharacters: number): FileReadError {
  return new FileReadError(`row ${rowNumber} is too long: a value may have at most ${maxCharacters.toLocaleString('en-GB')} characters (is a quotation mark left open?)`, rowNumber);
}

function asFileReadError(error: unknown, rowsTaken: number, maxCharacters: number): FileReadError {
  if (error instanceof FileReadError) return error;
  // The parser reads ahead of the rows taken: the row it stopped at is the one after those it finished.
  const records = (error as { records?: unknown }).records;
  const nextRow = typeof records === 'number' ? records + 1 : rowsTaken + 1;
  if (error instanceof CsvError && error.code === 'CSV_MAX_RECORD_SIZE') return tooLong(nextRow, maxCharacters);
  if (error instanceof CsvError && error.code === 'CSV_QUOTE_NOT_CLOSED') return new FileReadError(`row ${nextRow}: a quoted value is never closed (a quotation mark is missing)`, nextRow);
  if (error instanceof CsvError) return new FileReadError(`row ${nextRow} cannot be read as CSV (${error.message}); check the quoting there`, nextRow);
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code.startsWith('E')) return new FileReadError(`the file cannot be read: ${(error as Error).message}`);
  return new FileReadError(`the file cannot be read as CSV: ${(error as Error).message}`);
}

function readSpreadsheetRows(path: string, sheet: string | undefined, limits: WorkbookLimits): RowSource {
  let bytes = 0;
  const rows = async function* (): AsyncGenerator<FileRow[]> {
    // Unpacked once, counting, before the reader sees it: a small file that unpacks to gigabytes stops here.
    try {
      await checkWorkbook(path, limits);
    } catch (error) {
      if (error instanceof WorkbookRefusedError) throw new FileReadError(error.message, 1);
      throw error;
    }
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
        let batch: FileRow[] = [];
        for await (const row of worksheet as AsyncIterable<{ number: number; values: unknown[] }>) {
          const values = row.values.slice(1).map(cellText);
          const long = values.findIndex((value) => value.length > limits.maxCellCharacters);
          if (long >= 0) {
            throw new FileReadError(`a cell in row ${row.number} column ${columnLetters(long + 1)} is longer than ${limits.maxCellCharacters.toLocaleString('en-GB')} characters, the longest a value may be`, row.number);
          }
          if (row.number === 1) width = values.length;
          while (values.length < width) values.push('');
          if (values.every((value) => value === '')) continue;
          batch.push({ rowNumber: row.number, values });
          if (batch.length >= batchRows) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length > 0) yield batch;
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
  return { batches: rows(), bytesRead: () => bytes };
}

/** A spreadsheet's name for a column: 1 is A, 27 is AA. */
function columnLetters(column: number): string {
  let letters = '';
  for (let rest = column; rest > 0; rest = Math.floor((rest - 1) / 26)) letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
  return letters;
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
