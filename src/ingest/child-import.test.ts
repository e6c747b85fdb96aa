import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { testEngines } from '../../test/support/database.js';
import { batchProblems, findBatch, listBatches, restoreBatch } from './batches.js';
import type { ChildImportResult } from './child-import.js';
import { importChildFile } from './child-import.js';
import { pseudonymiser } from './pseudonym.js';

const camden = 'E09000007';
const operator = { userId: null, organisationId: null, label: 'operator (command line)' };

describe.each(testEngines)('loading child-level files on %s', (engine) => {
  let testApp: TestApp;
  let folder: string;
  let fileNumber = 0;

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    folder = mkdtempSync(join(tmpdir(), 'ntg-import-'));
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  function load(content: string | Buffer, options: { name?: string; acceptValid?: boolean; laCode?: string } = {}): Promise<ChildImportResult> {
    fileNumber += 1;
    const name = options.name ?? `children-${fileNumber}.csv`;
    const path = join(folder, `${fileNumber}-${name}`);
    writeFileSync(path, content);
    return importChildFile(
      { path, fileName: name, laCode: options.laCode ?? camden, acceptValid: options.acceptValid ?? false, actor: operator },
      { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey },
    );
  }

  async function counts() {
    const db = testApp.database.db;
    const [records, aggregates, current] = await Promise.all([
      db.selectFrom('child_record').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      db.selectFrom('child_aggregate').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      db.selectFrom('child_year_batch').selectAll().orderBy('academic_year').execute(),
    ]);
    return { records: Number(records.n), aggregates: Number(aggregates.n), current: current.map((row) => `${row.academic_year}:${row.batch_id}`) };
  }

  it('loads a valid file, pseudonymised, and builds the aggregates from it', async () => {
    const rows = [
      child(1, { setting_urn: '100001', ncy: '6', sex: 'F', disadvantaged: 'Y', fsm: 'Y', ks2_rwm_expected: 'N', ks2_reading_scaled: '98', attendance_pct: '88.5' }),
      child(2, { setting_urn: '100001', ncy: '6', sex: 'M', disadvantaged: 'N', fsm: 'N', ks2_rwm_expected: 'Y', ks2_reading_scaled: '110', attendance_pct: '97' }),
      child(3, { setting_urn: '100002', ncy: '6', sex: 'M', disadvantaged: 'Y', fsm: 'N', ks2_rwm_expected: 'Y', ks2_reading_scaled: '104', attendance_pct: '95' }),
      child(4, { ncy: 'R', sex: 'F', disadvantaged: '', eyfsp_gld: 'true' }),
    ];
    const result = await load(childCsv(rows));
    expect(result).toMatchObject({ outcome: 'loaded', rowsRead: 4, rowsLoaded: 4, rowsQuarantined: 0, problemCount: 0, academicYears: [2023] });

    const db = testApp.database.db;
    const stored = await db.selectFrom('child_record').select(['child_key', 'setting_urn', 'ncy', 'attendance_pct']).orderBy('child_key').execute();
    const key = pseudonymiser(testPseudonymKey);
    expect(stored.map((row) => row.child_key).sort()).toEqual(rows.map((row) => key(row.child_id!)).sort());

    // The whole authority (setting 0): four children; the KS2 measure over the three with a value.
    const whole = await sql<{ children: string; n: string; successes: string; reading_sum: string; reading_sumsq: string }>`
      select sum(children) as children, sum(ks2_rwm_expected_n) as n, sum(ks2_rwm_expected_sum) as successes,
             sum(ks2_reading_scaled_sum) as reading_sum, sum(ks2_reading_scaled_sumsq) as reading_sumsq
        from child_aggregate where la_code = ${camden} and academic_year = 2023`.execute(db);
    const figures = Object.fromEntries(Object.entries(whole.rows[0]!).map(([name, value]) => [name, Number(value)]));
    expect(figures).toEqual({ children: 4, n: 3, successes: 2, reading_sum: 312, reading_sumsq: 98 ** 2 + 110 ** 2 + 104 ** 2 });
    const bySetting = await sql<{ setting_urn: number; children: string }>`
      select setting_urn, sum(children) as children from child_setting_aggregate where la_code = ${camden} and academic_year = 2023 and dimension = 'all' group by setting_urn order by setting_urn`.execute(db);
    expect(bySetting.rows.map((row) => [row.setting_urn, Number(row.children)])).toEqual([
      [-1, 1],
      [100001, 2],
      [100002, 1],
    ]);
  });

  it('never stores or reports the raw child identifier', async () => {
    const secretId = 'Z999888777666';
    await load(childCsv([child(50, { child_id: secretId, academic_year: '2022/23' }), child(51, { child_id: secretId, academic_year: '2022/23' })]));
    await load(childCsv([child(52, { child_id: secretId, academic_year: '2021/22', ncy: '99' })]));
    const tables = ['child_record', 'import_batch', 'import_problem', 'audit_log', 'child_year_batch', 'child_aggregate'];
    for (const table of tables) {
      const dump = await sql<{ row: string }>`select t::text as row from ${sql.table(table)} t`.execute(testApp.database.db);
      expect(dump.rows.some((row) => row.row.toUpperCase().includes(secretId)), table).toBe(false);
    }
  });

  it('recognises a file already loaded and loads nothing twice', async () => {
    const text = childCsv([child(100, { academic_year: '2020/21' }), child(101, { academic_year: '2020/21' })]);
    const first = await load(text);
    const before = await counts();
    const again = await load(text);
    expect(again).toMatchObject({ outcome: 'duplicate', batchId: first.batchId });
    expect(await counts()).toEqual(before);
  });

  const refusals: [string, string | Buffer, { row: number; column: string; value?: string; expected: RegExp }][] = [
    ['a missing required column', 'child_id,la_code\nA1,E09000007\n', { row: 1, column: 'academic_year', expected: /required column "academic_year" is missing/ }],
    ['an unknown column', 'child_id,academic_year,la_code,shoe_size\nA1,2023/24,E09000007,9\n', { row: 1, column: 'shoe_size', expected: /not part of the child-level standard/ }],
    ['a code that is no authority', childCsv([child(1, { la_code: 'E09999999' })]), { row: 2, column: 'la_code', value: 'E09999999', expected: /GSS code/ }],
    ['another authority’s code', childCsv([child(1, { la_code: '202' }), child(2, { la_code: 'E09000012' })]), { row: 3, column: 'la_code', value: 'E09000012', expected: /the authority being loaded \(E09000007\)/ }],
    ['an out-of-range value', childCsv([child(1, { ks2_reading_scaled: '121' })]), { row: 2, column: 'ks2_reading_scaled', value: '121', expected: /from 80 to 120/ }],
    ['a duplicate child', childCsv([child(7), child(8), child(7)]), { row: 4, column: 'child_id', value: '', expected: /same child is in row 2/ }],
    ['a wrong year format', childCsv([child(1, { academic_year: '2023' })]), { row: 2, column: 'academic_year', value: '2023', expected: /2023\/24 or 202324/ }],
    ['an impossible combination', childCsv([child(1, { sen_provision: 'E', ncy: 'N1' })]), { row: 2, column: 'sen_provision', value: 'E', expected: /years R to 14/ }],
    ['a membership that is not yes or no', childCsv([child(1, { child_in_care: 'maybe' })]), { row: 2, column: 'child_in_care', value: 'maybe', expected: /Y or N/ }],
    ['non-UTF-8 bytes', Buffer.concat([Buffer.from('child_id,academic_year,la_code\nA1,2023/24,E09000007\nA2,2023/24,'), Buffer.from([0xe9, 0x0a])]), { row: 3, column: '(file)', expected: /not UTF-8/ }],
    ['an empty file', '', { row: 1, column: '(file)', expected: /the file is empty/ }],
    ['a header only', 'child_id,academic_year,la_code\n', { row: 2, column: '(file)', expected: /only a header/ }],
    ['a ragged row', 'child_id,academic_year,la_code\nA1,2023/24,E09000007\nA2,2023/24\n', { row: 3, column: '(row)', value: '2 values', expected: /3 values/ }],
    ['a 50 MB value', `child_id,academic_year,la_code\nA1,2023/24,E09000007\nA2,"${'x'.repeat(50 * 1024 * 1024)}",E09000007\n`, { row: 3, column: '(file)', expected: /too long/ }],
  ];

  it.each(refusals)('refuses a file with %s, naming the row and column, and changes nothing', async (_name, content, expected) => {
    const before = await counts();
    const result = await load(content);
    expect(result.outcome).toBe('rejected');
    const wanted: Record<string, unknown> = { row: expected.row, column: expected.column, expected: expect.stringMatching(expected.expected) as unknown };
    if (expected.value !== undefined) wanted.value = expected.value;
    expect(result.problems).toContainEqual(expect.objectContaining(wanted));
    expect(await counts()).toEqual(before);
    const batch = await findBatch(testApp.database.db, 'all', result.batchId);
    expect(batch).toMatchObject({ outcome: 'rejected', rowsLoaded: 0, current: false, problemCount: result.problemCount });
    expect((await batchProblems(testApp.database.db, result.batchId)).length).toBe(Math.min(result.problemCount, 10_000));
  });

  it('reads quoted commas, quotes and line breaks inside values, a BOM and CRLF line ends', async () => {
    const text = '\uFEFFchild_id,academic_year,la_code,ethnicity\r\n"A,000000300",2019/20,E09000007,"WBRI"\r\n"A""000000301",201920,E09000007,"wbri"\r\n"A\n000000302",2019/20,e09000007,\r\n';
    const result = await load(text);
    expect(result).toMatchObject({ outcome: 'loaded', rowsLoaded: 3, academicYears: [2019] });
  });

  it('with accept-valid, loads the valid rows and lists the rest as quarantined', async () => {
    const result = await load(childCsv([child(400, { academic_year: '2018/19' }), child(401, { academic_year: '2018/19', sex: 'X' }), child(402, { academic_year: '2018/19' })]), { acceptValid: true });
    expect(result).toMatchObject({ outcome: 'loaded', rowsRead: 3, rowsLoaded: 2, rowsQuarantined: 1, problemCount: 1 });
    expect(await batchProblems(testApp.database.db, result.batchId)).toEqual([{ file: null, row: 3, column: 'sex', value: 'X', expected: 'F, M or blank' }]);
  });

  it('replaces a year with a newer file atomically, and restores the earlier batch', async () => {
    const year = '2017/18';
    const first = await load(childCsv([child(500, { academic_year: year }), child(501, { academic_year: year })]));
    const second = await load(childCsv([child(500, { academic_year: year }), child(501, { academic_year: year }), child(502, { academic_year: year })]));
    expect(second.replacedBatches).toEqual([first.batchId]);
    const childrenIn = async () =>
      Number(
        (await sql<{ n: string }>`select sum(children) as n from child_aggregate where la_code = ${camden} and academic_year = 2017`.execute(testApp.database.db))
          .rows[0]!.n,
      );
    expect(await childrenIn()).toBe(3);
    const restored = await restoreBatch(testApp.database, 'all', first.batchId, operator);
    expect(restored.displaced).toEqual([second.batchId]);
    expect(await childrenIn()).toBe(2);
    const history = await listBatches(testApp.database.db, [camden], { kind: 'children' });
    expect(history.find((batch) => batch.id === first.batchId)?.current).toBe(true);
    expect(history.find((batch) => batch.id === second.batchId)?.current).toBe(false);
  });

  it('leaves nothing behind when the load fails part-way', async () => {
    const before = await counts();
    const batchesBefore = (await listBatches(testApp.database.db, 'all')).length;
    const rows = Array.from({ length: 25_000 }, (_, index) => child(10_000 + index, { academic_year: '2016/17' }));
    const path = join(folder, 'interrupted.csv');
    writeFileSync(path, childCsv(rows));
    await expect(
      importChildFile(
        { path, fileName: 'interrupted.csv', laCode: camden, acceptValid: false, actor: operator },
        {
          database: testApp.database,
          dataDir: folder,
          pseudonymKey: testPseudonymKey,
          onProgress: (progress) => {
            if (progress.rows >= 20_000) throw new Error('the process was stopped');
          },
        },
      ),
    ).rejects.toThrow('the process was stopped');
    expect(await counts()).toEqual(before);
    expect((await listBatches(testApp.database.db, 'all')).length).toBe(batchesBefore);
  });
});
