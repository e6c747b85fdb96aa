/**
 * What the `ntg stats` commands share: one-line usage errors, option parsers, JSON printing and reading
 * CSV files with errors that name the file, row and column.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { CsvError, parse } from 'csv-parse';
import type { Info } from 'csv-parse';
import { StatsInputError } from '../stats/index.js';
import type { Estimate } from '../stats/index.js';

/** Code of the CommanderError raised for input the statistics cannot use; runCli exits 2 for it. */
export const invalidInput = 'ntg.invalidInput';

/** Input that is present but unusable (a bad CSV cell, a missing column): the command line was wrong. */
export class CommandInputError extends Error {
  override readonly name = 'CommandInputError';
}

// ---------------------------------------------------------------------------------------------------
// Options

/** An option that must be given; its help says so. */
export function required(flags: string, description: string, parser?: (text: string) => unknown): Option {
  const option = new Option(flags, `${description} (required)`).makeOptionMandatory();
  return parser ? option.argParser(parser) : option;
}

export function confidenceOption(): Option {
  return new Option('--confidence <level>', 'confidence level strictly between 0 and 1, e.g. 0.95 or 0.998')
    .argParser(parseNumber)
    .default(0.95);
}

/** True when the user gave the option on the command line (not its default). */
export function given(command: Command, key: string): boolean {
  const source = command.getOptionValueSource(key);
  return source !== undefined && source !== 'default';
}

// ---------------------------------------------------------------------------------------------------
// Output and errors

/** Prints an estimate as one JSON line with value, lower and upper first; numbers keep full double precision. */
export function printEstimate<T extends Estimate>(result: T): void {
  const { value, lower, upper, ...details } = result;
  printJson({ value, lower, upper, ...details });
}

/** Prints one JSON object on one line. */
export function printJson(result: object): void {
  console.log(JSON.stringify(result));
}

/** Runs an action, turning input the statistics refuse into a one-line usage error (exit 2). */
export function reportInputErrors(command: Command, action: () => void): void {
  try {
    action();
  } catch (error) {
    refuse(command, error);
  }
}

export async function reportInputErrorsAsync(command: Command, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    refuse(command, error);
  }
}

function refuse(command: Command, error: unknown): never {
  if (error instanceof StatsInputError || error instanceof CommandInputError) {
    command.error(error.message, { exitCode: 2, code: invalidInput });
  }
  throw error;
}

