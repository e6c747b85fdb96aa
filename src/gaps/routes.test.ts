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
import { importStatistics } from '../ingest/statistics/service.js';
import { proportion, proportionDifference } from '../stats/index.js';

const camden = 'E09000007';

describe.each(testEngines)('the gap matrix through the API on %s', (engine) => {
  let testApp: TestApp;
  let folder: string;
  const sessions = new Map<string, string>();
  const get = (who: string, url: string) => testApp.app.inject({ method: 'GET', url, cookies: { [sessionCookieName(false)]: sessions.get(who)! } });

  beforeAll(async () => {
    testApp = await createTestApp({ engine });
    folder = mkdtempSync(join(tmpdir(), 'ntg-gaps-api-'));
    // 3 young carers (1 reaches the standard) and 40 others (30 do); 20 of the others are disadvantaged (10 reach it).
    const rows = [
      ...Array.from({ length: 3 }, (_, index) => child(index, { young_carer: 'Y', disadvantaged: 'N', ks2_rwm_expected: index === 0 ? 'Y' : 'N' })),
      ...Array.from({ length: 40 }, (_, index) => child(100 + index, { young_carer: 'N', disadvantaged: index >= 20 ? 'Y' : 'N', ks2_rwm_expected: index < 30 ? 'Y' : 'N' })),
    ];
    const path = join(folder, 'camden.csv');
    writeFileSync(path, childCsv(rows));
    await importChildFile({ path, fileName: 'camden.csv', laCode: camden, acceptValid: false, actor: { userId: null, organisationId: null, label: 'test' } }, { database: testApp.database, dataDir: folder, pseudonymKey: testPseudonymKey });
    // Published key stage 2 attainment for England: 46% of 205,000 disadvantaged pupils in 2023/24.
    const statisticsPath = join(folder, 'key_stage_2.csv');
    writeFileSync(
      statisticsPath,
      [
        'time_period,time_identifier,geographic_level,country_code,country_name,characteristic,t_rwm_eligible_pupils,pt_rwm_met_expected_standard',
        '202324,Academic year,National,E92000001,England,Total,660000,61',
        '202324,Academic year,National,E92000001,England,Disadvantaged,205000,46',
      ].join('\n'),
    );
    writeFileSync(
      join(folder, 'key_stage_2.meta.csv'),
      [
        'col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,filter_hint,filter_grouping_column',
        'characteristic,Filter,Characteristic,,,,,',
        't_rwm_eligible_pupils,Indicator,Eligible pupils,,,0,,',
        'pt_rwm_met_expected_standard,Indicator,Expected standard in reading writing and maths,,%,0,,',
      ].join('\n'),
    );
    const loaded = await importStatistics(testApp.database.db, { dataPath: statisticsPath, metaPath: join(folder, 'key_stage_2.meta.csv'), dataDir: folder, uploadedBy: { userId: null, label: 'test', organisationId: null } });
    expect(loaded.outcome).toBe('loaded');
    const db = testApp.database.db;
    const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: camden, laCode: camden });
    const london = await newOrganisation(db, { kind: 'region', name: 'London', areaCode: 'E12000007' });
    const northWest = await newOrganisation(db, { kind: 'region', name: 'North West', areaCode: 'E12000002' });
    const people: [string, Role, string][] = [
      ['analyst', 'analyst', authority],
      ['adviser', 'regional-adviser', london],
      ['other-adviser', 'regional-adviser', northWest],
      ['contributor', 'contributor', authority],
    ];
    for (const [who, token] of await signedInPeople(db, people)) sessions.set(who, token);
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const url = `/api/v1/areas/${camden}/gaps?year=2023/24&indicator=ks2_rwm_expected&group=young-carers`;

  it('gives the authority’s analyst the figures, small numbers and all', async () => {
    const response = await get('analyst', url);
    expect(response.statusCode).toBe(200);
    const expected = proportionDifference({ numerator: 1, denominator: 3 }, { numerator: 30, denominator: 40 }, { multiplier: 100 });
    expect(response.json()).toEqual({
      area: camden,
      year: '2023/24',
      cells: [expect.objectContaining({ group: 'young-carers', group_count: 3, comparator_count: 40, gap: expected.value, gap_lower: expected.lower, gap_upper: expected.upper, suppressed: false })],
    });
  });

  it('suppresses the small numbers for a regional adviser', async () => {
    const response = await get('adviser', url);
    expect(response.json<{ cells: unknown[] }>().cells).toEqual([expect.objectContaining({ group_count: null, group_value: null, gap: null, significant: null, suppressed: true })]);
    const wholeMatrix = await get('adviser', `/api/v1/areas/${camden}/gaps`);
    // The 13 groups by every indicator: the standard's 12 measures and the 7 worked out from the records.
    expect(wholeMatrix.json<{ cells: unknown[] }>().cells).toHaveLength(13 * 19);
  });

  it('refuses an area outside the caller’s reach, and roles without aggregates', async () => {
    expect((await get('other-adviser', url)).statusCode).toBe(403);
    expect((await get('contributor', url)).statusCode).toBe(403);
  });

  it('compares a group with the same group in England, taking the published figure as fixed', async () => {
    const base = `/api/v1/areas/${camden}/gaps?year=2023/24&group=poorer-socio-economic-groups&comparator=england`;
    const response = await get('analyst', `${base}&indicator=ks2_rwm_expected`);
    expect(response.statusCode).toBe(200);
    // 10 of 20 disadvantaged children here (50%) against 46% in England: a gap of 4 points, its interval the group's own moved down by 46.
    const own = proportion(10, 20, { multiplier: 100 });
    expect(response.json()).toEqual({
      area: camden,
      year: '2023/24',
      cells: [
        expect.objectContaining({
          comparator: 'england',
          group_count: 20,
          group_value: 50,
          comparator_count: 205000,
          comparator_value: 46,
          comparator_lower: null,
          comparator_upper: null,
          gap: 4,
          gap_lower: own.lower! - 46,
          gap_upper: own.upper! - 46,
          significant: false,
          comparator_note: null,
        }),
      ],
    });
    const healthyWeight = await get('analyst', `${base}&indicator=healthy_weight_y6`);
    expect(healthyWeight.json<{ cells: unknown[] }>().cells).toEqual([
      expect.objectContaining({ comparator: 'england', comparator_value: null, gap: null, comparator_note: 'no published statistic measures this indicator in the same way' }),
    ]);
  });

  it('offers England on the gap matrix page once published statistics are loaded, saying what has no equivalent', async () => {
    const page = await get('analyst', `/gaps?la=${camden}&comparator=england`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<option value="england" selected>The same group in England (published)</option>');
    expect(page.body).toContain('between the group and the same group in England');
    expect(page.body).toContain('No published statistic measures these indicators the same way, so they have no England figure: Healthy weight in Reception; Healthy weight in Year 6; Vulnerable children with a trusted adult;');
    expect(page.body).toContain('Published statistics do not give these groups as they are defined here: Children with disabilities;');
    expect(page.body).toContain('<option value="region">The same group in London (published)</option>');
  });

  it('compares a group with the same group in the authority’s region through the API, saying when the region has no figure', async () => {
    const response = await get('analyst', `/api/v1/areas/${camden}/gaps?year=2023/24&group=poorer-socio-economic-groups&comparator=region&indicator=ks2_rwm_expected`);
    expect(response.statusCode).toBe(200);
    // The file loaded here has England's rows only: London's figure is missing, and the cell says so.
    expect(response.json<{ cells: unknown[] }>().cells).toEqual([
      expect.objectContaining({ comparator: 'region', comparator_value: null, gap: null, comparator_note: 'no published figure for this group in London in 2023/24 has been loaded' }),
    ]);
  });

  it('adds a combination the user picks as a row of the matrix page, shows one group alone, and names a bad combination', async () => {
    const fields = 'combo_group=poorer-socio-economic-groups&combo_also=young-carers%3Ano&combo_sex=&combo_ethnicity=';
    const page = await get('analyst', `/gaps?la=${camden}&year=2023/24&outcome=all&${fields}`);
    expect(page.statusCode).toBe(200);
    // Disadvantaged children who are not young carers: 10 of 20 reach the standard, against 21 of the other 23.
    const combination = 'poorer-socio-economic-groups&young-carers:no';
    expect(page.body).toContain('<th scope="row" class="govuk-table__header">Children from poorer socio-economic groups, not young carers</th>');
    const expected = proportionDifference({ numerator: 10, denominator: 20 }, { numerator: 21, denominator: 23 }, { multiplier: 100 });
    // Significantly worse (◆), the gap with a true minus sign.
    expect(page.body).toContain(`group=${encodeURIComponent(combination)}&amp;comparator=all-other"><span aria-hidden="true">◆ </span>−${Math.abs(expected.value!).toFixed(1)}`);
    expect(page.body).toContain('<input type="hidden" name="add" value="poorer-socio-economic-groups&amp;young-carers:no">');
    expect(page.body.match(/<th scope="row"/g)).toHaveLength(14);

    const alone = await get('analyst', `/gaps?la=${camden}&year=2023/24&add=${encodeURIComponent(combination)}&group=${encodeURIComponent(combination)}`);
    expect(alone.body.match(/<th scope="row"/g)).toHaveLength(1);

    const bad = await get('analyst', `/gaps?la=${camden}&add=young-carers%26sex%3AX`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('sex is sex:F or sex:M');
  });

  it('ranks the curves to turn through the API, as the command line does, and within reach only', async () => {
    const response = await get('analyst', `/api/v1/areas/${camden}/curves?year=2023/24`);
    expect(response.statusCode).toBe(200);
    const body = response.json<{ area: string; year: string; curves: Record<string, unknown>[] }>();
    expect(body).toMatchObject({ area: camden, year: '2023/24' });
    // Young carers: 1 of 3 against 30 of 40 reach the standard, 42 points behind: 1 more would need to.
    const youngCarers = body.curves.find((curve) => curve.group === 'young-carers' && curve.indicator === 'ks2_rwm_expected')!;
    const expected = proportionDifference({ numerator: 1, denominator: 3 }, { numerator: 30, denominator: 40 }, { multiplier: 100 });
    expect(youngCarers).toMatchObject({ rank: expect.any(Number) as unknown, year: '2023/24', gap: expected.value, gap_lower: expected.lower, gap_upper: expected.upper, children_to_close: 1 });
    expect(Object.keys(youngCarers).slice(0, 12)).toEqual(['rank', 'group', 'indicator', 'year', 'gap', 'gap_lower', 'gap_upper', 'significant', 'trend', 'standardised_gap', 'children_to_close', 'score']);
    // The regional adviser sees no small numbers, so the 3 young carers' gap is withheld and not ranked.
    const adviser = await get('adviser', `/api/v1/areas/${camden}/curves`);
    expect(adviser.statusCode).toBe(200);
    expect(adviser.json<{ curves: { group: string }[] }>().curves.some((curve) => curve.group === 'young-carers')).toBe(false);
    expect((await get('other-adviser', `/api/v1/areas/${camden}/curves`)).statusCode).toBe(403);
    expect((await get('analyst', `/api/v1/areas/${camden}/curves?year=2019`)).statusCode).toBe(400);
    expect((await get('analyst', `/api/v1/areas/${camden}/curves?year=2019/20`)).statusCode).toBe(404);
    expect((await get('analyst', '/api/v1/areas/E09999999/curves')).statusCode).toBe(404);
  });

  it('names what it does not understand', async () => {
    expect((await get('analyst', `/api/v1/areas/${camden}/gaps?indicator=happiness`)).json()).toMatchObject({ statusCode: 400, message: expect.stringContaining('indicator: "happiness" is not one of') as unknown });
    expect((await get('analyst', `/api/v1/areas/${camden}/gaps?year=2019`)).statusCode).toBe(400);
    expect((await get('analyst', `/api/v1/areas/${camden}/gaps?comparator=wales`)).statusCode).toBe(400);
    expect((await get('analyst', `/api/v1/areas/${camden}/gaps?year=2019/20`)).statusCode).toBe(404);
    expect((await get('analyst', '/api/v1/areas/E09999999/gaps')).statusCode).toBe(404);
  });
});
