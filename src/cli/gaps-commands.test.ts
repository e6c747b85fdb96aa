import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { runNtg } from '../../test/support/cli.js';
import { proportionDifference } from '../stats/index.js';

describe('ntg gaps', () => {
  let folder: string;
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'ntg-gaps-cli-'));
    vi.stubEnv('NTG_DATA_DIR', join(folder, 'data'));
    vi.stubEnv('NTG_PSEUDONYM_KEY', testPseudonymKey);
    vi.stubEnv('DATABASE_URL', '');
    // 10 children in care (3 reach the KS2 standard, 2 of them girls) and 20 others (14 reach it); 3 of unknown care status.
    const rows = [
      ...Array.from({ length: 10 }, (_, index) => child(index, { child_in_care: 'Y', ks2_rwm_expected: index < 3 ? 'Y' : 'N', sex: index < 2 ? 'F' : 'M', ncy: '6' })),
      ...Array.from({ length: 20 }, (_, index) => child(100 + index, { child_in_care: 'N', ks2_rwm_expected: index < 14 ? 'Y' : 'N', sex: 'F', ncy: '6' })),
      ...Array.from({ length: 3 }, (_, index) => child(200 + index, { ks2_rwm_expected: 'Y', sex: 'M', ncy: '6' })),
    ];
    const path = join(folder, 'camden.csv');
    writeFileSync(path, childCsv(rows));
    expect((await runNtg('import', 'children', path, '--la', 'E09000007')).code).toBe(0);
  }, 120_000);
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(folder, { recursive: true, force: true });
  });

  it('gives the gap as the stats module computes it, as JSON', async () => {
    const result = await runNtg('gaps', '--la', 'E09000007', '--year', '2023/24', '--indicator', 'ks2_rwm_expected', '--group', 'children-in-care', '--format', 'json');
    expect(result.code).toBe(0);
    const expected = proportionDifference({ numerator: 3, denominator: 10 }, { numerator: 14, denominator: 20 }, { multiplier: 100 });
    expect(JSON.parse(result.out)).toEqual([
      {
        group: 'children-in-care',
        group_label: 'Children in care',
        indicator: 'ks2_rwm_expected',
        outcome: 'enjoy-and-achieve',
        year: '2023/24',
        group_count: 10,
        group_value: 30,
        group_lower: expected.group.lower,
        group_upper: expected.group.upper,
        comparator: 'all-other',
        comparator_count: 20,
        comparator_value: 70,
        comparator_lower: expected.comparator.lower,
        comparator_upper: expected.comparator.upper,
        gap: expected.value,
        gap_lower: expected.lower,
        gap_upper: expected.upper,
        significant: true,
        trend: 'not-enough-data',
        suppressed: false,
        unknown_count: 3,
        value_type: 'percentage',
        polarity: 'higher-is-better',
        comparator_note: null,
        comparator_source: null,
        suppressed_reason: null,
      },
    ]);
  });

  it('withholds small numbers only with --suppress', async () => {
    const args = ['gaps', '--la', 'E09000007', '--indicator', 'ks2_rwm_expected', '--group', 'children-in-care&sex:F', '--format', 'json'];
    expect(JSON.parse((await runNtg(...args)).out)).toEqual([expect.objectContaining({ group_count: 2, suppressed: false })]);
    expect(JSON.parse((await runNtg(...args, '--suppress')).out)).toEqual([expect.objectContaining({ group_count: null, gap: null, suppressed: true })]);
  });

  it('refuses with --suppress a "not in" group, which would give back a withheld one by subtraction', async () => {
    const args = ['gaps', '--la', 'E09000007', '--indicator', 'ks2_rwm_expected', '--group', 'children-in-care:no', '--comparator', 'all', '--format', 'json'];
    expect((await runNtg(...args)).code).toBe(0);
    const refused = await runNtg(...args, '--suppress');
    expect(refused).toMatchObject({ code: 1, out: '' });
    expect(refused.err).toMatch(/^ntg: refused with --suppress: figures for children who are not in a group/);
  });

  it('releases with --suppress counts perturbed and rounded to 5, and figures made from them', async () => {
    const [cell] = JSON.parse((await runNtg('gaps', '--la', 'E09000007', '--indicator', 'ks2_rwm_expected', '--group', 'sex:F', '--comparator', 'all', '--format', 'json', '--suppress')).out) as Record<string, number>[];
    // 22 girls (16 at the standard) and all 33 children (20 at it): counts are released as multiples of 5, at least 5.
    expect(cell).toMatchObject({ suppressed: false, suppressed_reason: null });
    for (const count of [cell!.group_count!, cell!.comparator_count!]) {
      expect(count % 5).toBe(0);
      expect(count).toBeGreaterThanOrEqual(5);
    }
    // A percentage made from two multiples of 5 (meeting over children), to one decimal place.
    const madeOf = (value: number, count: number) => [...Array(count / 5 + 1).keys()].some((meeting) => Math.abs((100 * 5 * meeting) / count - value) < 0.051);
    expect(madeOf(cell!.group_value!, cell!.group_count!)).toBe(true);
    expect(madeOf(cell!.comparator_value!, cell!.comparator_count!)).toBe(true);
    // The same question gives the same answer: asking again gains nothing.
    const again = JSON.parse((await runNtg('gaps', '--la', 'E09000007', '--indicator', 'ks2_rwm_expected', '--group', 'sex:F', '--comparator', 'all', '--format', 'json', '--suppress')).out) as Record<string, number>[];
    expect(again[0]).toEqual(cell);
  });

  it('prints every group on every indicator as CSV and as a table', async () => {
    const csv = parse<Record<string, string>>((await runNtg('gaps', '--la', '202', '--format', 'csv')).out, { bom: true, columns: true });
    // The 13 groups by the 12 measures and the 7 indicators worked out from the records.
    expect(csv).toHaveLength(13 * 19);
    expect(Object.keys(csv[0]!)).toEqual(['group', 'group_label', 'indicator', 'outcome', 'year', 'group_count', 'group_value', 'group_lower', 'group_upper', 'comparator', 'comparator_count', 'comparator_value', 'comparator_lower', 'comparator_upper', 'gap', 'gap_lower', 'gap_upper', 'significant', 'trend', 'suppressed', 'unknown_count', 'value_type', 'polarity', 'comparator_note', 'comparator_source', 'suppressed_reason']);
    const table = await runNtg('gaps', '--la', 'E09000007');
    expect(table.out).toContain('Gaps for Camden, 2023/24: each group against all other children');
    // Labels where a person reads; the codes stay in CSV and JSON.
    expect(table.out).toMatch(/Children in care\s+Reached the expected standard in reading, writing and maths at key stage 2\s+30\.0\s+10\s+70\.0\s+20\s+-40\.0/);
    expect(table.out).not.toContain('ks2_rwm_expected');
  });

  it('ranks the curves to turn as JSON, CSV and a table, with the fields of the API', async () => {
    const json = await runNtg('gaps', 'curves', '--la', 'E09000007', '--year', '2023/24', '--format', 'json');
    expect(json.code).toBe(0);
    const curves = JSON.parse(json.out) as Record<string, unknown>[];
    const inCare = curves.find((curve) => curve.group === 'children-in-care' && curve.indicator === 'ks2_rwm_expected')!;
    // 3 of 10 against 14 of 20: 4 more children in care would need to reach the standard.
    expect(inCare).toMatchObject({ year: '2023/24', gap: -40, significant: expect.any(Boolean) as unknown, children_to_close: 4 });
    expect(inCare.standardised_gap).toBeCloseTo(2 * Math.asin(Math.sqrt(0.3)) - 2 * Math.asin(Math.sqrt(0.7)), 3);
    expect(curves.map((curve) => curve.rank)).toEqual(curves.map((_, index) => index + 1));
    const csv = parse<Record<string, string>>((await runNtg('gaps', 'curves', '--la', '202', '--format', 'csv')).out, { bom: true, columns: true });
    expect(Object.keys(csv[0]!).slice(0, 12)).toEqual(['rank', 'group', 'indicator', 'year', 'gap', 'gap_lower', 'gap_upper', 'significant', 'trend', 'standardised_gap', 'children_to_close', 'score']);
    expect(csv).toHaveLength(curves.length);
    const table = await runNtg('gaps', 'curves', '--la', 'E09000007');
    expect(table.out).toContain('Which curves to turn in Camden, 2023/24');
    expect(table.out).toMatch(/Children in care\s+Reached the expected standard/);
  });

  it('refuses a curves question it cannot answer, saying what would do', async () => {
    expect(await runNtg('gaps', 'curves', '--la', 'E09000007', '--year', 'last')).toMatchObject({ code: 2, err: 'ntg: --year: "last" is not an academic year (write 2023/24 or 202324)' });
    expect(await runNtg('gaps', 'curves', '--la', 'E09000007', '--year', '2019/20')).toMatchObject({ code: 2, err: 'ntg: --year: E09000007 has no data for 2019/20 (it has 2023/24)' });
    expect(await runNtg('gaps', 'curves', '--la', 'E09000012')).toMatchObject({ code: 2, err: 'ntg: no child-level data has been loaded for E09000012' });
    expect((await runNtg('gaps', 'curves')).err).toMatch(/required option '--la <code>' not specified/);
    expect((await runNtg('gaps')).err).toMatch(/required option '--la <code>' not specified/);
  });

  it('names what it does not understand', async () => {
    expect(await runNtg('gaps', '--la', 'E09000007', '--indicator', 'happiness')).toMatchObject({ code: 2, err: expect.stringContaining('ntg: --indicator: "happiness" is not one of eyfsp_gld') as unknown });
    expect(await runNtg('gaps', '--la', 'E09000007', '--year', '2019/20')).toMatchObject({ code: 2, err: 'ntg: --year: E09000007 has no data for 2019/20 (it has 2023/24)' });
    expect(await runNtg('gaps', '--la', 'E09000012')).toMatchObject({ code: 2, err: 'ntg: no child-level data has been loaded for E09000012' });
  });
});
