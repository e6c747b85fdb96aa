import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { runNtg } from '../../test/support/cli.js';
import { sharedStringsOf, workbookWith } from '../../test/support/workbooks.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';

describe('ntg import children and ntg imports', () => {
  let folder: string;
  const file = (name: string, text: string) => {
    const path = join(folder, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'ntg-import-cli-'));
    vi.stubEnv('NTG_DATA_DIR', join(folder, 'data'));
    vi.stubEnv('NTG_PSEUDONYM_KEY', testPseudonymKey);
    vi.stubEnv('DATABASE_URL', '');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(folder, { recursive: true, force: true });
  });

  it('loads a file with one command, says what it did, and recognises it the second time', async () => {
    const path = file('camden-2023.csv', childCsv([child(1, { ks2_rwm_expected: 'Y' }), child(2, { ks2_rwm_expected: 'N' })]));
    const first = await runNtg('import', 'children', path, '--la', '202');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^Loaded 2 rows for E09000007 \(2023\/24\) as batch (\d+) in [\d.]+ s/);
    // The authority's figures are computed and kept then, so the service's first reader does not wait for them.
    const database = await openDatabase(loadConfig({ NTG_DATA_DIR: join(folder, 'data'), DATABASE_URL: '' }));
    try {
      const kept = await database.db.selectFrom('gap_figures').select('key').where('la_code', '=', 'E09000007').execute();
      expect(kept.length).toBe(4);
    } finally {
      await database.close();
    }
    const again = await runNtg('import', 'children', path, '--la', 'E09000007');
    expect(again).toMatchObject({ code: 0 });
    expect(again.out).toMatch(/already loaded for E09000007 as batch \d+ \(2023\/24\): nothing to do/);
  }, 120_000);

  it('refuses a bad file, exit 1, naming row, column, value and what was expected', async () => {
    const path = file('bad.csv', childCsv([child(1), child(2, { ks4_attainment8: '95' })]));
    const result = await runNtg('import', 'children', path, '--la', 'E09000007');
    expect(result.code).toBe(1);
    expect(result.err).toContain('ntg: Refused: nothing was loaded. 1 problem');
    expect(result.err).toContain('row 3, ks4_attainment8: "95", expected a number from 0 to 90, or blank');
  });

  it('refuses a small workbook that unpacks to an enormous value, within the operator’s caps', async () => {
    const path = join(folder, 'bomb.xlsx');
    writeFileSync(path, workbookWith(sharedStringsOf(['A'.repeat(20 * 1_048_576)])));
    vi.stubEnv('NTG_MAX_CELL_CHARACTERS', '5000');
    try {
      const result = await runNtg('import', 'children', path, '--la', 'E09000007');
      expect(result.code).toBe(1);
      expect(result.err).toContain("the workbook's xl/sharedStrings.xml holds a value longer than 5,000 characters, the longest a cell may have");
    } finally {
      vi.stubEnv('NTG_MAX_CELL_CHARACTERS', '');
    }
  });

  it('shows a refused batch and its problems, though the refused file itself is not kept', async () => {
    const path = file('refused-kept.csv', childCsv([child(60, { academic_year: '2016/17', sex: 'Q' })]));
    const refused = await runNtg('import', 'children', path, '--la', 'E09000007');
    expect(refused.code).toBe(1);
    const batch = /\(batch (\d+)\)/.exec(refused.err)![1]!;
    const show = await runNtg('imports', 'show', batch);
    expect(show.code).toBe(0);
    expect(show.out).toContain('Outcome: rejected');
    expect(show.out).not.toContain('Kept copy');
    const problems = await runNtg('imports', 'show', batch, '--problems');
    expect(problems.out).toBe('\uFEFFrow,column,value,expected\r\n2,sex,Q,"F, M or blank"\r\n');
    expect(readdirSync(join(folder, 'data', 'imports')).some((name) => readFileSync(join(folder, 'data', 'imports', name), 'utf8').includes(child(60).child_id!))).toBe(false);
  });

  it('lists, shows and restores batches', async () => {
    const newer = file('camden-2023-v2.csv', childCsv([child(1), child(2), child(3)]));
    const loaded = await runNtg('import', 'children', newer, '--la', 'E09000007');
    expect(loaded.out).toMatch(/It replaces batch (\d+) for those years; to go back: ntg imports restore \1/);
    const replaced = /ntg imports restore (\d+)/.exec(loaded.out)![1]!;
    const list = await runNtg('imports', 'list');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^batch\s+kind\s+authority/);
    expect(list.out).toMatch(new RegExp(`^${replaced}\\s+children\\s+E09000007\\s+2023/24\\s+replaced`, 'm'));
    expect(list.out).toContain('rejected');
    const restore = await runNtg('imports', 'restore', replaced);
    expect(restore.code).toBe(0);
    expect(restore.out).toContain(`Batch ${replaced} is current again for E09000007 (2023/24).`);
    const show = await runNtg('imports', 'show', replaced);
    expect(show.out).toContain('Outcome: loaded, current');
    expect(show.out).toContain('Rows: 2 read, 2 loaded, 0 quarantined; 0 problems');
  });

  it('prints every problem of a batch as CSV', async () => {
    const path = file('quarantine.csv', childCsv([child(10, { academic_year: '2022/23' }), child(11, { academic_year: '2022/23', sex: 'Q' })]));
    const loaded = await runNtg('import', 'children', path, '--la', 'E09000007', '--accept-valid');
    expect(loaded.out).toContain('1 rows were quarantined');
    const batch = /as batch (\d+)/.exec(loaded.out)![1]!;
    const problems = await runNtg('imports', 'show', batch, '--problems');
    expect(problems.out).toBe('\uFEFFrow,column,value,expected\r\n3,sex,Q,"F, M or blank"\r\n');
  });

  it('gives a clear message for a missing file, an unknown authority or an unknown batch', async () => {
    expect(await runNtg('import', 'children', join(folder, 'nope.csv'), '--la', 'E09000007')).toMatchObject({ code: 1, err: `ntg: The file ${join(folder, 'nope.csv')} does not exist` });
    expect(await runNtg('import', 'children', join(folder, 'bad.csv'), '--la', 'E09999999')).toMatchObject({ code: 2, err: expect.stringContaining('--la: E09999999 is not a local authority code') as unknown });
    expect(await runNtg('imports', 'restore', '99999')).toMatchObject({ code: 1, err: 'ntg: There is no import batch 99999.' });
  });
});
