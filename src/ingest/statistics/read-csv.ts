import { isUtf8 } from 'node:buffer';
import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, pipeline } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { CsvError, parse } from 'csv-parse';

/** One record of a CSV file, numbered as a spreadsheet shows it: the header is row 1. */
export interface CsvRow {
  row: number;
  values: string[];
}

/**
 * The file cannot be read as CSV text from this point on: a byte that is not UTF-8, or quoting
 * that does not close. Everything before it was read; nothing after it can be trusted.
 */
export class CsvReadError extends Error {
  constructor(
    readonly row: number | null,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`row ${row ?? '?'}: ${expected}`);
    this.name = 'CsvReadError';
  }
}

/** The most characters one record (row) of a published statistics file may hold: far beyond any real one. */
export const defaultMaxRecordCharacters = 1_000_000;

/**
 * The records of a CSV file, streamed so any size fits in memory. Blank lines come through as a
 * single empty value, so the row numbers stay those a spreadsheet shows. `hash`, when given, is
 * fed every byte read, so a caller can check the file is the one it hashed before.
 */
export async function* readCsvRows(path: string, options: { hash?: Hash; maxRecordCharacters?: number } = {}): AsyncGenerator<CsvRow> {
  const maxRecordCharacters = options.maxRecordCharacters ?? defaultMaxRecordCharacters;
  // A cap on one record's characters, so one enormous value cannot make the reader hold gigabytes.
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: false, max_record_size: maxRecordCharacters });
  // pipeline destroys every stream when one fails, so an encoding error ends the iteration below.
  pipeline(createReadStream(path), new Utf8Guard(options.hash), parser, () => undefined);
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row += 1;
      yield { row, values: record };
    }
  } catch (error) {
    if (error instanceof CsvError && error.code === 'CSV_MAX_RECORD_SIZE') {
      throw new CsvReadError(row + 1, '', `a row of at most ${maxRecordCharacters.toLocaleString('en-GB')} characters; this one is longer, so the file was not read further`);
    }
    if (error instanceof CsvError) {
      const line = typeof (error as CsvError & { lines?: unknown }).lines === 'number' ? (error as CsvError & { lines: number }).lines : null;
      throw new CsvReadError(line, '', `well-formed CSV (${error.message}); check the quoting near this line`);
    }
    throw error;
  }
}

/**
 * Passes bytes through unchanged while checking that they are UTF-8, and stops at the first byte
 * that is not, naming its line. A sequence split across two chunks is held back until it is whole.
 */
class Utf8Guard extends Transform {
  private carry: Buffer = Buffer.alloc(0);
  private line = 1;

  constructor(private readonly hash?: Hash) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash?.update(chunk);
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const end = completeLength(bytes);
    const complete = bytes.subarray(0, end);
    if (!isUtf8(complete)) {
      callback(this.encodingError(complete));
      return;
    }
    this.line += countLineFeeds(complete);
    this.carry = Buffer.from(bytes.subarray(end));
    callback(null, complete);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.carry.length > 0 ? this.encodingError(this.carry) : null);
  }

  private encodingError(bytes: Buffer): CsvReadError {
    const at = firstInvalidOffset(bytes);
    const line = this.line + countLineFeeds(bytes.subarray(0, at));
    const shown = [...bytes.subarray(at, at + 1)].map((byte) => `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(' ');
    return new CsvReadError(
      line,
      `byte ${shown}`,
      'text encoded as UTF-8: this byte is not UTF-8 (files saved as Windows-1252 or Latin-1 write £ and é as one byte); save the file as "CSV UTF-8"',
    );
  }
}

/** How many bytes a sequence starting with this lead byte has; 0 when it cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** The length of the bytes less a multi-byte sequence cut off at the end (kept for the next chunk). */
function completeLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back += 1) {
    const position = bytes.length - back;
    const byte = bytes[position]!;
    if ((byte & 0xc0) !== 0x80) {
      const length = sequenceLength(byte);
      return length > back ? position : bytes.length;
    }
  }
  return bytes.length;
}

function firstInvalidOffset(bytes: Buffer): number {
  let position = 0;
  while (position < bytes.length) {
    const length = sequenceLength(bytes[position]!);
    if (length === 0 || !isUtf8(bytes.subarray(position, position + length)) || position + length > bytes.length) return position;
    position += length;
  }
  return bytes.length;
}

function countLineFeeds(bytes: Buffer): number {
  let count = 0;
  for (let index = bytes.indexOf(0x0a); index !== -1; index = bytes.indexOf(0x0a, index + 1)) count += 1;
  return count;
}
