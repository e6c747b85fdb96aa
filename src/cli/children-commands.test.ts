import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { runNtg } from '../../test/support/cli.js';
import { openDatabase } from '../db/database.js';
import { pseudonymiser } from '../ingest/pseudonym.js';
import { configWith } from './program.js';

const key = pseudonymiser(testPseudonymKey);

describe('ntg children unseen', () => {
  let folder: string;
  const rows = [
    child(1, { academic_year: '2024/25', setting_urn: '100001', disadvantaged: 'Y', trusted_adult: 'N' }),
    child(2, { academic_year: '2024/25', setting_urn: '100001', child_in_care: 'Y', trusted_adult: 'Y', personal_education_plan: '', lead_professional: 'Y' }),
    child(3, { academic_year: '2024/25', placement_moves: '1', school_moves: '1' }),
    child(4, { academic_year: '2024/25', disadvantaged: 'N', trusted_adult: 'N' }),
  ];
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'ntg-children-cli-'));
    vi.stubEnv('NTG_DATA_DIR', join(folder, 'data'));
    vi.stubEnv('NTG_PSEUDONYM_KEY', testPseudonymKey);
    vi.stubEnv('DATABASE_URL', '');
    const path = join(folder, 'camden.csv');
    writeFileSync(path, childCsv(rows));
    expect((await runNtg('import', 'children', path, '--la', 'E09000007')).code).toBe(0);
  }, 120_000);
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(folder, { recursive: true, force: true });
  });

  const reason = ['--reason', 'Checking the lists before the team meeting'];

  it('gives the lists and their children as JSON, with the protective marking', async () => {
    const result = await runNtg('children', 'unseen', '--la', 'E09000007', '--year', '2024/25', '--format', 'json', ...reason);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as { protective_marking: string; lists: { list: string; recorded: number; not_recorded: number }[]; children: { child_ref: string; reasons: { list: string }[] }[] };
    expect(report.protective_marking).toMatch(/^OFFICIAL-SENSITIVE/);
    expect(Object.fromEntries(report.lists.map((list) => [list.list, [list.recorded, list.not_recorded]]))).toEqual({ 'trusted-adult': [1, 0], coordination: [0, 0], pep: [0, 1], moves: [1, 0] });
    expect(report.children.map((entry) => entry.child_ref).sort()).toEqual([rows[0]!, rows[1]!, rows[2]!].map((row) => key(row.child_id!)).sort());
  });

  it('writes one row per child and list as CSV under the marking line, and keeps the reason in the audit', async () => {
    const result = await runNtg('children', 'unseen', '--la', 'E09000007', '--format', 'csv', '--list', 'moves', ...reason);
    expect(result.code).toBe(0);
    const [marking, ...csv] = result.out.split('\n');
    expect(marking).toMatch(/^OFFICIAL-SENSITIVE/);
    const parsed = parse<Record<string, string>>(csv.join('\n'), { columns: true, bom: true });
    expect(parsed).toEqual([expect.objectContaining({ child_ref: key(rows[2]!.child_id!), list: 'moves', finding: 'recorded', reason: '1 school move and 1 placement move in the year', academic_year: '2024/25' })]);
    const database = await openDatabase(configWith({}));
    try {
      const entries = await database.db.selectFrom('audit_log').select(['details', 'la_code']).where('action', '=', 'children-unseen.export').execute();
      expect(entries.length).toBe(2);
      expect(entries[1]).toMatchObject({ la_code: 'E09000007', details: expect.objectContaining({ reason: 'Checking the lists before the team meeting', childRefs: [key(rows[2]!.child_id!)] }) as unknown });
    } finally {
      await database.close();
    }
  });

  it('refuses without a reason, and names what is wrong', async () => {
    expect(await runNtg('children', 'unseen', '--la', 'E09000007')).toMatchObject({ code: 2, err: expect.stringContaining("required option '--reason <text>' not specified") as unknown });
    expect(await runNtg('children', 'unseen', '--la', 'E09000007', '--reason', 'because')).toMatchObject({ code: 2, err: expect.stringContaining('--reason: say in a sentence why') as unknown });
    expect(await runNtg('children', 'unseen', '--la', 'E09000007', '--year', '2019', ...reason)).toMatchObject({ code: 2, err: 'ntg: --year: "2019" is not an academic year (write 2023/24)' });
    expect(await runNtg('children', 'unseen', '--la', 'E09000012', ...reason)).toMatchObject({ code: 2, err: 'ntg: No child-level data has been loaded for E09000012.' });
  });
});
