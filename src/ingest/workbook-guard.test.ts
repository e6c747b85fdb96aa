import { writeFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { temporaryFiles } from '../../test/support/files.js';
import { ns, sharedStringsOf, workbookWith, xml, zipOf } from '../../test/support/workbooks.js';
import { FileReadError, readRows } from './file-rows.js';
import type { FileRow } from './file-rows.js';
import { WorkbookRefusedError, checkWorkbook } from './workbook-guard.js';
import type { WorkbookLimits } from './workbook-guard.js';

const file = temporaryFiles('ntg-workbook-guard-');
const limits: WorkbookLimits = { maxUncompressedBytes: 8 * 1_048_576, maxSharedStringsBytes: 2 * 1_048_576, maxCellCharacters: 1_000 };

async function allRows(path: string, fileName: string, given: WorkbookLimits): Promise<FileRow[]> {
  const rows: FileRow[] = [];
  for await (const batch of readRows(path, { fileName, limits: given }).batches) rows.push(...batch);
  return rows;
}

describe('reading a workbook within its caps', () => {
  it('reads a workbook Excel would write', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Pupils');
    sheet.addRow(['child_id', 'academic_year']);
    sheet.addRow(['A1', '2023/24']);
    const path = file('written.xlsx', '');
    writeFileSync(path, Buffer.from(await workbook.xlsx.writeBuffer()));
    await expect(checkWorkbook(path, limits)).resolves.toBeUndefined();
    expect((await allRows(path, 'written.xlsx', limits)).map((row) => row.values)).toEqual([['child_id', 'academic_year'], ['A1', '2023/24']]);
  });

  it('reads a small hand-made workbook, so the bombs below differ from it only in their size', async () => {
    const path = file('small.xlsx', '');
    writeFileSync(path, workbookWith(sharedStringsOf(['a'])));
    expect((await allRows(path, 'small.xlsx', limits)).map((row) => row.values)).toEqual([['a', 'b']]);
  });

  it('refuses a small workbook holding one enormous string, unpacking little of it', async () => {
    const bomb = workbookWith(sharedStringsOf(['A'.repeat(40 * 1_048_576)]));
    expect(bomb.length).toBeLessThan(200_000);
    const path = file('string-bomb.xlsx', '');
    writeFileSync(path, bomb);
    const counted = { unpackedBytes: 0 };
    const refusal = await checkWorkbook(path, limits, counted).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(WorkbookRefusedError);
    expect((refusal as Error).message).toBe("the workbook's xl/sharedStrings.xml holds a value longer than 1,000 characters, the longest a cell may have");
    // Stopped within a chunk of the cap, never near the 40 MB the string unpacks to.
    expect(counted.unpackedBytes).toBeLessThan(512 * 1024);
  });

  it('refuses shared strings that unpack to more than their cap, unpacking little beyond it', async () => {
    const many = Array.from({ length: 200_000 }, (_, index) => `child ${index % 1000} of many`);
    const path = file('strings-bomb.xlsx', '');
    writeFileSync(path, workbookWith(sharedStringsOf(many)));
    const counted = { unpackedBytes: 0 };
    const refusal = await checkWorkbook(path, limits, counted).catch((error: unknown) => error);
    expect((refusal as Error).message).toBe("the workbook's xl/sharedStrings.xml unpacks to more than 2 MB (the most the service takes, NTG_XLSX_MAX_SHARED_STRINGS_MB): save the data as CSV instead");
    expect(counted.unpackedBytes).toBeLessThan(2 * 1_048_576 + 512 * 1024);
  });

  it('refuses a workbook whose parts together unpack to more than the cap', async () => {
    const path = file('sheet-bomb.xlsx', '');
    const cells = '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'.repeat(200_000);
    // A sheet that unpacks to about 12 MB.
    const big = zipOf([{ name: 'xl/worksheets/sheet1.xml', data: xml(`<worksheet ${ns}><sheetData>${cells}</sheetData></worksheet>`) }]);
    writeFileSync(path, big);
    const counted = { unpackedBytes: 0 };
    const refusal = await checkWorkbook(path, limits, counted).catch((error: unknown) => error);
    expect((refusal as Error).message).toBe("the workbook's xl/worksheets/sheet1.xml unpacks to more than 8 MB (the most the service takes, NTG_XLSX_MAX_UNCOMPRESSED_MB): save the data as CSV instead");
    expect(counted.unpackedBytes).toBeLessThan(8 * 1_048_576 + 512 * 1024);
  });

  it('refuses an archive holding a part its directory does not list', async () => {
    const hidden = zipOf([{ name: 'xl/sharedStrings.xml', data: sharedStringsOf(['A'.repeat(5_000)]) }]);
    const listed = workbookWith(sharedStringsOf(['a']));
    // The hidden part's local entry goes first; the directory (offsets shifted) lists only the workbook's parts.
    const hiddenLocal = hidden.subarray(0, hidden.readUInt32LE(hidden.length - 6));
    const shifted = Buffer.from(listed);
    const directoryOffset = shifted.readUInt32LE(shifted.length - 6);
    for (let at = directoryOffset; at < shifted.length - 22; ) {
      shifted.writeUInt32LE(shifted.readUInt32LE(at + 42) + hiddenLocal.length, at + 42);
      at += 46 + shifted.readUInt16LE(at + 28) + shifted.readUInt16LE(at + 30) + shifted.readUInt16LE(at + 32);
    }
    shifted.writeUInt32LE(directoryOffset + hiddenLocal.length, shifted.length - 6);
    const path = file('hidden.xlsx', '');
    writeFileSync(path, Buffer.concat([hiddenLocal, shifted]));
    await expect(checkWorkbook(path, limits)).rejects.toThrow('its parts are not stored one after another');
  });

  it('names the row and column of a cell longer than the cap when reading rows', async () => {
    const path = file('long-cell.xlsx', '');
    // Split across rich-text runs, each under the cap, so only the whole cell is too long.
    const runs = Array.from({ length: 3 }, () => `<r><t>${'B'.repeat(600)}</t></r>`).join('');
    writeFileSync(path, workbookWith(xml(`<sst ${ns} count="1" uniqueCount="1"><si>${runs}</si></sst>`)));
    const refusal = await allRows(path, 'long-cell.xlsx', limits).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(FileReadError);
    expect((refusal as FileReadError).message).toBe('a cell in row 1 column A is longer than 1,000 characters, the longest a value may be');
    expect((refusal as FileReadError).row).toBe(1);
  });

  it('refuses a bomb when reading rows, with the reason as the file problem', async () => {
    const path = file('bomb-rows.xlsx', '');
    writeFileSync(path, workbookWith(sharedStringsOf(['A'.repeat(10 * 1_048_576)])));
    const refusal = await allRows(path, 'bomb-rows.xlsx', limits).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(FileReadError);
    expect((refusal as Error).message).toContain('holds a value longer than 1,000 characters');
  });
});