/** Runs a check, prefixing any StatsInputError message with what was being checked. */
export function naming(what: string, check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (error instanceof StatsInputError) throw new StatsInputError(`${what}: ${error.message}`);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// Numbers on the command line

const decimal = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite decimal number, or undefined. Refuses what `Number()` would quietly accept: "", "0x10", "Infinity". */
export function toNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!decimal.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

export function parseNumber(text: string): number {
  const value = toNumber(text);
  if (value === undefined) throw new InvalidArgumentError('expected a finite number, e.g. 0.95 or 120.5');
  return value;
}

/** A whole number; whether it may be negative or zero is for the statistic to say. */
export function parseCount(text: string): number {
  const value = toNumber(text);
  if (value === undefined || !Number.isInteger(value)) throw new InvalidArgumentError('expected a whole number (a count)');
  return value;
}

export function parseNumberList(text: string): number[] {
  return text.split(',').map((item, index) => {
    const value = toNumber(item);
    if (value === undefined) {
      throw new InvalidArgumentError(`item ${index + 1} (${JSON.stringify(item.trim())}) is not a finite number`);
    }
    return value;
  });
}

const academicYear = /^(\d{4})\s*\/\s*(\d{2})$/;

/**
 * A time period: a number (2024, 2024.5), or an academic or financial year written 2023/24, read as its
 * end year, 2024 (the convention of the trend functions). Undefined when it is neither.
 */
export function toPeriod(text: string): number | undefined {
  const trimmed = text.trim();
  const year = academicYear.exec(trimmed);
  if (year) {
    const start = Number(year[1]);
    return Number(year[2]) === (start + 1) % 100 ? start + 1 : undefined;
  }
  return toNumber(trimmed);
}

export function parsePeriodList(text: string): number[] {
  return text.split(',').map((item, index) => {
    const value = toPeriod(item);
    if (value === undefined) {
      throw new InvalidArgumentError(`item ${index + 1} (${JSON.stringify(item.trim())}) is not a period such as 2026 or 2025/26`);
    }
    return value;
  });
}

// ---------------------------------------------------------------------------------------------------
// CSV files

/** Says where a data row is, for messages: `file, row 4` or, when lines and rows differ, `file, row 4 (line 5)`. */
export type Where = () => string;

/** What to do with a CSV file's header row and with each row after it. */
export interface CsvVisitor {
  header(cells: string[]): void;
  row(cells: string[], where: Where): void;
}

/**
 * Streams a CSV file (UTF-8 with or without a byte-order mark, LF or CRLF, quoted fields, blank lines
 * skipped) to a visitor: first its header row, then each data row. Rows are numbered as in the file, the
 * header being row 1; when a quoted field spans lines or blank lines were skipped, the file line is given
 * too. Unreadable files and invalid CSV become one-line input errors naming the file.
 */
export async function readCsv(file: string, visitor: CsvVisitor): Promise<void> {
  const records = pipeline(createReadStream(file), parse({ bom: true, info: true, skip_empty_lines: true }), () => {
    // Errors reach the loop below through the parser; nothing more to do here.
  });
  let header = false;
  let previousLine = 0;
  let previousEmptyLines = 0;
  try {
    for await (const { record, info } of records as AsyncIterable<{ record: string[]; info: Info }>) {
      const firstLine = previousLine + 1 + (info.empty_lines - previousEmptyLines);
      previousLine = info.lines;
      previousEmptyLines = info.empty_lines;
      if (info.records === 1) {
        header = true;
        visitor.header(record);
        continue;
      }
      const row = info.records;
      visitor.row(record, () => `${file}, row ${row}${firstLine === row ? '' : ` (line ${firstLine})`}`);
    }
  } catch (error) {
    throw describeReadError(file, error);
  }
  if (!header) throw new CommandInputError(`${file} is empty: expected a header row naming the columns`);
}

/** The index of the one header column named `name` (spaces around names ignored), or an error listing the columns. */
export function findColumn(file: string, header: readonly string[], name: string, option: string): number {
  const found = optionalColumn(file, header, name, option);
  if (found !== undefined) return found;
  const available = header.map((column) => JSON.stringify(column.trim())).join(', ');
  throw new CommandInputError(`${file} has no column ${JSON.stringify(name.trim())} (${option}); its columns are ${available}`);
}

/** The index of the header column named `name`, or undefined when there is none. */
export function optionalColumn(file: string, header: readonly string[], name: string, option: string): number | undefined {
  const wanted = name.trim();
  const matches = header.flatMap((column, index) => (column.trim() === wanted ? [index] : []));
  if (matches.length > 1) {
    throw new CommandInputError(`${file} has more than one column named ${JSON.stringify(wanted)} (${option})`);
  }
  return matches[0];
}

/** A cell's text with surrounding spaces removed ('' for a cell the row lacks). */
export function cellText(cells: readonly string[], index: number): string {
  return (cells[index] ?? '').trim();
}

/** Refuses a cell: `file, row 4, column "value": expected …  (got "n/a")`. */
export function badCell(where: Where, column: string, expected: string, text: string): CommandInputError {
  return new CommandInputError(`${where()}, column ${JSON.stringify(column.trim())}: expected ${expected} (got ${JSON.stringify(text)})`);
}

export function describeReadError(file: string, error: unknown): unknown {
  if (error instanceof CommandInputError || error instanceof StatsInputError) return error;
  if (error instanceof CsvError) return new CommandInputError(`${file} is not valid CSV: ${error.message}`);
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'it is a directory',
    EACCES: 'permission denied',
    ENOTDIR: 'a part of the path is not a directory',
  };
  const reason = code === undefined ? undefined : reasons[code];
  return reason ? new CommandInputError(`cannot read ${file}: ${reason}`) : error;
}
