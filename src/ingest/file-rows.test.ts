import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileReadError, readRows } from './file-rows.js';
import { defaultWorkbookLimits } from './workbook-guard.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ntg-file-rows-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function rowsOf(content: string | Buffer, maxCellCharacters?: number) {
  const path = join(folder, `file-${Math.random().toString(36).slice(2)}.csv`);
  await writeFile(path, content);
  const limits = maxCellCharacters === undefined ? defaultWorkbookLimits : { ...defaultWorkbookLimits, maxCellCharacters };
  const source = readRows(path, { fileName: 'file.csv', limits });
  const batches = [];
  for await (const batch of source.batches) batches.push(batch);
  return { batches, bytesRead: source.bytesRead() };
}

describe('readRows for a CSV file', () => {
  it('reads quoted commas, doubled quotes, line breaks in values, a BOM and CRLF, numbering rows as a spreadsheet does', async () => {
    const { batches } = await rowsOf('\uFEFFa,b\r\n"1,2","say ""hi"""\r\n\r\n"x\ny",z\r\n');
    expect(batches.flat()).toEqual([
      { rowNumber: 1, values: ['a', 'b'] },
      { rowNumber: 2, values: ['1,2', 'say "hi"'] },
      // Row 3 is blank and left out; the next row keeps its number.
      { rowNumber: 4, values: ['x\ny', 'z'] },
    ]);
  });

  it('keeps a quotation mark inside an unquoted value, and rows of any width', async () => {
    const { batches } = await rowsOf('a,b\nO"Brien,1\nshort\n');
    expect(batches.flat().map((row) => row.values)).toEqual([['a', 'b'], ['O"Brien', '1'], ['short']]);
  });

  it('gives rows in batches of 2,000, streaming the file', async () => {
    const lines = ['id', ...Array.from({ length: 4500 }, (_, index) => String(index))];
    const { batches, bytesRead } = await rowsOf(`${lines.join('\n')}\n`);
    expect(batches.map((batch) => batch.length)).toEqual([2000, 2000, 501]);
    expect(batches.at(-1)!.at(-1)).toEqual({ rowNumber: 4501, values: ['4499'] });
    expect(bytesRead).toBe(Buffer.byteLength(`${lines.join('\n')}\n`));
  });

  it('refuses a quoted value that is never closed, naming the row', async () => {
    const failure = await rowsOf('a,b\n1,2\n3,"4\n5,6\n').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FileReadError);
    expect(failure).toMatchObject({ message: 'row 3: a quoted value is never closed (a quotation mark is missing)', row: 3 });
  });

  it('refuses a value longer than the limit, and stops early on a quotation mark left open in a large file', async () => {
    await expect(rowsOf('a,b\n1,2\n3,12345678901\n', 10)).rejects.toMatchObject({ message: 'row 3 is too long: a value may have at most 10 characters (is a quotation mark left open?)', row: 3 });
    await expect(rowsOf(`a,b\n1,"${'x'.repeat(5000)}\n`, 10)).rejects.toMatchObject({ message: /^row 2 is too long/, row: 2 });
  });

  it('refuses bytes that are not UTF-8, naming the line', async () => {
    await expect(rowsOf(Buffer.concat([Buffer.from('a,b\n1,2\n3,'), Buffer.from([0xe9, 0x0a])]))).rejects.toMatchObject({ row: 3, message: expect.stringMatching(/not UTF-8/) as unknown });
  });
});
