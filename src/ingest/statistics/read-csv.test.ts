import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { temporaryFiles } from '../../../test/support/files.js';
import { CsvReadError, readCsvRows } from './read-csv.js';
import type { CsvRow } from './read-csv.js';

const file = temporaryFiles('ntg-statistics-csv-');

async function readAll(path: string): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  for await (const row of readCsvRows(path)) rows.push(row);
  return rows;
}

async function readError(path: string): Promise<CsvReadError> {
  const error = await readAll(path).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof CsvReadError)) throw new Error(`expected a CsvReadError, got ${String(error)}`);
  return error;
}

describe('readCsvRows', () => {
  it('numbers rows as a spreadsheet does: header row 1, blank lines counted, a quoted line break inside one row', async () => {
    const path = file('rows.csv', '\uFEFFa,b\r\n1,2\r\n\r\n"three\nlines",4\r\n5,6\r\n');
    expect(await readAll(path)).toEqual([
      { row: 1, values: ['a', 'b'] },
      { row: 2, values: ['1', '2'] },
      { row: 3, values: [''] },
      { row: 4, values: ['three\nlines', '4'] },
      { row: 5, values: ['5', '6'] },
    ]);
  });

  it('refuses a byte that is not UTF-8, naming its line and the byte', async () => {
    const path = file('latin1.csv', '');
    writeFileSync(path, Buffer.concat([Buffer.from('a,b\n1,2\n'), Buffer.from([0x41, 0xa3, 0x35]), Buffer.from(',3\n')]));
    const error = await readError(path);
    expect(error.row).toBe(3);
    expect(error.value).toBe('byte 0xA3');
    expect(error.expected).toMatch(/^text encoded as UTF-8/);
  });

  it('reads a character whose bytes are split between two chunks of the stream', async () => {
    const path = file('split.csv', '');
    // The stream reads 64 KiB at a time: put the two bytes of "£" either side of that boundary.
    const before = `a\n${'x'.repeat(65536 - 3)}`;
    writeFileSync(path, Buffer.concat([Buffer.from(before), Buffer.from('£\n')]));
    const rows = await readAll(path);
    expect(rows[1]!.values[0]!.endsWith('x£')).toBe(true);
  });

  it('refuses a file whose bytes end in the middle of a character', async () => {
    const path = file('cut.csv', '');
    writeFileSync(path, Buffer.concat([Buffer.from('a\n1\n'), Buffer.from([0xe2, 0x82])]));
    expect((await readError(path)).row).toBe(3);
  });

  it('refuses quoting that does not close', async () => {
    const path = file('quotes.csv', 'a,b\n1,"2\n3,4\n');
    const error = await readError(path);
    expect(error.expected).toMatch(/^well-formed CSV \(.*\); check the quoting near this line$/);
  });

  it('stops at a row longer than the cap, naming the row, before holding the whole value', async () => {
    const path = file('huge.csv', `a,b\n1,2\n3,${'x'.repeat(2_000_000)}\n5,6\n`);
    const error = await readError(path);
    expect(error.row).toBe(3);
    expect(error.expected).toBe('a row of at most 1,000,000 characters; this one is longer, so the file was not read further');
  });
});
