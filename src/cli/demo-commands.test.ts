import { parse } from 'csv-parse/sync';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standardColumns } from '../ingest/child-standard.js';
import { runNtg } from '../../test/support/cli.js';

describe('ntg demo generate', () => {
  let folder = '';
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'ntg-demo-'));
  });
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('writes the rows to a file and says how many on standard error', async () => {
    const file = join(folder, 'children.csv');
    const result = await runNtg('demo', 'generate', '--children', '300', '--years', '2', '--seed', '7', '--out', file);
    expect(result.code).toBe(0);
    expect(result.out).toBe('');
    expect(result.err).toBe(`Wrote 600 rows (300 children a year, 2023/24 to 2024/25, Leeds E08000035, seed 7) to ${file}.`);
    const [header, ...rows] = parse(readFileSync(file, 'utf8'));
    expect(header).toEqual([...standardColumns]);
    expect(rows).toHaveLength(600);
    expect(new Set(rows.map((row) => row[standardColumns.indexOf('la_code')]))).toEqual(new Set(['E08000035']));
  });

  it('writes CSV to standard output without --out, with CRLF line ends', async () => {
    const result = await runNtg('demo', 'generate', '--children', '100', '--years', '1');
    expect(result.code).toBe(0);
    expect(result.err).toBe('');
    const lines = result.out.split('\r\n');
    expect(lines[0]).toBe(standardColumns.join(','));
    expect(lines).toHaveLength(102); // header, 100 rows and the empty text after the last line end
    expect(lines[101]).toBe('');
    expect(lines[1]).toMatch(/^[A-Z]\d{12},2024\/25,E08000035,/);
  });

  it('writes the same bytes for the same options and different ones for another seed', async () => {
    const first = await runNtg('demo', 'generate', '--children', '150', '--years', '2', '--seed', '3');
    const again = await runNtg('demo', 'generate', '--children', '150', '--years', '2', '--seed', '3');
    const other = await runNtg('demo', 'generate', '--children', '150', '--years', '2', '--seed', '4');
    expect(again.out).toBe(first.out);
    expect(other.out).not.toBe(first.out);
  });

  it('writes the authority named by its DfE number and the years ending --last-year', async () => {
    const result = await runNtg('demo', 'generate', '--children', '100', '--years', '3', '--la', '805', '--last-year', '2021/22');
    expect(result.code).toBe(0);
    const rows = parse(result.out).slice(1);
    expect(new Set(rows.map((row) => row[standardColumns.indexOf('la_code')]))).toEqual(new Set(['E06000001']));
    expect(new Set(rows.map((row) => row[standardColumns.indexOf('academic_year')]))).toEqual(new Set(['2019/20', '2020/21', '2021/22']));
  });

  it.each([
    [['--children', '0'], 'ntg: --children must be a whole number from 100 to 500000 (got "0")'],
    [['--children', '60k'], 'ntg: --children must be a whole number from 100 to 500000 (got "60k")'],
    [['--children', '600001'], 'ntg: --children must be a whole number from 100 to 500000 (got "600001")'],
    [['--years', '0'], 'ntg: --years must be a whole number from 1 to 20 (got "0")'],
    [['--years', '2.5'], 'ntg: --years must be a whole number from 1 to 20 (got "2.5")'],
    [['--seed', 'abc'], 'ntg: --seed must be a whole number from 0 to 4294967295 (got "abc")'],
    [['--last-year', '2024'], 'ntg: --last-year must be an academic year such as 2024/25 (got "2024")'],
    [['--last-year', '1991/92', '--years', '5'], 'ntg: --years: 5 years ending 1991/92 would start before 1990/91'],
    [['--la', 'E99999999'], 'ntg: --la must be the GSS code or 3-digit DfE number of an English local authority, such as E08000035 or 383 (got "E99999999")'],
    [['--la', 'Leeds'], 'ntg: --la must be the GSS code or 3-digit DfE number of an English local authority, such as E08000035 or 383 (got "Leeds")'],
  ])('refuses %j with exit 2 and a message naming the option', async (argv, message) => {
    const result = await runNtg('demo', 'generate', ...argv);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toBe(message);
  });

  it('refuses an authority that no longer exists and names its successors', async () => {
    const result = await runNtg('demo', 'generate', '--la', 'E10000021');
    expect(result.code).toBe(2);
    expect(result.err).toBe(
      'ntg: --la: E10000021 (Northamptonshire) is no longer an authority; its area is now E06000061 (North Northamptonshire) and E06000062 (West Northamptonshire)',
    );
  });

  it('says when the file cannot be written and exits 1', async () => {
    const result = await runNtg('demo', 'generate', '--children', '100', '--years', '1', '--out', join(folder, 'missing', 'children.csv'));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^ntg: Cannot write .*missing\/children\.csv: ENOENT/);
  });
});
