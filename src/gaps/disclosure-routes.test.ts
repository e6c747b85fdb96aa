import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrganisation, signedInPeople } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import type { TestApp } from '../../test/support/app.js';
import { child, childCsv, testPseudonymKey } from '../../test/support/child-files.js';
import { testEngines } from '../../test/support/database.js';
import { sessionCookieName } from '../auth/gate.js';
import type { Role } from '../auth/permissions.js';
import { importChildFile } from '../ingest/child-import.js';
import type { GapCell } from './matrix.js';

const camden = 'E09000007';

/*
 * The attacks that broke the old scheme, tried again through every route a regional adviser (no
 * child-level access) can use, with the authority's analyst alongside to show the figures are there.
 */
describe.each(testEngines)('disclosure control through the routes on %s', (engine) => {
  let testApp: TestApp;
  let folder: string;
  const sessions = new Map<string, string>();
  const get = (who: string, url: string) => testApp.app.inject({ method: 'GET', url, cookies: { [sessionCookieName(false)]: sessions.get(who)! } });
  const cellsOf = async (who: string, query: string): Promise<GapCell[]> => {
    const response = await get(who, `/api/v1/areas/${camden}/gaps?year=2023/24&${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ cells: GapCell[] }>().cells;
  };

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    folder = mkdtempSync(join(tmpdir(), 'ntg-disclosure-'));
    // One child in care scoring 64 in Attainment 8; 37 others averaging 45.54 (36 at 45.5, one at 47),
    // so all 38 average 46.03. Seven young carers, five boys and two girls, among the others.
    const rows = [
      child(1, { child_in_care: 'Y', young_carer: 'N', sex: 'F', ks4_attainment8: '64' }),
      ...Array.from({ length: 37 }, (_, index) =>
        child(100 + index, { child_in_care: 'N', young_carer: index < 7 ? 'Y' : 'N', sex: index < 5 || index >= 20 ? 'M' : 'F', ks4_attainment8: index === 36 ? '47' : '45.5' }),
      ),
    ];
    const path = join(folder, 'camden.csv');
    writeFileSync(path, childCsv(rows));
    await importChildFile({ path, fileName: 'camden.csv', laCode: camden, acceptValid: false, actor: { userId: null, organisationId: null, label: 'test' } }, { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey });
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const london = await newOrganisation(db, { kind: 'region', name: 'London', areaCode: 'E12000007' });
    const people: [string, Role, string][] = [
      ['analyst', 'analyst', authority],
      ['adviser', 'regional-adviser', london],
    ];
    for (const [who, token] of await signedInPeople(db, people)) sessions.set(who, token);
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const notInCare = 'indicator=ks4_attainment8&group=children-in-care:no&comparator=all';

  it('gave the one child’s score away to the analyst’s view of “not in care” against all, as the old scheme did to everyone', async () => {
    const [cell] = await cellsOf('analyst', notInCare);
    expect([cell!.group_count, cell!.comparator_count]).toEqual([37, 38]);
    // total × mean − rest × mean: the child's own score. The analyst may see it; nobody else may.
    expect(cell!.comparator_count! * cell!.comparator_value! - cell!.group_count! * cell!.group_value!).toBeCloseTo(64, 6);
  });

  it('refuses a regional adviser "not in care" against all, with the reason, on the API, the pages and the downloads', async () => {
    const api = await get('adviser', `/api/v1/areas/${camden}/gaps?year=2023/24&${notInCare}`);
    expect(api.statusCode).toBe(403);
    expect(api.json<{ message: string }>().message).toMatch(/children who are not in a group.*by subtraction/);
    for (const url of [
      `/gaps/indicator?la=${camden}&${notInCare}`,
      `/gaps/indicator.csv?la=${camden}&${notInCare}`,
      `/gaps/indicator/figures/values.csv?la=${camden}&${notInCare}`,
      `/gaps?la=${camden}&add=children-in-care:no`,
      `/gaps?la=${camden}&combo_group=young-carers&combo_also=children-in-care:no`,
    ]) {
      const response = await get('adviser', url);
      expect(response.statusCode, url).toBe(403);
      expect(response.body, url).toContain('by subtraction');
      expect(response.body, url).not.toMatch(/45\.5|46\.0|\b37\b/);
    }
  });

  it('does not offer a regional adviser "not in" groups on the matrix page, and offers them to the analyst', async () => {
    expect((await get('adviser', `/gaps?la=${camden}`)).body).not.toContain('children-in-care:no');
    expect((await get('analyst', `/gaps?la=${camden}`)).body).toContain('children-in-care:no');
  });

  it('withholds the child in care on every comparator, and rounds every count a regional adviser sees to 5', async () => {
    for (const comparator of ['all-other', 'all']) {
      const [inCare] = await cellsOf('adviser', `indicator=ks4_attainment8&group=children-in-care&comparator=${comparator}`);
      expect(inCare).toMatchObject({ suppressed: true, suppressed_reason: 'group-few-children', group_value: null, comparator_count: null, comparator_value: null, trend: 'not-enough-data' });
    }
    const matrix = await cellsOf('adviser', 'comparator=all');
    const counts = matrix.flatMap((cell) => [cell.group_count, cell.comparator_count, cell.unknown_count]).filter((count): count is number => count !== null);
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.filter((count) => count % 5 !== 0)).toEqual([]);
    // All 38 children (averaging 46.03) are released as a multiple of 5, their mean moved by at most
    // a tenth of the score's range shared among them (90 / 10 / 38), to one decimal place.
    const everyone = matrix.find((cell) => cell.indicator === 'ks4_attainment8' && cell.comparator_count !== null)!;
    expect(everyone.comparator_count! % 5).toBe(0);
    expect(Math.abs(everyone.comparator_value! - 46.03)).toBeLessThanOrEqual(90 / 10 / 38 + 0.05);
  });

  it('gives back no split of a group by sex by subtraction', async () => {
    // Seven young carers: five boys (shown) and two girls (withheld). 7 − 5 gave away the two girls.
    const [all] = await cellsOf('adviser', 'indicator=ks4_attainment8&group=young-carers');
    const [boys] = await cellsOf('adviser', 'indicator=ks4_attainment8&group=young-carers%26sex:M');
    const [girls] = await cellsOf('adviser', 'indicator=ks4_attainment8&group=young-carers%26sex:F');
    expect(girls).toMatchObject({ suppressed: true, group_count: null });
    expect(all!.group_count! - boys!.group_count!).not.toBe(2);
    expect(Math.abs(all!.group_count! - boys!.group_count!) % 5).toBe(0);
  });

  it('withholds small counts and rounds the rest on the gaps-in-the-data page', async () => {
    const page = await get('adviser', `/gaps/data?la=${camden}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Counts are adjusted slightly and rounded to the nearest 5');
    // 38 children with an Attainment 8 score are shown as a multiple of 5, the same as the matrix's all children; the analyst sees 38.
    const [againstAll] = await cellsOf('adviser', 'indicator=ks4_attainment8&group=sex:F&comparator=all');
    expect(page.body).toMatch(new RegExp(`Attainment 8 score</th>\\s*<td[^>]*>[^<]*</td>\\s*<td[^>]*>${againstAll!.comparator_count}</td>`));
    expect((await get('analyst', `/gaps/data?la=${camden}`)).body).toMatch(/Attainment 8 score<\/th>\s*<td[^>]*>[^<]*<\/td>\s*<td[^>]*>38<\/td>/);
  });
});
